/**
 * TypeBox schemas of the CKAN-compatible Action API (../shared/reference/ckan-api.md): the
 * parameters each action takes, the dicts it answers, and the `{help, success, result|error}`
 * envelope. They validate requests, type the handlers, shape the replies and document the API.
 */
import { NoticeSchema } from '../discontinuation/discontinuation.schemas.ts';
import { Type, type Static, type TSchema } from '@sinclair/typebox';

// Nullable as a type array, not anyOf: fast-json-stringify then writes these fields without
// running a validator per value (6x faster on package_search), and @fastify/swagger documents
// them as `nullable: true` in OpenAPI 3.0.
const Nullable = <T>(type: 'string' | 'integer', description?: string) => Type.Unsafe<T | null>({ type: [type, 'null'], ...(description ? { description } : {}) });
const N = Nullable<string>('string');
const NInt = Nullable<number>('integer');
// Bounded so that LIMIT/OFFSET stay within what both databases take.
const Natural = (description: string) => Type.Integer({ minimum: 0, maximum: 2_147_483_647, description });
const Bool = (description: string) => Type.Boolean({ description });

// ---------------------------------------------------------------- parameters

export const PackageSearchParams = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 500, description: '全文檢索；`*:*` 或空白為全部。Full-text query; `*:*` or empty means everything. Also accepts `tags:物價`-style terms.' })),
  fq: Type.Optional(Type.String({ maxLength: 2000, description: '篩選條件（Solr 語法子集）。Filter terms ANDed, e.g. `organization:statistics tags:"物價 指數"`. Fields: organization, owner_org, tags, res_format, license_id, category_code, update_frequency, provision_type.' })),
  fq_list: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 50, description: '多個 fq，彼此為 AND。List of fq strings, ANDed (JSON-encoded on GET).' })),
  sort: Type.Optional(Type.String({ maxLength: 200, description: '`score desc, metadata_modified desc` (default), `metadata_modified desc|asc`, `title_string asc|desc`, `name asc`' })),
  rows: Type.Optional(Natural('每頁筆數，預設 10，上限 1000（超過者以 1000 計，同 CKAN）。Rows per page, default 10, capped at 1000 like CKAN.')),
  start: Type.Optional(Natural('起始位置 Offset of the first result')),
  facet: Type.Optional(Bool('是否計算面向（預設 true）Compute facets (default true)')),
  'facet.field': Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20, description: 'JSON 清單 JSON list: organization, tags, res_format, license_id, category_code, update_frequency, provision_type' })),
  'facet.limit': Type.Optional(Type.Integer({ minimum: -1, description: '每個面向最多幾項（預設 50；-1 不限）Items per facet (default 50; -1 = no limit)' })),
  'facet.mincount': Type.Optional(Natural('面向項目最小筆數（預設 1）Minimum count of a facet item (default 1)')),
  include_private: Type.Optional(Bool('公開目錄僅含公開資料集（忽略）Ignored: the public catalogue holds public datasets only')),
  include_drafts: Type.Optional(Bool('忽略 Ignored')),
  include_deleted: Type.Optional(Bool('忽略 Ignored')),
});
export type PackageSearchParams = Static<typeof PackageSearchParams>;

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'id（UUID）、name 或國家資料集編號 id, name or national identifier' }) });
export type IdParams = Static<typeof IdParams>;

export const ListParams = Type.Object({
  limit: Type.Optional(Natural('筆數上限 Maximum number of items')),
  offset: Type.Optional(Natural('略過筆數 Items to skip')),
});
export type ListParams = Static<typeof ListParams>;

export const CurrentPackageListParams = Type.Object({
  limit: Type.Optional(Natural('筆數，預設 10，上限 1000 Number of datasets, default 10, at most 1000')),
  offset: Type.Optional(Natural('略過筆數 Datasets to skip')),
  page: Type.Optional(Type.Integer({ minimum: 1, description: '（已淘汰）頁碼 Deprecated page number, used when offset is absent' })),
});
export type CurrentPackageListParams = Static<typeof CurrentPackageListParams>;

export const OrganizationListParams = Type.Object({
  sort: Type.Optional(Type.String({ maxLength: 50, description: '`title asc` (default), `title desc`, `name asc|desc`, `package_count asc|desc`' })),
  limit: Type.Optional(Natural('筆數上限 Maximum number of organizations')),
  offset: Type.Optional(Natural('略過筆數 Organizations to skip')),
  all_fields: Type.Optional(Bool('回傳完整物件（含 package_count）Return dicts with package_count instead of names')),
  q: Type.Optional(Type.String({ maxLength: 200, description: '名稱或代稱包含此字串 Name or title contains this text' })),
  organizations: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000, description: '只列這些代稱 Only these names (JSON list on GET)' })),
});
export type OrganizationListParams = Static<typeof OrganizationListParams>;

export const OrganizationShowParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200, description: '單位代稱或 id Unit name or id' }),
  include_datasets: Type.Optional(Bool('附上最多 1000 筆資料集 Include up to 1000 of its datasets (default false)')),
});
export type OrganizationShowParams = Static<typeof OrganizationShowParams>;

