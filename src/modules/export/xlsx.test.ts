import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import * as XLSX from '@e965/xlsx';
import { afterAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../ingest/spreadsheet.ts';
import type { RawCell } from '../ingest/table.ts';
import { columnLetter, writeXlsx } from './xlsx.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS = ['縣市', '年月', '金額（千元）', '比率', '說明', '有效'];
const ROWS: RawCell[][] = [
  ['臺北市', '113年1月', 1274053610, 0.5, '歲入＋歲出', true],
  ['新北市', '2024-02-29', -6837248, -0.25, '=HYPERLINK("http://evil.example","點我")', false],
  ['桃園市', null, 0, 1e-7, '-5', null],
  ['臺中市', '', 3.14159, 12, '@SUM(A1)', true],
  ['臺南市', '多行\n文字', 42, 7, '  前後空白  ', false],
  ['高雄市', 'tab\tinside', 1, 2, 'control\u0001\u0007chars', true],
  ['嘉義市', 'CR\r\nLF', 1, 2, '_x000D_ 不是控制字元', false],
];

/** What a reader gets back: formulas neutralised with an apostrophe, control characters kept (as _xHHHH_ in the file). */
const EXPECTED: RawCell[][] = [
  ['臺北市', '113年1月', 1274053610, 0.5, '歲入＋歲出', true],
  ['新北市', '2024-02-29', -6837248, -0.25, `'=HYPERLINK("http://evil.example","點我")`, false],
  ['桃園市', null, 0, 1e-7, "'-5", null],
  ['臺中市', null, 3.14159, 12, "'@SUM(A1)", true],
  ['臺南市', '多行\n文字', 42, 7, '  前後空白  ', false],
  ['高雄市', 'tab\tinside', 1, 2, 'control\u0001\u0007chars', true],
  ['嘉義市', 'CR\r\nLF', 1, 2, '_x000D_ 不是控制字元', false],
];

async function readBack(file: string): Promise<{ name: string; columns: string[]; rows: RawCell[][] }> {
  const wb = await readWorkbook(file);
  expect(wb.sheets).toHaveLength(1);
  const { name, table } = wb.sheets[0];
  const rows: RawCell[][] = [];
  for await (const r of table.rows()) rows.push(r);
  return { name, columns: table.columns, rows };
}

describe('writeXlsx', () => {
  it('writes a header and typed cells that read back as written, formulas neutralised', async () => {
    const file = path.join(dir, 'small.xlsx');
    await writeXlsx(COLUMNS, ROWS, createWriteStream(file), { sheetName: '歲入/歲出 [113]' });
    const back = await readBack(file);
    expect(back.name).toBe('歲入 歲出  113');
    expect(back.columns).toEqual(COLUMNS);
    expect(back.rows).toEqual(EXPECTED);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    // A second, independent reader (SheetJS) sees the same workbook: Excel's structure is right.
    const wb = XLSX.read(bytes, { type: 'buffer' });
    expect(wb.SheetNames).toEqual(['歲入 歲出  113']);
    const aoa = XLSX.utils.sheet_to_json<RawCell[]>(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: true, defval: null });
    expect(aoa[0]).toEqual(COLUMNS);
    expect(aoa[1]).toEqual(EXPECTED[0]);
    expect(aoa[2][4]).toBe(`'=HYPERLINK("http://evil.example","點我")`);
    expect(wb.Sheets[wb.SheetNames[0]].C3).toMatchObject({ t: 'n', v: -6837248 });
  });

  it('writes a header alone for a table without rows, from an async source', async () => {
    const file = path.join(dir, 'empty.xlsx');
    await writeXlsx(['甲', '乙'], (async function* () {})(), createWriteStream(file));
    const wb = await readWorkbook(file);
    expect(wb.sheets[0].name).toBe('Sheet1');
    expect(wb.sheets[0].table.columns).toEqual(['甲', '乙']);
  });

  it('goes on in further sheets, each with the header, past the rows a sheet can hold', async () => {
    const file = path.join(dir, 'overflow.xlsx');
    const rows = Array.from({ length: 7 }, (_, i): RawCell[] => [i + 1, `第 ${i + 1} 筆`]);
    await writeXlsx(['序號', '名稱'], rows, createWriteStream(file), { sheetName: '一個很長很長很長很長很長很長很長很長很長很長很長的表名', maxRowsPerSheet: 3 });
    const wb = await readWorkbook(file);
    expect(wb.sheets.map((s) => s.name)).toEqual(['一個很長很長很長很長很長很長很長很長很長很長很長的表名'.slice(0, 31), `${'一個很長很長很長很長很長很長很長很長很長很長很長的表名'.slice(0, 27)} (2)`, `${'一個很長很長很長很長很長很長很長很長很長很長很長的表名'.slice(0, 27)} (3)`]);
    const back: RawCell[][] = [];
    for (const s of wb.sheets) {
      expect(s.table.columns).toEqual(['序號', '名稱']);
      for await (const r of s.table.rows()) back.push(r);
    }
    expect(back).toEqual(rows);
    expect(XLSX.read(readFileSync(file), { type: 'buffer' }).SheetNames).toHaveLength(3);
    // Exactly full: no empty sheet after it.
    await writeXlsx(['n'], [[1], [2], [3]], createWriteStream(file), { maxRowsPerSheet: 3 });
    expect((await readWorkbook(file)).sheets.map((s) => s.name)).toEqual(['Sheet1']);
  });

  it('fails, rather than hangs, when the rows fail', async () => {
    const file = path.join(dir, 'broken.xlsx');
    async function* rows() {
      yield ['a'];
      await Promise.resolve();
      throw new Error('the datastore went away');
    }
    await expect(writeXlsx(['x'], rows(), createWriteStream(file))).rejects.toThrow('the datastore went away');
  });

  it('stops reading rows and rejects when the client goes away', async () => {
    let pulled = 0;
    function* rows() {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        yield [i, `第 ${i} 列 ${(i * 7919) % 100_003}`];
      }
    }
    let bytes = 0;
    const dropping = new Writable({
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb(bytes > 100 * 1024 ? new Error('socket hang up') : null);
      },
    });
    await expect(writeXlsx(['n', 'text'], rows(), dropping)).rejects.toThrow('socket hang up');
    expect(pulled).toBeLessThan(200_000);
  });

  it('reads rows only as fast as the output takes them (backpressure)', async () => {
    let pulled = 0;
    function* rows() {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield [i, `第 ${i} 列的一些中文文字，讓壓縮後的大小不至於太小 ${(i * 7919) % 100_003}`];
      }
    }
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let bytes = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        // The sink stalls after its first 64 KB until the test lets it go.
        if (bytes > 64 * 1024) void gate.then(() => cb());
        else cb();
      },
    });
    const done = writeXlsx(['n', 'text'], rows(), slow);
    await new Promise((r) => setTimeout(r, 300));
    const pulledWhileStalled = pulled;
    // Bounded by the stream buffers between the rows and the sink, not by the table: Node 22 made
    // the default buffer 64 KB (from 16 KB), so a few more rows wait in them there.
    expect(pulledWhileStalled).toBeLessThan(40_000);
    release();
    await done;
    expect(pulled).toBe(100_000);
  });

  it('streams 200,000 rows with flat memory, and they read back', async () => {
    const file = path.join(dir, 'big.xlsx');
    const n = 200_000;
    function* rows() {
      for (let i = 0; i < n; i++) yield [i, `臺北市第${i % 456}里`, i * 1.5, i % 3 === 0 ? `=${i}` : `備註 ${i}`];
    }
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    await writeXlsx(['序號', '村里', '數值', '備註'], rows(), createWriteStream(file));
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    // The XML is about 30 MB; holding it (or the rows) would show here.
    expect(peak - before).toBeLessThan(60 * 1024 * 1024);

    const back = await readBack(file);
    expect(back.columns).toEqual(['序號', '村里', '數值', '備註']);
    expect(back.rows).toHaveLength(n);
    expect(back.rows[3]).toEqual([3, '臺北市第3里', 4.5, "'=3"]);
    expect(back.rows[n - 1]).toEqual([n - 1, `臺北市第${(n - 1) % 456}里`, (n - 1) * 1.5, `備註 ${n - 1}`]);
  });
});

