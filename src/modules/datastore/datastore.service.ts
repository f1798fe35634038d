import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { Database, ResourceVersionsTable } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { Readable as NodeReadable } from 'node:stream';
import { toJsonStat } from '../export/jsonstat.ts';
import { ColumnInferrer, convertCell, type ColumnInference, type ColumnType } from '../ingest/infer.ts';
import { isMissing } from '../ingest/values.ts';
import { batchesOf, ReadError, type RawCell, type RawTable, type ReadIssue } from '../ingest/table.ts';
import type { FileStore } from '../storage/file-store.ts';
import { bulkInsert } from './bulk-insert.ts';
import { runLoadWorker } from './load-worker.ts';

export type VersionRow = ResourceVersionsTable;

export interface DatastoreColumn {
  position: number;
  columnId: string;
  name: string;
  type: ColumnType;
  inferredType: ColumnType;
  title: string | null;
  description: string | null;
  unit: string | null;
  /** Code meanings (代碼意義), e.g. 1 = 男. */
  codes: { code: string; meaning: string }[] | null;
}

export interface LoadProgress {
  phase: 'reading' | 'inferring' | 'loading' | 'indexing' | 'done';
  rows: number;
}

export interface LoadResult {
  versionId: string;
  table: string;
  rows: number;
  columns: (DatastoreColumn & { inference: ColumnInference })[];
  issues: ReadIssue[];
}

import { isTabular, isTabularFormat, openTableFile } from '../ingest/registry.ts';
export { isTabular, type ReadOptions } from '../ingest/registry.ts';

const now = () => new Date().toISOString();
/** Rows whose values propose the column types before the table is created. */
const SAMPLE_ROWS = 10_000;
/** The sample goes to the table in batches of this many rows. */
const HEAD_BATCH = 2000;
/** Text columns whose longest value is longer than this are not indexed (see load). */
const INDEX_MAX_CHARS = 800;
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
/** PostgreSQL answers bigint columns as strings: sizes and row counts become numbers here, once. */
const toVersion = (r: VersionRow): VersionRow => ({ ...r, size: num(r.size), datastore_rows: r.datastore_rows === null ? null : num(r.datastore_rows) });

/** Plain decimal numbers, which need none of parseNumber's work (grouping, full-width digits, signs in brackets). */
const PLAIN_NUMBER = /^-?\d{1,15}(\.\d{1,15})?$/;
/** Text this long cannot be one of the few short "no value" marks, whatever its normalisation. */
const LONG_TEXT = 24;
/** Distinct values a column's conversion cache holds, and the lookups after which a cache that rarely hits is dropped. */
const CACHE_MAX = 20_000;
const CACHE_TRIAL = 4096;

/**
 * A column's text-cell converter: `convertCell`, with a fast path for plain numbers and long
 * text, and a cache for columns whose values repeat (counties, items, months, codes), which
 * spares the normalisation and date parsing of every repeated value. A column whose values
 * rarely repeat drops its cache after a trial.
 */
function converter(type: ColumnType): (cell: string) => RawCell {
  if (type === 'integer' || type === 'decimal') return (cell) => (PLAIN_NUMBER.test(cell) ? Number(cell) : convertCell(cell, type));
  let cache: Map<string, RawCell> | undefined = new Map();
  let lookups = 0;
  let hits = 0;
  return (cell) => {
    if (type === 'text' && cell.length > LONG_TEXT && cell.trim().length === cell.length) return cell;
    if (!cache) return convertCell(cell, type);
    const hit = cache.get(cell);
    if (++lookups === CACHE_TRIAL && hits * 2 < lookups) cache = undefined;
    if (hit !== undefined) {
      hits++;
      return hit;
    }
    const value = convertCell(cell, type);
    if (cache && cache.size < CACHE_MAX) cache.set(cell, value);
    return value;
  };
}