export const TagListParams = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 200, description: '標籤包含此字串 Tags containing this text' })),
  vocabulary_id: Type.Optional(Type.String({ maxLength: 200, description: '本平臺沒有詞彙表 No vocabularies here: any value is Not Found' })),
  all_fields: Type.Optional(Bool('回傳完整物件 Return tag dicts instead of names')),
});
export type TagListParams = Static<typeof TagListParams>;

export const HelpShowParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, description: 'action 名稱 Action name' }) });
export type HelpShowParams = Static<typeof HelpShowParams>;

export const NoParams = Type.Object({});

// ---------------------------------------------------------------- dicts

export const CkanFieldSchema = Type.Object({
  name: Type.String(),
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  codes: Type.Optional(Type.Array(Type.Object({ code: Type.String(), meaning: Type.String() }))),
});

export const CkanResourceSchema = Type.Object({
  id: Type.String({ description: 'UUID' }),
  package_id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  url: Type.String(),
  format: Type.String(),
  mimetype: N,
  size: NInt,
  hash: Type.String(),
  created: Type.String({ description: 'ISO 8601 UTC, no zone (CKAN style)' }),
  last_modified: N,
  metadata_modified: Type.String(),
  position: Type.Integer(),
  url_type: N,
  datastore_active: Type.Boolean(),
  state: Type.String(),
  // national fields
  resource_id: Type.String({ description: '資料資源編號 national resource id' }),
  encoding: Type.String({ description: '編碼格式' }),
  access_url: N,
  download_url: N,
  modified: N,
  metadata_source_url: N,
  number_of_data: NInt,
  /** Only in write-action answers for a published dataset: the working copy the change went into. */
  kaifang_working_copy: Type.Optional(
    Type.Object({ version: Type.Integer(), state: Type.String({ description: 'draft | submitted | returned' }) }, { description: '待審查的工作副本 the working copy waiting for review (the public version is unchanged)' }),
  ),
});
export type CkanResource = Static<typeof CkanResourceSchema>;

export const CkanOrganizationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  title_en: Type.String(),
  display_name: Type.String(),
  description: Type.String(),
  image_url: Type.String(),
  image_display_url: Type.String(),
  created: Type.String(),
  type: Type.Literal('organization'),
  is_organization: Type.Literal(true),
  state: Type.Literal('active'),
  approval_status: Type.Literal('approved'),
});
export type CkanOrganization = Static<typeof CkanOrganizationSchema>;

export const CkanTagSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  display_name: Type.String(),
  state: Type.Literal('active'),
  vocabulary_id: Type.Null(),
});
export type CkanTag = Static<typeof CkanTagSchema>;

export const CkanPackageSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  notes: Type.String({ description: '資料集描述 description' }),
  url: N,
  version: Type.Null(),
  state: Type.String(),
  private: Type.Boolean(),
  type: Type.Literal('dataset'),
  isopen: Type.Boolean(),
  license_id: Type.String(),
  license_title: Type.String(),
  license_url: Type.String(),
  maintainer: N,
  maintainer_email: N,
  author: Type.String(),
  author_email: Type.Null(),
  creator_user_id: Type.Null(),
  metadata_created: Type.String(),
  metadata_modified: Type.String(),
  owner_org: Type.String(),
  organization: CkanOrganizationSchema,
  tags: Type.Array(CkanTagSchema),
  groups: Type.Array(Type.Object({})),
  relationships_as_object: Type.Array(Type.Object({})),
  relationships_as_subject: Type.Array(Type.Object({})),
  extras: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
  num_resources: Type.Integer(),
  num_tags: Type.Integer(),
  resources: Type.Array(CkanResourceSchema),
  // national fields (資料集詮釋資料標準規範), snake_case
  identifier: Type.String({ description: '資料集編號' }),
  title_en: N,
  category_code: Type.String({ description: '分類編號（服務分類）' }),
  category_name: Type.String({ description: '服務分類名稱' }),
  dataset_type: Type.String({ description: '資料集類型 rawData | TOOLS | SERVICES' }),
  provision_type: Type.String({ description: '資料提供方式 open | on_application | withheld' }),
  field_description: Type.String({ description: '主要欄位說明' }),
  fields: Type.Array(CkanFieldSchema),
  cost: Type.String(),
  cost_url: N,
  cost_law: N,
  application_terms: Nullable<string>('string', '依申請提供之申請方式及條件 (on_application)'),
  revocable: Type.Boolean({ description: '授權可否撤回 (on_application)' }),
  withholding_basis: Nullable<string>('string', '不予提供之法律依據 (withheld)'),
  organization_name: N,
  organization_contact_name: N,
  organization_contact_phone: N,
  organization_contact_email: N,
  publisher_name: Type.String(),
  publisher_contact_name: N,
  publisher_contact_phone: N,
  publisher_contact_email: N,
  update_frequency: Type.String(),
  temporal_from: N,
  temporal_to: N,
  issued: N,
  modified: N,
  spatial: N,
  language: N,
  landing_page: N,
  number_of_data: NInt,
  remarks: Nullable<string>('string', '備註 (national notes; CKAN `notes` is the description)'),
  keywords: Type.Array(Type.String()),
  data_attribute: N,
  listing_method: N,
  quality_badge: N,
  is_demo: Type.Boolean({ description: '示範資料 demo data' }),
  /** A discontinued dataset (state "discontinued") carries its 停止提供公告. */
  kaifang_discontinuation: Type.Optional(NoticeSchema),
  /** Only in write-action answers for a published dataset: the working copy the change went into. */
  kaifang_working_copy: Type.Optional(
    Type.Object({ version: Type.Integer(), state: Type.String({ description: 'draft | submitted | returned' }) }, { description: '待審查的工作副本 the working copy waiting for review (the public version is unchanged)' }),
  ),
});
export type CkanPackage = Static<typeof CkanPackageSchema>;

