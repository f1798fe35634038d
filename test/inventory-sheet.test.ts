import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import * as XLSX from '@e965/xlsx';
import iconv from 'iconv-lite';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOds } from '../src/modules/export/ods.ts';
import { writeXlsx } from '../src/modules/export/xlsx.ts';
import { itemCells, MAX_INFLATED_BYTES, readInventorySheet, writeInventorySheet, type WriteFormat } from '../src/modules/inventory/inventory.sheet.ts';
import type { ItemInput } from '../src/modules/inventory/inventory.types.ts';
import { ITEM_FIELDS } from '../src/modules/inventory/inventory.validation.ts';
import type { RawCell } from '../src/modules/ingest/table.ts';
import { testdata } from './helpers/env.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-inv-sheet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (ext: string) => path.join(dir, `f${++n}.${ext}`);

const HEADINGS = ITEM_FIELDS.map((f) => f.heading);

const item = (over: Partial<ItemInput> = {}): ItemInput => ({
  itemKey: null,
  name: '消費者物價指數',
  source: 'survey',
  systemName: null,
  description: null,
  ownerUnit: null,
  classification: 'open',
  legalBasis: null,
  reason: null,
  sensitivity: 'low',
  genderFlag: false,
  priority: 0,
  plannedDate: '2026-06-30',
  updateFrequency: '每1月',
  datasetRef: null,
  notes: null,
  ...over,
});

const GOOD: ItemInput[] = [
  item({ itemKey: 'CPI-01', description: '物價指數，按月\n含基期說明', priority: 3, notes: '-- 以 = 開頭也照樣讀回 =SUM(A1)' }),
  item({ name: '家庭收支調查', itemKey: 'FIES', classification: 'application', plannedDate: null, legalBasis: '統計法第 19 條', reason: '個別資料涉及隱私', sensitivity: 'medium', genderFlag: true, updateFrequency: '每1年', systemName: '家庭收支系統', ownerUnit: '國勢普查處' }),
  item({ name: '公務人員個人資料', itemKey: 'HR-9', source: 'system', classification: 'withheld', plannedDate: null, legalBasis: '個人資料保護法', reason: '個人資料', sensitivity: 'high', updateFrequency: null, datasetRef: null }),
];

async function writeFile(format: WriteFormat, items: ItemInput[]): Promise<string> {
  const file = tmp(format);
  const out = createWriteStream(file);
  await writeInventorySheet(items, out, format);
  await finished(out);
  return file;
}

/** A sheet laid out by hand (title lines, other headings, bad cells), written by the export writers. */
async function sheet(format: 'ods' | 'xlsx', columns: string[], rows: RawCell[][]): Promise<string> {
  const file = tmp(format);
  const out = createWriteStream(file);
  await (format === 'ods' ? writeOds : writeXlsx)(columns, rows, out);
  await finished(out);
  return file;
}

describe('inventory spreadsheet template', () => {
  it.each(['csv', 'ods', 'xlsx'] as const)('the blank %s template reads back with the same headings and no items', async (format) => {
    const file = await writeFile(format, []);
    const r = await readInventorySheet(file);
    expect(r).toEqual({ items: [], problems: [], warnings: [], lines: [], rows: 0 });
    if (format === 'csv') {
      const bytes = readFileSync(file);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(bytes.subarray(3).toString('utf8').trim()).toBe(HEADINGS.join(','));
    }
  });

  it.each(['csv', 'ods', 'xlsx'] as const)('items written as %s read back exactly', async (format) => {
    const file = await writeFile(format, GOOD);
    const r = await readInventorySheet(file);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBe(3);
    expect(r.items).toEqual(GOOD);
    expect(r.lines).toEqual([2, 3, 4]);
  });

  it('writes choices as zh labels, booleans as 是/否, dates ISO and the dataset by its identifier', () => {
    const cells = itemCells({ ...GOOD[1], id: 'i1', inventoryId: 'v', unit: 'u', year: 2026, itemKey: 'FIES', position: 1, datasetId: 'd-1', updatedAt: '' }, { datasetIdentifiers: new Map([['d-1', 'A41000000G-000123']]) });
    const at = (heading: string) => cells[HEADINGS.indexOf(heading)];
    expect(at('資料來源')).toBe('調查');
    expect(at('資料分級')).toBe('依申請提供');
    expect(at('敏感程度')).toBe('中');
    expect(at('性別統計')).toBe('是');
    expect(at('對應資料集')).toBe('A41000000G-000123');
    expect(itemCells(GOOD[0])[HEADINGS.indexOf('預定開放日期')]).toBe('2026-06-30');
  });
});

