/**
 * One load, in its own process so that its peak memory is its own: `tsx bench/datastore-load.ts
 * <csv> <database-url> <data-dir> [resource-id]` prints one JSON line {rows, seconds, maxRssMB, phases}.
 */
import { createReadStream } from 'node:fs';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { createServices } from '../src/services.ts';

const [file, url, dir, resourceId = 'BENCH-000001-001'] = process.argv.slice(2);
const config = loadConfig({ KAIFANG_DATA_DIR: dir, DATABASE_URL: url, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'bench-password-12', LOG_LEVEL: 'warn', KAIFANG_LOAD_HEAP_MB: process.env.KAIFANG_LOAD_HEAP_MB });
const db = openDb(config.databaseUrl);
const s = createServices(config, db);
await bootstrap(s);
const v = await s.datastore.addVersion({ resourceId, source: createReadStream(file), fileName: 'bench.csv', format: 'CSV', uploadedBy: 'bench' });
const phases: Record<string, number> = {};
let last = Date.now();
let phase = 'reading';
const started = Date.now();
const r = await s.datastore.load(v.id, (p) => {
  if (p.phase !== phase) {
    phases[phase] = (phases[phase] ?? 0) + (Date.now() - last) / 1000;
    phase = p.phase;
    last = Date.now();
  }
});
phases[phase] = (phases[phase] ?? 0) + (Date.now() - last) / 1000;
const seconds = (Date.now() - started) / 1000;
console.log(JSON.stringify({ rows: r.rows, table: r.table, versionId: v.id, seconds, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), phases }));
await db.destroy();
