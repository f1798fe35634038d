/**
 * Search benchmark (issue 2): builds a catalogue of BENCH_N (default 50,000) published datasets,
 * then measures package_search over HTTP against a real server process: p50/p95 latency of a fixed
 * query mix (single client) and throughput with 16 concurrent clients. As a reference it times the
 * same text queries as a plain SQL substring scan (LIKE '%q%'), what a portal without an index does.
 *
 *   npm run bench:search                      # SQLite in a temp dir
 *   BENCH_DATABASE_URL=postgres://… npm run bench:search   # PostgreSQL (a fresh database is created)
 * Env: BENCH_N (datasets), BENCH_SECONDS (throughput run, default 10), BENCH_CONCURRENCY (default 16).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import type { DatasetInput } from '../src/modules/catalogue/catalogue.schemas.ts';
import { createServices } from '../src/services.ts';

const N = Number(process.env.BENCH_N ?? 50_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const root = path.resolve(import.meta.dirname, '..');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function loadTitles(): { titles: string[]; source: string } {
  const file = path.resolve(root, '../shared/testdata/datagovtw-catalogue/data_title.txt');
  if (existsSync(file)) {
    const titles = readFileSync(file, 'utf8').split('\n').map((t) => t.trim()).filter((t) => t.length > 0);
    return { titles, source: `${titles.length} real data.gov.tw titles (../shared/testdata)` };
  }
  const a = ['臺北市', '新北市', '高雄市', '臺中市', '全國', '各縣市', '中央政府', '行政院'];
  const b = ['消費者物價', '歲入預算', '歲出預算', '薪資', '失業率', '人口', '家庭收支', '國民所得', '工業生產', '公共廁所', '停車場', '空氣品質'];
  const c = ['統計', '指數', '執行情形', '一覽表', '資料', '調查報告', '月報', '年報'];
  const titles: string[] = [];
  for (const x of a) for (const y of b) for (const z of c) titles.push(`${x}${y}${z}`);
  return { titles, source: `${titles.length} generated titles (testdata absent)` };
}

const PHRASES = [
  '本資料集提供', '按月更新之統計數據', '包含各縣市別資料', 'Consumer Price Index', 'budget execution', 'statistics by county',
  '資料來源為行政機關公務統計報表', '以新臺幣千元為單位', '依行政院主計總處發布', 'open data', '民國年度', '包含性別統計',
];
const KEYWORDS = ['物價', '預算', '統計', '薪資', '就業', '人口', '交通', '環境', '教育', '醫療', '財政', '住宅', 'CPI', 'GDP'];
const FREQS = ['每1月', '每3月', '每1年', '每6月', '不定期更新', '每1日'];
const FORMATS = ['CSV', 'JSON', 'XML', 'ODS', 'XLSX'];
const CATEGORIES = ['800', '500', 'I00', 'E00', 'A00', '300', 'B00'];

function datasetFor(i: number, titles: string[], units: string[], r: () => number): DatasetInput {
  const base = titles[i % titles.length];
  const round = Math.floor(i / titles.length);
  const title = round === 0 ? base : `${base}（${round + 1}）`;
  const pick = <T,>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const description = `${pick(PHRASES)}${title}，${pick(PHRASES)}；${pick(PHRASES)}。`;
  const nres = 1 + Math.floor(r() * 2);
  const serial = (100000 + i).toString().padStart(6, '0');
  return {
    unit: pick(units),
    identifier: `A41000000G-${serial}`,
    categoryCode: pick(CATEGORIES),
    title,
    description,
    fields: [
      { name: 'year', title: '年度', description: '西元年' },
      { name: 'county', title: '縣市別', description: '縣市名稱' },
      { name: 'value', title: '數值', type: 'decimal' },
    ],
    updateFrequency: pick(FREQS),
    publisherContactName: '王小明 先生',
    publisherContactPhone: '02-23803542',
    publisherContactEmail: 'open@example.gov.tw',
    keywords: [...new Set([pick(KEYWORDS), pick(KEYWORDS)])],
    resources: Array.from({ length: nres }, (_, k) => ({
      description: `${title} ${FORMATS[(i + k) % FORMATS.length]}`,
      format: FORMATS[(i + k) % FORMATS.length],
      encoding: 'UTF-8',
      downloadUrl: `https://data.example.gov.tw/${serial}/${k}.csv`,
    })),
  };
}

async function freshDatabaseUrl(dir: string): Promise<{ url: string; drop?: () => Promise<void> }> {
  const admin = process.env.BENCH_DATABASE_URL;
  if (!admin) return { url: `sqlite:${path.join(dir, 'bench.sqlite')}` };
  const name = `kf_bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c2 = new pg.Client({ connectionString: admin });
      await c2.connect();
      await c2.query(`drop database if exists ${name} with (force)`);
      await c2.end();
    },
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', KAIFANG_DEMO: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return { child, base };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('server did not start');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-bench-'));
  const { url, drop } = await freshDatabaseUrl(dir);
  const engine = url.startsWith('sqlite:') ? 'SQLite' : 'PostgreSQL';
  const env = { KAIFANG_DATA_DIR: dir, DATABASE_URL: url, KAIFANG_ADMIN_PASSWORD: 'bench-admin-password' };
  const config = loadConfig({ ...env, KAIFANG_DEMO: '0' });
  const db = openDb(config.databaseUrl);
  const s = createServices(config, db);
  await bootstrap(s);
  const units = (await s.units.list()).map((u) => u.name);
  const { titles, source } = loadTitles();
  console.log(`engine ${engine}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; node ${process.version}`);
  console.log(`building ${N} datasets from ${source}…`);

  const r = rng(42);
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    await s.catalogue.save(datasetFor(i, titles, units, r), { state: 'published' });
    if ((i + 1) % 5000 === 0) process.stderr.write(`  ${i + 1}/${N} ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await s.catalogue.reindexAll();
  const reindexSeconds = (performance.now() - t0) / 1000;
  const postings = await db.kysely.selectFrom('search_postings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  console.log(`load (validate + store + index, one transaction per dataset): ${loadSeconds.toFixed(1)} s (${(N / loadSeconds).toFixed(0)} datasets/s)`);
  console.log(`reindex all (rebuild search index only): ${reindexSeconds.toFixed(1)} s; ${Number(postings?.n ?? 0)} postings`);

  const queries: [string, Record<string, string>][] = [
    ['2-char 物價', { q: '物價' }],
    ['2-char 預算', { q: '預算' }],
    ['2-char 統計 (frequent)', { q: '統計' }],
    ['4-char 消費物價', { q: '消費物價' }],
    ['4-char 歲入預算', { q: '歲入預算' }],
    ['English budget', { q: 'budget' }],
    ['mixed CPI 物價', { q: 'CPI 物價' }],
    ['facet filter organization:statistics', { fq: 'organization:statistics' }],
    ['empty query', {}],
    ['page 50 (start=980)', { start: '980', rows: '20' }],
  ];
  const facetField = JSON.stringify(['organization', 'tags', 'res_format', 'license_id']);
  for (const [label, cache] of [['result cache off (KAIFANG_SEARCH_CACHE=0): every request ranks and facets afresh', '0'], ['result cache on (default)', '500']] as const) {
    const { child, base } = await startServer({ ...env, KAIFANG_SEARCH_CACHE: cache });
    try {
      const endpoint = '/api/3/action/package_search';
      const urlOf = (p: Record<string, string>) => `${base}${endpoint}?${new URLSearchParams({ ...p, 'facet.field': facetField })}`;
      console.log(`\n== ${label}\n${endpoint} with facet.field organization, tags, res_format, license_id`);
      const t = performance.now();
      await (await fetch(urlOf({}))).arrayBuffer();
      console.log(`first request after start (loads the index into memory): ${(performance.now() - t).toFixed(0)} ms`);
      for (const [, p] of queries) for (let i = 0; i < 3; i++) await (await fetch(urlOf(p))).arrayBuffer(); // warm-up
      const all: number[] = [];
      console.log('query                                   count    p50 ms   p95 ms   LIKE-scan ms (reference)');
      for (const [name, p] of queries) {
        const times: number[] = [];
        let count = 0;
        for (let i = 0; i < 40; i++) {
          const t0 = performance.now();
          const res = await fetch(urlOf(p));
          const body = (await res.json()) as { result?: { count: number } };
          times.push(performance.now() - t0);
          count = body.result?.count ?? -1;
        }
        all.push(...times);
        let ref = '';
        if (p.q && cache === '0') {
          const like = `%${p.q.toLowerCase()}%`;
          const t0 = performance.now();
          await sql`select count(*) from datasets where state = 'published' and lower(title || ' ' || description) like ${like}`.execute(db.kysely);
          ref = (performance.now() - t0).toFixed(1);
        }
        console.log(`${name.padEnd(38)} ${String(count).padStart(6)} ${percentile(times, 50).toFixed(1).padStart(9)} ${percentile(times, 95).toFixed(1).padStart(8)}   ${ref}`);
      }
      console.log(`${'all queries'.padEnd(38)} ${''.padStart(6)} ${percentile(all, 50).toFixed(1).padStart(9)} ${percentile(all, 95).toFixed(1).padStart(8)}`);

      // Throughput: CONCURRENCY clients cycling through the mix for SECONDS.
      let done = 0;
      let errors = 0;
      const until = performance.now() + SECONDS * 1000;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, c) => {
          let k = c;
          while (performance.now() < until) {
            const res = await fetch(urlOf(queries[k++ % queries.length][1]));
            await res.arrayBuffer();
            if (res.ok) done++;
            else errors++;
          }
        }),
      );
      console.log(`throughput, ${CONCURRENCY} concurrent clients for ${SECONDS} s: ${(done / SECONDS).toFixed(0)} requests/s (${errors} errors)`);
    } finally {
      child.kill('SIGTERM');
    }
  }
  await db.destroy();
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