export const CkanOrganizationDictSchema = Type.Composite([
  CkanOrganizationSchema,
  Type.Object({
    package_count: Type.Integer(),
    num_followers: Type.Integer(),
    packages: Type.Optional(Type.Array(CkanPackageSchema)),
    users: Type.Array(Type.Object({})),
    extras: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
    groups: Type.Array(Type.Object({})),
    tags: Type.Array(Type.Object({})),
  }),
]);
export type CkanOrganizationDict = Static<typeof CkanOrganizationDictSchema>;

const FacetItem = Type.Object({ name: Type.String(), display_name: Type.String(), count: Type.Integer() });

export const PackageSearchResultSchema = Type.Object({
  count: Type.Integer(),
  sort: Type.String(),
  results: Type.Array(CkanPackageSchema),
  search_facets: Type.Record(Type.String(), Type.Object({ title: Type.String(), items: Type.Array(FacetItem) })),
  facets: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer()), { description: 'deprecated CKAN form: {field: {value: count}}' }),
});
export type PackageSearchResult = Static<typeof PackageSearchResultSchema>;
export type SearchFacets = PackageSearchResult['search_facets'];

export const StatusSchema = Type.Object({
  site_title: Type.String(),
  site_url: Type.String(),
  site_description: Type.String(),
  ckan_version: Type.String(),
  locale_default: Type.String(),
  extensions: Type.Array(Type.String()),
});
export type Status = Static<typeof StatusSchema>;

export const TagDictSchema = Type.Object({ id: Type.String(), name: Type.String(), display_name: Type.String(), vocabulary_id: Type.Null() });

// ---------------------------------------------------------------- envelope

/** `{help, success: true, result}` around an action's result. */
export const Envelope = <T extends TSchema>(result: T) =>
  Type.Object({ help: Type.String({ description: 'help_show URL of the action' }), success: Type.Literal(true), result });

/** CKAN's error envelope; a Validation Error also carries one list of messages per field. */
export const ErrorEnvelopeSchema = Type.Object({
  help: Type.String(),
  success: Type.Literal(false),
  error: Type.Object(
    {
      __type: Type.String({ description: 'Validation Error | Search Query Error | Not Found Error | Authorization Error | Bad Request | Internal Server Error' }),
      message: Type.String(),
    },
    { additionalProperties: Type.Array(Type.String()) },
  ),
});
export type ErrorEnvelope = Static<typeof ErrorEnvelopeSchema>;

/** The data dict of package_create / package_update / package_patch (documented fields; any other national field is accepted too). */
export const PackageWriteParams = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'update/patch: id, name or 資料集編號' })),
    name: Type.Optional(Type.String({ description: '網址名稱 URL name (create: required)' })),
    title: Type.Optional(Type.String({ description: '資料集名稱 (create: required)' })),
    owner_org: Type.Optional(Type.String({ description: '單位 unit name or id (create: required)' })),
    notes: Type.Optional(Type.String({ description: '資料集描述 description' })),
    license_id: Type.Optional(Type.String()),
    url: Type.Optional(Type.String({ description: '資料集相關網址 landing page' })),
    tags: Type.Optional(Type.Array(Type.Unknown(), { description: '[{name}] → 關鍵字 keywords' })),
    resources: Type.Optional(Type.Array(Type.Unknown(), { description: '[{url, format, name, description, encoding}]' })),
    extras: Type.Optional(Type.Array(Type.Unknown(), { description: '[{key, value}]: national fields (category_code, update_frequency, field_description…)' })),
  },
  { additionalProperties: true },
);

/** The data dict of resource_create / resource_update. */
export const ResourceWriteParams = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'update: resource id or 資料資源編號' })),
    package_id: Type.Optional(Type.String({ description: 'create: the dataset' })),
    url: Type.Optional(Type.String({ description: '資料下載網址 download URL' })),
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String({ description: '資料資源描述 (defaults to name)' })),
    format: Type.Optional(Type.String()),
    encoding: Type.Optional(Type.String({ description: '編碼格式 (default UTF-8)' })),
  },
  { additionalProperties: true },
);
