import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChunkParser, readCsvFile } from './csv-reader.ts';
import { batchesOf, ReadError, type RawCell } from './table.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const all = async (rows: AsyncIterable<RawCell[]>) => {
  const out: RawCell[][] = [];
  for await (const r of rows) out.push(r);
  return out;
};

describe('ChunkParser', () => {
  it('gives the same records and line numbers however the text is cut into chunks', () => {
    const text = 'a,b\r\n1,"two\r\nlines"\r\n"x ""quoted""",3\r\n,\r\nlast,row';
    const whole = new ChunkParser({ delimiter: ',', lineEnd: '\r\n' }, true);
    const expected = [whole.push(text), whole.end()];
    const records = expected.flatMap((p) => p.records);
    const lines = expected.flatMap((p) => p.lines);
    expect(records).toEqual([['a', 'b'], ['1', 'two\r\nlines'], ['x "quoted"', '3'], ['', ''], ['last', 'row']]);
    // Where each record ends: the quoted line break makes record 2 end on line 3.
    expect(lines).toEqual([1, 3, 4, 5, 6]);
    for (let size = 1; size <= 7; size++) {
      const p = new ChunkParser({ delimiter: ',', lineEnd: '\r\n' }, true);
      const parts = [];
      for (let i = 0; i < text.length; i += size) parts.push(p.push(text.slice(i, i + size)));
      parts.push(p.end());
      expect(parts.flatMap((x) => x.records)).toEqual(records);
      expect(parts.flatMap((x) => x.lines)).toEqual(lines);
    }
  });

  it('drops a byte-order mark, reads CR-only line ends and other delimiters', () => {
    const p = new ChunkParser({ delimiter: ';', lineEnd: '\r' }, true);
    const got = [p.push('\uFEFF年;值\r113;"1\r2"\r'), p.end()];
    expect(got.flatMap((x) => x.records)).toEqual([['年', '值'], ['113', '1\r2']]);
    expect(got.flatMap((x) => x.lines)).toEqual([1, 3]);
  });

  it('refuses a quote never closed at the end, and a record that grows past 8 MB', () => {
    const p = new ChunkParser({ delimiter: ',', lineEnd: '\n' }, true);
    p.push('a,b\n1,"open\n2,3\n');
    expect(() => p.end()).toThrow(ReadError);
    const q = new ChunkParser({ delimiter: ',', lineEnd: '\n' }, false);
    q.push('a,b\n1,"');
    const block = 'x'.repeat(1 << 20);
    expect(() => {
      for (let i = 0; i < 10; i++) q.push(block);
    }).toThrow(/over 8 MB/);
  });
});

describe('readCsvFile batches', () => {
  it('batches() and rows() give the same rows; notes below the data are held back and reported once', async () => {
    const lines = ['縣市,人數'];
    for (let i = 0; i < 5000; i++) lines.push(`臺北市,${i}`);
    lines.push('', '註：本表為測試資料。');
    const t = await readCsvFile(file('batches.csv', lines.join('\n')));
    const batches: RawCell[][][] = [];
    for await (const b of batchesOf(t)) batches.push(b);
    expect(batches.length).toBeGreaterThan(0);
    const rows = batches.flat();
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toEqual(['臺北市', '4999']);
    expect(await all(t.rows())).toEqual(rows);
    expect(t.issues.map((i) => i.en)).toEqual(['skipped the note row "註：本表為測試資料。" below the data']);
  });

  it('a ragged row and a blank row inside the data are reported with their lines, a quoted line break counted', async () => {
    const t = await readCsvFile(file('ragged.csv', 'a,b,c\n1,"x\ny",3\n2,5\n\n4,5,6\n'));
    expect(await all(t.rows())).toEqual([
      ['1', 'x\ny', '3'],
      ['2', '5', null],
      ['4', '5', '6'],
    ]);
    expect(t.issues.map((i) => [i.line, i.en])).toEqual([
      [4, 'line 4 has 2 fields, the header 3 (padded with empty values)'],
      [5, 'line 5 is blank (skipped)'],
    ]);
  });

  it('a file cut inside a quoted field is a ReadError with its line, not a crash', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i * 2}`);
    const err = await readCsvFile(file('cut.csv', `a,b\n${rows.join('\n')}\n21,"cut off in the mid`)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ReadError);
    expect((err as ReadError).en).toBe('cannot parse the CSV: a quoted field is never closed, the file may be cut off');
    expect((err as ReadError).where.line).toBe(22);
  });

  it('streams 200,000 rows in batches without holding them', async () => {
    const lines = ['序號,縣市,金額'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},新北市,${i * 1.5}`);
    const t = await readCsvFile(file('big.csv', lines.join('\n')));
    lines.length = 0;
    global.gc?.();
    const before = process.memoryUsage().rss;
    let n = 0;
    let peak = before;
    for await (const b of batchesOf(t)) {
      n += b.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(n).toBe(200_000);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });
});
