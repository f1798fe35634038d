/**
 * One measured run for `npm run bench:quality`, in its own process so that its peak RSS is its own:
 * `parse <file>` — the raw parse speed of the CSV library the readers use (papaparse), chunk by
 * chunk over the same decoded text; `check <file>` — the full quality check of the file.
 */
import { createReadStream, statSync } from 'node:fs';
import Papa from 'papaparse';
import { checkFile } from '../src/modules/quality/engine.ts';

const [mode, file] = process.argv.slice(2);
const size = statSync(file).size;
const started = process.hrtime.bigint();
let rows = 0;
let verdicts: Record<string, string> = {};
if (mode === 'parse') {
  const parser = new Papa.Parser({ delimiter: ',', newline: '\n', quoteChar: '"' });
  let rest = '';
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }).setEncoding('utf8') as AsyncIterable<string>) {
    const text = rest + chunk;
    const r = parser.parse(text, 0, true) as { data: string[][]; meta: { cursor: number } };
    rows += r.data.length;
    rest = text.slice(r.meta.cursor);
  }
  if (rest) rows += (parser.parse(rest, 0, false) as { data: string[][] }).data.length;
} else {
  const r = await checkFile({ path: file, fileName: 'bench.csv', declared: { format: 'CSV', encoding: 'UTF-8', fields: '序號,縣市,項目,年月,日期,人數,金額,指數,代碼,備註'.split(',').map((name) => ({ name })) } });
  rows = r.file?.rows ?? 0;
  verdicts = Object.fromEntries(r.indicators.map((i) => [i.id, i.result]));
  verdicts.badge = r.badge;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ mode, rows, seconds, mbPerS: size / 1e6 / seconds, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), verdicts }));
