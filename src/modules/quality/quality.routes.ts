import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { User } from '../users/users.service.ts';
import { BADGES } from './badges.ts';
import { INDICATOR_IDS } from './indicators.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))) }) });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const tags = ['quality'];
const DatasetParams = Type.Object({ id: Type.String({ maxLength: 200, description: 'id、name 或資料集編號 id, name or identifier' }) });
const Badge = Type.Union(BADGES.map((b) => Type.Literal(b)));
const Indicator = Type.Object({
  id: Type.Union(INDICATOR_IDS.map((i) => Type.Literal(i))),
  result: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('warn'), Type.Literal('na')]),
  zh: Type.String(),
  en: Type.String(),
  evidence: Type.Array(Type.Object({ row: Type.Optional(Type.Integer()), line: Type.Optional(Type.Integer()), column: Type.Optional(Type.String()), sample: Type.Optional(Type.String()), count: Type.Optional(Type.Integer()), note: Type.Optional(Type.String()) }), { description: '證據（僅機關人員可見）evidence (staff only)' }),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
const Run = Type.Object({
  resourceId: Type.String(),
  checkedAt: Type.String(),
  trigger: Type.String(),
  period: Type.String({ description: '半年期 half-year, e.g. 2026H2' }),
  badge: Badge,
  next: Type.Union([Type.Object({ badge: Badge, missing: Type.Array(Type.String()) }), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  indicators: Type.Array(Indicator),
});

function userOf(req: FastifyRequest): User {
  if (req.user) return req.user;
  throw new AppError('UNAUTHENTICATED', 401, '需要登入或 API 權杖', 'Authentication required: sign in or send an API token');
}

/** The quality engine's results under /api/v1 (issue 5): a dataset's newest checks, and a check on request. */
export const qualityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const quality = () => app.services.quality;
  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && req.body === undefined) req.body = {};
  });

  app.get(
    '/datasets/:id/quality',
    {
      schema: {
        tags,
        summary: '資料集品質 The predicted badge of a dataset (its weakest resource) and each resource’s newest check; evidence for the unit’s staff only',
        params: DatasetParams,
        response: { 200: Type.Object({ datasetId: Type.String(), badge: Badge, resources: Type.Array(Run) }), ...errors },
      },
    },
    async (req) => {
      const q = await quality().forDataset(req.user, req.params.id);
      return { datasetId: q.datasetId, badge: q.badge, resources: q.resources.map(({ resourceId, checkedAt, trigger, period, badge, next, error, indicators }) => ({ resourceId, checkedAt, trigger, period, badge, next, error, indicators })) };
    },
  );

  app.post(
    '/datasets/:id/resources/:rid/quality',
    {
      schema: {
        tags,
        summary: '重新檢查 Queue a quality check of one resource now (whoever may edit or review the dataset)',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.String({ maxLength: 200 }), rid: Type.String({ maxLength: 200 }) }),
        body: Type.Object({}),
        response: { 200: Type.Object({ jobId: Type.String({ description: '背景工作 the queued job' }) }), ...errors },
      },
    },
    async (req) => ({ jobId: await quality().requestCheck(userOf(req), req.params.id, req.params.rid) }),
  );
};
