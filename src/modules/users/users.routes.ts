import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors.ts';
import { ROLES } from './users.service.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

const MeSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.Object({ unit: Type.String({ description: '單位代稱 unit name' }), role: Type.Union(ROLES.map((r) => Type.Literal(r))) })),
});

/** Account routes under /api/v1. app.ts has already resolved the token into `request.user`. */
export const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: '目前的使用者 The user the API token belongs to',
        description: '以 `Authorization: Bearer <token>` 或（CKAN 用戶端）原始權杖 `Authorization: <token>` 驗證。Authenticate with `Authorization: Bearer <token>` or, as CKAN clients do, the raw token.',
        security: [{ bearer: [] }],
        response: { 200: MeSchema, 401: ErrorSchema },
      },
    },
    async (req, reply) => {
      if (req.user) return req.user;
      void reply.header('www-authenticate', 'Bearer realm="kaifang"');
      if (req.headers.authorization) {
        throw new AppError('UNAUTHENTICATED', 401, 'API 權杖無效、已過期或已撤銷', 'The API token is invalid, expired or revoked');
      }
      throw new AppError('UNAUTHENTICATED', 401, '需要登入：請以 Authorization 標頭提供 API 權杖', 'Authentication required: send an API token in the Authorization header');
    },
  );
};
