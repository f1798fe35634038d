import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

const NotificationSchema = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: '種類 e.g. review.submitted' }),
  title: Type.String({ description: '標題（中文）' }),
  titleEn: Type.String({ description: 'Title (English)' }),
  body: Type.String({ description: '內容，使用者偏好的語言 body, in the user\'s language' }),
  link: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  readAt: Type.Union([Type.String(), Type.Null()]),
});

function userIdOf(req: FastifyRequest): string {
  if (req.user) return req.user.id;
  throw new AppError('UNAUTHENTICATED', 401, '需要登入或 API 權杖', 'Authentication required: sign in or send an API token');
}

/** The signed-in user's inbox under /api/v1/me. */
export const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me/notifications',
    {
      schema: {
        tags: ['account'],
        summary: '我的通知 My notifications, newest first',
        security: [{ bearer: [] }],
        querystring: Type.Object({ unread: Type.Optional(Type.Boolean({ description: '只列未讀 only unread ones' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
        response: { 200: Type.Object({ notifications: Type.Array(NotificationSchema), unread: Type.Integer() }), 401: ErrorSchema },
      },
    },
    async (req) => {
      const userId = userIdOf(req);
      const notifications = await app.services.notifications.inbox(userId, { unreadOnly: req.query.unread, limit: req.query.limit });
      return { notifications, unread: notifications.filter((n) => n.readAt === null).length };
    },
  );

  app.post(
    '/me/notifications/:id/read',
    {
      schema: {
        tags: ['account'],
        summary: '標示為已讀 Mark a notification read',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: { 200: NotificationSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => app.services.notifications.markRead(userIdOf(req), req.params.id),
  );
};
