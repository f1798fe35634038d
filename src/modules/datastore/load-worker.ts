import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import { AppError } from '../../errors.ts';
import type { ColumnType } from '../ingest/infer.ts';
import { ReadError } from '../ingest/table.ts';
import type { LoadProgress, LoadResult } from './datastore.service.ts';

/**
 * Datastore loads in a worker thread (issue 4): the parse, conversion and insert of a big file
 * run off the event loop that serves requests, with a bounded heap (`resourceLimits`, set by
 * KAIFANG_LOAD_HEAP_MB) and the thread's own database connection. The thread runs
 * `DatastoreService.loadInProcess` and posts its progress, the tables it creates and its answer
 * back; errors cross as data and are rebuilt here as the same AppError / ReadError (code, status,
 * zh, en, details, where), so callers cannot tell a thread from an in-process load. If the thread
 * dies (out of memory), the tables it created are dropped and the version is marked failed.
 */

export interface LoadJob {
  url: string;
  filesDir: string;
  heapMb: number;
  versionId: string;
  types?: Record<string, ColumnType>;
}

/** An error as it crosses between threads. */
type WireError =
  | { kind: 'app'; code: string; status: number; zh: string; en: string; details?: Record<string, string[]> }
  | { kind: 'read'; zh: string; en: string; where: { line?: number; column?: string; sheet?: string } }
  | { kind: 'other'; message: string };

type Message = { type: 'progress'; progress: LoadProgress } | { type: 'table'; table: string } | { type: 'done'; result: LoadResult } | { type: 'error'; error: WireError };

const JOB_MARK = 'kaifang-datastore-load';

function toWire(err: unknown): WireError {
  if (err instanceof AppError) return { kind: 'app', code: err.code, status: err.status, zh: err.zh, en: err.en, details: err.details };
  if (err instanceof ReadError) return { kind: 'read', zh: err.zh, en: err.en, where: err.where };
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

function fromWire(e: WireError): Error {
  if (e.kind === 'app') return new AppError(e.code, e.status, e.zh, e.en, e.details);
  if (e.kind === 'read') return new ReadError(e.zh, e.en, e.where);
  return new Error(e.message);
}

/**
 * The thread runs this module under tsx, as the server does. Its loader is registered inside the
 * thread (tsx's documented `register()` API), so the thread works the same under `npm start`, the
 * CLI and the test runner (which is not tsx); Node 20's workers do not take loader flags.
 */
function bootstrapCode(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const api = pathToFileURL(path.join(path.dirname(pkg), exports['./esm/api'].import.default)).href;
  return `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
}

/** Runs one load in a worker thread; resolves with its result or rejects with its error, rebuilt. */
export function runLoadWorker(job: LoadJob, db: Db, onProgress?: (p: LoadProgress) => void): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(bootstrapCode(), { eval: true, workerData: { mark: JOB_MARK, job }, resourceLimits: { maxOldGenerationSizeMb: job.heapMb } });
    const tables: string[] = [];
    let answer: { result: LoadResult } | { error: Error } | undefined;
    let crash: Error | undefined;
    worker.on('message', (m: Message) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'table') tables.push(m.table);
      else if (m.type === 'done') answer = { result: m.result };
      else answer = { error: fromWire(m.error) };
    });
    worker.on('error', (err) => {
      crash = err;
    });
    worker.on('exit', (code) => {
      if (answer) {
        if ('result' in answer) resolve(answer.result);
        else reject(answer.error);
        return;
      }
      // The thread died without answering (out of memory, a crash): clean up after it.
      const why = crash?.message ?? `exit code ${code}`;
      const oom = (crash as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const error = new AppError(
        oom ? 'LOAD_OUT_OF_MEMORY' : 'LOAD_FAILED',
        500,
        oom ? `載入時記憶體不足（上限 ${job.heapMb} MB，可用 KAIFANG_LOAD_HEAP_MB 調高）` : `載入失敗：${why}`,
        oom ? `the load ran out of memory (limit ${job.heapMb} MB, raise it with KAIFANG_LOAD_HEAP_MB)` : `load failed: ${why}`,
      );
      void cleanUp(db, job.versionId, tables, error.message).then(
        () => reject(error),
        () => reject(error),
      );
    });
  });
}

/** After a dead thread: its tables dropped; a first load marked failed (a reload keeps its ready table). */
async function cleanUp(db: Db, versionId: string, tables: string[], message: string): Promise<void> {
  const v = await db.kysely.selectFrom('resource_versions').select(['datastore_state', 'datastore_table']).where('id', '=', versionId).executeTakeFirst();
  for (const t of tables) if (t !== v?.datastore_table) await sql`drop table if exists ${sql.table(t)}`.execute(db.kysely);
  if (v?.datastore_state === 'ready') await db.kysely.updateTable('resource_versions').set({ datastore_error: message }).where('id', '=', versionId).execute();
  else await db.kysely.updateTable('resource_versions').set({ datastore_state: 'failed', datastore_table: null, datastore_rows: null, datastore_error: message }).where('id', '=', versionId).execute();
}

/** Inside the thread: open the database and the file store, load, answer. */
async function work(job: LoadJob): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const post = (m: Message) => port.postMessage(m);
  const [{ openDb }, { LocalFileStore }, { DatastoreService }] = await Promise.all([import('../../db/index.ts'), import('../storage/file-store.ts'), import('./datastore.service.ts')]);
  const db = openDb(job.url);
  try {
    const service = new DatastoreService(db, new LocalFileStore(job.filesDir));
    const result = await service.loadInProcess(job.versionId, (progress) => post({ type: 'progress', progress }), { types: job.types, onTable: (table) => post({ type: 'table', table }) });
    post({ type: 'done', result });
  } catch (err) {
    post({ type: 'error', error: toWire(err) });
  } finally {
    await db.destroy();
  }
}

// Not awaited: the service this imports imports this module, whose evaluation must finish first.
if (!isMainThread && (workerData as { mark?: string } | null)?.mark === JOB_MARK) void work((workerData as { job: LoadJob }).job);
