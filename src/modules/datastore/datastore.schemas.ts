import { Type } from '@sinclair/typebox';
import { MAX_LIMIT } from './datastore.query.ts';

export const DatastoreSearchParams = Type.Object({
  resource_id: Type.String({ minLength: 1, maxLength: 200, description: '資料資源編號（或版本 id）national resource id (or a version id)' }),
  filters: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: '欄位 → 值或值的陣列 field → value or list of values (exact match)' })),
  q: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Record(Type.String(), Type.String({ maxLength: 500 }))], { description: '全文（文字欄位包含）或 {欄位: 文字} text contained in text fields, or per field' })),
  fields: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Array(Type.String({ maxLength: 500 }), { maxItems: 500 })], { description: '要傳回的欄位（逗號分隔）fields to return, comma-separated' })),
  sort: Type.Optional(Type.String({ maxLength: 2000, description: '例如 "年月 desc, _id" e.g. "field desc, other"' })),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_LIMIT, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, default: 0 })),
  include_total: Type.Optional(Type.Boolean({ default: true })),
  records_format: Type.Optional(Type.Union([Type.Literal('objects'), Type.Literal('lists'), Type.Literal('csv')], { default: 'objects' })),
  version: Type.Optional(Type.Integer({ minimum: 1, description: '較早的版本（預設最新）an earlier version (default: the latest)' })),
});

export const DatastoreInfoParams = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  resource_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

const Field = Type.Object({ id: Type.String(), type: Type.String(), info: Type.Optional(Type.Object({ label: Type.Optional(Type.String()), notes: Type.Optional(Type.String()), unit: Type.Optional(Type.String()) })) });

export const DatastoreSearchResult = Type.Object({
  resource_id: Type.String(),
  fields: Type.Array(Field),
  records: Type.Unknown({ description: 'objects: [{欄位: 值}]；lists: [[值…]]；csv: 文字' }),
  records_format: Type.String(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  total: Type.Optional(Type.Integer()),
  total_was_estimated: Type.Optional(Type.Boolean()),
  include_total: Type.Boolean(),
  _links: Type.Object({ start: Type.String(), next: Type.String() }),
  version: Type.Integer(),
});

export const DatastoreInfoResult = Type.Object({
  meta: Type.Object({ count: Type.Integer(), version: Type.Integer(), format: Type.String(), encoding: Type.Union([Type.String(), Type.Null()]), loaded_at: Type.Union([Type.String(), Type.Null()]) }),
  fields: Type.Array(Field),
});
