import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from '../../app.ts';
import { AppError } from '../../errors.ts';
import { taipeiDate } from '../../time.ts';
import type { User } from '../users/users.service.ts';
import {
  CommentBody,
  CompiledSchema,
  DatasetDraftSchema,
  ErrorSchema,
  ImportResultSchema,
  InventoryHeaderSchema,
  InventoryItemSchema,
  InventoryViewSchema,
  ItemIdParams,
  ItemParams,
  ListStatusSchema,
  OverviewSchema,
  ProblemsErrorSchema,
  PublicListSchema,
  RawItemSchema,
  RawItemsSchema,
  ScheduleQuery,
  ScheduleSchema,
  UnitParams,
  YearParams,
  ApprovalSchema,
} from './inventory.schemas.ts';
import { ItemProblemsError } from './inventory.service.ts';
import { parseItem, parseItems } from './inventory.validation.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const itemErrors = { ...errors, 422: ProblemsErrorSchema };
const security = [{ bearer: [] }];
const tags = ['inventory'];

function userOf(req: FastifyRequest): User {
  if (req.user) return req.user;
  throw new AppError('UNAUTHENTICATED', 401, '需要登入或 API 權杖', 'Authentication required: sign in or send an API token');
}

/** One item from a body, through the field rules; every problem is a 422 naming the field. */
function oneItem(raw: Record<string, unknown>) {
  const { item, problems } = parseItem(raw, 1);
  if (!item) throw new ItemProblemsError(problems);
  return item;
}

/**
 * The inventory under /api/v1: each unit's yearly inventory (signed in; inventory.read / edit for
 * the unit), the agency list's compilation and approval, the public approved list, the opening
 * schedule, and dataset drafts from approved items.
 */
