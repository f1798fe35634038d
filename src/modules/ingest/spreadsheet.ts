/**
 * Spreadsheet readers (issue 4): XLSX, XLS (BIFF8, e.g. DGBAS's Big5/code page 950 workbooks) and
 * ODS, one RawTable per sheet, with the header found under the title rows and the notes cut off.
 *
 * Library: SheetJS Community Edition 0.20.3, from npm as `@e965/xlsx` (a verbatim republication of
 * SheetJS's own release; SheetJS stopped publishing to npm at 0.18.5, whose copy has the
 * prototype-pollution and ReDoS advisories fixed in 0.19.3 / 0.20.2). It is the one maintained
 * JavaScript library that reads all three formats, BIFF8 code pages included (through its
 * cpexcel tables), merged ranges, formulas' cached values and the 1904 date system; it has no
 * dependencies. exceljs (last release 4.4.0) reads only XLSX, and its streaming reader ignores
 * merged cells and fails on cells without an address; read-excel-file reads only XLSX.
 *
 * What SheetJS does not do is stream: it parses a workbook whole. So that hostile or oversized
 * uploads cannot take the server's memory, readWorkbook refuses files over `maxBytes` and zips
 * whose declared uncompressed size is over `maxUncompressedBytes` (a "zip bomb") before parsing,
 * and accepts only what is really an OLE2 (XLS) or zip (XLSX/ODS) container: SheetJS would
 * otherwise happily guess at CSV, HTML or SYLK. Rows are then served lazily from the parsed sheet.
 */
import { readFile, stat } from 'node:fs/promises';
import * as XLSX from '@e965/xlsx';
import * as cptable from '@e965/xlsx/dist/cpexcel.full.mjs';
import { detectLayout } from './dialect.ts';
import { ReadError, uniqueColumns, type RawCell, type RawTable, type ReadIssue } from './table.ts';

XLSX.set_cptable(cptable);

interface DateCode { y: number; m: number; d: number; H: number; M: number; S: number }
/** The parts of SheetJS's number-format library we use (its typings export it as `any`). */
const SSF = XLSX.SSF as {
  is_date(format: string): boolean;
  parse_date_code(value: number, options?: { date1904?: boolean }): DateCode | null;
};

export interface WorkbookSheet {
  name: string;
  table: RawTable;
}

export interface Workbook {
  /** Sheets in workbook order (hidden ones too, with an issue saying so). */
  sheets: WorkbookSheet[];
  format: 'xlsx' | 'xls' | 'ods';
}

export interface ReadWorkbookOptions {
  /** Largest file accepted (default 64 MiB): SheetJS holds the whole workbook in memory. */
  maxBytes?: number;
  /** Largest total uncompressed size of a zip-based workbook (default 512 MiB). */
  maxUncompressedBytes?: number;
}

const MiB = 1024 * 1024;
/** Issues of one kind beyond this many are summed up in one line rather than listed. */
const MAX_LISTED = 20;
/** Rows from the top and from the bottom of a sheet on which its layout is found. */
const LAYOUT_HEAD = 500;
const LAYOUT_TAIL = 50;

type Container = 'ole2' | 'zip';

function containerOf(buf: Buffer): Container | undefined {
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0xd0cf11e0 && buf.readUInt32BE(4) === 0xa1b11ae1) return 'ole2';
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && (buf[2] === 3 || buf[2] === 5) && (buf[3] === 4 || buf[3] === 6)) return 'zip';
  return undefined;
}

function describeNonSpreadsheet(buf: Buffer): { zh: string; en: string } {
  const head = buf.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  if (buf.length === 0) return { zh: '檔案是空的', en: 'the file is empty' };
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.includes('<table')) {
    return { zh: '這個檔案是網頁（HTML）而不是試算表；請用 Excel 另存成 .xlsx 或 .csv 再上傳', en: 'this file is a web page (HTML), not a spreadsheet; save it from Excel as .xlsx or .csv and upload that' };
  }
  if (head.startsWith('<?xml')) return { zh: '這個檔案是 XML 而不是 XLSX、XLS 或 ODS 試算表', en: 'this file is XML, not an XLSX, XLS or ODS workbook' };
  return { zh: '這個檔案不是 XLSX、XLS 或 ODS 試算表（既非 zip 也非 OLE2 格式）', en: 'this file is not an XLSX, XLS or ODS workbook (neither a zip nor an OLE2 container)' };
}

