import { createReadStream, readdirSync, statSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import { createServices } from '../src/services.ts';
import { bootstrap } from '../src/bootstrap.ts';
rmSync('/tmp/qc', { recursive: true, force: true });
const config = loadConfig({ KAIFANG_DATA_DIR: '/tmp/qc', KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'x'.repeat(12) });
const db = openDb(config.databaseUrl);
const s = createServices(config, db);
await bootstrap(s);
const root = '/work/shared/testdata';
const walk = (d: string): string[] => readdirSync(d).flatMap((f) => { const p = path.join(d, f); return statSync(p).isDirectory() ? walk(p) : [p]; });
const files = walk(root).filter((f) => /(messy-|dgbas-|pcaxis-|tw-gov-misc)/.test(f) && /\.(csv|tsv|psv|ssv|px|json)$/i.test(f) && !f.includes('clean-json'));
for (const f of files) {
  const ext = path.extname(f).slice(1).toUpperCase();
  const format = ext === 'PSV' || ext === 'SSV' ? 'CSV' : ext;
  const v = await s.datastore.addVersion({ resourceId: path.relative(root, f), source: createReadStream(f), fileName: path.basename(f), format, uploadedBy: 'c' });
  try {
    const r = await s.datastore.load(v.id);
    console.log(`OK   ${path.relative(root, f)} | ${r.rows} rows | ${r.columns.length} cols | ${r.columns.slice(0, 4).map((c) => `${c.name}:${c.type}`).join(', ')} | issues ${r.issues.length}`);
  } catch (e) {
    console.log(`FAIL ${path.relative(root, f)} | ${(e as Error).message.slice(0, 160)}`);
  }
}
await db.destroy();