export const inventoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = () => app.services.inventory;
  // Actions without a body (submit, approve…): a POST without any is `{}`.
  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && req.body === undefined) req.body = {};
  });
  // The app's error replies, plus `problems` (row, field, column, zh, en) for items that cannot be stored.
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorBody(err, req);
    if (status >= 500) req.log.error(err);
    return reply.status(status).send(err instanceof ItemProblemsError ? { ...body, problems: err.problems } : body);
  });

  app.get(
    '/inventories/:year',
    { schema: { tags, summary: '年度盤點總覽 Every unit\'s inventory state and item counts, and the agency list (the window, the CIO, the head)', security, params: YearParams, response: { 200: OverviewSchema, ...errors } } },
    async (req) => ({ year: req.params.year, list: await service().listState(req.params.year), units: await service().overview(req.params.year, userOf(req)) }),
  );

  app.get(
    '/inventories/:year/units/:unit',
    { schema: { tags, summary: '單位盤點清單 A unit\'s inventory of a year with its items (inventory is null when not started)', security, params: UnitParams, response: { 200: InventoryViewSchema, ...errors } } },
    async (req) => service().get(req.params.unit, req.params.year, userOf(req)),
  );

  app.put(
    '/inventories/:year/units/:unit/items',
    {
      schema: {
        tags,
        summary: '匯入盤點清單 Replace the draft\'s items with this list, all or nothing (matched by itemKey, then name: ids and dataset links survive); 422 names every problem',
        security,
        params: UnitParams,
        body: RawItemsSchema,
        response: { 200: ImportResultSchema, ...itemErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const { items, problems } = parseItems(req.body.map((raw, i) => ({ raw, row: i + 1 })));
      if (problems.length) {
        // Who may not edit is told so, rather than what is wrong with the rows.
        await service().checkEdit(req.params.unit, req.params.year, user);
        throw new ItemProblemsError(problems);
      }
      return service().replaceItems(req.params.unit, req.params.year, items, user, { source: 'api' });
    },
  );

  app.post(
    '/inventories/:year/units/:unit/items',
    { schema: { tags, summary: '新增盤點項目 Add one item to the draft (the first edit creates it)', security, params: UnitParams, body: RawItemSchema, response: { 200: InventoryItemSchema, ...itemErrors } } },
    async (req) => service().saveItem(req.params.unit, req.params.year, null, oneItem(req.body), userOf(req)),
  );

  app.put(
    '/inventories/:year/units/:unit/items/:itemId',
    { schema: { tags, summary: '修改盤點項目 Change one item of the draft', security, params: ItemParams, body: RawItemSchema, response: { 200: InventoryItemSchema, ...itemErrors } } },
    async (req) => service().saveItem(req.params.unit, req.params.year, req.params.itemId, oneItem(req.body), userOf(req)),
  );

  app.delete(
    '/inventories/:year/units/:unit/items/:itemId',
    { schema: { tags, summary: '刪除盤點項目 Remove one item of the draft', security, params: ItemParams, response: { 200: Type.Object({ deleted: Type.String({ description: '已刪除的項目 id the removed item' }) }), ...errors } } },
    async (req) => {
      await service().deleteItem(req.params.unit, req.params.year, req.params.itemId, userOf(req));
      return { deleted: req.params.itemId };
    },
  );

  app.post(
    '/inventories/:year/units/:unit/submit',
    { schema: { tags, summary: '送出盤點清單 Submit the draft to the open-data window (locked until returned or approved)', security, params: UnitParams, response: { 200: InventoryHeaderSchema, ...errors } } },
    async (req) => service().submit(req.params.unit, req.params.year, userOf(req)),
  );

  app.post(
    '/inventories/:year/units/:unit/reopen',
    { schema: { tags, summary: '重新開啟 Reopen an approved inventory for changes (the published list stays until the next approval)', security, params: UnitParams, response: { 200: InventoryHeaderSchema, ...errors } } },
    async (req) => service().reopen(req.params.unit, req.params.year, userOf(req)),
  );

  app.post(
    '/inventories/:year/units/:unit/return',
    { schema: { tags, summary: '退回單位 Return a submitted inventory to the unit with a comment (the window)', security, params: UnitParams, body: CommentBody, response: { 200: InventoryHeaderSchema, ...errors } } },
    async (req) => service().returnToUnit(req.params.unit, req.params.year, req.body.comment, userOf(req)),
  );

  app.post(
    '/inventories/:year/compile',
    { schema: { tags, summary: '彙整機關清單 Compile the agency list from the submitted and approved inventories, with the diff (the window)', security, params: YearParams, response: { 200: CompiledSchema, ...errors } } },
    async (req) => service().compile(req.params.year, userOf(req)),
  );

  app.get(
    '/inventories/:year/compiled',
    { schema: { tags, summary: '已彙整清單 What was compiled, as the CIO is asked to approve it', security, params: YearParams, response: { 200: CompiledSchema, ...errors } } },
    async (req) => {
      const found = await service().compiled(req.params.year, userOf(req));
      if (!found) throw new AppError('INVENTORY_LIST_NOT_FOUND', 404, `${req.params.year} 年資料開放清單尚未彙整`, `The ${req.params.year} open-data list has not been compiled`);
      return found;
    },
  );

  app.post(
    '/inventories/:year/approve',
    { schema: { tags, summary: '核定機關清單 Approve the compiled list (the CIO; never one they compiled): publishes the list and its dataset', security, params: YearParams, response: { 200: ApprovalSchema, ...errors } } },
    async (req) => service().approve(req.params.year, userOf(req)),
  );

  app.post(
    '/inventories/:year/return',
    { schema: { tags, summary: '退回機關清單 Return the compiled list to the window with a comment (the CIO)', security, params: YearParams, body: CommentBody, response: { 200: ListStatusSchema, ...errors } } },
    async (req) => service().returnList(req.params.year, req.body.comment, userOf(req)),
  );

  app.get(
    '/inventory-lists/:year',
    {
      schema: {
        tags,
        summary: '資料開放清單及期程（公開）The approved open-data list of a year: the newest revision (or ?revision=n), its diff and the approval history',
        params: YearParams,
        querystring: Type.Object({ revision: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: { 200: PublicListSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const approval = await service().approval(req.params.year, req.query.revision);
      if (!approval) throw new AppError('INVENTORY_LIST_NOT_FOUND', 404, `${req.params.year} 年資料開放清單${req.query.revision ? `第 ${req.query.revision} 版` : ''}尚未核定`, `The ${req.params.year} open-data list${req.query.revision ? ` revision ${req.query.revision}` : ''} has not been approved`);
      return { ...approval, revisions: await service().approvals(req.params.year) };
    },
  );

  app.get(
    '/schedule',
    {
      schema: {
        tags,
        summary: '開放期程 The opening schedule of approved open items and their status (staff with followup.read or inventory.read; their units, or all)',
        security,
        querystring: ScheduleQuery,
        response: { 200: ScheduleSchema, ...errors },
      },
    },
    async (req) => {
      const asOf = req.query.asOf ?? taipeiDate();
      const entries = await service().schedule(userOf(req), await app.services.calendar.calendar(), { asOf, year: req.query.year, unit: req.query.unit });
      return { asOf, entries };
    },
  );

  app.post(
    '/inventory-items/:itemId/dataset',
    { schema: { tags, summary: '由盤點項目建立資料集草稿 Make a draft dataset from an approved open item and link it (dataset.create in its unit)', security, params: ItemIdParams, response: { 200: DatasetDraftSchema, ...errors } } },
    async (req) => service().createDatasetDraft(req.params.itemId, userOf(req)),
  );
};