interface ZipDirectory {
  /** Sum of the declared uncompressed sizes; ZIP64 sizes count as infinite (no workbook we accept needs them). */
  uncompressed: number;
  names: Set<string>;
}

/**
 * What a zip's central directory declares: its entry names and their total uncompressed size
 * (checked before anything is inflated), or undefined when there is no readable directory
 * (a truncated or damaged zip).
 */
function zipDirectory(buf: Buffer): ZipDirectory | undefined {
  const minEocd = 22;
  const from = Math.max(0, buf.length - minEocd - 0xffff);
  for (let i = buf.length - minEocd; i >= from; i--) {
    if (buf.readUInt32LE(i) !== 0x06054b50) continue;
    const entries = buf.readUInt16LE(i + 10);
    const dirSize = buf.readUInt32LE(i + 12);
    const dirOffset = buf.readUInt32LE(i + 16);
    if (dirOffset === 0xffffffff || entries === 0xffff) return { uncompressed: Infinity, names: new Set() };
    if (dirOffset + dirSize > i) return undefined;
    let p = dirOffset;
    let uncompressed = 0;
    const names = new Set<string>();
    for (let e = 0; e < entries; e++) {
      if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return undefined;
      const size = buf.readUInt32LE(p + 24);
      uncompressed += size === 0xffffffff ? Infinity : size;
      const nameLength = buf.readUInt16LE(p + 28);
      names.add(buf.subarray(p + 46, p + 46 + nameLength).toString('utf8'));
      p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    }
    return { uncompressed, names };
  }
  return undefined;
}