/**
 * Which columns get an index (a btree, on both engines). Filters (`datastore_search` filters,
 * the records API) are equalities on codes, names, periods, dates, whole numbers and flags: those
 * columns are indexed. Not indexed, since an index there costs load time and serves almost no
 * query: decimals and percentages (measured values: nobody asks for 金額 = 1234.57, and a float
 * equality is fragile anyway) and long free text (descriptions and notes longer than
 * INDEX_MAX_CHARS, which PostgreSQL's btree could not hold past ~2.7 kB either). A filter or sort
 * on such a column still works, by a scan. PostgreSQL's hash indexes, used before on text, took
 * most of a big load (25 of 40 s on a million rows) and serve nothing a btree does not.
 */
function worthIndexing(type: ColumnType, maxLength: number): boolean {
  if (type === 'decimal' || type === 'percent') return false;
  return type !== 'text' || maxLength <= INDEX_MAX_CHARS;
}

/** SQL column types per engine; dates are stored in their canonical ISO text form. */
function sqlType(type: ColumnType, engine: Db['engine']): string {
  switch (type) {
    case 'integer':
      return engine === 'postgres' ? 'bigint' : 'integer';
    case 'decimal':
    case 'percent':
      return engine === 'postgres' ? 'double precision' : 'real';
    case 'boolean':
      return engine === 'postgres' ? 'smallint' : 'integer';
    case 'date':
    case 'text':
      return 'text';
  }
}


export interface LoadWorkerOptions {
  /** Heap (old generation) of the loading thread, MB (KAIFANG_LOAD_HEAP_MB). */
  heapMb: number;
  /** The LocalFileStore root, which the thread opens for itself. */
  filesDir: string;
  /** Files smaller than this load in-process: starting a thread costs more than they do (default 4 MB). */
  minBytes?: number;
}

export interface DatastoreOptions {
  /** Loads run in a worker thread with a bounded heap and their own connection; without this, in-process. */
  loadWorker?: LoadWorkerOptions;
}

/** Below this size a load runs in-process unless the options say otherwise. */
const WORKER_MIN_BYTES = 4 * 1024 * 1024;

/**
 * Resource versions and the datastore (issue 4). A version names a stored file; loading reads it
 * with the reader for its format, infers each column's type over the whole file (first pass),
 * creates `ds_<n>` and inserts in batches (second pass), and only then marks the version ready
 * in one transaction with its dictionary: until that moment the previous ready version is what
 * queries see, and a failed load drops its table and says why.
 */
export class DatastoreService {
  constructor(
    private readonly db: Db,
    private readonly store: FileStore,
    private readonly options: DatastoreOptions = {},
  ) {}

  private get k(): Kysely<Database> {
    return this.db.kysely;
  }

  /** Removes a stored file no version refers to (an upload refused after it arrived). */
  async discardUnreferenced(sha256: string): Promise<void> {
    const used = await this.k.selectFrom('stored_files').select('sha256').where('sha256', '=', sha256).executeTakeFirst();
    if (!used) await this.store.remove(sha256);
  }

