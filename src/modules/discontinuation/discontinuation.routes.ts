import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { User } from '../users/users.service.ts';
import { NoticeSchema, PROPOSAL_STATES, ProposalSchema, ProposeBodySchema } from './discontinuation.schemas.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))) }) });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const security = [{ bearer: [] }];
const DatasetParams = Type.Object({ id: Type.String({ maxLength: 200, description: 'id、name 或資料集編號 id, name or identifier' }) });
const ProposalParams = Type.Object({ pid: Type.String({ maxLength: 200, description: '停止提供申請 id proposal id' }) });
const tags = ['discontinuation'];

function userOf(req: FastifyRequest): User {
  if (req.user) return req.user;
  throw new AppError('UNAUTHENTICATED', 401, '需要登入或 API 權杖', 'Authentication required: sign in or send an API token');
}

/** Discontinuation (停止提供) under /api/v1: proposals and decisions (signed in), notices (public). */
export const discontinuationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = () => app.services.discontinuation;
  // Approve and withdraw need no body: a POST without any is `{}`.
  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && req.body === undefined) req.body = {};
  });

  app.post(
    '/datasets/:id/discontinuation',
    {
      schema: {
        tags,
        summary: '申請停止提供 Propose discontinuing a published dataset (unit contact), with the meeting date and resolution',
        security,
        params: DatasetParams,
        body: ProposeBodySchema,
        response: { 200: ProposalSchema, ...errors },
      },
    },
    async (req) => service().propose(userOf(req), req.params.id, req.body),
  );

  app.get(
    '/discontinuations',
    {
      schema: {
        tags,
        summary: '停止提供申請列表 Discontinuation proposals the caller may see (their units; all for the head)',
        security,
        querystring: Type.Object({ state: Type.Optional(Type.Union(PROPOSAL_STATES.map((s) => Type.Literal(s)), { description: 'proposed | approved | rejected | withdrawn' })) }),
        response: { 200: Type.Object({ results: Type.Array(ProposalSchema) }), 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (req) => ({ results: await service().list(userOf(req), req.query.state) }),
  );

  app.get(
    '/discontinuations/:pid',
    { schema: { tags, summary: '取得停止提供申請 One discontinuation proposal', security, params: ProposalParams, response: { 200: ProposalSchema, ...errors } } },
    async (req) => service().get(userOf(req), req.params.pid),
  );

  app.post(
    '/discontinuations/:pid/approve',
    {
      schema: {
        tags,
        summary: '核定停止提供 Approve (head of agency; never one\'s own proposal): the dataset changes and the notice is published',
        security,
        params: ProposalParams,
        body: Type.Object({ comment: Type.Optional(Type.String({ maxLength: 5000, description: '意見 comment' })) }),
        response: { 200: ProposalSchema, ...errors },
      },
    },
    async (req) => service().approve(userOf(req), req.params.pid, req.body.comment),
  );

  app.post(
    '/discontinuations/:pid/reject',
    {
      schema: {
        tags,
        summary: '不核定 Reject (head of agency), saying why',
        security,
        params: ProposalParams,
        body: Type.Object({ comment: Type.String({ maxLength: 5000, description: '理由（必填）comment (required)' }) }),
        response: { 200: ProposalSchema, ...errors },
      },
    },
    async (req) => service().reject(userOf(req), req.params.pid, req.body.comment),
  );

  app.post(
    '/discontinuations/:pid/withdraw',
    { schema: { tags, summary: '撤回申請 Withdraw one\'s own open proposal', security, params: ProposalParams, response: { 200: ProposalSchema, ...errors } } },
    async (req) => service().withdraw(userOf(req), req.params.pid),
  );

  app.get(
    '/discontinued',
    {
      schema: {
        tags,
        summary: '停止提供公告 Public notices of discontinued datasets (and changes of provision type), newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 100 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
          lang: Type.Optional(Type.String()),
        }),
        response: { 200: Type.Object({ count: Type.Integer(), results: Type.Array(NoticeSchema) }), 400: ErrorSchema },
      },
    },
    async (req) => service().notices({ limit: req.query.limit, offset: req.query.offset }),
  );
};
