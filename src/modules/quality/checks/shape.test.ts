import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTableFile } from '../../ingest/registry.ts';
import { ReadError } from '../../ingest/table.ts';
import { tabularShape } from './shape.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-shape-'));
/** A file through the readers, then its shape verdict (as the engine does). */
async function shapeOf(name: string, text: string, format = 'CSV') {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  try {
    const t = await openTableFile(file, format);
    for await (const _ of t.rows()) void _;
    return tabularShape({ issues: t.issues, columns: t.columns });
  } catch (err) {
    if (!(err instanceof ReadError)) throw err;
    return tabularShape({ refused: { zh: err.zh, en: err.en, line: err.where.line } });
  }
}

describe('tabular_shape from what the readers found', () => {
  it('a tidy table passes', async () => {
    expect((await shapeOf('tidy.csv', '縣市,人口\n臺北市,1\n高雄市,2\n')).result).toBe('pass');
  });
  it('title rows, notes, blank headers, duplicate headers, ragged and blank rows fail, each named', async () => {
    const r = await shapeOf('messy.csv', '表1 人口統計,,\n縣市,人口,人口\n臺北市,1,2\n,,\n高雄市,2\n註：資料來源內政部,,\n');
    expect(r.result).toBe('fail');
    expect(r.data?.kinds).toMatchObject({ title_rows: 1, duplicate_headers: 1, blank_rows: 1, ragged_rows: 1, note_rows: 1 });
    expect(r.en).toMatch(/^not a tidy table: title rows above the header, /);
    expect(r.en).toContain('notes rows below the data');
  });
  it('a file the readers refuse as a printed report fails with their reason', async () => {
    const r = await shapeOf('report.csv', '總表,,,\n,3000,2800,2600\n歲入,1,2,3\n歲出,4,5,6\n餘絀,7,8,9\n');
    expect(r.result).toBe('fail');
    expect(r.en).toContain('cannot be read as a table: this file looks like a printed report');
  });
  it('a JSON list of records with nested values warns (not flat), without failing', async () => {
    const r = await shapeOf('nested.json', JSON.stringify([{ a: 1, b: { c: 2 } }, { a: 3, b: { c: 4 } }]), 'JSON');
    expect(r).toMatchObject({ result: 'warn', data: { kinds: { nested_values: 1 } } });
  });
});
