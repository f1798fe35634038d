import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, makeEnv, type TestEnv } from '../../../test/helpers/env.ts';
import { AppError } from '../../errors.ts';
import { DatastoreService, type LoadProgress } from './datastore.service.ts';

/** A generated table: `n` rows of a ROC year, a county, a count and a note. */
function* lines(n: number): Generator<string> {
  yield '年,縣市,人數,備註\n';
  const counties = ['臺北市', '新北市', '桃園市', '臺中市'];
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    chunk += `${100 + (i % 14)}年,${counties[i % 4]},${i},第${i % 100}批\n`;
    if (chunk.length > 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}資料來源：本處。\n`;
}

describe.each(engines)('datastore loads in a worker thread on %s', (engine) => {
  let t: TestEnv;
  /** A service that sends every load, however small, to the thread. */
  let threaded: DatastoreService;
  /** The same, in-process, to compare answers with. */
  let local: DatastoreService;
  beforeAll(async () => {
    t = await makeEnv(engine);
    const filesDir = path.join(t.dir, 'files');
    threaded = new DatastoreService(t.services.db, t.services.files, { loadWorker: { heapMb: 64, filesDir, minBytes: 0 } });
    local = new DatastoreService(t.services.db, t.services.files);
  });
  afterAll(async () => t.cleanup());

  const upload = (source: Readable, resourceId = 'A41000000G-000009-001') => t.services.datastore.addVersion({ resourceId, source, fileName: 'table.csv', format: 'CSV', uploadedBy: 'test' });
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

  it('streams 200,000 rows through a 64 MB heap, reporting progress, with the event loop free meanwhile', async () => {
    const v = await upload(Readable.from(lines(200_000)));
    const progress: LoadProgress[] = [];
    // The main thread's event loop keeps ticking while the thread works.
    let last = Date.now();
    let longest = 0;
    const timer = setInterval(() => {
      longest = Math.max(longest, Date.now() - last);
      last = Date.now();
    }, 10);
    const r = await threaded.load(v.id, (p) => progress.push(p)).finally(() => clearInterval(timer));
    expect(r.rows).toBe(200_000);
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['年', 'date'],
      ['縣市', 'text'],
      ['人數', 'integer'],
      ['備註', 'text'],
    ]);
    expect(r.issues.map((i) => i.en)).toEqual(['skipped the note row "資料來源：本處。" below the data']);
    expect(progress[0]).toEqual({ phase: 'reading', rows: 0 });
    expect(progress.filter((p) => p.phase === 'loading').length).toBeGreaterThan(2);
    expect(progress.at(-1)).toEqual({ phase: 'done', rows: 200_000 });
    expect(longest).toBeLessThan(500);
    const row = await sql<Record<string, unknown>>`select c1, c2, c3, c4 from ${sql.table(r.table)} where _id = 123457`.execute(t.services.db.kysely);
    expect(row.rows[0]).toMatchObject({ c1: '2016', c2: '新北市', c4: '第57批' });
    expect(Number(row.rows[0].c3)).toBe(123_457);
    const state = await t.services.datastore.version(v.id);
    expect(state).toMatchObject({ datastore_state: 'ready', datastore_rows: 200_000, datastore_table: r.table });
  });

  it('an unreadable file: the same AppError (code, status, messages, details) as an in-process load', async () => {
    const bytes = Buffer.from('a,b\n1,\u0000\u0000\u0000\n', 'utf8');
    const there = await failure(threaded.load((await upload(Readable.from([bytes]), 'A41000000G-000009-002')).id));
    const here = await failure(local.load((await upload(Readable.from([bytes]), 'A41000000G-000009-003')).id));
    expect(there).toBeInstanceOf(AppError);
    expect(here).toBeInstanceOf(AppError);
    const fields = (e: AppError) => ({ code: e.code, status: e.status, zh: e.zh, en: e.en, details: e.details, message: e.message });
    expect(fields(there as AppError)).toEqual(fields(here as AppError));
    expect((there as AppError).code).toBe('FILE_UNREADABLE');
  });

  it('a forced type that a value does not fit: TYPE_MISFIT with the value, and the version failed', async () => {
    const v = await upload(Readable.from(['年,人數\n113,12\n114,約 20\n']), 'A41000000G-000009-004');
    const err = await failure(threaded.load(v.id, undefined, { types: { 人數: 'integer' } }));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'TYPE_MISFIT', status: 422, details: { 人數: ['約 20'] } });
    expect((err as AppError).en).toBe('column "人數" holds "約 20" (row 2), which is not integer: the type cannot be changed to it');
    expect(await t.services.datastore.version(v.id)).toMatchObject({ datastore_state: 'failed', datastore_table: null });
  });

  it('a thread that runs out of memory: the version is failed, its table dropped, the reason given', async () => {
    const tiny = new DatastoreService(t.services.db, t.services.files, { loadWorker: { heapMb: 4, filesDir: path.join(t.dir, 'files'), minBytes: 0 } });
    const v = await upload(Readable.from(lines(1000)), 'A41000000G-000009-005');
    const err = await failure(tiny.load(v.id));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('LOAD_OUT_OF_MEMORY');
    const state = await t.services.datastore.version(v.id);
    expect(state).toMatchObject({ datastore_state: 'failed', datastore_table: null });
    expect(state.datastore_error).toBe((err as AppError).message);
  });
});
