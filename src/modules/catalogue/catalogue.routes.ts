import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { FACETS, SEARCHABLE_STATES, type Facet } from '../search/search.indexer.ts';
import { DatasetSchema, FieldDefSchema, ResourceSchema } from './catalogue.schemas.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))) }) });

const SORTS = ['relevance', 'modified_desc', 'modified_asc', 'title_asc', 'title_desc', 'name_asc'] as const;

const FacetList = Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }));

export const SearchQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: '全文檢索（中文、英文皆可）Full-text query' })),
  unit: Type.Optional(Type.Array(Type.String(), { description: '單位代稱 unit name filter (several values: any of them)' })),
  category: Type.Optional(Type.Array(Type.String(), { description: '服務分類代碼' })),
  format: Type.Optional(Type.Array(Type.String(), { description: '檔案格式' })),
  frequency: Type.Optional(Type.Array(Type.String(), { description: '更新頻率' })),
  keyword: Type.Optional(Type.Array(Type.String(), { description: '關鍵字' })),
  provision: Type.Optional(Type.Array(Type.String(), { description: '提供方式 open | on_application | withheld' })),
  license: Type.Optional(Type.Array(Type.String(), { description: '授權 licence id' })),
  state: Type.Optional(
    Type.Array(Type.Union(SEARCHABLE_STATES.map((s) => Type.Literal(s))), { description: '狀態 published（預設 default）| discontinued 停止提供（with its notice）' }),
  ),
  sort: Type.Optional(
    Type.Unsafe<(typeof SORTS)[number]>({ type: 'string', enum: [...SORTS], description: 'relevance (default with q), modified_desc (default without), modified_asc, title_asc, title_desc, name_asc' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  lang: Type.Optional(Type.String()),
});

export const catalogueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(FieldDefSchema);

  app.get(
    '/datasets',
    {
      schema: {
        tags: ['catalogue'],
        summary: '搜尋資料集 Search public datasets',
        querystring: SearchQuerySchema,
        response: {
          200: Type.Object({
            count: Type.Integer(),
            results: Type.Array(DatasetSchema),
            facets: Type.Record(Type.String(), FacetList),
          }),
          400: ErrorSchema,
        },
      },
    },
    async (req) => {
      const q = req.query;
      // Several values of one facet widen the search (either matches); different facets narrow it.
      const anyOf: [Facet, string[]][] = [];
      for (const f of FACETS) if (q[f]?.length) anyOf.push([f, q[f]]);
      return app.services.catalogue.search({ q: q.q, anyOf, sort: q.sort, limit: q.limit, offset: q.offset, facets: [...FACETS] });
    },
  );

  app.get(
    '/datasets/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: '取得資料集 Get a public dataset by id, name or national identifier (a discontinued one with its notice)',
        params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
        response: { 200: DatasetSchema, 404: ErrorSchema },
      },
    },
    async (req) => app.services.discontinuation.withNotice(await app.services.catalogue.get(req.params.id)),
  );

  app.get(
    '/resources/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: '取得資料資源 Get a resource of a public dataset',
        params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
        response: { 200: Type.Object({ datasetId: Type.String(), resource: ResourceSchema }), 404: ErrorSchema },
      },
    },
    async (req) => {
      const { dataset, resource } = await app.services.catalogue.getResource(req.params.id);
      return { datasetId: dataset.id, resource };
    },
  );

  const UnitSchema = Type.Object({
    id: Type.String(),
    name: Type.String(),
    title: Type.String(),
    titleEn: Type.String(),
    kind: Type.String(),
    agencyCode: Type.String(),
    isWindow: Type.Boolean(),
    datasetCount: Type.Integer(),
  });

  app.get(
    '/units',
    { schema: { tags: ['catalogue'], summary: '單位列表 Units with their public dataset counts', response: { 200: Type.Array(UnitSchema) } } },
    async () => app.services.units.listWithCounts(),
  );

  app.get(
    '/units/:name',
    {
      schema: {
        tags: ['catalogue'],
        summary: '取得單位 Get a unit',
        params: Type.Object({ name: Type.String({ maxLength: 200 }) }),
        response: { 200: UnitSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const unit = await app.services.units.get(req.params.name);
      const all = await app.services.units.listWithCounts();
      return all.find((u) => u.id === unit.id) ?? { ...unit, datasetCount: 0 };
    },
  );
};
