import { stringify } from 'csv-stringify/sync';
import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/types.ts';
import { AppError, invalid } from '../../errors.ts';
import { neutraliseFormula } from '../export/cells.ts';
import { convertCell, type ColumnType } from '../ingest/infer.ts';
import { rowStream, type RawCell, type RowStream } from '../ingest/table.ts';
import { can } from '../policy/policy.ts';
import type { User } from '../users/users.service.ts';
import type { DatastoreColumn, DatastoreService, VersionRow } from './datastore.service.ts';

/** CKAN's datastore field types for ours. */
const CKAN_TYPE: Record<ColumnType, string> = { integer: 'int', decimal: 'numeric', percent: 'numeric', date: 'text', boolean: 'bool', text: 'text' };

export const MAX_LIMIT = 32_000;
export const DEFAULT_LIMIT = 100;

export interface SearchParams {
  resource_id: string;
  filters?: Record<string, unknown>;
  q?: string | Record<string, unknown>;
  fields?: string | string[];
  sort?: string;
  limit?: number;
  offset?: number;
  include_total?: boolean;
  records_format?: 'objects' | 'lists' | 'csv';
  /** Ours: an earlier version (CKAN has only the current one). */
  version?: number;
}

export interface SearchResult {
  resource_id: string;
  fields: { id: string; type: string; info?: { label?: string; notes?: string; unit?: string } }[];
  records: unknown;
  records_format: string;
  limit: number;
  offset: number;
  total?: number;
  total_was_estimated?: boolean;
  include_total: boolean;
  _links: { start: string; next: string };
  /** Ours: which version answered, and when it was loaded. */
  version: number;
}

/** A resolved, readable table. */
export interface Readable {
  version: VersionRow;
  columns: DatastoreColumn[];
  table: string;
}

const like = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Read-only queries on datastore tables (CKAN `datastore_search` / `datastore_info`, and the native
 * keyset API). Field names are looked up in the table's dictionary and only their SQL column ids
 * (c1, c2 …) reach SQL; values are bound parameters; the table name comes from the version row.
 * There is no way to name another table.
 */
export class DatastoreQuery {
  constructor(
    private readonly db: Db,
    private readonly datastore: DatastoreService,
  ) {}

  private get k(): Kysely<Database> {
    return this.db.kysely;
  }

  /**
   * Whether the caller may read a resource's files and tables: the public reads published
   * datasets (410 when discontinued, 403 when provided on application); the unit reads its own
   * non-public work. Returns whether unpublished versions are visible too.
   */
  private async access(resourceId: string, user: User | null, asked: string): Promise<{ mayReadAll: boolean }> {
    const owner = await this.k
      .selectFrom('resources as r')
      .innerJoin('datasets as d', 'd.id', 'r.dataset_id')
      .innerJoin('units as u', 'u.id', 'd.unit_id')
      .select(['d.state', 'd.provision_type', 'u.name as unit'])
      .where('r.resource_id', '=', resourceId)
      .executeTakeFirst();
    // A resource that exists only in a working copy is found through its versions' unit later; until
    // then it is simply not found.
    if (!owner) throw new AppError('DATASTORE_NOT_FOUND', 404, `找不到資料資源：${asked}`, `No such resource: ${asked}`);
    const mayReadAll = can(user, 'dataset.read_nonpublic', { unit: owner.unit });
    if (!mayReadAll) {
      if (owner.state === 'discontinued') throw new AppError('DATASET_DISCONTINUED', 410, '此資料集已停止提供', 'This dataset is no longer provided (discontinued)');
      if (owner.state !== 'published') throw new AppError('DATASTORE_NOT_FOUND', 404, `找不到資料資源：${asked}`, `No such resource: ${asked}`);
      if (owner.provision_type === 'on_application') throw new AppError('ON_APPLICATION', 403, '此資料依申請提供，請依資料集頁面說明申請', 'This data is provided on application; see the dataset page for how to apply');
    }
    return { mayReadAll };
  }

  /** The versions the caller may see, newest first (the public: published ones). */
  async visibleVersions(resourceId: string, user: User | null): Promise<VersionRow[]> {
    const { mayReadAll } = await this.access(resourceId, user, resourceId);
    return (await this.datastore.versions(resourceId)).filter((v) => mayReadAll || v.published_at !== null);
  }

