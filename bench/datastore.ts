/**
 * Datastore benchmark (issue 4): generates a BENCH_ROWS × 10 CSV (default 1,000,000 rows, about
 * 100 MB of Chinese text, numbers, ROC months and dates) and reports, in one run:
 * - load rows/s and peak RSS on SQLite (and PostgreSQL when BENCH_DATABASE_URL is set), each load
 *   in its own process, next to `sqlite3 .import` and `psql \copy` of the same file (text only, no
 *   types, no indexes: what the reference tools do);
 * - datastore_search p50/p95 with a filter on an indexed field, with offset paging deep into the
 *   table, and with keyset paging (our /records) at the same depth;
 * - CSV→JSON, CSV→XML (and CSV→XLSX) streaming MB/s and peak RSS, each in its own process.
 *
 *   npm run bench:datastore
 *   BENCH_DATABASE_URL=postgres://… npm run bench:datastore   # PostgreSQL too (a fresh database is created)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { DatastoreQuery } from '../src/modules/datastore/datastore.query.ts';
import { createServices } from '../src/services.ts';
import { writeBenchCsv } from './datastore-data.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const RESOURCE = 'A41000000G-900001-001';
const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-bench-ds-'));
const csv = path.join(dir, 'bench.csv');

const tsx = path.resolve(import.meta.dirname, '../node_modules/.bin/tsx');
function child(script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(tsx, [path.resolve(import.meta.dirname, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as Record<string, unknown>;
}
const time = (fn: () => void): number => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (n: number, d = 1) => n.toLocaleString('en', { maximumFractionDigits: d });

async function prepareCatalogue(url: string, dataDir: string): Promise<void> {
  const config = loadConfig({ KAIFANG_DATA_DIR: dataDir, DATABASE_URL: url, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'bench-password-12', LOG_LEVEL: 'warn' });
  const db = openDb(config.databaseUrl);
  const s = createServices(config, db);
  await bootstrap(s);
  await s.catalogue.save(
    {
      unit: 'statistics',
      identifier: 'A41000000G-900001',
      categoryCode: '800',
      title: '基準測試資料表',
      description: '基準測試用的大型資料表。',
      updateFrequency: '每1月',
      fieldDescription: '序號、縣市、項目',
      publisherContactName: '王小明 先生',
      resources: [{ resourceId: RESOURCE, description: '基準測試 CSV', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/bench.csv' }],
    },
    { state: 'published' },
  );
  await db.destroy();
}

async function queryBench(url: string, dataDir: string, versionId: string): Promise<Record<string, number>> {
  const config = loadConfig({ KAIFANG_DATA_DIR: dataDir, DATABASE_URL: url, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'bench-password-12', LOG_LEVEL: 'warn' });
  const db = openDb(config.databaseUrl);
  const s = createServices(config, db);
  await db.kysely.updateTable('resource_versions').set({ published_at: new Date().toISOString() }).where('id', '=', versionId).execute();
  const q = new DatastoreQuery(db, s.datastore);
  const counties = ['臺北市', '新北市', '桃園市', '臺中市', '臺南市', '高雄市', '基隆市', '新竹市', '嘉義市', '澎湖縣'];
  const run = async (fn: (i: number) => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const t = process.hrtime.bigint();
      await fn(i);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { p50: pct(ms, 50), p95: pct(ms, 95) };
  };
  const self = `/api/3/action/datastore_search?resource_id=${RESOURCE}`;
  const filtered = await run((i) => q.search({ resource_id: RESOURCE, filters: { 縣市: counties[i % counties.length], 代碼: `C${String((i * 37) % 5000).padStart(5, '0')}` }, limit: 100 }, null, self));
  const filteredTotal = await run((i) => q.search({ resource_id: RESOURCE, filters: { 縣市: counties[i % counties.length] }, limit: 100, include_total: true }, null, self));
  const deep = Math.floor(ROWS * 0.9);
  const offset = await run((i) => q.search({ resource_id: RESOURCE, offset: deep + i, limit: 100, include_total: false }, null, self));
  const keyset = await run((i) => q.page(RESOURCE, null, { after: deep + i, limit: 100, count: false }));
  await db.destroy();
  return {
    filterP50: filtered.p50,
    filterP95: filtered.p95,
    filterTotalP50: filteredTotal.p50,
    filterTotalP95: filteredTotal.p95,
    offsetP50: offset.p50,
    offsetP95: offset.p95,
    keysetP50: keyset.p50,
    keysetP95: keyset.p95,
  };
}

async function main(): Promise<void> {
  console.log(`# Datastore benchmark — ${fmt(ROWS, 0)} rows × 10 columns`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const t0 = Date.now();
  const bytes = await writeBenchCsv(csv, ROWS);
  console.log(`generated ${fmt(bytes / 1e6)} MB in ${fmt((Date.now() - t0) / 1000)} s\n`);
  const mb = bytes / 1e6;

  // SQLite: ours, then sqlite3 .import.
  const sqliteDir = path.join(dir, 'sqlite');
  const sqliteUrl = `sqlite:${path.join(sqliteDir, 'bench.sqlite')}`;
  await prepareCatalogue(sqliteUrl, sqliteDir);
  const ours = child('datastore-load.ts', [csv, sqliteUrl, sqliteDir, RESOURCE]);
  const refDb = path.join(dir, 'ref.sqlite');
  const sqliteRef = time(() => execFileSync('sqlite3', [refDb, '.import --csv ' + csv + ' t']));
  console.log('## Load');
  console.log('| engine | Kaifang (types + indexes) | rows/s | peak RSS | reference tool (text, no indexes) | rows/s | Kaifang / reference |');
  console.log('|---|---|---|---|---|---|---|');
  const line = (engine: string, o: Record<string, unknown>, refName: string, refSecs: number) => {
    const secs = Number(o.seconds);
    const loadOnly = secs - Number((o.phases as Record<string, number>).indexing ?? 0);
    console.log(
      `| ${engine} | ${fmt(secs)} s (load ${fmt(loadOnly)} s + indexes ${fmt(secs - loadOnly)} s) | ${fmt(ROWS / secs, 0)} (load only ${fmt(ROWS / loadOnly, 0)}) | ${Number(o.maxRssMB)} MB | ${refName} ${fmt(refSecs)} s | ${fmt(ROWS / refSecs, 0)} | ${fmt((refSecs / secs) * 100, 0)} % (load only ${fmt((refSecs / loadOnly) * 100, 0)} %) |`,
    );
  };
  line('SQLite', ours, 'sqlite3 .import', sqliteRef);

  let pgResult: { ours: Record<string, unknown>; ref: number; url: string; dataDir: string } | undefined;
  const admin = process.env.BENCH_DATABASE_URL;
  if (admin) {
    const name = `kf_bench_ds_${Date.now()}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    const pgDir = path.join(dir, 'pg');
    await prepareCatalogue(u.toString(), pgDir);
    const o = child('datastore-load.ts', [csv, u.toString(), pgDir, RESOURCE]);
    execFileSync('psql', [u.toString(), '-q', '-c', 'create table ref (a text, b text, c text, d text, e text, f text, g text, h text, i text, j text)']);
    const ref = time(() => execFileSync('psql', [u.toString(), '-q', '-c', `\\copy ref from '${csv}' with (format csv, header true)`]));
    line('PostgreSQL', o, 'psql \\copy', ref);
    pgResult = { ours: o, ref, url: u.toString(), dataDir: pgDir };
  }

  console.log('\n## datastore_search (ms)');
  console.log('| engine | filter on indexed fields p50 / p95 | same with exact total p50 / p95 | offset 90 % deep p50 / p95 | keyset at 90 % p50 / p95 |');
  console.log('|---|---|---|---|---|');
  const qline = (engine: string, r: Record<string, number>) =>
    console.log(`| ${engine} | ${fmt(r.filterP50)} / ${fmt(r.filterP95)} | ${fmt(r.filterTotalP50)} / ${fmt(r.filterTotalP95)} | ${fmt(r.offsetP50)} / ${fmt(r.offsetP95)} | ${fmt(r.keysetP50)} / ${fmt(r.keysetP95)} |`);
  qline('SQLite', await queryBench(sqliteUrl, sqliteDir, String(ours.versionId)));
  if (pgResult) qline('PostgreSQL', await queryBench(pgResult.url, pgResult.dataDir, String(pgResult.ours.versionId)));

  console.log('\n## Conversions, streamed (CSV file → format)');
  console.log('| conversion | MB/s (input) | seconds | peak RSS |');
  console.log('|---|---|---|---|');
  for (const f of ['json', 'xml', 'xlsx']) {
    const r = child('datastore-convert.ts', [csv, f]);
    console.log(`| CSV → ${f.toUpperCase()} | ${fmt(mb / Number(r.seconds))} | ${fmt(Number(r.seconds))} | ${Number(r.maxRssMB)} MB |`);
  }
  console.log(`\ninput ${fmt(mb)} MB; file size check ${fmt(statSync(csv).size / 1e6)} MB`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
