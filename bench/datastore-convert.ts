/**
 * One streamed conversion in its own process: `tsx bench/datastore-convert.ts <csv> json|xml|xlsx`
 * reads the CSV with the datastore's reader and writes the format to a counting sink; prints
 * {seconds, bytesOut, maxRssMB}.
 */
import { Writable } from 'node:stream';
import { writeXlsx } from '../src/modules/export/xlsx.ts';
import { writeJson, writeXml } from '../src/modules/export/text-formats.ts';
import { readCsvFile } from '../src/modules/ingest/csv-reader.ts';

const [file, format] = process.argv.slice(2);
let bytesOut = 0;
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    bytesOut += chunk.length;
    done();
  },
});
const started = Date.now();
const table = await readCsvFile(file);
const write = format === 'json' ? writeJson : format === 'xml' ? writeXml : writeXlsx;
await write(table.columns, table.rows(), sink);
console.log(JSON.stringify({ seconds: (Date.now() - started) / 1000, bytesOut, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
