import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifyTypeProviderDefault } from 'fastify';
import { AppError, notFound } from '../../errors.ts';
import type { User } from '../users/users.service.ts';
import { langOf } from '../../i18n.ts';
import { actionOf, decodeParams, helpUrl, parseFormBody, parseJsonObject, toCkanError, unknownAction, writeNotAvailable } from './ckan.envelope.ts';
import {
  CkanOrganizationDictSchema,
  CkanPackageSchema,
  CkanResourceSchema,
  CurrentPackageListParams,
  Envelope,
  ErrorEnvelopeSchema,
  HelpShowParams,
  IdParams,
  ListParams,
  NoParams,
  OrganizationListParams,
  OrganizationShowParams,
  PackageSearchParams,
  PackageWriteParams,
  ResourceWriteParams,
  PackageSearchResultSchema,
  StatusSchema,
  TagDictSchema,
  TagListParams,
} from './ckan.schemas.ts';
import multipart from '@fastify/multipart';
import { CkanService } from './ckan.service.ts';
import { uploadedFile } from './ckan.upload.ts';
import { DatastoreQuery } from '../datastore/datastore.query.ts';
import { DatastoreInfoParams, DatastoreInfoResult, DatastoreSearchParams, DatastoreSearchResult } from '../datastore/datastore.schemas.ts';

/** Deletion is discontinuation (停止提供): a proposal the head approves, with a public notice — a later issue. */
const DELETE_ACTIONS = ['package_delete', 'resource_delete'] as const;
/** Write actions not offered (yet): they answer 403 saying so. */
const UNAVAILABLE_ACTIONS = ['package_revise', 'resource_patch'] as const;

export interface CkanRoutesOptions {
  /** Leave these routes out of the OpenAPI document (for a second mount such as /api/action). */
  hideFromDocs?: boolean;
}

/**
 * CKAN-compatible Action API: `GET|POST <prefix>/<action>` answering CKAN's envelope, so that
 * ckanapi, ckanr and harvesters work unchanged. Write actions need an API token and go through the
 * review gate: they create or change drafts and working copies, never what the public sees.
 */