describe('reading a filled-in inventory', () => {
  const row = (over: Record<string, RawCell>): RawCell[] => HEADINGS.map((h) => (h in over ? over[h] : null));
  const good = (name: string, extra: Record<string, RawCell> = {}) => row({ 資料名稱: name, 資料來源: '網站', 資料分級: '開放資料', 敏感程度: '低', 預定開放日期: '115/06/30', ...extra });

  it('an ODS with two bad rows names both (line, column, reason) and gives no items', async () => {
    const file = await sheet('ods', HEADINGS, [
      good('甲'),
      good('乙', { 資料分級: '半開放' }),
      good('丙'),
      good('丁', { 資料分級: '不予提供', 預定開放日期: null }),
    ]);
    const r = await readInventorySheet(file);
    expect(r.items).toEqual([]);
    expect(r.rows).toBe(4);
    expect(r.problems.map((p) => [p.row, p.column])).toEqual([[3, '資料分級'], [5, '法律依據'], [5, '不開放理由']]);
    expect(r.problems[0].zh).toBe('第 3 列「資料分級」：「半開放」不是可用的選項，請填 開放資料、依申請提供、不予提供 之一');
    expect(r.problems[0].en).toContain('row 3, "資料分級" (Classification): "半開放" is not a choice');
  });

  it('an XLSX read back exactly, ROC dates and short labels turned into codes', async () => {
    const file = await sheet('xlsx', HEADINGS, [good('甲', { 性別統計: '是', 優先順序: 2 }), good('乙', { 資料分級: '開放', 預定開放日期: '2026/7/1' })]);
    const r = await readInventorySheet(file);
    expect(r.problems).toEqual([]);
    expect(r.items).toEqual([
      item({ name: '甲', source: 'website', genderFlag: true, priority: 2, updateFrequency: null }),
      item({ name: '乙', source: 'website', plannedDate: '2026-07-01', updateFrequency: null }),
    ]);
  });

  it('maps headings by alias, with spaces and full-width forms, and warns of unknown columns', async () => {
    const file = await sheet('xlsx', ['資料 項目 名稱', '　來源　', '開放類型', '機敏程度（必填）', '預計開放日期', '承辦人'], [
      ['甲', '資料庫', '開放資料', '高', '2026-01-31', '王小明'],
    ]);
    const r = await readInventorySheet(file);
    expect(r.problems).toEqual([]);
    expect(r.items).toEqual([item({ name: '甲', source: 'database', sensitivity: 'high', plannedDate: '2026-01-31', updateFrequency: null })]);
    expect(r.warnings).toEqual([expect.objectContaining({ row: 1, column: '承辦人' })]);
    expect(r.warnings[0].zh).toContain('不認得的欄位「承辦人」');
  });

  it('a header on line 3 under title lines, and a blank row, give the real line numbers', async () => {
    const file = await sheet('xlsx', HEADINGS.map((_, i) => (i === 0 ? '○○部 115 年資料盤點清單' : '')), [
      ['填表單位：統計處'],
      HEADINGS,
      good('甲'),
      [],
      good('乙', { 敏感程度: '極高' }),
    ]);
    const r = await readInventorySheet(file);
    expect(r.rows).toBe(2);
    expect(r.problems.map((p) => [p.row, p.column])).toEqual([[6, '敏感程度']]);
    expect(r.problems[0].zh).toMatch(/^第 6 列「敏感程度」/);
  });

  it('a missing required column is one problem, not one per row', async () => {
    const file = await sheet('ods', ['資料名稱', '資料來源', '敏感程度'], [['甲', '網站', '低'], ['乙', '網站', '低']]);
    const r = await readInventorySheet(file);
    expect(r.items).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ row: 1, column: '資料分級', field: 'classification' });
    expect(r.problems[0].zh).toContain('缺少必要欄位「資料分級」');
  });

  it('reads a Big5 CSV (as Excel saves it in Taiwan), with CRLF and a quoted line break', async () => {
    const text = `${HEADINGS.join(',')}\r\nA-1,人口統計,網站,,"戶籍人口\r\n按月",,開放資料,,,低,否,,115/12/31,每1月,,\r\n`;
    const file = tmp('csv');
    writeFileSync(file, iconv.encode(text, 'big5'));
    const r = await readInventorySheet(file);
    expect(r.problems).toEqual([]);
    expect(r.items).toEqual([item({ itemKey: 'A-1', name: '人口統計', source: 'website', description: '戶籍人口\r\n按月', plannedDate: '2026-12-31' })]);
  });

  it('reads an XLS (BIFF8) workbook, the sheet with the header wherever it is', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['說明'], ['請填第二個工作表']]), '說明');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([HEADINGS, good('甲'), good('乙', { 資料來源: '外星' })]), '清單');
    const file = tmp('xls');
    writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer);
    const r = await readInventorySheet(file);
    expect(r.problems.map((p) => [p.row, p.column])).toEqual([[3, '資料來源']]);
  });

  it('CSV line numbers count records as Excel shows them, and blank lines', async () => {
    const text = `${HEADINGS.join(',')}\n,甲,網站,,"第一行\n第二行",,開放資料,,,低,,,2026-01-01,,,\n\n,乙,網站,,,,開放資料,,,低,,,明天,,,\n`;
    const file = tmp('csv');
    writeFileSync(file, text);
    const r = await readInventorySheet(file);
    expect(r.problems.map((p) => [p.row, p.column])).toEqual([[4, '預定開放日期']]);
  });

  it('names duplicate items across rows', async () => {
    const file = await sheet('ods', HEADINGS, [good('甲'), good('甲')]);
    const r = await readInventorySheet(file);
    expect(r.items).toEqual([]);
    expect(r.problems.map((p) => [p.row, p.column])).toEqual([[3, '資料名稱']]);
  });

  const taoyuan = testdata('datagovtw-catalogue/city-portals/桃園市政府開放資料供應清單.xls');
  it.skipIf(!taoyuan)('a real city open-data supply list (XLS, 1,429 rows) is read and its missing inventory columns named', async () => {
    if (!taoyuan) return;
    const r = await readInventorySheet(taoyuan);
    expect(r.rows).toBe(1429);
    expect(r.items).toEqual([]);
    expect(r.problems.map((p) => [p.row, p.column])).toEqual([[1, '資料分級'], [1, '敏感程度']]);
    expect(r.warnings[0].zh).toContain('不認得的欄位「編號」');
  });

  describe('files that are not an inventory', () => {
    const onlyProblem = async (file: string, match: RegExp) => {
      const r = await readInventorySheet(file);
      expect(r.items).toEqual([]);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0].row).toBe(0);
      expect(`${r.problems[0].zh} ${r.problems[0].en}`).toMatch(match);
      expect(r.problems[0].en).toMatch(/\.xlsx|template|save it again|check the file/);
    };
    it('a .xlsx that is not a zip', async () => {
      const file = tmp('xlsx');
      writeFileSync(file, '資料名稱,資料來源\n甲,網站\n');
      await onlyProblem(file, /不是 XLSX 試算表/);
    });
    it('an empty file', async () => {
      for (const ext of ['csv', 'ods', 'xlsx']) {
        const file = tmp(ext);
        writeFileSync(file, '');
        await onlyProblem(file, /檔案是空的/);
      }
    });
    it('a PNG, named .png, .csv or .ods', async () => {
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0', 'latin1')]);
      const asPng = tmp('png');
      writeFileSync(asPng, png);
      await onlyProblem(asPng, /無法匯入「f\d+\.png」這種檔案/);
      // An upload: the stored file has no extension; the clerk's name for it says the format.
      const upload = path.join(dir, 'upload-1234');
      writeFileSync(upload, png);
      expect((await readInventorySheet(upload, undefined, { name: '照片.png' })).problems[0].zh).toContain('無法匯入「照片.png」這種檔案');
      expect((await readInventorySheet(upload, undefined, { name: '清單.xlsx' })).problems[0].zh).toContain('不是 XLSX 試算表');
      const asCsv = tmp('csv');
      writeFileSync(asCsv, png);
      await onlyProblem(asCsv, /不是 CSV/);
      const asOds = tmp('ods');
      writeFileSync(asOds, png);
      await onlyProblem(asOds, /看來是圖片/);
    });
    it('a damaged zip', async () => {
      const file = tmp('xlsx');
      writeFileSync(file, Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(200, 0)]));
      await onlyProblem(file, /無法讀取 XLSX 試算表/);
    });
    it('a zip that inflates to more than an inventory could (a zip bomb)', async () => {
      const file = tmp('xlsx');
      const zip = new yazl.ZipFile();
      zip.addBuffer(Buffer.alloc(MAX_INFLATED_BYTES + 1024), 'xl/worksheets/sheet1.xml');
      zip.end();
      const out = createWriteStream(file);
      zip.outputStream.pipe(out);
      await finished(out);
      await onlyProblem(file, /解壓縮後超過 64 MB/);
    });
    it('a spreadsheet without the inventory headings', async () => {
      const file = await sheet('xlsx', ['年', '金額'], [['2024', 12]]);
      await onlyProblem(file, /找不到盤點清單的欄位標題列/);
    });
    it('a file that does not exist', async () => {
      const r = await readInventorySheet(path.join(dir, 'nope.xlsx'));
      expect(r.problems[0].zh).toContain('找不到檔案');
    });
  });
});
