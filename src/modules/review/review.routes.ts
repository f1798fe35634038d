import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { DATASET_STATES } from '../catalogue/national.ts';
import { DatasetInputSchema } from '../catalogue/catalogue.schemas.ts';
import type { User } from '../users/users.service.ts';
import { REVISION_STATES } from './review.service.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))) }) });

const RevisionState = Type.Union(REVISION_STATES.map((s) => Type.Literal(s)));

const StatusSchema = Type.Object({
  id: Type.String(),
  state: Type.Union(DATASET_STATES.map((s) => Type.Literal(s)), { description: '資料集（公開版本）狀態 state of the dataset (its public row)' }),
  workingCopy: Type.Optional(Type.Object({ version: Type.Integer(), state: RevisionState }, { description: '已公開資料集的工作副本 the open working copy of a published dataset' })),
});

const Params = Type.Object({ id: Type.String({ maxLength: 200, description: 'id、name 或資料集編號（同 package_show）id, name or identifier, as package_show accepts' }) });
const CommentBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 5000, description: '意見 comment' })) });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const security = [{ bearer: [] }];

function userOf(req: FastifyRequest): User {
  if (req.user) return req.user;
  throw new AppError('UNAUTHENTICATED', 401, '需要登入或 API 權杖', 'Authentication required: sign in or send an API token');
}

/** The review gate under /api/v1: drafts, working copies, submit / approve / return, diff, my tasks. */
export const reviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const review = () => app.services.review;
  // The comment is optional on submit and approve: a POST without any body is `{}`.
  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && req.body === undefined) req.body = {};
  });

  app.post(
    '/datasets',
    { schema: { tags: ['review'], summary: '新增資料集草稿 Create a dataset as a draft', security, body: DatasetInputSchema, response: { 200: StatusSchema, ...errors } } },
    async (req) => review().createDraft(userOf(req), req.body),
  );

  app.put(
    '/datasets/:id',
    {
      schema: {
        tags: ['review'],
        summary: '編修資料集 Edit a dataset: a draft in place, a published one through its working copy',
        security,
        params: Params,
        body: DatasetInputSchema,
        response: { 200: StatusSchema, ...errors },
      },
    },
    async (req) => review().edit(userOf(req), req.params.id, req.body),
  );

  app.post(
    '/datasets/:id/submit',
    { schema: { tags: ['review'], summary: '送審 Submit for review', security, params: Params, body: CommentBody, response: { 200: StatusSchema, ...errors } } },
    async (req) => review().submit(userOf(req), req.params.id, req.body.comment),
  );

  app.post(
    '/datasets/:id/approve',
    { schema: { tags: ['review'], summary: '核准 Approve a submission (never by its submitter)', security, params: Params, body: CommentBody, response: { 200: StatusSchema, ...errors } } },
    async (req) => review().approve(userOf(req), req.params.id, req.body.comment),
  );

  app.post(
    '/datasets/:id/return',
    {
      schema: {
        tags: ['review'],
        summary: '退回修改 Return a submission with a comment',
        security,
        params: Params,
        body: Type.Object({ comment: Type.String({ maxLength: 5000, description: '退回意見（必填）comment (required)' }) }),
        response: { 200: StatusSchema, ...errors },
      },
    },
    async (req) => review().returnForChanges(userOf(req), req.params.id, req.body.comment),
  );

  app.get(
    '/datasets/:id/diff',
    {
      schema: {
        tags: ['review'],
        summary: '差異 Field-by-field diff of the working copy (or a draft) against the published version',
        security,
        params: Params,
        response: {
          200: Type.Intersect([
            StatusSchema,
            Type.Object({
              against: Type.Union([Type.Literal('published'), Type.Literal('nothing')]),
              changes: Type.Array(Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() })),
            }),
          ]),
          ...errors,
        },
      },
    },
    async (req) => review().diff(userOf(req), req.params.id),
  );

  app.get(
    '/me/tasks',
    {
      schema: {
        tags: ['account'],
        summary: '我的待辦 My tasks: submissions waiting for my review, returned work waiting for my changes, discontinuations waiting for my decision',
        security,
        response: {
          200: Type.Object({
            tasks: Type.Array(
              Type.Object({
                kind: Type.Union([Type.Literal('review'), Type.Literal('returned'), Type.Literal('discontinuation')]),
                datasetId: Type.String(),
                name: Type.String(),
                title: Type.String(),
                unit: Type.String(),
                state: Type.String(),
                version: Type.Union([Type.Integer(), Type.Null()]),
                submittedBy: Type.Union([Type.String(), Type.Null()]),
                submittedAt: Type.Union([Type.String(), Type.Null()]),
                comment: Type.Union([Type.String(), Type.Null()]),
                proposal: Type.Optional(
                  Type.Object({ id: Type.String(), kind: Type.String() }, { description: '停止提供申請（kind discontinuation）the proposal: /api/v1/discontinuations/{id}' }),
                ),
              }),
            ),
          }),
          401: ErrorSchema,
        },
      },
    },
    async (req) => ({ tasks: await review().tasks(userOf(req)) }),
  );
};
