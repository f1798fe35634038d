import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from '../app.ts';
import { notFound } from '../errors.ts';
import { FACETS, type Facet } from '../modules/search/search.indexer.ts';
import { accountWebRoutes } from './account.routes.tsx';
import { manageWebRoutes } from './manage.routes.tsx';
import { followupWebRoutes } from './followup.routes.tsx';
// Issue 6, annual calendar.
import { calendarWebRoutes } from './calendar.routes.tsx';
import { inventoryWebRoutes } from './inventory.routes.tsx';
import { SITE_CSS } from './assets.ts';
import { pageCtx } from './context.ts';
import type { UnitNames } from './format.ts';
import { loadResourceTables } from './dataset-tables.ts';
import { DatasetPage } from './pages/dataset.tsx';
import { DatastoreQuery } from '../modules/datastore/datastore.query.ts';
import { DiscontinuedPage, UnavailablePage } from './pages/discontinued.tsx';
import { ErrorPage } from './pages/error.tsx';
import { HomePage } from './pages/home.tsx';
import { SearchPage, UnitPage, UnitsPage } from './pages/search.tsx';
import { sendPage } from './respond.ts';
import { qualityViews } from './quality.routes.tsx';
import { PAGE_SIZE, parseSearchState, WebSearchQuerySchema } from './search-params.ts';

