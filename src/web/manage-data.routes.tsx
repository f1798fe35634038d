import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentProps } from 'preact';
import { AppError } from '../errors.ts';
import { langOf, pickLang, type Lang } from '../i18n.ts';
import type { Dataset } from '../modules/catalogue/catalogue.schemas.ts';
import { DatastoreQuery } from '../modules/datastore/datastore.query.ts';
import type { VersionRow } from '../modules/datastore/datastore.service.ts';
import { checkHeaderRows, LOAD_JOB, type DictionaryField } from '../modules/datastore/upload.service.ts';
import type { ReadIssue } from '../modules/ingest/table.ts';
import type { User } from '../modules/users/users.service.ts';
import type { Services } from '../services.ts';
import { signedIn } from './account.routes.tsx';
import { pageCtx } from './context.ts';
import type { FieldError } from './pages/manage/dataset-form.tsx';
import { manageHref } from './pages/manage/common.tsx';
import { manageMessages } from './pages/manage/manage-messages.ts';
import {
  DECLARABLE_ENCODINGS,
  dictionaryFieldId,
  ResourcePage,
  type DataFileView,
  type DictionaryRow,
  type DictionaryView,
  type ProgressView,
  type ResourcePageProps,
  type UploadFormState,
  type VersionView,
} from './pages/manage/resource.tsx';
import { StatusPage } from './pages/manage/status.tsx';
import { mayWrite, readMultipartForm, type FilePart } from './multipart.ts';
import { sendPage } from './respond.ts';

/** What the status page shows, as manage.routes.tsx gathers it (its access check included). */
export type StatusView = Omit<ComponentProps<typeof StatusPage>, 'ctx'>;

export interface ManageDataOptions {
  statusView: (user: User, name: string, lang: Lang) => Promise<StatusView>;
}

const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) });
const ResourceQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 10 })),
  done: Type.Optional(Type.String({ maxLength: 20 })),
  follow: Type.Optional(Type.String({ maxLength: 5 })),
});
const Params = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), rid: Type.String({ minLength: 1, maxLength: 200 }) });
const Csrf = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
/** The upload form's fields (the file itself is taken by the parser below, never part of the body). */
const UploadBody = Type.Object({ ...Csrf, encoding: Type.Optional(Type.String({ maxLength: 50 })), header: Type.Optional(Type.String({ maxLength: 50 })) }, { additionalProperties: true });
/** The dictionary form posts c{i}.name, c{i}.type … per column; read below, checked by the service. */
const DictionaryBody = Type.Object(Csrf, { additionalProperties: true });
const RESOURCE_DONE = new Set(['uploaded', 'dictionary', 'dictionaryReload']);

/** Limits the API takes the same dictionary with (datastore.routes.ts). */
const MAX = { title: 200, description: 2000, unit: 100, code: 100, meaning: 500, codes: 1000 } as const;

/** What the upload form's body brought, found while it streamed in (before the handler runs). */
type UploadOutcome =
  | { kind: 'stored'; sha256: string; size: number; fileName: string; mediaType: string }
  | { kind: 'refused'; error: AppError }
  | { kind: 'none' };

const label = (r: { resourceId: string; name: string; description: string }): string => r.name.trim() || r.description.trim() || r.resourceId;
const isDeclarable = (e: string): boolean => (DECLARABLE_ENCODINGS as readonly string[]).includes(e);

function parseIssues(json: string | null): ReadIssue[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as ReadIssue[]).filter((i) => i && typeof i === 'object' && typeof i.zh === 'string' && typeof i.en === 'string') : [];
  } catch {
    return [];
  }
}

function versionView(v: VersionRow, names: Map<string, string>): VersionView {
  return {
    version: v.version,
    fileName: v.file_name,
    size: v.size,
    format: v.format,
    uploadedBy: names.get(v.uploaded_by) ?? null,
    uploadedAt: v.uploaded_at,
    encodingDeclared: v.encoding_declared,
    encodingDetected: v.encoding_detected,
    state: v.datastore_state,
    rows: v.datastore_rows,
    error: v.datastore_error,
    published: v.published_at !== null,
    issues: parseIssues(v.read_issues_json),
    hasUtf8Copy: v.utf8_sha256 !== null,
    headerRows: v.header_rows,
  };
}

