/**
 * `npm run bench:quality` (issue 5): a full quality check of a generated CSV of BENCH_MB megabytes
 * (default 1,024: about 10 million rows of the datastore bench's table), its speed and peak RSS,
 * next to the raw parse speed of the same CSV library on the same file in the same run. Each is
 * measured in a process of its own. Targets: ≥ 50 MB/s, peak RSS ≤ 200 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBenchCsv } from './datastore-data.ts';

const mb = Number(process.env.BENCH_MB ?? 1024);
const dir = mkdtempSync(path.join(process.env.BENCH_TMP ?? os.tmpdir(), 'kaifang-bench-quality-'));
const file = path.join(dir, 'bench.csv');
try {
  console.log(`# Quality engine benchmark — ${mb} MB CSV`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const t0 = Date.now();
  const bytes = await writeBenchCsv(file, Math.round((mb * 1e6) / 104));
  console.log(`generated ${(bytes / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const run = (mode: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, 'quality-run.ts'), mode, file], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { rows: number; seconds: number; mbPerS: number; maxRssMB: number; verdicts: Record<string, string> };
  };
  const parse = run('parse');
  const check = run('check');
  console.log('| run | rows | seconds | MB/s | peak RSS | target |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| papaparse, raw parse (reference) | ${parse.rows.toLocaleString('en')} | ${parse.seconds.toFixed(1)} | ${parse.mbPerS.toFixed(1)} | ${parse.maxRssMB} MB | |`);
  console.log(`| \`kaifang check\` engine, all 13 indicators | ${check.rows.toLocaleString('en')} | ${check.seconds.toFixed(1)} | ${check.mbPerS.toFixed(1)} | ${check.maxRssMB} MB | ≥ 50 MB/s, ≤ 200 MB |`);
  console.log(`\ncheck ÷ raw parse: ${((check.mbPerS / parse.mbPerS) * 100).toFixed(0)} %`);
  console.log(`verdicts: ${Object.entries(check.verdicts).map(([k, v]) => `${k}=${v}`).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
