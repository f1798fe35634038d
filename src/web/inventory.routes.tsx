import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, notFound } from '../errors.ts';
import { langOf, pickLang, type Lang } from '../i18n.ts';
import { ItemProblemsError, type InventoryView, type OverviewRow } from '../modules/inventory/inventory.service.ts';
import { MAX_BYTES, readInventorySheet, sheetFormatOf, writeApprovedList, writeInventorySheet, type WriteFormat } from '../modules/inventory/inventory.sheet.ts';
import { CLASSIFICATIONS, SCHEDULE_STATUSES, type Classification, type ItemProblem, type ScheduleStatus } from '../modules/inventory/inventory.types.ts';
import { ITEM_FIELDS, parseItem } from '../modules/inventory/inventory.validation.ts';
import { loadSchedule } from '../modules/inventory/schedule.ts';
import { assertCan, can } from '../modules/policy/policy.ts';
import type { Unit } from '../modules/units/units.service.ts';
import type { User } from '../modules/users/users.service.ts';
import { taipeiDate } from '../time.ts';
import { signedIn } from './account.routes.tsx';
import { pageCtx } from './context.ts';
import { unitTitle } from './format.ts';
import { mayWrite, readMultipartForm, type FilePart } from './multipart.ts';
import type { FieldError } from './pages/manage/dataset-form.tsx';
import { InventoryListPage } from './pages/inventory-list.tsx';
import { InventoryCompiledPage } from './pages/manage/inventory-compiled.tsx';
import { InventoryItemPage, itemErrors, itemFieldId, itemValues, rawOf, readItemForm, type ItemValues } from './pages/manage/inventory-item.tsx';
import { inventoryMessages } from './pages/manage/inventory-messages.ts';
import { inventoryHref, InventoryOverviewPage, type OverviewUnitRow } from './pages/manage/inventory-overview.tsx';
import { DOWNLOAD_FORMATS, InventoryUnitPage, type InventoryUnitProps, type UnitActions } from './pages/manage/inventory-unit.tsx';
import { SchedulePage } from './pages/manage/schedule.tsx';
import { sendPage } from './respond.ts';

const Csrf = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) });
const DoneQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 10 })),
  done: Type.Optional(Type.String({ maxLength: 20 })),
  added: Type.Optional(Type.String({ maxLength: 10 })),
  updated: Type.Optional(Type.String({ maxLength: 10 })),
  removed: Type.Optional(Type.String({ maxLength: 10 })),
});
const OverviewQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })), year: Type.Optional(Type.String({ maxLength: 10 })), done: Type.Optional(Type.String({ maxLength: 20 })) });
const ScheduleQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 10 })),
  year: Type.Optional(Type.String({ maxLength: 10 })),
  unit: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
});
const YearParams = Type.Object({ year: Type.String({ maxLength: 10 }) });
const UnitParams = Type.Object({ year: Type.String({ maxLength: 10 }), unit: Type.String({ minLength: 1, maxLength: 200 }) });
const ItemParams = Type.Object({ year: Type.String({ maxLength: 10 }), unit: Type.String({ minLength: 1, maxLength: 200 }), itemId: Type.String({ minLength: 1, maxLength: 200 }) });
const PlainBody = Type.Object(Csrf);
const CommentBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 5000 })), ...Csrf });
const StartBody = Type.Object({ fromYear: Type.Optional(Type.String({ maxLength: 10 })), ...Csrf });
/** The item form posts ITEM_FIELDS by id; parseItem reads and checks them. */
const ItemBody = Type.Object(Csrf, { additionalProperties: Type.String({ maxLength: 5000 }) });
const UploadBody = Type.Object(Csrf, { additionalProperties: true });

const DONE = new Set(['saved', 'deleted', 'imported', 'started', 'submitted', 'reopened', 'returned', 'compiled', 'approved', 'listReturned']);
const doneOf = (d: string | undefined): string | undefined => (d && DONE.has(d) ? d : undefined);

/** A year in a path or query: four digits, else 404 (a path) or this year (a query). */
function yearParam(raw: string): number {
  if (!/^\d{4}$/.test(raw)) throw notFound('inventory', '盤點年度', raw);
  return Number(raw);
}
const thisYear = (): number => Number(taipeiDate().slice(0, 4));
const queryYear = (raw: string | undefined): number => (raw && /^\d{4}$/.test(raw) ? Number(raw) : thisYear());