const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) });
/** The dataset page: the preview's parameters name their resource (r), so one preview's paging leaves the others alone. */
const DatasetPageQuery = Type.Object({
  lang: Type.Optional(Type.String({ maxLength: 10 })),
  r: Type.Optional(Type.String({ maxLength: 200 })),
  sort: Type.Optional(Type.String({ maxLength: 500 })),
  dir: Type.Optional(Type.String({ maxLength: 10 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
  quality: Type.Optional(Type.String({ maxLength: 20 })),
});
const RefParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const UnitParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });

/**
 * Public pages: server-rendered, usable without JavaScript, zh-TW first with an English switch.
 * Handlers only gather data from the services and pick a page component.
 */
export const webRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { catalogue, units, config, discontinuation } = app.services;
  const datastoreQuery = new DatastoreQuery(app.services.db, app.services.datastore);

  const unitNames = async (): Promise<UnitNames> => {
    const all = await units.list({ includeExternal: true });
    const byName = new Map(all.map((u) => [u.name, u]));
    return { get: (name) => byName.get(name) };
  };

  // Errors on pages become pages (the API keeps its JSON errors through the app's handler).
  app.setErrorHandler(async (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorBody(err, req);
    if (status >= 500) req.log.error(err);
    return sendPage(req, reply, status, <ErrorPage ctx={pageCtx(req, config)} status={status} error={body.error} />);
  });

  await app.register(accountWebRoutes);
  await app.register(manageWebRoutes);
  // Issue 6: the overdue follow-up page.
  await app.register(followupWebRoutes);
  // Issue 6, annual calendar: /calendar/<year>(.ics) and /manage/calendar.
  await app.register(calendarWebRoutes);
  // Issue 6: the inventory, the opening schedule and the public open-data list.
  await app.register(inventoryWebRoutes);

  app.get('/assets/site.css', { schema: { hide: true, querystring: Type.Object({ v: Type.Optional(Type.String()) }) } }, async (req, reply) => {
    // A versioned URL never changes content; an unversioned one may, so it is cached briefly.
    const immutable = req.query.v === SITE_CSS.href.split('v=')[1];
    void reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600').header('etag', SITE_CSS.etag);
    if (req.headers['if-none-match'] === SITE_CSS.etag) return reply.status(304).send();
    return reply.type('text/css; charset=utf-8').send(SITE_CSS.body);
  });

  app.get('/', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    const [total, unitCounts, latest, byCategory] = await Promise.all([
      catalogue.countPublished(),
      units.listWithCounts(),
      catalogue.search({ sort: 'modified_desc', limit: 6 }),
      catalogue.search({ limit: 0, facets: ['category'] }),
    ]);
    const data = { total, units: unitCounts, latest: latest.results, categories: byCategory.facets.category ?? [] };
    return sendPage(req, reply, 200, <HomePage ctx={pageCtx(req, config)} data={data} />);
  });

  app.get('/datasets', { schema: { hide: true, querystring: WebSearchQuerySchema } }, async (req, reply) => {
    const state = parseSearchState(req.query);
    const [result, names] = await Promise.all([
      catalogue.search({ q: state.q, filters: state.filters, sort: state.sort, limit: PAGE_SIZE, offset: (state.page - 1) * PAGE_SIZE, facets: [...FACETS] }),
      unitNames(),
    ]);
    return sendPage(req, reply, 200, <SearchPage ctx={pageCtx(req, config)} state={state} result={result} units={names} />);
  });

  app.get('/datasets/:id', { schema: { hide: true, params: RefParams, querystring: DatasetPageQuery } }, async (req, reply) => {
    const dataset = await discontinuation.withNotice(await catalogue.get(req.params.id));
    const ctx = pageCtx(req, config);
    // What the public sees of each resource's files: its published versions, a preview (sorted and
    // paged as ?r=&sort=&dir=&page= ask for resource r) and the chart of a time series.
    const tables = await loadResourceTables(datastoreQuery, dataset, req.query, ctx.lang);
    const quality = await qualityViews(app.services).forDatasetPage(req.user, dataset);
    return sendPage(req, reply, 200, <DatasetPage ctx={ctx} d={dataset} history={await app.services.audit.datasetHistory(dataset.id)} tables={tables} quality={quality} qualityQueued={req.query.quality === 'queued'} />);
  });

  // Every download goes through here, so a dataset no longer provided (410) or provided on application (403) says so.
  app.get(
    '/datasets/:id/resources/:resourceId/download',
    { schema: { hide: true, params: Type.Object({ id: RefParams.properties.id, resourceId: Type.String({ minLength: 1, maxLength: 200 }) }), querystring: LangQuery } },
    async (req, reply) => {
      const dataset = await discontinuation.withNotice(await catalogue.get(req.params.id));
      const resource = dataset.resources.find((r) => r.id === req.params.resourceId || r.resourceId === req.params.resourceId);
      if (!resource) throw notFound('resource', '資料資源', req.params.resourceId);
      const ctx = pageCtx(req, config);
      if (dataset.state === 'discontinued') return sendPage(req, reply, 410, <UnavailablePage ctx={ctx} d={dataset} why="gone" />);
      if (dataset.provisionType === 'on_application') return sendPage(req, reply, 403, <UnavailablePage ctx={ctx} d={dataset} why="on_application" />);
      if (!resource.url) throw notFound('resource', '資料資源', req.params.resourceId);
      return reply.header('cache-control', 'no-cache').redirect(resource.url, 302);
    },
  );

  app.get('/discontinued', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    const { results } = await discontinuation.notices({ limit: 1000 });
    return sendPage(req, reply, 200, <DiscontinuedPage ctx={pageCtx(req, config)} notices={results} />);
  });

  // Trailing slashes are a common typo for the list pages; send people where they meant to go.
  for (const path of ['/datasets/', '/units/']) {
    app.get(path, { schema: { hide: true } }, async (req, reply) => {
      const qs = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      return reply.redirect(`${path.slice(0, -1)}${qs}`, 301);
    });
  }

  app.get('/units', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    return sendPage(req, reply, 200, <UnitsPage ctx={pageCtx(req, config)} units={await units.listWithCounts()} />);
  });

  app.get('/units/:name', { schema: { hide: true, params: UnitParams, querystring: WebSearchQuerySchema } }, async (req, reply) => {
    const unit = await units.get(req.params.name);
    const facets: Facet[] = FACETS.filter((f) => f !== 'unit');
    const state = parseSearchState(req.query, { facets });
    const unitFilter: [Facet, string] = ['unit', unit.name];
    const narrowed = state.q !== '' || state.filters.length > 0;
    const [result, total, names] = await Promise.all([
      catalogue.search({ q: state.q, filters: [unitFilter, ...state.filters], sort: state.sort, limit: PAGE_SIZE, offset: (state.page - 1) * PAGE_SIZE, facets }),
      narrowed ? catalogue.search({ filters: [unitFilter], limit: 0 }).then((r) => r.count) : undefined,
      unitNames(),
    ]);
    return sendPage(req, reply, 200, <UnitPage ctx={pageCtx(req, config)} unit={unit} total={total ?? result.count} state={state} result={result} units={names} />);
  });
};