function parseWorkbook(buf: Buffer, format: Workbook['format']): XLSX.WorkBook {
  try {
    return XLSX.read(buf, {
      type: 'buffer',
      dense: true,
      cellDates: false,
      cellNF: true,
      cellFormula: false,
      cellHTML: false,
      cellStyles: false,
      bookVBA: false,
      WTF: false,
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/password|encrypt/i.test(msg)) {
      throw new ReadError('試算表有密碼保護，無法讀取；請解除保護後再上傳', 'the workbook is password-protected; remove the protection and upload it again');
    }
    throw new ReadError(
      `無法讀取 ${format.toUpperCase()} 試算表，檔案可能已損壞或不完整（${msg}）`,
      `cannot read the ${format.toUpperCase()} workbook; the file may be damaged or cut short (${msg})`,
    );
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** A date serial as ISO text: "2024-01-05", "2024-01-05T08:30:00", or "08:30:00" for a time alone. */
function serialToIso(value: number, date1904: boolean): string | undefined {
  const p = SSF.parse_date_code(value, { date1904 });
  if (!p) return undefined;
  const time = `${pad2(p.H)}:${pad2(p.M)}:${pad2(p.S)}`;
  if (value >= 0 && value < 1 && !date1904) return time;
  const date = `${String(p.y).padStart(4, '0')}-${pad2(p.m)}-${pad2(p.d)}`;
  return p.H || p.M || p.S ? `${date}T${time}` : date;
}

interface SheetStats { errors: { line: number; column: string; text: string }[]; errorCount: number }

function cellValue(cell: XLSX.CellObject | undefined, date1904: boolean, line: number, col: number, stats: SheetStats | undefined): RawCell {
  if (!cell) return null;
  switch (cell.t) {
    case 'n': {
      const v = cell.v as number;
      if (typeof cell.z === 'string' && SSF.is_date(cell.z)) return serialToIso(v, date1904) ?? v;
      return v;
    }
    case 's': {
      const s = String(cell.v ?? '');
      return s === '' ? null : s;
    }
    case 'b':
      return Boolean(cell.v);
    case 'd':
      return cell.v instanceof Date ? cell.v.toISOString().replace(/T00:00:00\.000Z$/, '').replace(/\.000Z$/, '') : null;
    case 'e':
      if (stats && stats.errorCount++ < MAX_LISTED) stats.errors.push({ line, column: XLSX.utils.encode_col(col), text: cell.w ?? '#ERR' });
      return null;
    case 'z':
      return null;
    default:
      return null;
  }
}

const cellText = (c: RawCell): string => (c === null ? '' : String(c));
const isBlank = (row: readonly RawCell[]): boolean => row.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));

function rangeText(m: XLSX.Range): string {
  return `${XLSX.utils.encode_cell(m.s)}:${XLSX.utils.encode_cell(m.e)}`;
}

function sheetTable(wb: XLSX.WorkBook, name: string, index: number): RawTable {
  const issues: ReadIssue[] = [];
  const ws = wb.Sheets[name];
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const hidden = wb.Workbook?.Sheets?.[index]?.Hidden ?? 0;
  if (hidden) issues.push({ level: 'warning', sheet: name, zh: `工作表「${name}」是隱藏的`, en: `sheet "${name}" is hidden` });

  const data = ws?.['!data'] ?? [];
  const ref = ws?.['!ref'];
  const range = ref ? XLSX.utils.decode_range(ref) : undefined;
  const lastRow = Math.min(range?.e.r ?? -1, data.length - 1);
  // The declared range may claim more than the sheet holds (a hostile file can say A1:XFD1048576).
  let widest = 0;
  for (let r = 0; r <= lastRow; r++) widest = Math.max(widest, data[r]?.length ?? 0);
  const lastCol = Math.min(range?.e.c ?? -1, widest - 1);
  const rowAt = (r: number, s?: SheetStats): RawCell[] => {
    const cells = data[r] ?? [];
    const out: RawCell[] = new Array<RawCell>(lastCol + 1);
    for (let c = 0; c <= lastCol; c++) out[c] = cellValue(cells[c], date1904, r + 1, c, s);
    return out;
  };

  // The layout is found as for CSV (title rows, header, notes), on the sheet's rows as text: the
  // first rows and the last ones, which is where titles and notes are.
  const sample: number[] = [];
  for (let r = 0; r <= Math.min(lastRow, LAYOUT_HEAD - 1); r++) sample.push(r);
  for (let r = Math.max(LAYOUT_HEAD, lastRow - LAYOUT_TAIL + 1); r <= lastRow; r++) sample.push(r);
  const records = sample.map((r) => rowAt(r).map(cellText));
  if (records.every((rec) => rec.every((t) => t.trim() === ''))) {
    issues.push({ level: 'warning', sheet: name, zh: `工作表「${name}」沒有資料`, en: `sheet "${name}" is empty` });
    return { name, columns: [], issues, rows: async function* () {} };
  }
  const layout = detectLayout(records);
  const headerRow = sample[layout.headerRow];
  const headerLine = headerRow + 1;
  const dataEnd = layout.dataEnd < sample.length ? sample[layout.dataEnd] : lastRow + 1;
  const headerRecord = records[layout.headerRow];
  const headerText = headerRecord.map((t) => t.trim());

  // One pass over the data: blank rows, error cells, repeated headers, and the table's width
  // (the last column with anything in it from the header down).
  let width = headerText.reduce((w, t, c) => (t ? c + 1 : w), 0);
  const blanks: number[] = [];
  const repeats: number[] = [];
  const stats: SheetStats = { errors: [], errorCount: 0 };
  for (let r = headerRow + 1; r < dataEnd; r++) {
    const row = rowAt(r, stats);
    let last = -1;
    let filledCells = 0;
    let numeric = false;
    let same = 0;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (v === null || (typeof v === 'string' && v.trim() === '')) continue;
      last = c;
      filledCells++;
      if (typeof v === 'number' || Number.isFinite(Number(v))) numeric = true;
      else if (typeof v === 'string' && v.trim() === headerText[c]) same++;
    }
    if (last < 0) {
      blanks.push(r);
      continue;
    }
    width = Math.max(width, last + 1);
    // Stacked tables and print pages repeat (part of) the header inside the data.
    if (!numeric && same > 0 && same * 2 >= filledCells) repeats.push(r);
  }

  // Merged cells: a header merged across columns names each column it covers ("金額", "金額_2");
  // merges in the data are reported, since only their first cell holds the value.
  const merges = ws?.['!merges'] ?? [];
  const headerCells: (string | null)[] = Array.from({ length: width }, (_, c) => headerText[c] || null);
  let listed = 0;
  for (const m of merges) {
    const where = rangeText(m);
    const inHeader = m.s.r <= headerRow && m.e.r >= headerRow;
    if (inHeader && m.e.c > m.s.c) {
      const label = cellText(cellValue(data[m.s.r]?.[m.s.c], date1904, m.s.r + 1, m.s.c, undefined)).trim();
      for (let c = m.s.c; c <= Math.min(m.e.c, width - 1); c++) if (!headerCells[c] && label) headerCells[c] = label;
      issues.push({
        level: 'warning', sheet: name, line: m.s.r + 1, column: XLSX.utils.encode_col(m.s.c),
        zh: `欄位標題「${label}」是跨欄合併儲存格（${where}），所涵蓋的每一欄都以它命名`,
        en: `header "${label}" is a cell merged across columns (${where}); each column it covers is named after it`,
      });
      continue;
    }
    // Inside titles or notes (skipped anyway), or a header cell merged downwards (only looks).
    if (inHeader || m.e.r < headerRow || m.s.r >= dataEnd) continue;
    if (++listed <= MAX_LISTED) {
      issues.push({
        level: 'warning', sheet: name, line: m.s.r + 1, column: XLSX.utils.encode_col(m.s.c),
        zh: `合併儲存格 ${where}：值只在第一格，其他格讀為空白`,
        en: `merged cells ${where}: the value is in the first cell only; the others read as empty`,
      });
    }
  }
  if (listed > MAX_LISTED) {
    issues.push({ level: 'warning', sheet: name, zh: `另有 ${listed - MAX_LISTED} 個合併儲存格`, en: `${listed - MAX_LISTED} more merged ranges` });
  }

  const columns = uniqueColumns(headerCells, issues, headerLine);
  for (const i of issues) i.sheet ??= name;

  const joined = (i: number): string => records[i].filter((t) => t.trim() !== '').join(' ').trim();
  for (const i of layout.titleRows) {
    const r = sample[i];
    issues.push({ level: 'warning', sheet: name, line: r + 1, zh: `第 ${r + 1} 列是標題，不是資料：${joined(i)}`, en: `row ${r + 1} is a title, not data: ${joined(i)}` });
  }
  if (headerRow > 0) {
    issues.push({ level: 'warning', sheet: name, line: headerLine, zh: `欄位標題在第 ${headerLine} 列`, en: `the header is on row ${headerLine}` });
  }
  for (const i of layout.noteRows) {
    const r = sample[i];
    issues.push({ level: 'warning', sheet: name, line: r + 1, zh: `第 ${r + 1} 列是附註，不是資料：${joined(i)}`, en: `row ${r + 1} is a note, not data: ${joined(i)}` });
  }
  if (blanks.length) {
    const shown = blanks.slice(0, MAX_LISTED).map((r) => r + 1).join(', ');
    const more = blanks.length > MAX_LISTED ? '…' : '';
    issues.push({ level: 'warning', sheet: name, line: blanks[0] + 1, zh: `略過 ${blanks.length} 個空白列（第 ${shown}${more} 列）`, en: `${blanks.length} blank rows skipped (rows ${shown}${more})` });
  }
  for (const r of repeats.slice(0, MAX_LISTED)) {
    const text = rowAt(r).slice(0, width).map(cellText).filter((t) => t.trim() !== '').join(' ').replace(/\s+/g, ' ');
    issues.push({
      level: 'warning', sheet: name, line: r + 1,
      zh: `第 ${r + 1} 列重複了欄位標題，可能是另一個表或另一頁的開頭：${text}`,
      en: `row ${r + 1} repeats the header; another table or page may start there: ${text}`,
    });
  }
  for (const e of stats.errors) {
    issues.push({ level: 'warning', sheet: name, line: e.line, column: e.column, zh: `儲存格 ${e.column}${e.line} 是錯誤值 ${e.text}，讀為空白`, en: `cell ${e.column}${e.line} holds the error ${e.text}; read as empty` });
  }
  if (stats.errorCount > MAX_LISTED) {
    issues.push({ level: 'warning', sheet: name, zh: `另有 ${stats.errorCount - MAX_LISTED} 個錯誤值儲存格`, en: `${stats.errorCount - MAX_LISTED} more cells hold errors` });
  }

  return {
    name,
    columns,
    issues,
    rows: async function* () {
      for (let r = headerRow + 1; r < dataEnd; r++) {
        const row = rowAt(r).slice(0, columns.length);
        if (isBlank(row)) continue;
        yield row;
      }
    },
  };
}