  /** The version whose original file a download gets: the newest visible one, or version `n`. */
  async fileVersion(resourceId: string, user: User | null, n?: number): Promise<VersionRow> {
    const visible = await this.visibleVersions(resourceId, user);
    const v = n === undefined ? visible[0] : visible.find((x) => x.version === n);
    if (!v) throw new AppError('VERSION_NOT_FOUND', 404, n === undefined ? `資料資源 ${resourceId} 尚無上傳的檔案` : `資料資源 ${resourceId} 沒有第 ${n} 版`, n === undefined ? `Resource ${resourceId} has no uploaded file` : `Resource ${resourceId} has no version ${n}`);
    return v;
  }

  /** The table behind a resource (or version) id, if the caller may read it. */
  async resolve(resourceOrVersionId: string, user: User | null, version?: number): Promise<Readable> {
    const byVersion = await this.k.selectFrom('resource_versions').select(['resource_id']).where('id', '=', resourceOrVersionId).executeTakeFirst();
    const resourceId = byVersion?.resource_id ?? resourceOrVersionId;
    const { mayReadAll } = await this.access(resourceId, user, resourceOrVersionId);
    const v = byVersion && version === undefined ? await this.datastore.version(resourceOrVersionId) : await this.datastore.readyVersion(resourceId, version, { publishedOnly: !mayReadAll });
    if (!v || v.datastore_state !== 'ready' || !v.datastore_table || (!mayReadAll && v.published_at === null)) {
      throw new AppError('DATASTORE_NOT_READY', 404, version === undefined ? `資源 ${resourceId} 尚無可查詢的資料表` : `資源 ${resourceId} 沒有第 ${version} 版的資料表`, version === undefined ? `Resource ${resourceId} has no queryable table yet` : `Resource ${resourceId} has no table for version ${version}`);
    }
    return { version: v, columns: await this.datastore.columns(v.id), table: v.datastore_table };
  }

  /** `datastore_info`: the fields (with the dictionary) and the row count. */
  async info(resourceId: string, user: User | null): Promise<{ meta: { count: number; version: number; format: string; encoding: string | null; loaded_at: string | null }; fields: SearchResult['fields'] }> {
    const r = await this.resolve(resourceId, user);
    return {
      meta: { count: r.version.datastore_rows ?? 0, version: r.version.version, format: r.version.format, encoding: r.version.encoding_detected, loaded_at: r.version.loaded_at },
      fields: this.fieldsOf(r.columns),
    };
  }

  private fieldsOf(columns: DatastoreColumn[], only?: DatastoreColumn[]): SearchResult['fields'] {
    const list = only ?? columns;
    return [
      { id: '_id', type: 'int' },
      ...list.map((c) => ({
        id: c.name,
        type: CKAN_TYPE[c.type],
        info: { label: c.title ?? c.name, ...(c.description ? { notes: c.description } : {}), ...(c.unit ? { unit: c.unit } : {}) },
      })),
    ];
  }

  /** `datastore_search` in CKAN's shape. */
  async search(p: SearchParams, user: User | null, selfUrl: string): Promise<SearchResult> {
    const r = await this.resolve(p.resource_id, user, p.version);
    const byName = new Map(r.columns.map((c) => [c.name, c]));
    const errors: Record<string, string[]> = {};
    const column = (name: string, param: string): DatastoreColumn | undefined => {
      const c = byName.get(name);
      if (!c && name !== '_id') (errors[param] ??= []).push(`沒有欄位「${name}」/ field "${name}" does not exist`);
      return c;
    };
    const limit = p.limit ?? DEFAULT_LIMIT;
    const offset = p.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) (errors.limit ??= []).push(`須為 0 到 ${MAX_LIMIT} 的整數 / must be an integer from 0 to ${MAX_LIMIT}`);
    if (!Number.isInteger(offset) || offset < 0) (errors.offset ??= []).push('須為 0 以上的整數 / must be a whole number, 0 or more');

