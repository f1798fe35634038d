import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
async function run(label: string, mk: () => NodeJS.ReadableStream) {
  const t = Date.now(); let n = 0;
  for await (const r of mk()) n += r ? 1 : 0;
  console.log(label, n, Date.now() - t, 'ms');
}
await run('plain', () => createReadStream('/tmp/qb.csv').pipe(parse({ relax_column_count: true })));
await run('opts no info', () => createReadStream('/tmp/qb.csv').pipe(parse({ relax_column_count: true, relax_quotes: true, bom: true, skip_empty_lines: false, record_delimiter: '\n' })));
let line = 0;
await run('on_record lines', () => createReadStream('/tmp/qb.csv').pipe(parse({ relax_column_count: true, relax_quotes: true, bom: true, on_record: (r: string[], ctx: { lines: number }) => { line = ctx.lines; return r; } })));
await run('iconv utf8 + plain', () => createReadStream('/tmp/qb.csv').pipe(iconv.decodeStream('utf8')).pipe(parse({ relax_column_count: true })));
console.log(line);