/** Names of the people who uploaded these versions. */
async function uploaderNames(services: Services, versions: VersionRow[]): Promise<Map<string, string>> {
  return services.users.namesByIds(versions.map((v) => v.uploaded_by));
}

/** UploadService.check as a yes/no: the same rule hides the form that the service would refuse. */
async function mayUpload(services: Services, user: User, datasetName: string, resourceId: string): Promise<boolean> {
  try {
    await services.uploads.check(user, datasetName, resourceId);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return false;
    throw err;
  }
}

/**
 * The data-file section of the status page: each resource's newest version and whether this user
 * may upload. The caller has checked that the user may see the dataset's non-public work.
 */
export async function dataFilesOf(services: Services, user: User, dataset: Dataset): Promise<DataFileView[]> {
  const resources = dataset.resources.filter((r) => r.resourceId);
  const all = await Promise.all(resources.map((r) => services.datastore.versions(r.resourceId)));
  const names = await uploaderNames(services, all.flatMap((v) => v.slice(0, 1)));
  return Promise.all(
    resources.map(async (r, i) => {
      const versions = all[i];
      return {
        resourceId: r.resourceId,
        label: label(r),
        current: versions[0] ? versionView(versions[0], names) : undefined,
        versions: versions.length,
        canUpload: await mayUpload(services, user, dataset.name, r.resourceId),
      };
    }),
  );
}

/** An upload refused by the services (or by the form's own checks), for the form's error. */
const uploadState = (resourceId: string, encoding: string, field: UploadFormState['field'], message: string, header?: string): UploadFormState => ({ resourceId, encoding, field, message, header });
/** Which control an upload refusal belongs to. */
const fieldOf = (err: AppError): UploadFormState['field'] => (err.code === 'BAD_ENCODING' ? 'encoding' : err.details?.header ? 'header' : 'file');

/**
 * Back office for resource files (issue 4): upload a version through a form, follow its load, read
 * the reader's issues and edit the data dictionary. The services decide (UploadService.check,
 * upload, updateDictionary; DatastoreQuery for who sees which versions); these pages only hide
 * what would be refused. Registered inside manageWebRoutes, so its errors render as pages.
 */