export const ckanRoutes: FastifyPluginAsyncTypebox<CkanRoutesOptions> = async (app, opts) => {
  const ckan = new CkanService(app.services);
  const baseUrl = app.services.config.baseUrl;
  const hide = opts.hideFromDocs === true;

  // Our own body parsers, here only: CKAN reads an empty body as {} and JSON sent as a form as JSON.
  app.removeContentTypeParser(['application/json', 'application/x-www-form-urlencoded']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonObject(String(body)));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // Multipart, as ckanapi sends resource_create/resource_update with a file: the fields become the
  // data dict and the `upload` file streams straight into the file store (content-addressed), so
  // the handler gets { upload: { sha256, size, filename, mimetype } }. A refused call removes it.
  const { files, config } = app.services;
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: config.uploadMaxBytes + 1, files: 1, fields: 50 },
    async onFile(this: FastifyRequest, part) {
      // Without a valid API token nothing is stored: the action answers 403 anyway.
      if (part.fieldname !== 'upload' || !this.user || this.authVia !== 'token') {
        part.file.resume();
        return;
      }
      const stored = await files.put(part.file, { maxBytes: config.uploadMaxBytes });
      (part as unknown as { value: unknown }).value = { sha256: stored.sha256, size: stored.size, filename: part.filename, mimetype: part.mimetype };
    },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseFormBody(String(body)));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.addHook('preValidation', async (req) => {
    const schema = req.routeOptions.schema;
    if (req.method === 'POST') {
      if (req.body === undefined || req.body === null) req.body = {};
      else if (typeof req.body === 'string') req.body = parseJsonObject(req.body);
      const props = (schema?.body as { properties?: Record<string, { type?: string }> } | undefined)?.properties;
      if (props) decodeParams(req.body as Record<string, unknown>, props);
    } else {
      const props = (schema?.querystring as { properties?: Record<string, { type?: string }> } | undefined)?.properties;
      if (props && req.query && typeof req.query === 'object') decodeParams(req.query as Record<string, unknown>, props);
    }
  });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toCkanError(err, langOf(req), helpUrl(baseUrl, actionOf(req)));
    if (status >= 500) req.log.error(err);
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler(async (req, reply) => {
    const { status, body } = toCkanError(unknownAction(actionOf(req)), langOf(req), helpUrl(baseUrl, actionOf(req)));
    return reply.status(status).send(body);
  });

  const errors = { 400: ErrorEnvelopeSchema, 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema, 409: ErrorEnvelopeSchema };
  const helps = new Map<string, string>();

  /** Registers one read action for GET (query string) and POST (JSON or form body). */
  function action<P extends TObject, R extends TSchema>(name: string, help: string, params: P, result: R, run: (p: Static<P>, user: User | null) => Promise<Static<R>> | Static<R>): void {
    helps.set(name, help);
    const common = { tags: ['ckan'], summary: `${name}: ${help}`, hide, response: { 200: Envelope(result), ...errors } };
    const reply = async (p: Static<P>, req: FastifyRequest) => ({ help: helpUrl(baseUrl, name), success: true as const, result: await run(p, req.user) });
    // The schemas validate and shape; the generic `P` is beyond the type provider's inference, so these two use plain typing.
    const plain = app.withTypeProvider<FastifyTypeProviderDefault>();
    plain.get(`/${name}`, { schema: { ...common, querystring: params } }, async (req) => reply(req.query as Static<P>, req));
    plain.post(`/${name}`, { schema: { ...common, body: params, consumes: ['application/json', 'application/x-www-form-urlencoded'] } }, async (req) => reply(req.body as Static<P>, req));
  }

  /**
   * Registers one write action: POST only, API token required (CKAN clients send the raw token in
   * Authorization). Without a valid token CKAN answers 403 Authorization Error, and so do we.
   */
  function writeAction<P extends TObject, R extends TSchema>(name: string, help: string, params: P, result: R, run: (p: Record<string, unknown>, user: User) => Promise<Static<R>>): void {
    helps.set(name, help);
    const plain = app.withTypeProvider<FastifyTypeProviderDefault>();
    plain.post(
      `/${name}`,
      {
        schema: {
          tags: ['ckan'],
          summary: `${name}: ${help}`,
          hide,
          security: [{ bearer: [] }],
          body: params,
          consumes: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
          response: { 200: Envelope(result), ...errors },
        },
      },
      async (req) => {
        const body = req.body as Record<string, unknown>;
        const upload = uploadedFile(body.upload);
        try {
          if (!req.user || req.authVia !== 'token') throw tokenRequired(name);
          return { help: helpUrl(baseUrl, name), success: true as const, result: await run(body, req.user) };
        } catch (err) {
          if (upload) await app.services.datastore.discardUnreferenced(upload.sha256);
          throw err;
        }
      },
    );
    plain.get(`/${name}`, { schema: { hide: true } }, async () => {
      throw new AppError('CKAN_POST_REQUIRED', 400, `請求格式錯誤 - ${name} 須以 POST 呼叫`, `Bad request - ${name} must be called with POST`);
    });
  }

  action('package_search', '搜尋資料集 Search datasets (q, fq, sort, rows, start, facet.field)', PackageSearchParams, PackageSearchResultSchema, (p) => ckan.packageSearch(p));
  action('package_show', '取得資料集 A dataset by id, name or national identifier', IdParams, CkanPackageSchema, (p, user) => ckan.packageShow(p, user));
  action('package_list', '資料集代稱清單 Names of all public datasets', ListParams, Type.Array(Type.String()), (p) => ckan.packageList(p));
  action(
    'current_package_list_with_resources',
    '最近更新的資料集（含資源）Recently modified datasets with their resources',
    CurrentPackageListParams,
    Type.Array(CkanPackageSchema),
    (p) => ckan.currentPackageListWithResources(p),
  );
  action(
    'organization_list',
    '單位清單 Units (organizations): names, or dicts with package_count when all_fields',
    OrganizationListParams,
    Type.Union([Type.Array(Type.String()), Type.Array(CkanOrganizationDictSchema)]),
    (p) => ckan.organizationList(p),
  );
  action('organization_show', '取得單位 A unit (organization), optionally with its datasets', OrganizationShowParams, CkanOrganizationDictSchema, (p) => ckan.organizationShow(p));
  action('tag_list', '標籤清單 Tags (keywords) of public datasets', TagListParams, Type.Union([Type.Array(Type.String()), Type.Array(TagDictSchema)]), (p) => ckan.tagList(p));
  action('resource_show', '取得資料資源 A resource by id or national resource id', IdParams, CkanResourceSchema, (p) => ckan.resourceShow(p));
  action('status_show', '網站狀態 Site status', NoParams, StatusSchema, () => ckan.statusShow());
  action('group_list', '群組清單（本平臺不使用群組）Groups: none here, services are categorised by 服務分類', ListParams, Type.Array(Type.String()), () => []);
  action('help_show', '說明 Help text of an action', HelpShowParams, Type.String(), (p) => {
    const text = helps.get(p.name);
    if (text === undefined) throw notFound('action', 'action', p.name);
    return text;
  });

  const datastore = new DatastoreQuery(app.services.db, app.services.datastore);
  action('datastore_search', '查詢資料表 Query a resource\'s table (filters, q, fields, sort, limit ≤ 32000, offset, include_total, records_format)', DatastoreSearchParams, DatastoreSearchResult, (p, user) =>
    datastore.search(p, user, `/api/3/action/datastore_search?resource_id=${encodeURIComponent(p.resource_id)}&limit=${p.limit ?? 100}`),
  );
  action('datastore_info', '資料表欄位與筆數 Fields and row count of a resource\'s table', DatastoreInfoParams, DatastoreInfoResult, (p, user) => {
    const id = p.resource_id ?? p.id;
    if (!id) throw new AppError('CKAN_VALIDATION', 409, '缺少 resource_id', 'Missing value: resource_id', { resource_id: ['必填 / Missing value'] });
    return datastore.info(id, user);
  });

  const reviewNote = '（建立或變更草稿／工作副本，經審查者核可後才公開 creates or changes a draft or working copy; public only after a reviewer approves）';
  writeAction('package_create', `新增資料集草稿 Create a draft dataset${reviewNote}`, PackageWriteParams, CkanPackageSchema, (p, user) => ckan.packageCreate(user, p));
  writeAction('package_update', `以整份字典取代資料集 Replace a dataset${reviewNote}`, PackageWriteParams, CkanPackageSchema, (p, user) => ckan.packageUpdate(user, p, 'update'));
  writeAction('package_patch', `變更資料集的指定欄位 Change the given fields of a dataset${reviewNote}`, PackageWriteParams, CkanPackageSchema, (p, user) => ckan.packageUpdate(user, p, 'patch'));
  writeAction('resource_create', `新增資料資源（以 url）Add a resource by url${reviewNote}`, ResourceWriteParams, CkanResourceSchema, (p, user) => ckan.resourceCreate(user, p));
  writeAction('resource_update', `取代資料資源 Replace a resource${reviewNote}`, ResourceWriteParams, CkanResourceSchema, (p, user) => ckan.resourceUpdate(user, p));

  for (const name of DELETE_ACTIONS) {
    const deny = async () => {
      throw new AppError(
        'CKAN_DELETE_NOT_AVAILABLE',
        403,
        `存取被拒：${name} 不開放。刪除即「停止提供」，須由聯絡人提出、機關首長核定並公告，此流程將於後續版本提供。`,
        `Access denied: ${name} is not available. Deleting is discontinuation (停止提供): a contact proposes it, the head of agency approves it and a public notice follows; that workflow comes in a later version.`,
      );
    };
    app.get(`/${name}`, { schema: { hide: true } }, deny);
    app.post(`/${name}`, { schema: { hide: true } }, deny);
  }
  for (const name of UNAVAILABLE_ACTIONS) {
    const deny = async () => {
      throw writeNotAvailable(name);
    };
    app.get(`/${name}`, { schema: { hide: true } }, deny);
    app.post(`/${name}`, { schema: { hide: true } }, deny);
  }
};

/** 403 as CKAN answers a write without a valid API token. */
const tokenRequired = (name: string): AppError =>
  new AppError(
    'CKAN_TOKEN_REQUIRED',
    403,
    `存取被拒：${name} 需要有效的 API 權杖（以 Authorization 標頭傳送）`,
    `Access denied: ${name} needs a valid API token (sent in the Authorization header)`,
  );

