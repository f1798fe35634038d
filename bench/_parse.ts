import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { readCsvFile } from '../src/modules/ingest/csv-reader.ts';
import { ColumnInferrer } from '../src/modules/ingest/infer.ts';
let t = Date.now(); let n = 0;
for await (const r of createReadStream('/tmp/qb.csv').pipe(parse({ relax_column_count: true }))) { n += (r as string[]).length > 0 ? 1 : 0; }
console.log('csv-parse plain', n, Date.now() - t, 'ms');
t = Date.now(); n = 0;
for await (const r of createReadStream('/tmp/qb.csv').pipe(parse({ relax_column_count: true, info: true, relax_quotes: true, bom: true }))) { n += r ? 1 : 0; }
console.log('csv-parse info', n, Date.now() - t, 'ms');
const table = await readCsvFile('/tmp/qb.csv');
t = Date.now(); n = 0;
for await (const r of table.rows()) n += r.length > 0 ? 1 : 0;
console.log('readCsvFile rows', n, Date.now() - t, 'ms');
const inf = table.columns.map(() => new ColumnInferrer());
t = Date.now();
for await (const r of table.rows()) for (let k = 0; k < r.length; k++) inf[k].add(r[k]);
console.log('rows+infer', Date.now() - t, 'ms');