/**
 * Reads an XLSX, XLS or ODS workbook: one table per sheet, in workbook order. Throws ReadError
 * (zh + en) for a file that is not a workbook, is damaged, truncated, encrypted or too large;
 * everything else (title and note rows, merged cells, blank rows, error cells, hidden sheets)
 * goes into each table's issues.
 */
export async function readWorkbook(path: string, options: ReadWorkbookOptions = {}): Promise<Workbook> {
  const maxBytes = options.maxBytes ?? 64 * MiB;
  const maxUncompressed = options.maxUncompressedBytes ?? 512 * MiB;
  const size = (await stat(path)).size;
  if (size > maxBytes) {
    throw new ReadError(
      `試算表太大（${Math.ceil(size / MiB)} MB，上限 ${Math.floor(maxBytes / MiB)} MB）；請另存成 CSV 再上傳`,
      `the workbook is too large (${Math.ceil(size / MiB)} MB, limit ${Math.floor(maxBytes / MiB)} MB); save it as CSV and upload that`,
    );
  }
  const buf = await readFile(path);
  const container = containerOf(buf);
  if (!container) {
    const { zh, en } = describeNonSpreadsheet(buf);
    throw new ReadError(zh, en);
  }
  let format: Workbook['format'] = 'xls';
  if (container === 'zip') {
    const directory = zipDirectory(buf);
    if (!directory) {
      throw new ReadError('試算表檔案不完整或已損壞（找不到 zip 目錄）；請重新匯出後再上傳', 'the workbook is incomplete or damaged (its zip directory is missing); export it again and upload it');
    }
    if (directory.uncompressed > maxUncompressed) {
      throw new ReadError(
        `試算表解壓縮後超過 ${Math.floor(maxUncompressed / MiB)} MB，不予讀取；請另存成 CSV 再上傳`,
        `the workbook unpacks to more than ${Math.floor(maxUncompressed / MiB)} MB and is not read; save it as CSV and upload that`,
      );
    }
    // An OpenDocument package has content.xml; an Office Open XML one has [Content_Types].xml.
    if (directory.names.has('content.xml') && !directory.names.has('[Content_Types].xml')) format = 'ods';
    else if (directory.names.has('[Content_Types].xml')) format = 'xlsx';
    else throw new ReadError('這個 zip 檔不是 XLSX 或 ODS 試算表', 'this zip file is not an XLSX or ODS workbook');
  }
  const wb = parseWorkbook(buf, format);
  if (wb.SheetNames.length === 0) throw new ReadError('試算表沒有任何工作表', 'the workbook has no sheets');
  return { format, sheets: wb.SheetNames.map((name, i) => ({ name, table: sheetTable(wb, name, i) })) };
}