describe('columnLetter', () => {
  it('counts A…Z, AA…', () => {
    expect([0, 25, 26, 51, 52, 701, 702, 16383].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA', 'XFD']);
  });
});

/** LibreOffice, where it is installed (`apt-get install libreoffice-calc-nogui`), as a third reader. */
const SOFFICE = '/usr/bin/soffice';
describe('writeXlsx output opened by LibreOffice', () => {
  it.skipIf(!existsSync(SOFFICE))('converts to CSV with the same cells', async () => {
    const work = mkdtempSync(path.join(dir, 'lo-'));
    await writeXlsx(['縣市', '金額', '說明', '有效'], [['臺北市', 1274053610, '=1+1', true], ['新北市', -0.25, ' 前後 空白 ', false], ['桃園市', null, '多行\n文字', null]], createWriteStream(path.join(work, 't.xlsx')), { sheetName: '表', maxRowsPerSheet: 2 });
    // Filter 44,34,76 = comma, double quote, UTF-8; the last -1 = every sheet to its own file.
    execFileSync(SOFFICE, [`-env:UserInstallation=file://${work}/profile`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', '--outdir', work, path.join(work, 't.xlsx')], { timeout: 120_000, stdio: 'ignore' });
    const csv = readdirSync(work).filter((f) => f.endsWith('.csv')).sort();
    expect(csv).toEqual(['t-表 (2).csv', 't-表.csv']);
    const text = ['t-表.csv', 't-表 (2).csv'].map((f) => readFileSync(path.join(work, f), 'utf8')).join('');
    expect(text).toContain('縣市,金額,說明,有效\n臺北市,1274053610,\'=1+1,TRUE\n');
    expect(text).toContain('新北市,-0.25, 前後 空白 ,FALSE\n');
    expect(text).toContain('桃園市,,"多行\n文字",\n');
  });
});
