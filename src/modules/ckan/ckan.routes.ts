import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifyTypeProviderDefault } from 'fastify';
import { notFound } from '../../errors.ts';
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
  PackageSearchResultSchema,
  StatusSchema,
  TagDictSchema,
  TagListParams,
} from './ckan.schemas.ts';
import { CkanService } from './ckan.service.ts';

/** CKAN's write actions: they arrive with the review workflow (a reviewer approves before anything is public). */
const WRITE_ACTIONS = [
  'package_create',
  'package_update',
  'package_patch',
  'package_delete',
  'package_revise',
  'resource_create',
  'resource_update',
  'resource_patch',
  'resource_delete',
] as const;

export interface CkanRoutesOptions {
  /** Leave these routes out of the OpenAPI document (for a second mount such as /api/action). */
  hideFromDocs?: boolean;
}

/**
 * CKAN-compatible Action API: `GET|POST <prefix>/<action>` answering CKAN's envelope, so that
 * ckanapi, ckanr and harvesters work unchanged. Read actions only; see WRITE_ACTIONS.
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
  function action<P extends TObject, R extends TSchema>(name: string, help: string, params: P, result: R, run: (p: Static<P>) => Promise<Static<R>> | Static<R>): void {
    helps.set(name, help);
    const common = { tags: ['ckan'], summary: `${name}: ${help}`, hide, response: { 200: Envelope(result), ...errors } };
    const reply = async (p: Static<P>) => ({ help: helpUrl(baseUrl, name), success: true as const, result: await run(p) });
    // The schemas validate and shape; the generic `P` is beyond the type provider's inference, so these two use plain typing.
    const plain = app.withTypeProvider<FastifyTypeProviderDefault>();
    plain.get(`/${name}`, { schema: { ...common, querystring: params } }, async (req) => reply(req.query as Static<P>));
    plain.post(`/${name}`, { schema: { ...common, body: params, consumes: ['application/json', 'application/x-www-form-urlencoded'] } }, async (req) => reply(req.body as Static<P>));
  }

  action('package_search', '搜尋資料集 Search datasets (q, fq, sort, rows, start, facet.field)', PackageSearchParams, PackageSearchResultSchema, (p) => ckan.packageSearch(p));
  action('package_show', '取得資料集 A dataset by id, name or national identifier', IdParams, CkanPackageSchema, (p) => ckan.packageShow(p));
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

  for (const name of WRITE_ACTIONS) {
    const deny = async () => {
      throw writeNotAvailable(name);
    };
    app.get(`/${name}`, { schema: { hide: true } }, deny);
    app.post(`/${name}`, { schema: { hide: true } }, deny);
  }
};