export const manageDataRoutes: FastifyPluginAsyncTypebox<ManageDataOptions> = async (app, opts) => {
  const services = app.services;
  const { config, review, catalogue, datastore, uploads, jobs, files, db } = services;
  const query = new DatastoreQuery(db, datastore);
  const outcomes = new WeakMap<FastifyRequest, UploadOutcome>();

  /*
   * The upload form is multipart and a page without JavaScript cannot send the CSRF header, so its
   * token is a form field, placed before the file. This parser reads the parts as they stream in:
   * the file is stored only when the token already read is the session's (or the caller used an
   * API token), the encoding is one offered, and UploadService.check lets the user upload —
   * otherwise it is drained and nothing is kept. The app-wide CSRF hook then checks `_csrf` in the
   * body as for every form.
   */
  app.addContentTypeParser('multipart/form-data', async (req: FastifyRequest, payload: NodeJS.ReadableStream) => {
    let outcome: UploadOutcome = { kind: 'none' };
    const params = (req.params ?? {}) as { name?: string; rid?: string };

    const receive = async (stream: FilePart, fileName: string, mediaType: string, fields: Readonly<Record<string, string>>): Promise<void> => {
      const drain = () => {
        stream.resume();
      };
      const user = req.user;
      if (!user || !mayWrite(req, fields) || !params.name || !params.rid) return drain();
      // A form sent without choosing a file still has the part, with no name and no bytes.
      if (!fileName) return drain();
      const encoding = fields.encoding ?? '';
      if (!isDeclarable(encoding)) {
        outcome = { kind: 'refused', error: new AppError('BAD_ENCODING', 400, manageMessages('zh-TW').df.badEncoding, manageMessages('en').df.badEncoding) };
        return drain();
      }
      try {
        await uploads.check(user, params.name, params.rid);
        checkHeaderRows(fields.header);
      } catch (err) {
        drain();
        if (err instanceof AppError) {
          outcome = { kind: 'refused', error: err };
          return;
        }
        throw err;
      }
      // Through a pass-through, so that a refusal by the store (too large) leaves this stream to drain.
      const pass = new PassThrough();
      stream.pipe(pass);
      try {
        const stored = await files.put(pass, { maxBytes: config.uploadMaxBytes });
        outcome = { kind: 'stored', sha256: stored.sha256, size: stored.size, fileName, mediaType };
      } catch (err) {
        stream.unpipe(pass);
        drain();
        if (err instanceof AppError) outcome = { kind: 'refused', error: err };
        else throw err;
      }
    };

    const fields = await readMultipartForm(req, payload, { limits: { fileSize: config.uploadMaxBytes + 1, fields: 10, fieldSize: 1000, parts: 12 }, onFile: receive });
    outcomes.set(req, outcome);
    return fields;
  });

  // Safety net: a stored upload whose request ended before it became a version (refused, or failed
  // on the way) is removed; one that a version refers to stays.
  app.addHook('onResponse', async (req) => {
    const o = outcomes.get(req);
    if (o?.kind === 'stored') await datastore.discardUnreferenced(o.sha256);
  });

  /** The status page again, with the upload form's refusal at its control. */
  const statusWithError = async (req: FastifyRequest, reply: FastifyReply, user: User, name: string, status: number, state: UploadFormState) => {
    const view = await opts.statusView(user, name, langOf(req));
    return sendPage(req, reply, status, <StatusPage ctx={pageCtx(req, config)} {...view} uploadForm={state} />);
  };

  app.post('/manage/datasets/:name/resources/:rid/upload', { schema: { hide: true, params: Params, querystring: LangQuery, body: Type.Optional(UploadBody) } }, async (req, reply) => {
    const outcome = outcomes.get(req) ?? { kind: 'none' };
    const stored = outcome.kind === 'stored' ? outcome : undefined;
    const discard = async () => {
      if (stored) await datastore.discardUnreferenced(stored.sha256);
    };
    const user = signedIn(req, reply);
    if (!user) {
      await discard();
      return reply;
    }
    const { name, rid } = req.params;
    const encoding = req.body?.encoding ?? '';
    const header = (req.body?.header ?? '').trim();
    const lang = langOf(req);
    const mm = manageMessages(lang);
    const refuse = (err: AppError) => {
      // Who may not see the dataset (or the resource is not there) gets the service's answer as an
      // error page; whoever sees the status page but may not upload gets it there, with the reason.
      if (err.status === 401 || err.status === 404) throw err;
      return statusWithError(req, reply, user, name, err.status, uploadState(rid, isDeclarable(encoding) ? encoding : '', fieldOf(err), lang === 'en' ? err.en : err.zh, header));
    };
    if (outcome.kind === 'refused') return refuse(outcome.error);
    if (!stored) {
      // Nothing arrived (no file chosen, or not a multipart post): the access check first, then the form's error.
      await uploads.check(user, name, rid);
      if (!isDeclarable(encoding)) return refuse(new AppError('BAD_ENCODING', 400, manageMessages('zh-TW').df.badEncoding, manageMessages('en').df.badEncoding));
      return statusWithError(req, reply, user, name, 400, uploadState(rid, encoding, 'file', mm.df.noFile, header));
    }
    if (!isDeclarable(encoding)) {
      // The encoding field came after the file.
      await discard();
      return refuse(new AppError('BAD_ENCODING', 400, manageMessages('zh-TW').df.badEncoding, manageMessages('en').df.badEncoding));
    }
    try {
      await uploads.upload(user, name, rid, { source: { sha256: stored.sha256, size: stored.size }, fileName: stored.fileName, mediaType: stored.mediaType }, { encoding: encoding || undefined, header: header || undefined });
    } catch (err) {
      await discard();
      if (err instanceof AppError) return refuse(err);
      throw err;
    }
    return reply.redirect(pageCtx(req, config).href(manageHref(name, `/resources/${encodeURIComponent(rid)}`), { done: 'uploaded' }), 303);
  });

  /** Everything the resource page shows; the access checks are the services' (404 for hidden work). */
  const resourceView = async (user: User, name: string, rid: string): Promise<Omit<ResourcePageProps, 'ctx' | 'follow' | 'errors' | 'columnErrors' | 'done'>> => {
    const diff = await review.diff(user, name);
    const dataset = await catalogue.get(diff.id, { includeNonPublic: true });
    const resource = dataset.resources.find((r) => r.resourceId === rid);
    if (!resource) throw new AppError('RESOURCE_NOT_FOUND', 404, `資料集中沒有資料資源 ${rid}`, `The dataset has no resource ${rid}`);
    const rows = await query.visibleVersions(rid, user);
    const names = await uploaderNames(services, rows);
    const versions = rows.map((v) => versionView(v, names));
    const ready = rows.find((v) => v.datastore_state === 'ready');
    // The load under way: the newest version's, or a reload of the table in use (a changed type).
    let progress: ProgressView | undefined;
    for (const v of [rows[0], ready]) {
      if (!v || progress) continue;
      const job = await jobs.latestFor(LOAD_JOB, 'versionId', v.id);
      if (job && (job.state === 'queued' || job.state === 'running')) {
        const p = job.progress ? (JSON.parse(job.progress) as { phase?: unknown; rows?: unknown }) : {};
        progress = { version: v.version, state: job.state, phase: typeof p.phase === 'string' ? p.phase : null, rows: typeof p.rows === 'number' ? p.rows : null, attempts: Number(job.attempts), error: job.state === 'queued' ? job.error : null };
      }
    }
    const canUpload = await mayUpload(services, user, dataset.name, rid);
    let dictionary: DictionaryView | undefined;
    if (ready) {
      const columns = await datastore.columns(ready.id);
      dictionary = {
        version: ready.version,
        // updateDictionary's own rule is UploadService.check's: may edit, not under review.
        canEdit: canUpload,
        rows: columns.map((c) => ({
          name: c.name,
          inferredType: c.inferredType,
          type: c.type,
          title: c.title ?? '',
          description: c.description ?? '',
          unit: c.unit ?? '',
          codes: (c.codes ?? []).map((x) => `${x.code}=${x.meaning}`).join('\n'),
        })),
      };
    }
    return { dataset: { name: dataset.name, title: dataset.title }, resource: { resourceId: rid, label: label(resource) }, versions, progress, dictionary, canUpload };
  };

  app.get('/manage/datasets/:name/resources/:rid', { schema: { hide: true, params: Params, querystring: ResourceQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const view = await resourceView(user, req.params.name, req.params.rid);
    const done = req.query.done && RESOURCE_DONE.has(req.query.done) ? req.query.done : undefined;
    return sendPage(req, reply, 200, <ResourcePage ctx={pageCtx(req, config)} {...view} follow={req.query.follow === '1'} errors={[]} columnErrors={{}} done={done} />);
  });

  app.post('/manage/datasets/:name/resources/:rid/dictionary', { schema: { hide: true, params: Params, querystring: LangQuery, body: DictionaryBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const ctx = pageCtx(req, config);
    const mm = manageMessages(ctx.lang);
    const view = await resourceView(user, req.params.name, req.params.rid);
    const body = req.body as Record<string, unknown>;
    const render = (status: number, errors: FieldError[], columnErrors: Record<string, string[]>, dictionary = view.dictionary) =>
      sendPage(req, reply, status, <ResourcePage ctx={ctx} {...view} dictionary={dictionary} follow={false} errors={errors} columnErrors={columnErrors} />);
    const dict = view.dictionary;
    if (!dict) {
      // No table yet: the service's answer (access first, then DATASTORE_NOT_READY), shown on the page.
      const refused = await uploads.updateDictionary(user, req.params.rid, []).then(
        () => undefined,
        (err: unknown) => {
          if (err instanceof AppError && err.status === 409) return err;
          throw err;
        },
      );
      return render(409, [{ id: null, label: mm.df.dictionaryHeading, message: refused ? (ctx.lang === 'en' ? refused.en : refused.zh) : mm.df.noDictionary }], {});
    }
    const str = (k: string): string | undefined => (typeof body[k] === 'string' ? body[k] : undefined);
    const count = Math.min(Number.parseInt(str('columnCount') ?? '0', 10) || 0, dict.rows.length);
    if (str('version') !== String(dict.version) || Array.from({ length: count }, (_, i) => str(`c${i}.name`) === dict.rows[i].name).includes(false)) {
      return render(409, [{ id: null, label: mm.df.dictionaryHeading, message: mm.df.tableChanged }], {});
    }
    const typed: DictionaryRow[] = dict.rows.map((r, i) =>
      i < count ? { ...r, type: str(`c${i}.type`) ?? r.type, title: str(`c${i}.title`) ?? '', description: str(`c${i}.description`) ?? '', unit: str(`c${i}.unit`) ?? '', codes: str(`c${i}.codes`) ?? '' } : r,
    );
    const errors: FieldError[] = [];
    const columnErrors: Record<string, string[]> = {};
    const fail = (i: number, key: string, message: string) => {
      const id = dictionaryFieldId(i, key);
      errors.push({ id, label: `${mm.df.columnLegend(i + 1)}${dict.rows[i].name}`, message });
      (columnErrors[id] ??= []).push(message);
    };
    const fields: DictionaryField[] = [];
    typed.slice(0, count).forEach((r, i) => {
      const codes: { code: string; meaning: string }[] = [];
      const lines = r.codes.split(/\r\n|\r|\n/);
      lines.forEach((line, n) => {
        if (!line.trim()) return;
        const m = /^\s*([^=＝]+?)\s*[=＝]\s*(.*?)\s*$/.exec(line);
        if (!m) fail(i, 'codes', mm.df.codeLine(n + 1, line.trim().slice(0, 40)));
        else if (m[1].length > MAX.code || m[2].length > MAX.meaning) fail(i, 'codes', mm.df.tooLong(`${mm.df.colCodes}（${n + 1}）`, m[1].length > MAX.code ? MAX.code : MAX.meaning));
        else codes.push({ code: m[1], meaning: m[2] });
      });
      if (codes.length > MAX.codes) fail(i, 'codes', mm.df.tooManyCodes(MAX.codes));
      for (const key of ['title', 'description', 'unit'] as const) {
        if (r[key].trim().length > MAX[key]) fail(i, key, mm.df.tooLong(key === 'title' ? mm.df.colTitle : key === 'unit' ? mm.df.colUnit : mm.df.colDescription, MAX[key]));
      }
      fields.push({ name: r.name, type: r.type, title: r.title.trim() || null, description: r.description.trim() || null, unit: r.unit.trim() || null, codes: codes.length ? codes : null });
    });
    const keep = { ...dict, rows: typed };
    if (errors.length > 0) return render(400, errors, columnErrors, keep);
    let result: Awaited<ReturnType<typeof uploads.updateDictionary>>;
    try {
      result = await uploads.updateDictionary(user, req.params.rid, fields);
    } catch (err) {
      if (!(err instanceof AppError) || err.status === 401 || err.status === 403 || err.status === 404 || err.status >= 500) throw err;
      const message = ctx.lang === 'en' ? err.en : err.zh;
      const at = (n: string) => typed.findIndex((r) => r.name === n);
      if (err.code === 'TYPE_MISFIT' && err.details) {
        // In the clerk's words: the type by its label, the value and the row that do not fit.
        const row = /\(row (\d+)\)/.exec(err.en)?.[1];
        for (const [n, values] of Object.entries(err.details)) {
          const i = at(n);
          if (i >= 0) fail(i, 'type', mm.df.misfit(n, values[0] ?? '', mm.df.types[typed[i].type] ?? typed[i].type, row ? Number(row) : undefined));
        }
      } else if (err.details) {
        for (const [k, msgs] of Object.entries(err.details)) {
          const m = /^fields\[(\d+)\]\.(\w+)$/.exec(k);
          const i = m ? Number(m[1]) : -1;
          if (i >= 0 && i < count) for (const x of msgs) fail(i, m?.[2] === 'type' ? 'type' : 'set', pickLang(x, ctx.lang));
        }
      }
      if (errors.length === 0) errors.push({ id: null, label: mm.df.dictionaryHeading, message });
      return render(err.status, errors, columnErrors, keep);
    }
    return reply.redirect(ctx.href(manageHref(req.params.name, `/resources/${encodeURIComponent(req.params.rid)}`), { done: result.jobId ? 'dictionaryReload' : 'dictionary' }), 303);
  });
};

