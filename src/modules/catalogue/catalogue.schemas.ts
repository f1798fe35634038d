import { Type, type Static } from '@sinclair/typebox';
import { NoticeSchema } from '../discontinuation/discontinuation.schemas.ts';
import { DATASET_STATES, PROVISION_TYPES } from './national.ts';

const Opt = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const S = (description: string, opts: Record<string, unknown> = {}) => Type.String({ description, ...opts });

export const FieldDefSchema = Type.Object(
  {
    name: S('欄位名稱 field name'),
    title: Type.Optional(S('中文名稱 field title')),
    description: Type.Optional(S('說明 description')),
    type: Type.Optional(S('型別 type (e.g. integer, decimal, date, text)')),
    codes: Type.Optional(Type.Array(Type.Object({ code: Type.String(), meaning: Type.String() }), { description: '代碼意義 code meanings' })),
  },
  { $id: 'FieldDef' },
);

export const ResourceInputSchema = Type.Object({
  resourceId: Opt(S('資料資源編號 (generated as <identifier>-NNN when absent)')),
  name: Opt(S('資源名稱 short name')),
  description: S('資料資源描述', { minLength: 1 }),
  format: S('檔案格式', { minLength: 1 }),
  encoding: S('編碼格式', { minLength: 1 }),
  accessUrl: Opt(S('資料存取網址')),
  downloadUrl: Opt(S('資料下載網址')),
  modified: Opt(S('資料資源最後更新時間 YYYY-MM-DD hh:mm:ss')),
  metadataSourceUrl: Opt(S('領域別詮釋資料參考網址')),
  numberOfData: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
});
export type ResourceInput = Static<typeof ResourceInputSchema>;

/** What a contact (or an import) supplies for a dataset: the national fields in camelCase. */
export const DatasetInputSchema = Type.Object({
  unit: S('單位代稱 unit name'),
  name: Opt(S('URL name (slug); defaults to the lower-cased identifier')),
  identifier: Opt(S('資料集編號; generated as <agency code>-<6-digit serial> when absent')),
  provisionType: Type.Optional(Type.Union(PROVISION_TYPES.map((p) => Type.Literal(p)))),
  categoryCode: S('分類編號 (服務分類)'),
  title: S('資料集名稱'),
  titleEn: Opt(S('English title')),
  description: S('資料集描述'),
  fields: Type.Optional(Type.Array(FieldDefSchema)),
  fieldDescription: Opt(S('主要欄位說明 as national text; parsed into fields when fields are absent')),
  datasetType: Type.Optional(S('資料集類型 rawData | TOOLS | SERVICES')),
  licenseId: Type.Optional(S('授權方式 (licence id, e.g. OGDL-Taiwan-1.0)')),
  licenseUrl: Opt(S('授權說明網址')),
  cost: Type.Optional(S('計費方式 免費 | 付費')),
  costUrl: Opt(S('計費說明網址')),
  costLaw: Opt(S('計費法令依據')),
  applicationTerms: Opt(S('依申請提供之申請方式及條件 (required when provisionType is on_application)')),
  revocable: Type.Optional(Type.Boolean({ description: '授權可否撤回 (on_application only; an open dataset is irrevocable)' })),
  withholdingBasis: Opt(S('不予提供之法律依據, e.g. 政府資訊公開法第18條第1項第3款 (required when provisionType is withheld)')),
  organizationName: Opt(S('上級機關名稱')),
  organizationContactName: Opt(S('上級機關聯絡人姓名')),
  organizationContactPhone: Opt(S('上級機關聯絡人電話')),
  organizationContactEmail: Opt(S('上級機關聯絡人電子郵件')),
  publisherName: Opt(S('提供機關名稱 (defaults to the agency)')),
  publisherContactName: Opt(S('提供機關聯絡人姓名 (姓名 稱謂)')),
  publisherContactPhone: Opt(S('提供機關聯絡人電話')),
  publisherContactEmail: Opt(S('提供機關聯絡人電子郵件')),
  updateFrequency: S('更新頻率'),
  temporalFrom: Opt(S('開始收錄日期 YYYY-MM-DD')),
  temporalTo: Opt(S('結束收錄日期 YYYY-MM-DD')),
  issued: Opt(S('發布時間 YYYY-MM-DD hh:mm:ss')),
  modified: Opt(S('最後更新時間 YYYY-MM-DD hh:mm:ss')),
  spatial: Opt(S('資料集空間範圍')),
  language: Opt(S('資料集語系 ISO 639-1')),
  landingPage: Opt(S('資料集相關網址')),
  numberOfData: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  notes: Opt(S('備註')),
  keywords: Type.Optional(Type.Array(Type.String())),
  resources: Type.Optional(Type.Array(ResourceInputSchema)),
  dataAttribute: Opt(S('資料提供屬性 (national list)')),
  listingMethod: Opt(S('資料集上架方式 (national list)')),
  qualityBadge: Opt(S('品質檢測 as last reported nationally')),
  isDemo: Type.Optional(Type.Boolean()),
});
export type DatasetInput = Static<typeof DatasetInputSchema>;

export const UnitSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  titleEn: Type.String(),
  kind: Type.String(),
});

export const ResourceSchema = Type.Object(
  {
    id: Type.String(),
    resourceId: S('資料資源編號'),
    position: Type.Integer(),
    name: Type.String(),
    description: Type.String(),
    format: Type.String(),
    encoding: Type.String(),
    accessUrl: Type.Union([Type.String(), Type.Null()]),
    downloadUrl: Type.Union([Type.String(), Type.Null()]),
    /** The link people follow: download URL when there is one, else access URL (absolute). */
    url: Type.String(),
    modified: Type.Union([Type.String(), Type.Null()]),
    metadataSourceUrl: Type.Union([Type.String(), Type.Null()]),
    numberOfData: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'Resource' },
);
export type Resource = Static<typeof ResourceSchema>;

const N = Type.Union([Type.String(), Type.Null()]);

export const DatasetSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    identifier: Type.String(),
    state: Type.Union(DATASET_STATES.map((s) => Type.Literal(s))),
    provisionType: Type.Union(PROVISION_TYPES.map((p) => Type.Literal(p))),
    unit: UnitSummarySchema,
    categoryCode: Type.String(),
    title: Type.String(),
    titleEn: N,
    description: Type.String(),
    fields: Type.Array(FieldDefSchema),
    fieldDescription: S('主要欄位說明 in national text form'),
    datasetType: Type.String(),
    licenseId: Type.String(),
    licenseTitle: Type.String(),
    licenseUrl: Type.String(),
    cost: Type.String(),
    costUrl: N,
    costLaw: N,
    applicationTerms: N,
    revocable: Type.Boolean(),
    withholdingBasis: N,
    organizationName: N,
    organizationContactName: N,
    organizationContactPhone: N,
    organizationContactEmail: N,
    publisherName: Type.String(),
    publisherContactName: N,
    publisherContactPhone: N,
    publisherContactEmail: N,
    updateFrequency: Type.String(),
    temporalFrom: N,
    temporalTo: N,
    issued: N,
    modified: N,
    spatial: N,
    language: N,
    landingPage: N,
    numberOfData: Type.Union([Type.Integer(), Type.Null()]),
    notes: N,
    keywords: Type.Array(Type.String()),
    resources: Type.Array(ResourceSchema),
    dataAttribute: N,
    listingMethod: N,
    qualityBadge: N,
    isDemo: Type.Boolean(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    publishedAt: N,
    notice: Type.Optional(NoticeSchema),
  },
  { $id: 'Dataset' },
);
export type Dataset = Static<typeof DatasetSchema>;