  /** Stores a file as the next version of a resource (not loaded yet: `datastore_state` queued when tabular). */
  async addVersion(
    input: { resourceId: string; source: Readable | { sha256: string; size: number }; fileName: string; format: string; mediaType?: string; encodingDeclared?: string | null; headerRows?: string | null; uploadedBy: string },
    opts: { maxBytes?: number } = {},
  ): Promise<VersionRow> {
    // A stream is stored now; a file already stored (a CKAN multipart upload) is used as it is.
    const stored = 'sha256' in input.source ? input.source : await this.store.put(input.source, opts);
    return this.k.transaction().execute(async (trx) => {
      await trx.insertInto('stored_files').values({ sha256: stored.sha256, size: stored.size, created_at: now() }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
      const last = await trx.selectFrom('resource_versions').select((eb) => eb.fn.max('version').as('v')).where('resource_id', '=', input.resourceId).executeTakeFirst();
      const row: VersionRow = {
        id: randomUUID(),
        resource_id: input.resourceId,
        version: num(last?.v ?? 0) + 1,
        sha256: stored.sha256,
        size: stored.size,
        file_name: input.fileName,
        media_type: input.mediaType ?? 'application/octet-stream',
        format: input.format.toUpperCase(),
        encoding_declared: input.encodingDeclared ?? null,
        encoding_detected: null,
        encoding_evidence: null,
        uploaded_by: input.uploadedBy,
        uploaded_at: now(),
        published_at: null,
        datastore_state: isTabular(input.format) ? 'queued' : 'none',
        datastore_table: null,
        datastore_rows: null,
        datastore_error: null,
        read_issues_json: null,
        cube_sha256: null,
        loaded_at: null,
        header_rows: input.headerRows?.trim() || null,
        utf8_sha256: null,
      };
      await trx.insertInto('resource_versions').values(row).execute();
      return row;
    });
  }

  async version(id: string): Promise<VersionRow> {
    const row = await this.k.selectFrom('resource_versions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('VERSION_NOT_FOUND', 404, `找不到資源版本 ${id}`, `resource version not found: ${id}`);
    return toVersion(row);
  }

  /** Every version of a resource, newest first. */
  async versions(resourceId: string): Promise<VersionRow[]> {
    const rows = await this.k.selectFrom('resource_versions').selectAll().where('resource_id', '=', resourceId).orderBy('version', 'desc').execute();
    return rows.map(toVersion);
  }

  /**
   * The version queries use: the newest ready one, or version `n` when asked (it must be ready).
   * The public sees only published versions (approved with their dataset); the unit sees all.
   */
  async readyVersion(resourceId: string, n?: number, opts: { publishedOnly?: boolean } = {}): Promise<VersionRow | undefined> {
    let q = this.k.selectFrom('resource_versions').selectAll().where('resource_id', '=', resourceId).where('datastore_state', '=', 'ready');
    if (opts.publishedOnly) q = q.where('published_at', 'is not', null);
    q = n === undefined ? q.orderBy('version', 'desc') : q.where('version', '=', n);
    const r = await q.limit(1).executeTakeFirst();
    return r ? toVersion(r) : undefined;
  }

  async columns(versionId: string): Promise<DatastoreColumn[]> {
    const rows = await this.k.selectFrom('datastore_columns').selectAll().where('version_id', '=', versionId).orderBy('position').execute();
    return rows.map((r) => ({
      position: r.position,
      columnId: r.column_id,
      name: r.name,
      type: r.type as ColumnType,
      inferredType: r.inferred_type as ColumnType,
      title: r.title,
      description: r.description,
      unit: r.unit,
      codes: r.codes_json ? (JSON.parse(r.codes_json) as { code: string; meaning: string }[]) : null,
    }));
  }

  /** Opens a version's file as a table with the reader for its format. */
  async openTable(v: VersionRow): Promise<RawTable> {
    const path = this.store.localPath(v.sha256);
    if (!isTabularFormat(v.format) || !path) throw new AppError('NOT_TABULAR', 409, `${v.format} 格式的檔案不能載入資料庫`, `${v.format} files cannot be loaded into the datastore`);
    return openTableFile(path, v.format, { encoding: v.encoding_declared, header: v.header_rows });
  }

  /**
   * Loads a version into its own table. Atomic for readers: the version becomes `ready` (and so
   * the one queries use) only when every row is in; on any failure the table is dropped, the
   * version is `failed` with the reason, and the previous ready version stays in use.
   *
   * With `loadWorker` options (the server and CLI), a file of some size is loaded in a worker
   * thread with a bounded heap and its own database connection: the event loop stays free for
   * requests, memory stays within the limit whatever the file's size, and errors (AppError with
   * its code, messages and details) come back unchanged. An in-memory SQLite database, or a small
   * file, loads here.
   */
  async load(versionId: string, onProgress?: (p: LoadProgress) => void, opts: { types?: Record<string, ColumnType> } = {}): Promise<LoadResult> {
    const w = this.options.loadWorker;
    if (w && !/^sqlite::memory:|^sqlite:$/.test(this.db.url)) {
      const v = await this.version(versionId);
      if (v.size >= (w.minBytes ?? WORKER_MIN_BYTES) && this.store.localPath(v.sha256) !== undefined) {
        return runLoadWorker({ url: this.db.url, filesDir: w.filesDir, heapMb: w.heapMb, versionId, types: opts.types }, this.db, onProgress);
      }
    }
    return this.loadInProcess(versionId, onProgress, opts);
  }

  /** The load itself, in this thread (what the worker thread runs). `onTable` hears each table created, to drop it if the thread dies. */
  async loadInProcess(versionId: string, onProgress?: (p: LoadProgress) => void, opts: { types?: Record<string, ColumnType>; onTable?: (table: string) => void } = {}): Promise<LoadResult> {
    const v = await this.version(versionId);
    // A reload (new types from the dictionary) keeps the current table in use until the new one is ready.
    const reload = v.datastore_state === 'ready' && v.datastore_table !== null ? { table: v.datastore_table, dictionary: await this.columns(v.id) } : undefined;
    if (!reload) await this.k.updateTable('resource_versions').set({ datastore_state: 'loading', datastore_error: null }).where('id', '=', v.id).execute();
    const forced = opts.types ?? Object.fromEntries((reload?.dictionary ?? []).filter((c) => c.type !== c.inferredType).map((c) => [c.name, c.type]));
    let table: string | undefined;
    try {
      onProgress?.({ phase: 'reading', rows: 0 });
      const raw = await this.openTable(v);
      const width = raw.columns.length;
      if (width === 0) throw new ReadError('找不到任何欄位', 'no columns found');
      // One pass in the usual case: types from the first rows, then the whole file streams into the
      // table, in batches of rows (one await per batch, not per row). A later value that does not
      // fit its column's type (a footnote in a number column on row 80,000) makes the load start
      // over with types from the whole file.
      const iterator = batchesOf(raw)[Symbol.asyncIterator]();
      // The rows read so far (whole batches); types come from the first SAMPLE_ROWS of them.
      const sample: RawCell[][] = [];
      const inferrers = raw.columns.map(() => new ColumnInferrer());
      while (sample.length < SAMPLE_ROWS) {
        const next = await iterator.next();
        if (next.done) break;
        for (const row of next.value) {
          if (sample.length < SAMPLE_ROWS) for (let k = 0; k < width; k++) inferrers[k].add(row[k] ?? null);
          sample.push(row);
        }
      }
      const sampled = inferrers.map((i) => i.result());
      const types = (inferences: ColumnInference[]) => raw.columns.map((name, k) => forced[name] ?? inferences[k].type);
      const created = (t: string) => {
        table = t;
        opts.onTable?.(t);
      };
      const attempt = await this.fill(raw, types(sampled), sample, iterator, created, onProgress);
      sample.length = 0;
      let done: { table: string; rows: number; maxLength: number[]; inferences: ColumnInference[] };
      if ('misfit' in attempt && attempt.misfit in forced) {
        await sql`drop table if exists ${sql.table(attempt.table)}`.execute(this.k);
        throw new AppError('TYPE_MISFIT', 422, `欄位「${attempt.misfit}」有不是「${forced[attempt.misfit]}」的值「${attempt.value}」（第 ${attempt.row} 筆），無法改為此型別`, `column "${attempt.misfit}" holds "${attempt.value}" (row ${attempt.row}), which is not ${forced[attempt.misfit]}: the type cannot be changed to it`, { [attempt.misfit]: [`${attempt.value}`] });
      }
      if ('misfit' in attempt) {
        await sql`drop table if exists ${sql.table(attempt.table)}`.execute(this.k);
        table = undefined;
        // Whole-file types, then a second read.
        const whole = raw.columns.map(() => new ColumnInferrer());
        let n = 0;
        for await (const batch of batchesOf(raw)) {
          for (const row of batch) for (let k = 0; k < width; k++) whole[k].add(row[k] ?? null);
          const before = n;
          n += batch.length;
          if (Math.floor(n / 50_000) > Math.floor(before / 50_000)) onProgress?.({ phase: 'inferring', rows: n });
        }
        const inferences = whole.map((i) => i.result());
        const again = await this.fill(raw, types(inferences), [], batchesOf(raw)[Symbol.asyncIterator](), created, onProgress);
        if ('misfit' in again) throw new Error(`column ${again.misfit} still does not fit its inferred type`);
        done = { ...again, inferences };
      } else done = { ...attempt, inferences: sampled };
      const t = done.table;
      const rows = done.rows;
      // What the contact wrote in the dictionary survives a reload, by column name.
      const kept = new Map((reload?.dictionary ?? []).map((c) => [c.name, c]));
      const columns = raw.columns.map((name, k) => ({
        position: k,
        columnId: `c${k + 1}`,
        name,
        type: forced[name] ?? done.inferences[k].type,
        inferredType: done.inferences[k].type,
        title: kept.get(name)?.title ?? null,
        description: kept.get(name)?.description ?? null,
        unit: kept.get(name)?.unit ?? null,
        codes: kept.get(name)?.codes ?? null,
        inference: done.inferences[k],
      }));
      onProgress?.({ phase: 'indexing', rows });
      // A statistical cube is also kept as JSON-stat 2.0, stored like any file.
      const cube = raw.cube ? await this.store.put(NodeReadable.from([JSON.stringify(toJsonStat(raw.cube))])) : undefined;
      if (cube) await this.k.insertInto('stored_files').values({ sha256: cube.sha256, size: cube.size, created_at: now() }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
      for (const c of columns) {
        if (!worthIndexing(c.type, done.maxLength[c.position])) continue;
        await sql`create index ${sql.id(`${t}_${c.columnId}`)} on ${sql.table(t)} (${sql.id(c.columnId)})`.execute(this.k);
      }
      if (this.db.engine === 'postgres') await sql`analyze ${sql.table(t)}`.execute(this.k);
      await this.k.transaction().execute(async (trx) => {
        await trx.deleteFrom('datastore_columns').where('version_id', '=', v.id).execute();
        for (const c of columns) {
          await trx
            .insertInto('datastore_columns')
            .values({ version_id: v.id, position: c.position, column_id: c.columnId, name: c.name, type: c.type, inferred_type: c.inferredType, title: c.title, description: c.description, unit: c.unit, codes_json: c.codes ? JSON.stringify(c.codes) : null })
            .execute();
        }
        const enc = 'encoding' in raw ? (raw as { encoding: { used: string; evidence: string } }).encoding : undefined;
        await trx
          .updateTable('resource_versions')
          .set({
            datastore_state: 'ready',
            datastore_table: t,
            datastore_rows: rows,
            datastore_error: null,
            read_issues_json: JSON.stringify(raw.issues),
            encoding_detected: enc?.used ?? null,
            encoding_evidence: enc?.evidence ?? null,
            cube_sha256: cube?.sha256 ?? null,
            loaded_at: now(),
          })
          .where('id', '=', v.id)
          .execute();
      });
      if (reload) await sql`drop table if exists ${sql.table(reload.table)}`.execute(this.k);
      onProgress?.({ phase: 'done', rows });
      return { versionId: v.id, table: t, rows, columns, issues: raw.issues };
    } catch (err) {
      if (table) await sql`drop table if exists ${sql.table(table)}`.execute(this.k).catch(() => undefined);
      if (reload) {
        // The table in use stays; the reason is recorded.
        await this.k.updateTable('resource_versions').set({ datastore_error: err instanceof Error ? err.message : String(err) }).where('id', '=', v.id).execute();
        throw err;
      }
      const message = err instanceof ReadError || err instanceof AppError ? err.message : `載入失敗 / load failed: ${(err as Error).message}`;
      await this.k.updateTable('resource_versions').set({ datastore_state: 'failed', datastore_table: null, datastore_rows: null, datastore_error: message }).where('id', '=', v.id).execute();
      if (err instanceof ReadError) throw new AppError('FILE_UNREADABLE', 422, err.zh, err.en, { file: [err.message] });
      throw err;
    }
  }

  /**
   * Creates a table for the given types and streams the rows into it, batch by batch: first
   * `head`, then the rest of `batches`. Stops at the first value that does not fit its column
   * (answering which), so the caller can start over with better types. Also answers each
   * column's longest value (which columns are worth an index).
   */
  private async fill(
    raw: RawTable,
    types: ColumnType[],
    head: RawCell[][],
    batches: AsyncIterator<RawCell[][]>,
    created: (table: string) => void,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<{ table: string; rows: number; maxLength: number[] } | { table: string; misfit: string; value: string; row: number }> {
    const width = raw.columns.length;
    const table = await this.allocateTable();
    created(table);
    const defs = types.map((type, k) => sql`${sql.id(`c${k + 1}`)} ${sql.raw(sqlType(type, this.db.engine))}`);
    await sql`create table ${sql.table(table)} (${sql.id('_id')} integer primary key, ${sql.join(defs)})`.execute(this.k);
    let misfit: { column: string; value: string; row: number } | undefined;
    const maxLength = new Array<number>(width).fill(0);
    const text = types.map((t) => t === 'text');
    const converters = types.map(converter);
    let id = 0;
    /** A batch converted to the column types, `_id` first; cut short at a misfit. */
    const convert = (rows: RawCell[][]): RawCell[][] => {
      const out: RawCell[][] = new Array<RawCell[]>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        const o: RawCell[] = new Array<RawCell>(width + 1);
        o[0] = ++id;
        for (let k = 0; k < width; k++) {
          const cell = row[k] ?? null;
          if (cell === null) {
            o[k + 1] = null;
            continue;
          }
          const value = typeof cell === 'string' ? converters[k](cell) : convertCell(cell, types[k]);
          if (value === null && typeof cell === 'string' && !isMissing(cell)) {
            misfit = { column: raw.columns[k], value: cell.slice(0, 80), row: id };
            out.length = i;
            return out;
          }
          if (text[k] && typeof value === 'string' && value.length > maxLength[k]) maxLength[k] = value.length;
          o[k + 1] = value;
        }
        out[i] = o;
      }
      return out;
    };
    async function* converted(): AsyncGenerator<RawCell[][]> {
      // The sample is let go as it goes in.
      while (head.length && !misfit) yield convert(head.splice(0, HEAD_BATCH));
      while (!misfit) {
        const next = await batches.next();
        if (next.done) return;
        yield convert(next.value);
      }
    }
    const rows = await bulkInsert(this.db, table, ['_id', ...types.map((_, k) => `c${k + 1}`)], converted(), (n) => onProgress?.({ phase: 'loading', rows: n }));
    if (misfit) {
      // Stop reading the rest of the file.
      await batches.return?.();
      return { table, misfit: misfit.column, value: misfit.value, row: misfit.row };
    }
    return { table, rows, maxLength };
  }

  private async allocateTable(): Promise<string> {
    const r = await this.k.updateTable('datastore_seq').set((eb) => ({ next: eb('next', '+', 1) })).where('id', '=', 1).returning('next').executeTakeFirstOrThrow();
    return `ds_${num(r.next) - 1}`;
  }
}

/**
 * Publishes the versions waiting on a dataset's resources, in the approving transaction: what the
 * reviewer approved is what the public gets, together.
 */
export async function publishPendingVersions(trx: Kysely<Database>, datasetId: string, at: string): Promise<number> {
  const r = await trx
    .updateTable('resource_versions')
    .set({ published_at: at })
    .where('published_at', 'is', null)
    .where('resource_id', 'in', trx.selectFrom('resources').select('resource_id').where('dataset_id', '=', datasetId))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