/** Largest inventory file taken (the reader's own limit, or the portal's upload limit when lower). */
type SheetUpload = { kind: 'stored'; dir: string; file: string; fileName: string } | { kind: 'refused'; zh: string; en: string } | { kind: 'none' };

const counts = (items: { classification: Classification }[]): Record<Classification, number> =>
  Object.fromEntries(CLASSIFICATIONS.map((c) => [c, items.filter((i) => i.classification === c).length])) as Record<Classification, number>;

/** An ApprovedItem as the sheet writer's row: the unit shown as 權責單位 when the item names none. */

/** The service's field errors (keys such as `name` or `items[2].plannedDate`, messages "zh / en") as form errors. */
function serviceErrors(err: AppError, lang: Lang): FieldError[] {
  const out: FieldError[] = [];
  for (const [key, messages] of Object.entries(err.details ?? {})) {
    const id = /(\w+)$/.exec(key)?.[1] ?? key;
    const f = ITEM_FIELDS.find((x) => x.id === id);
    for (const m of messages) out.push({ id: f ? itemFieldId(f.id) : null, label: f ? (lang === 'en' ? f.headingEn : f.heading) : key, message: pickLang(m, lang) });
  }
  return out.length ? out : [{ id: null, label: lang === 'en' ? 'Item' : '項目', message: lang === 'en' ? err.en : err.zh }];
}

/** Refusals a clerk acts on in the form or file (item problems 422, a state that changed 409, 400). */
const isFormError = (err: unknown): err is AppError => err instanceof AppError && (err.status === 400 || err.status === 409 || err.status === 422);

/**
 * The inventory (年度盤點) and opening schedule (開放期程) pages of the back office, and the
 * public open-data list (資料開放清單及期程). InventoryService decides who may do what; these
 * handlers gather what the pages show and hide the buttons it would refuse. Registered inside the
 * web plugin, so errors render as pages.
 */
