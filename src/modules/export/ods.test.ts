import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import * as XLSX from '@e965/xlsx';
import { afterAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../ingest/spreadsheet.ts';
import type { RawCell } from '../ingest/table.ts';
import { writeOds } from './ods.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-ods-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readBack(file: string): Promise<{ name: string; columns: string[]; rows: RawCell[][] }> {
  const wb = await readWorkbook(file);
  expect(wb.format).toBe('ods');
  expect(wb.sheets).toHaveLength(1);
  const { name, table } = wb.sheets[0];
  const rows: RawCell[][] = [];
  for await (const r of table.rows()) rows.push(r);
  return { name, columns: table.columns, rows };
}

interface LocalEntry { name: string; method: number; extraLength: number; dataOffset: number; compressedSize: number }

/** The zip's local entries in file order, from the central directory (sizes there are final). */
function zipEntries(buf: Buffer): LocalEntry[] {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: LocalEntry[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(p + 28);
    const local = buf.readUInt32LE(p + 42);
    const localName = buf.readUInt16LE(local + 26);
    const localExtra = buf.readUInt16LE(local + 28);
    out.push({
      name: buf.subarray(p + 46, p + 46 + nameLength).toString('utf8'),
      method: buf.readUInt16LE(local + 8),
      extraLength: localExtra,
      dataOffset: local + 30 + localName + localExtra,
      compressedSize: buf.readUInt32LE(p + 20),
    });
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return out.sort((a, b) => a.dataOffset - b.dataOffset);
}

describe('writeOds', () => {
  const columns = ['縣市', '年月', '金額（千元）', '比率', '說明', '有效'];
  const rows: RawCell[][] = [
    ['臺北市', '113年1月', 1274053610, 0.5, '歲入＋歲出', true],
    ['新北市', '2024-02-29', -6837248, -0.25, '=HYPERLINK("http://evil.example")', false],
    ['桃園市', null, 0, 1e-7, '-5', null],
    ['臺中市', '多行\n文字', 3.14159, 12, '兩個  空白，  開頭也有', true],
    ['臺南市', '<tag> & "quotes"', 42, 7, 'control\u0001chars', false],
    // ODF has no _xHHHH_ escapes (OOXML's); SheetJS's ODS reader applies them anyway, so that
    // case is checked in content.xml rather than read back.
    ['嘉義市', ' 行首空白\n 第二行也是', 1, 2, '行尾空白  ', true],
  ];

  it('starts with the stored mimetype entry, as ODF requires', async () => {
    const file = path.join(dir, 'small.ods');
    await writeOds(columns, [...rows, ['_x000D_ 照字面']], createWriteStream(file), { sheetName: '歲入' });
    const buf = readFileSync(file);
    // The ODF "magic": the first local entry is "mimetype", stored, no extra field, so its
    // content sits at byte 38.
    expect(buf.readUInt32LE(0)).toBe(0x04034b50);
    expect(buf.readUInt16LE(8)).toBe(0);
    expect(buf.subarray(30, 38).toString('latin1')).toBe('mimetype');
    expect(buf.subarray(38, 38 + 46).toString('latin1')).toBe('application/vnd.oasis.opendocument.spreadsheet');
    const entries = zipEntries(buf);
    expect(entries.map((e) => e.name)).toEqual(['mimetype', 'META-INF/manifest.xml', 'meta.xml', 'styles.xml', 'content.xml']);
    expect(entries[0]).toMatchObject({ method: 0, extraLength: 0 });
    const manifest = inflateRawSync(buf.subarray(entries[1].dataOffset, entries[1].dataOffset + entries[1].compressedSize)).toString('utf8');
    expect(manifest).toContain('manifest:full-path="content.xml"');
    const content = inflateRawSync(buf.subarray(entries[4].dataOffset, entries[4].dataOffset + entries[4].compressedSize)).toString('utf8');
    expect(content).toContain('<table:table table:name="歲入">');
    expect(content).toContain('office:value-type="float" office:value="1274053610"');
    expect(content).toContain('<text:p><text:s/>行首空白</text:p><text:p><text:s/>第二行也是</text:p>');
    expect(content).toContain('<text:p>_x000D_ 照字面</text:p>');
    // SheetJS's ODS parser, independent of ours, reads the same cells.
    const wb = XLSX.read(buf, { type: 'buffer' });
    const ws = wb.Sheets['歲入'];
    expect(ws.A1).toMatchObject({ t: 's', v: '縣市' });
    expect(ws.C2).toMatchObject({ t: 'n', v: 1274053610 });
    expect(ws.F2).toMatchObject({ t: 'b', v: true });
    expect(ws.E3).toMatchObject({ t: 's', v: `'=HYPERLINK("http://evil.example")` });
  });

  it('reads back with the header, numbers as numbers, text intact and formulas neutralised', async () => {
    const file = path.join(dir, 'roundtrip.ods');
    await writeOds(columns, rows, createWriteStream(file), { sheetName: '歲入' });
    const back = await readBack(file);
    expect(back.name).toBe('歲入');
    expect(back.columns).toEqual(columns);
    expect(back.rows).toEqual([
      ['臺北市', '113年1月', 1274053610, 0.5, '歲入＋歲出', true],
      ['新北市', '2024-02-29', -6837248, -0.25, `'=HYPERLINK("http://evil.example")`, false],
      ['桃園市', null, 0, 1e-7, "'-5", null],
      ['臺中市', '多行\n文字', 3.14159, 12, '兩個  空白，  開頭也有', true],
      ['臺南市', '<tag> & "quotes"', 42, 7, 'controlchars', false],
      ['嘉義市', ' 行首空白\n 第二行也是', 1, 2, '行尾空白  ', true],
    ]);
  });

  it('fails, rather than hangs, when the rows fail', async () => {
    async function* failing() {
      yield ['a'];
      await Promise.resolve();
      throw new Error('the datastore went away');
    }
    await expect(writeOds(['x'], failing(), createWriteStream(path.join(dir, 'broken.ods')))).rejects.toThrow('the datastore went away');
  });

  it('streams 200,000 rows with flat memory, and they read back', async () => {
    const file = path.join(dir, 'big.ods');
    const n = 200_000;
    function* gen() {
      for (let i = 0; i < n; i++) yield [i, `臺北市第${i % 456}里`, i * 1.5, i % 3 === 0 ? `+${i}` : `備註 ${i}`];
    }
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    await writeOds(['序號', '村里', '數值', '備註'], gen(), createWriteStream(file));
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    // content.xml is about 60 MB uncompressed; holding it (or the rows) would show here.
    expect(peak - before).toBeLessThan(60 * 1024 * 1024);

    const back = await readBack(file);
    expect(back.rows).toHaveLength(n);
    expect(back.rows[3]).toEqual([3, '臺北市第3里', 4.5, "'+3"]);
    expect(back.rows[n - 1]).toEqual([n - 1, `臺北市第${(n - 1) % 456}里`, (n - 1) * 1.5, `備註 ${n - 1}`]);
  });
});

/** LibreOffice, where it is installed (`apt-get install libreoffice-calc-nogui`), as a third reader. */
const SOFFICE = '/usr/bin/soffice';
describe('writeOds output opened by LibreOffice', () => {
  it.skipIf(!existsSync(SOFFICE))('converts to CSV with the same cells', async () => {
    const work = mkdtempSync(path.join(dir, 'lo-'));
    await writeOds(['縣市', '金額', '說明', '有效'], [['臺北市', 1274053610, '=1+1', true], ['新北市', -0.25, ' 前後 空白 ', false], ['桃園市', null, '多行\n文字', null]], createWriteStream(path.join(work, 't.ods')), { sheetName: '表' });
    // Filter 44,34,76 = comma, double quote, UTF-8; the last -1 = every sheet to its own file.
    execFileSync(SOFFICE, [`-env:UserInstallation=file://${work}/profile`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', '--outdir', work, path.join(work, 't.ods')], { timeout: 120_000, stdio: 'ignore' });
    const csv = readdirSync(work).filter((f) => f.endsWith('.csv')).sort();
    expect(csv).toEqual(['t-表.csv']);
    const text = csv.map((f) => readFileSync(path.join(work, f), 'utf8')).join('');
    expect(text).toContain('縣市,金額,說明,有效\n臺北市,1274053610,\'=1+1,TRUE\n');
    expect(text).toContain('新北市,-0.25, 前後 空白 ,FALSE\n');
    expect(text).toContain('桃園市,,"多行\n文字",\n');
  });
});