    const conds: Expression<SqlBool>[] = [];
    for (const [name, raw] of Object.entries(p.filters ?? {})) {
      if (name === '_id') {
        const ids = (Array.isArray(raw) ? raw : [raw]).map(Number).filter(Number.isInteger);
        conds.push(sql<SqlBool>`${sql.id('_id')} in (${sql.join(ids.length ? ids : [-1])})`);
        continue;
      }
      const c = column(name, 'filters');
      if (!c) continue;
      const vals = (Array.isArray(raw) ? raw : [raw]).map((v) => (v === null ? null : convertCell(typeof v === 'number' || typeof v === 'boolean' ? v : String(v), c.type)));
      const nonNull = vals.filter((v) => v !== null);
      const parts: RawBuilder<SqlBool>[] = [];
      if (nonNull.length) parts.push(sql<SqlBool>`${sql.id(c.columnId)} in (${sql.join(nonNull)})`);
      if (nonNull.length < vals.length) parts.push(sql<SqlBool>`${sql.id(c.columnId)} is null`);
      conds.push(parts.length ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : sql<SqlBool>`1 = 0`);
    }
    if (p.q !== undefined && p.q !== '') {
      const textCols = r.columns.filter((c) => c.type === 'text' || c.type === 'date');
      if (typeof p.q === 'string') {
        const parts = textCols.map((c) => sql<SqlBool>`${sql.id(c.columnId)} like ${like(p.q as string)} escape '\\'`);
        conds.push(parts.length ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : sql<SqlBool>`1 = 0`);
      } else {
        for (const [name, text] of Object.entries(p.q)) {
          const c = column(name, 'q');
          if (c) conds.push(sql<SqlBool>`cast(${sql.id(c.columnId)} as text) like ${like(String(text))} escape '\\'`);
        }
      }
    }
    const fieldNames = typeof p.fields === 'string' ? p.fields.split(',').map((s) => s.trim()).filter(Boolean) : p.fields;
    const selected = fieldNames?.length ? fieldNames.filter((n) => n !== '_id').map((n) => column(n, 'fields')).filter((c): c is DatastoreColumn => c !== undefined) : r.columns;
    const order: RawBuilder<unknown>[] = [];
    for (const part of (p.sort ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(.+?)(?:\s+(asc|desc))?$/i.exec(part);
      const name = (m?.[1] ?? part).replace(/^"(.*)"$/, '$1');
      const dir = (m?.[2] ?? 'asc').toLowerCase() === 'desc' ? sql`desc` : sql`asc`;
      if (name === '_id') order.push(sql`${sql.id('_id')} ${dir}`);
      else {
        const c = column(name, 'sort');
        if (c) order.push(sql`${sql.id(c.columnId)} ${dir}`);
      }
    }
    order.push(sql`${sql.id('_id')} asc`);
    if (Object.keys(errors).length > 0) throw invalid(errors);

    const where = conds.length ? sql`where ${sql.join(conds, sql` and `)}` : sql``;
    const cols = sql.join([sql.id('_id'), ...selected.map((c) => sql.id(c.columnId))]);
    const rows = await sql<Record<string, unknown>>`select ${cols} from ${sql.table(r.table)} ${where} order by ${sql.join(order)} limit ${limit} offset ${offset}`.execute(this.k);
    const includeTotal = p.include_total ?? true;
    let total: number | undefined;
    if (includeTotal) {
      const t = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(r.table)} ${where}`.execute(this.k);
      total = Number(t.rows[0]?.n ?? 0);
    }
    const valueOf = (c: DatastoreColumn, v: unknown): unknown => this.value(c, v);
    const format = p.records_format ?? 'objects';
    let records: unknown;
    if (format === 'lists') records = rows.rows.map((row) => [Number(row._id), ...selected.map((c) => valueOf(c, row[c.columnId]))]);
    else if (format === 'csv') {
      records = stringify(rows.rows.map((row) => [Number(row._id), ...selected.map((c) => neutraliseFormula(valueOf(c, row[c.columnId]) as string | number | boolean | null))]));
    } else {
      records = rows.rows.map((row) => {
        const entries: [string, unknown][] = [['_id', Number(row._id)], ...selected.map((c): [string, unknown] => [c.name, valueOf(c, row[c.columnId])])];
        return Object.fromEntries(entries);
      });
    }

    const link = (o: number) => {
      const u = new URL(selfUrl, 'http://x');
      u.searchParams.set('offset', String(o));
      return `${u.pathname}${u.search}`;
    };
    return {
      resource_id: r.version.resource_id,
      fields: this.fieldsOf(r.columns, selected),
      records,
      records_format: format,
      limit,
      offset,
      ...(total !== undefined ? { total, total_was_estimated: false } : {}),
      include_total: includeTotal,
      _links: { start: link(0), next: link(offset + limit) },
      version: r.version.version,
    };
  }

  /**
   * One page of the table in `_id` order after `after` (keyset pagination: constant cost however
   * deep), with the exact count only when asked.
   */
  async page(resourceId: string, user: User | null, p: { after: number; limit: number; count: boolean; version?: number }): Promise<{ fields: { id: string; type: string; title: string | null }[]; records: Record<string, unknown>[]; lastId: number | null; total?: number; version: number }> {
    const r = await this.resolve(resourceId, user, p.version);
    const cols = sql.join([sql.id('_id'), ...r.columns.map((c) => sql.id(c.columnId))]);
    const rows = await sql<Record<string, unknown>>`select ${cols} from ${sql.table(r.table)} where ${sql.id('_id')} > ${p.after} order by ${sql.id('_id')} limit ${p.limit}`.execute(this.k);
    const records = rows.rows.map((row) => {
      const entries: [string, unknown][] = [['_id', Number(row._id)], ...r.columns.map((c): [string, unknown] => [c.name, this.value(c, row[c.columnId])])];
      return Object.fromEntries(entries);
    });
    let total: number | undefined;
    if (p.count) total = Number((await sql<{ n: number | string }>`select count(*) as n from ${sql.table(r.table)}`.execute(this.k)).rows[0]?.n ?? 0);
    const last = rows.rows.at(-1);
    return {
      fields: [{ id: '_id', type: 'integer', title: null }, ...r.columns.map((c) => ({ id: c.name, type: c.type, title: c.title }))],
      records,
      lastId: last ? Number(last._id) : null,
      ...(total !== undefined ? { total } : {}),
      version: r.version.version,
    };
  }

  private value(c: DatastoreColumn, v: unknown): unknown {
    if (v === null || v === undefined) return null;
    if (c.type === 'integer' || c.type === 'decimal' || c.type === 'percent') return Number(v);
    if (c.type === 'boolean') return Number(v) === 1;
    return v;
  }

  /**
   * Every row of a table in `_id` order, read in keyset pages of `batch` rows: memory stays flat
   * however big the table. The rows can also be taken a page at a time (`batches()`), which the
   * exports do: one await per page instead of one per row.
   */
  rows(r: Readable, batch = 5000): RowStream {
    return rowStream(() => this.pages(r, batch));
  }

  private async *pages(r: Readable, batch: number): AsyncGenerator<RawCell[][]> {
    const cols = sql.join([sql.id('_id'), ...r.columns.map((c) => sql.id(c.columnId))]);
    const ids = r.columns.map((c) => c.columnId);
    // How each column's stored value becomes the API's: numbers from PostgreSQL's bigint and numeric text, 1/0 to booleans.
    const kinds = r.columns.map((c) => (c.type === 'integer' || c.type === 'decimal' || c.type === 'percent' ? 1 : c.type === 'boolean' ? 2 : 0));
    const width = ids.length;
    let after = 0;
    for (;;) {
      const page = await sql<Record<string, unknown>>`select ${cols} from ${sql.table(r.table)} where ${sql.id('_id')} > ${after} order by ${sql.id('_id')} limit ${batch}`.execute(this.k);
      const out = new Array<RawCell[]>(page.rows.length);
      for (let i = 0; i < page.rows.length; i++) {
        const row = page.rows[i];
        const o = new Array<RawCell>(width);
        for (let k = 0; k < width; k++) {
          const v = row[ids[k]];
          o[k] = v === null || v === undefined ? null : kinds[k] === 1 ? Number(v) : kinds[k] === 2 ? Number(v) === 1 : (v as RawCell);
        }
        out[i] = o;
      }
      if (out.length) yield out;
      if (page.rows.length < batch) return;
      after = Number(page.rows[page.rows.length - 1]._id);
    }
  }
}