export const inventoryWebRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const services = app.services;
  const { inventory, units, config, calendar, db, users } = services;
  const uploads = new WeakMap<FastifyRequest, SheetUpload>();
  const maxBytes = Math.min(MAX_BYTES, config.uploadMaxBytes);

  /*
   * The upload form is multipart (the shared reader of src/web/multipart.ts): the file is written
   * to a temporary directory only once the CSRF token before it has been seen, and removed when
   * the response is sent. The route checks access before reading it.
   */
  app.addContentTypeParser('multipart/form-data', async (req: FastifyRequest, payload: NodeJS.ReadableStream) => {
    let upload: SheetUpload = { kind: 'none' };
    const receive = async (stream: FilePart, fileName: string, _mediaType: string, fields: Readonly<Record<string, string>>): Promise<void> => {
      if (!req.user || !mayWrite(req, fields) || !fileName) {
        stream.resume();
        return;
      }
      const dir = await mkdtemp(path.join(tmpdir(), 'kaifang-inventory-'));
      const ext = sheetFormatOf(fileName) ?? 'bin';
      const file = path.join(dir, `upload.${ext}`);
      upload = { kind: 'stored', dir, file, fileName };
      await pipeline(stream, createWriteStream(file));
      if ((stream as FilePart & { truncated?: boolean }).truncated) {
        await rm(dir, { recursive: true, force: true });
        const mb = Math.floor(maxBytes / 1024 / 1024);
        upload = { kind: 'refused', zh: `檔案超過 ${mb} MB，請確認是盤點清單`, en: `The file is larger than ${mb} MB; is it the inventory?` };
      }
    };
    const fields = await readMultipartForm(req, payload, { limits: { fileSize: maxBytes, fields: 5, fieldSize: 1000, parts: 8 }, onFile: receive }).catch(async (err: unknown) => {
      if (upload.kind === 'stored') await rm(upload.dir, { recursive: true, force: true });
      throw err;
    });
    uploads.set(req, upload);
    return fields;
  });
  app.addHook('onResponse', async (req) => {
    const u = uploads.get(req);
    if (u?.kind === 'stored') await rm(u.dir, { recursive: true, force: true });
  });

  const unitOf = async (name: string): Promise<Unit> => {
    const u = await units.get(name);
    if (u.kind !== 'unit') throw notFound('unit', '單位', name);
    return u;
  };
  const unitTitles = async (lang: Lang) => {
    const all = await units.list({ includeExternal: true });
    const byName = new Map(all.map((u) => [u.name, u]));
    return (name: string, fallback?: string): string => {
      const u = byName.get(name);
      return u ? unitTitle(u, lang) : (fallback ?? name);
    };
  };
  /** The units whose inventory the user reads: every unit for the window, the CIO and the head; else their own. */
  const readableUnits = async (user: User): Promise<Unit[]> => (await units.list()).filter((u) => u.kind === 'unit' && can(user, 'inventory.read', { unit: u.name }));

  /* ---- /manage/inventory: the year's overview ---- */

  app.get('/manage/inventory', { schema: { hide: true, querystring: OverviewQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const year = queryYear(req.query.year);
    let rows: OverviewRow[];
    if (can(user, 'inventory.read')) rows = await inventory.overview(year, user);
    else {
      // A unit's contact or reviewer: their own units' lines.
      const mine = await readableUnits(user);
      if (mine.length === 0) assertCan(user, 'inventory.read');
      rows = await Promise.all(
        mine.map(async (u): Promise<OverviewRow> => {
          const v = await inventory.get(u.name, year, user);
          return { unit: u.name, unitTitle: u.title, unitTitleEn: u.titleEn, state: v.inventory?.state ?? 'none', items: v.items.length, byClassification: counts(v.items), submittedAt: v.inventory?.submittedAt ?? null, updatedAt: null };
        }),
      );
    }
    const canCompile = can(user, 'inventory.compile');
    const withActions: OverviewUnitRow[] = rows.map((r) => ({ ...r, canEdit: can(user, 'inventory.edit', { unit: r.unit }), canReturn: canCompile && r.state === 'submitted' }));
    const [list, history] = await Promise.all([inventory.listState(year), inventory.approvals(year)]);
    const published = history[0] ? { revision: history[0].revision, approvedAt: history[0].approvedAt } : null;
    return sendPage(req, reply, 200, <InventoryOverviewPage ctx={ctx} year={year} rows={withActions} list={list} published={published} canCompile={canCompile} canApprove={can(user, 'inventory.approve')} done={doneOf(req.query.done)} />);
  });

  /* ---- The blank template ---- */

  /** A sheet download: the writer streams into the reply. */
  /** Streams a sheet as a download; `write` writes it to the stream (and ends it). */
  const sendSheet = (reply: FastifyReply, format: WriteFormat, base: string, write: (out: PassThrough) => Promise<void>, cache = 'private, no-cache') => {
    const out = new PassThrough();
    const type = { csv: 'text/csv; charset=utf-8', ods: 'application/vnd.oasis.opendocument.spreadsheet', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }[format];
    // The file name in ASCII for old clients, and in UTF-8 (RFC 6266) for the rest.
    void reply
      .type(type)
      .header('content-disposition', `attachment; filename="${base.replace(/[^\x20-\x7e]|"/g, '_')}.${format}"; filename*=UTF-8''${encodeURIComponent(`${base}.${format}`)}`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', cache);
    write(out).catch((err: unknown) => out.destroy(err as Error));
    return reply.send(out);
  };

  for (const format of DOWNLOAD_FORMATS) {
    app.get(`/manage/inventory/template.${format}`, { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
      const user = signedIn(req, reply);
      if (!user) return reply;
      // Whoever fills in an inventory (or reads them) gets the template.
      if ((await readableUnits(user)).length === 0) assertCan(user, 'inventory.read');
      return sendSheet(reply, format, 'inventory-template', (out) => writeInventorySheet([], out, format));
    });
  }

  /* ---- A unit's inventory ---- */

  /** Everything the unit page shows, and which of its buttons this user gets. */
  const unitPage = async (req: FastifyRequest, reply: FastifyReply, user: User, yearRaw: string, unitName: string, status: number, extra: Partial<InventoryUnitProps> = {}) => {
    const ctx = pageCtx(req, config);
    const year = yearParam(yearRaw);
    const unit = await unitOf(unitName);
    const view = await inventory.get(unit.name, year, user);
    const state = view.inventory?.state ?? 'none';
    const mayEdit = can(user, 'inventory.edit', { unit: unit.name });
    const editable = mayEdit && (state === 'none' || state === 'draft');
    let startFrom: number | null = null;
    if (editable && view.items.length === 0 && ((await inventory.approval(year - 1)) !== null || (await inventory.get(unit.name, year - 1, user)).items.length > 0)) startFrom = year - 1;
    const actions: UnitActions = {
      edit: editable,
      submit: mayEdit && state === 'draft' && view.items.length > 0,
      reopen: mayEdit && state === 'approved',
      return: can(user, 'inventory.compile', { unit: unit.name }) && state === 'submitted',
      startFrom,
    };
    return sendPage(req, reply, status, <InventoryUnitPage ctx={ctx} year={year} unit={{ name: unit.name, title: unitTitle(unit, ctx.lang) }} view={view} actions={actions} {...extra} />);
  };

  app.get('/manage/inventory/:year/:unit', { schema: { hide: true, params: UnitParams, querystring: DoneQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const q = req.query;
    const done = doneOf(q.done);
    const n = (s: string | undefined) => Number(/^\d{1,6}$/.test(s ?? '') ? s : 0);
    const doneExtra = done === 'imported' || done === 'started' ? inventoryMessages(langOf(req)).importSummary(n(q.added), n(q.updated), n(q.removed)) : undefined;
    return unitPage(req, reply, user, req.params.year, req.params.unit, 200, { done, doneExtra });
  });

  const back = (req: FastifyRequest, reply: FastifyReply, year: number, unit: string | undefined, done: string, query: Record<string, string | number> = {}) =>
    reply.redirect(pageCtx(req, config).href(inventoryHref(year, unit, unit ? '' : '/compiled'), { done, ...query }), 303);

  for (const format of DOWNLOAD_FORMATS) {
    app.get(`/manage/inventory/:year/:unit/download.${format}`, { schema: { hide: true, params: UnitParams, querystring: LangQuery } }, async (req, reply) => {
      const user = signedIn(req, reply);
      if (!user) return reply;
      const year = yearParam(req.params.year);
      const unit = await unitOf(req.params.unit);
      const view = await inventory.get(unit.name, year, user);
      // The sheet names linked datasets by their identifiers.
      const ids = view.items.map((i) => i.datasetId).filter((x): x is string => x !== null);
      const rows = ids.length ? await db.kysely.selectFrom('datasets').select(['id', 'identifier']).where('id', 'in', ids).execute() : [];
      return sendSheet(reply, format, `inventory-${year}-${unit.name}`, (out) => writeInventorySheet(view.items, out, format, { datasetIdentifiers: new Map(rows.map((r) => [r.id, r.identifier])) }));
    });
  }

  /* ---- Items ---- */

  /** The item form page (new: no item). */
  const itemPage = async (req: FastifyRequest, reply: FastifyReply, status: number, year: number, unit: Unit, item: { id: string; name: string } | undefined, values: ItemValues, errors: FieldError[]) => {
    const ctx = pageCtx(req, config);
    return sendPage(req, reply, status, <InventoryItemPage ctx={ctx} year={year} unit={{ name: unit.name, title: unitTitle(unit, ctx.lang) }} item={item} values={values} errors={errors} />);
  };

  /** The unit-year's inventory as the item form needs it: 403/404 from the service and the policy, 409 when not a draft. */
  const editableView = async (user: User, yearRaw: string, unitName: string): Promise<{ year: number; unit: Unit; view: InventoryView }> => {
    const year = yearParam(yearRaw);
    const unit = await unitOf(unitName);
    const view = await inventory.get(unit.name, year, user);
    assertCan(user, 'inventory.edit', { unit: unit.name });
    const state = view.inventory?.state ?? 'none';
    if (state !== 'none' && state !== 'draft') {
      const label = inventoryMessages('zh-TW').states[state] ?? state;
      throw new AppError('INVALID_TRANSITION', 409, `清單目前為「${label}」，不能修改`, `The inventory is ${state}; it cannot be changed now`);
    }
    return { year, unit, view };
  };

  /** Saves the posted item (itemId null: a new one); the form again with every problem, else back to the list. */
  const saveItem = async (req: FastifyRequest, reply: FastifyReply, user: User, params: { year: string; unit: string }, itemId: string | null, body: Record<string, unknown>) => {
    const lang = langOf(req);
    const { year, unit, view } = await editableView(user, params.year, params.unit);
    const existing = itemId ? view.items.find((i) => i.id === itemId) : undefined;
    if (itemId && !existing) throw notFound('item', '盤點項目', itemId);
    const values = readItemForm(body);
    const position = existing ? view.items.indexOf(existing) + 1 : view.items.length + 1;
    const { item, problems } = parseItem(rawOf(values), position);
    const shown = existing ? { id: existing.id, name: existing.name } : undefined;
    if (!item) return itemPage(req, reply, 400, year, unit, shown, values, itemErrors(problems, lang));
    const saved = await inventory.saveItem(unit.name, year, itemId, item, user).catch((err: unknown) => {
      if (isFormError(err)) return err;
      throw err;
    });
    if (saved instanceof ItemProblemsError) return itemPage(req, reply, 400, year, unit, shown, values, itemErrors(saved.problems, lang));
    if (saved instanceof AppError) return itemPage(req, reply, saved.status, year, unit, shown, values, serviceErrors(saved, lang));
    return back(req, reply, year, unit.name, 'saved');
  };

  app.get('/manage/inventory/:year/:unit/items/new', { schema: { hide: true, params: UnitParams, querystring: LangQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const { year, unit } = await editableView(user, req.params.year, req.params.unit);
    return itemPage(req, reply, 200, year, unit, undefined, itemValues(null), []);
  });
  app.post('/manage/inventory/:year/:unit/items/new', { schema: { hide: true, params: UnitParams, querystring: LangQuery, body: ItemBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    return saveItem(req, reply, user, req.params, null, req.body);
  });
  app.get('/manage/inventory/:year/:unit/items/:itemId/edit', { schema: { hide: true, params: ItemParams, querystring: LangQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const { year, unit, view } = await editableView(user, req.params.year, req.params.unit);
    const item = view.items.find((i) => i.id === req.params.itemId);
    if (!item) throw notFound('item', '盤點項目', req.params.itemId);
    return itemPage(req, reply, 200, year, unit, { id: item.id, name: item.name }, itemValues(item), []);
  });
  app.post('/manage/inventory/:year/:unit/items/:itemId/edit', { schema: { hide: true, params: ItemParams, querystring: LangQuery, body: ItemBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    return saveItem(req, reply, user, req.params, req.params.itemId, req.body);
  });
  app.post('/manage/inventory/:year/:unit/items/:itemId/delete', { schema: { hide: true, params: ItemParams, querystring: LangQuery, body: PlainBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const year = yearParam(req.params.year);
    await inventory.deleteItem(req.params.unit, year, req.params.itemId, user);
    return back(req, reply, year, req.params.unit, 'deleted');
  });

  /* ---- Import ---- */

  app.post('/manage/inventory/:year/:unit/upload', { schema: { hide: true, params: UnitParams, querystring: LangQuery, body: Type.Optional(UploadBody) } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const lang = langOf(req);
    const w = inventoryMessages(lang);
    const year = yearParam(req.params.year);
    const unit = await unitOf(req.params.unit);
    // The access checks first (404/403 as the service and the policy say), then the file.
    await editableView(user, req.params.year, unit.name);
    const upload = uploads.get(req) ?? { kind: 'none' };
    const again = (problems: ItemProblem[], fileError?: string) => unitPage(req, reply, user, req.params.year, unit.name, 400, { upload: { problems, fileError } });
    if (upload.kind === 'refused') return again([], lang === 'en' ? upload.en : upload.zh);
    if (upload.kind === 'none') return again([], w.noFile);
    const read = await readInventorySheet(upload.file, sheetFormatOf(upload.fileName), { name: upload.fileName });
    // Problems of the file as a whole (row 0: not a spreadsheet, no header) belong at the file control.
    const whole = read.problems.filter((p) => p.row === 0);
    if (whole.length) return again(read.problems.filter((p) => p.row !== 0), whole.map((p) => (lang === 'en' ? p.en : p.zh)).join(' '));
    if (read.problems.length) return again(read.problems);
    const result = await inventory.replaceItems(unit.name, year, read.items, user, { source: upload.fileName, rows: read.lines }).catch((err: unknown) => {
      if (isFormError(err)) return err;
      throw err;
    });
    if (result instanceof ItemProblemsError) return again(result.problems);
    if (result instanceof AppError) return again([], lang === 'en' ? result.en : result.zh);
    return back(req, reply, year, unit.name, 'imported', { added: result.added, updated: result.updated, removed: result.removed });
  });

  app.post('/manage/inventory/:year/:unit/start-from', { schema: { hide: true, params: UnitParams, querystring: LangQuery, body: StartBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const year = yearParam(req.params.year);
    const from = req.body.fromYear && /^\d{4}$/.test(req.body.fromYear) ? Number(req.body.fromYear) : year - 1;
    const r = await inventory.startFrom(req.params.unit, year, from, user);
    return back(req, reply, year, req.params.unit, 'started', { added: r.added, updated: r.updated, removed: r.removed });
  });

  /* ---- Workflow of a unit's inventory ---- */

  app.post('/manage/inventory/:year/:unit/submit', { schema: { hide: true, params: UnitParams, querystring: LangQuery, body: PlainBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const year = yearParam(req.params.year);
    await inventory.submit(req.params.unit, year, user);
    return back(req, reply, year, req.params.unit, 'submitted');
  });
  app.post('/manage/inventory/:year/:unit/reopen', { schema: { hide: true, params: UnitParams, querystring: LangQuery, body: PlainBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const year = yearParam(req.params.year);
    await inventory.reopen(req.params.unit, year, user);
    return back(req, reply, year, req.params.unit, 'reopened');
  });
  app.post('/manage/inventory/:year/:unit/return', { schema: { hide: true, params: UnitParams, querystring: LangQuery, body: CommentBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const year = yearParam(req.params.year);
    const comment = (req.body.comment ?? '').trim();
    // Who may return it hears a missing comment at the comment box; anyone else the service's answer.
    if (!comment && can(user, 'inventory.compile', { unit: req.params.unit })) {
      return unitPage(req, reply, user, req.params.year, req.params.unit, 400, { returnError: inventoryMessages(langOf(req)).returnListComment + (langOf(req) === 'en' ? ' is required' : '為必填') });
    }
    await inventory.returnToUnit(req.params.unit, year, comment, user);
    return back(req, reply, year, req.params.unit, 'returned');
  });

  /* ---- The agency list ---- */

  const compiledPage = async (req: FastifyRequest, reply: FastifyReply, user: User, yearRaw: string, status: number, extra: { done?: string; returnForm?: { comment: string; error: string } } = {}) => {
    const ctx = pageCtx(req, config);
    const year = yearParam(yearRaw);
    const found = await inventory.compiled(year, user);
    if (!found) throw notFound('inventory_list', '彙整清單', String(year));
    const titles = await unitTitles(ctx.lang);
    const compiledBy = found.list.compiledBy;
    const names = compiledBy ? await users.namesByIds([compiledBy]) : new Map<string, string>();
    const mayApprove = can(user, 'inventory.approve', { submittedBy: compiledBy });
    return sendPage(
      req,
      reply,
      status,
      <InventoryCompiledPage
        ctx={ctx}
        year={year}
        list={found.list}
        compiled={found.compiled}
        unitTitle={(n) => titles(n)}
        compiledByName={compiledBy ? (names.get(compiledBy) ?? null) : null}
        canCompile={can(user, 'inventory.compile')}
        canApprove={mayApprove}
        ownCompilation={!mayApprove && can(user, 'inventory.approve')}
        {...extra}
      />,
    );
  };

  app.get('/manage/inventory/:year/compiled', { schema: { hide: true, params: YearParams, querystring: DoneQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    return compiledPage(req, reply, user, req.params.year, 200, { done: doneOf(req.query.done) });
  });
  app.post('/manage/inventory/:year/compile', { schema: { hide: true, params: YearParams, querystring: LangQuery, body: PlainBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const year = yearParam(req.params.year);
    await inventory.compile(year, user);
    return back(req, reply, year, undefined, 'compiled');
  });
  app.post('/manage/inventory/:year/approve', { schema: { hide: true, params: YearParams, querystring: LangQuery, body: PlainBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const year = yearParam(req.params.year);
    await inventory.approve(year, user);
    return back(req, reply, year, undefined, 'approved');
  });
  app.post('/manage/inventory/:year/return-list', { schema: { hide: true, params: YearParams, querystring: LangQuery, body: CommentBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const year = yearParam(req.params.year);
    const comment = (req.body.comment ?? '').trim();
    if (!comment && can(user, 'inventory.approve')) {
      const en = langOf(req) === 'en';
      return compiledPage(req, reply, user, req.params.year, 400, { returnForm: { comment, error: en ? 'Say why the list is returned' : '請說明退回的理由' } });
    }
    await inventory.returnList(year, comment, user);
    return back(req, reply, year, undefined, 'listReturned');
  });

  /* ---- The opening schedule ---- */

  app.get('/manage/schedule', { schema: { hide: true, querystring: ScheduleQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const year = queryYear(req.query.year);
    const readable = await readableUnits(user);
    if (readable.length === 0) assertCan(user, 'inventory.read');
    const unit = readable.some((u) => u.name === req.query.unit) ? (req.query.unit ?? '') : '';
    const status = (SCHEDULE_STATUSES as readonly string[]).includes(req.query.status ?? '') ? (req.query.status as ScheduleStatus) : '';
    const entries = await loadSchedule(db.kysely, await calendar.calendar(), { asOf: taipeiDate(), year, unit: unit || undefined, dueSoon: config.followup.scheduleRemindDays });
    const all = entries.filter((e) => readable.some((u) => u.name === e.unit));
    const rows = all.filter((e) => !status || e.status === status).map((e) => ({ ...e, canCreateDraft: e.datasetId === null && can(user, 'dataset.create', { unit: e.unit }) }));
    const titles = await unitTitles(ctx.lang);
    const options = readable.map((u) => ({ value: u.name, label: unitTitle(u, ctx.lang) }));
    return sendPage(req, reply, 200, <SchedulePage ctx={ctx} year={year} unit={unit} status={status} units={options} all={all} rows={rows} unitTitle={(n) => titles(n)} />);
  });

  app.post('/manage/schedule/items/:itemId/dataset', { schema: { hide: true, params: Type.Object({ itemId: Type.String({ minLength: 1, maxLength: 200 }) }), querystring: LangQuery, body: PlainBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const d = await inventory.createDatasetDraft(req.params.itemId, user);
    return reply.redirect(pageCtx(req, config).href(`/manage/datasets/${encodeURIComponent(d.name)}/edit`), 303);
  });

  /* ---- Public: the approved list ---- */

  // The newest year with an approved list (the footer links here); none yet: this year's page, which says so (404).
  app.get('/inventory', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    const newest = await db.kysely.selectFrom('inventory_approvals').select((eb) => eb.fn.max('year').as('year')).executeTakeFirst();
    const year = newest?.year ? Number(newest.year) : Number(taipeiDate().slice(0, 4));
    return reply.redirect(pageCtx(req, config).href(`/inventory/${year}`), 302);
  });

  app.get('/inventory/:file', { schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 20 }) }), querystring: LangQuery } }, async (req, reply) => {
    const m = /^(\d{4})(\.csv)?$/.exec(req.params.file);
    const ctx = pageCtx(req, config);
    // Years the service does not take (before 2000, after 2999) have no list either: 404, as any other.
    const year = m ? Number(m[1]) : 0;
    const approval = m && year >= 2000 && year <= 2999 ? await inventory.approval(year) : null;
    if (!m || !approval) throw new AppError('INVENTORY_NOT_FOUND', 404, inventoryMessages('zh-TW').notFoundYear(m?.[1] ?? req.params.file), inventoryMessages('en').notFoundYear(m?.[1] ?? req.params.file));
    if (m[2]) {
      // The resource of the published list dataset: the newest approval, written by the sheet writer (UTF-8 with BOM).
      return sendSheet(reply, 'csv', `open-data-list-${approval.year}`, (out) => writeApprovedList(approval.items, out), 'public, max-age=300');
    }
    const schedule = await loadSchedule(db.kysely, await calendar.calendar(), { asOf: taipeiDate(), year: approval.year, dueSoon: config.followup.scheduleRemindDays });
    const statuses = new Map(schedule.map((e) => [e.id, e.status]));
    const titles = await unitTitles(ctx.lang);
    return sendPage(req, reply, 200, <InventoryListPage ctx={ctx} approval={approval} statusOf={(id) => statuses.get(id)} unitTitle={(n, fallback) => titles(n, fallback)} />);
  });
};
