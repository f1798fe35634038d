import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import * as XLSX from '@e965/xlsx';
import yauzl from 'yauzl';
import { writeOds } from '../export/ods.ts';
import { writeCsv } from '../export/text-formats.ts';
import { writeXlsx } from '../export/xlsx.ts';
import { ChunkParser } from '../ingest/csv-reader.ts';
import { sniffDialect } from '../ingest/dialect.ts';
import { decode, detectEncoding, encodingToRead } from '../ingest/encoding.ts';
import { readHead } from '../ingest/file-head.ts';
import { ReadError, type RawCell } from '../ingest/table.ts';
import { normaliseCell } from '../ingest/values.ts';
import type { ApprovedItem, InventoryItem, ItemInput, ItemProblem } from './inventory.types.ts';
import { ITEM_FIELDS, LIST_UNIT_HEADING, parseItems, PUBLIC_LIST_FIELDS, type ItemField } from './inventory.validation.ts';

/**
 * The inventory as a spreadsheet (issue 6, 年度盤點): the blank template, a unit's items exported,
 * and a filled-in file read back into items. One sheet, one header row of the Chinese headings of
 * ITEM_FIELDS, one item per row; no hint row (it would be read back as data), the hints being in
 * the form and in `kaifang inventory template`'s output. What is written reads back as the same
 * items (choices as their zh labels, 是/否, ISO dates).
 *
 * The reader keeps each row's position in the file, because every problem names the line the
 * clerk sees in Excel or LibreOffice (header on line 1 → first item on line 2; blank rows and
 * title lines above the header counted). The ingest readers (openTableFile) hand over rows without
 * their positions and skip blank rows, so the records are read here from the same parts: CSV by
 * the ingest module's encoding detection (UTF-8 or Big5), dialect sniffing and record parser;
 * workbooks (XLSX, XLS, ODS) by SheetJS, the library the ingest module reads XLS with. An
 * inventory is small (a few hundred rows) and is imported all or nothing, so it is read whole,
 * within MAX_BYTES and MAX_ROWS.
 */

export type SheetFormat = 'csv' | 'ods' | 'xlsx' | 'xls';
export const SHEET_FORMATS: readonly SheetFormat[] = ['csv', 'ods', 'xlsx', 'xls'];
/** What the template and exports are written as (XLS is read, not written). */
export type WriteFormat = Exclude<SheetFormat, 'xls'>;

/** Largest file read (an inventory of thousands of items is well under 1 MB). */
export const MAX_BYTES = 16 * 1024 * 1024;
/** Most data rows read: far above any unit's inventory, low enough to refuse a runaway file early. */
export const MAX_ROWS = 10_000;
/** Most bytes a workbook's zip may inflate to (SheetJS inflates it whole: a zip bomb must not get that far). */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
/** Rows from the top in which the header is looked for (title lines may sit above it). */
const HEADER_SEARCH_ROWS = 30;

const SHEET_NAME = '資料盤點清單';

/** Something the clerk may want to know that does not stop the import (an unknown column). */
export interface SheetWarning {
  row: number;
  column: string;
  zh: string;
  en: string;
}

export interface SheetReadResult {
  /** The items, only when the file has no problem at all (all or nothing). */
  items: ItemInput[];
  /** Every problem: by row (the file's line) and column; row 0 is the file as a whole. */
  problems: ItemProblem[];
  warnings: SheetWarning[];
  /** Each item's line in the file (for problems found later, e.g. an unknown dataset). */
  lines: number[];
  /** Data rows read (blank rows not counted). */
  rows: number;
}

export interface WriteSheetOptions {
  /** The identifier of each linked dataset by its id (the sheet shows identifiers, not internal ids). */
  datasetIdentifiers?: ReadonlyMap<string, string>;
  /** Sheet name of ODS and XLSX files. */
  sheetName?: string;
}

/** The format a file name asks for, by its extension (.csv, .txt, .ods, .xlsx, .xls). */
export function sheetFormatOf(file: string): SheetFormat | undefined {
  const ext = path.extname(file).slice(1).toLowerCase();
  if (ext === 'txt') return 'csv';
  return (SHEET_FORMATS as readonly string[]).includes(ext) ? (ext as SheetFormat) : undefined;
}

const label = (f: ItemField, value: string | null | undefined): string | null => {
  if (value === null || value === undefined) return null;
  return f.options?.find(([id]) => id === value)?.[1] ?? value;
};

/** One item as a row of cells, in ITEM_FIELDS order, as a clerk writes it. */
export function itemCells(item: InventoryItem | ItemInput, opts: WriteSheetOptions = {}): RawCell[] {
  return ITEM_FIELDS.map((f): RawCell => {
    if (f.id === 'genderFlag') return item.genderFlag ? '是' : '否';
    if (f.id === 'priority') return item.priority;
    if (f.id === 'datasetRef') {
      if ('datasetId' in item) return item.datasetId ? (opts.datasetIdentifiers?.get(item.datasetId) ?? item.datasetId) : null;
      return item.datasetRef ?? null;
    }
    const v = item[f.id];
    const text = typeof v === 'string' ? v : null;
    return f.kind === 'select' ? label(f, text) : text;
  });
}

/**
 * Writes items (none: the blank template) as a spreadsheet to `out`, which it ends: the Chinese
 * headings in ITEM_FIELDS order, choices as their zh labels, 是/否, ISO dates, linked datasets by
 * identifier. CSV is UTF-8 with a BOM, so that Excel opens it as UTF-8.
 */
export async function writeInventorySheet(items: readonly (InventoryItem | ItemInput)[], out: Writable, format: WriteFormat, opts: WriteSheetOptions = {}): Promise<void> {
  const columns = ITEM_FIELDS.map((f) => f.heading);
  const rows = items.map((item) => itemCells(item, opts));
  const sheetName = opts.sheetName ?? SHEET_NAME;
  switch (format) {
    case 'csv':
      await writeCsv(columns, (async function* () {
        yield* rows;
      })(), out, { bom: true });
      return;
    case 'ods':
      await writeOds(columns, rows, out, { sheetName });
      return;
    case 'xlsx':
      await writeXlsx(columns, rows, out, { sheetName });
      return;
  }
}

/**
 * The approved list as published (/inventory/<year>.csv): 單位 (the unit's title) and PUBLIC_LIST_FIELDS —
 * the same columns the list's catalogue dataset declares as its fields.
 */
export async function writeApprovedList(items: readonly ApprovedItem[], out: Writable): Promise<void> {
  const keep = ITEM_FIELDS.map((f) => PUBLIC_LIST_FIELDS.includes(f));
  const rows = items.map((i): RawCell[] => [i.unitTitle, ...itemCells({ ...i, ownerUnit: i.ownerUnit ?? i.unitTitle, priority: 0, datasetRef: null, notes: null }).filter((_, k) => keep[k])]);
  await writeCsv([LIST_UNIT_HEADING, ...PUBLIC_LIST_FIELDS.map((f) => f.heading)], (async function* () {
    yield* rows;
  })(), out, { bom: true });
}

// ——— reading ———

/** A heading as compared: full-width forms folded (NFKC), spaces and marks of "required" removed, lower case. */
export function headingKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u3000\u00a0]+/g, '')
    .replace(/[(（[【]?(必填|選填|required|optional)[)）\]】]?/gi, '')
    .replace(/^[*＊]+|[*＊:：]+$/g, '')
    .toLowerCase();
}

const HEADING_KEYS: ReadonlyMap<string, ItemField> = (() => {
  const m = new Map<string, ItemField>();
  for (const f of ITEM_FIELDS) for (const h of [f.heading, f.headingEn, f.id, ...(f.aliases ?? [])]) if (!m.has(headingKey(h))) m.set(headingKey(h), f);
  return m;
})();

/** One record of the file with its line as a spreadsheet shows it (1-based row). */
interface NumberedRow {
  line: number;
  cells: RawCell[];
}

const cellText = (c: RawCell | undefined): string => (c === null || c === undefined ? '' : typeof c === 'string' ? c : String(c));
const blank = (cells: readonly RawCell[]): boolean => cells.every((c) => cellText(c).trim() === '');

/** A file-level problem (row 0: the file as a whole; or the header's line). */
const fileProblem = (zh: string, en: string, row = 0, column = '', field = ''): ItemProblem => ({ row, field, column, zh, en });

class SheetRefusal extends Error {
  constructor(readonly problem: ItemProblem) {
    super(`${problem.zh} / ${problem.en}`);
  }
}
const refuse = (zh: string, en: string): never => {
  throw new SheetRefusal(fileProblem(zh, en));
};

const WHAT_TO_DO = { zh: '請上傳盤點範本格式的 .xlsx、.ods、.xls 或 .csv 檔', en: 'upload the inventory as .xlsx, .ods, .xls or .csv in the template\'s layout' };

/** CSV (UTF-8, Big5, UTF-16 …, as detected by the ingest module): records with their row numbers. */
async function csvRows(file: string): Promise<NumberedRow[]> {
  const { bytes, size } = await readHead(file, MAX_BYTES + 1);
  if (size === 0) refuse(`檔案是空的；${WHAT_TO_DO.zh}`, `the file is empty; ${WHAT_TO_DO.en}`);
  if (size > MAX_BYTES) refuse(`檔案過大（超過 ${MAX_BYTES / 1024 / 1024} MB），不像盤點清單；${WHAT_TO_DO.zh}`, `the file is too large (over ${MAX_BYTES / 1024 / 1024} MB) for an inventory; ${WHAT_TO_DO.en}`);
  if (containerOf(bytes)) refuse(`這個檔案是試算表活頁簿，不是 CSV；請改用 .xlsx、.ods 或 .xls 副檔名，或另存成 CSV`, `this file is a workbook, not a CSV: give it its .xlsx, .ods or .xls extension, or save it as CSV`);
  const encoding = encodingToRead(detectEncoding(bytes, { complete: true }));
  const text = decode(bytes, encoding);
  if (text.slice(0, 4096).includes('\u0000') || isImage(bytes)) refuse(`這個檔案不是文字檔（含二進位內容），不是 CSV；${WHAT_TO_DO.zh}`, `this file holds binary content: it is not a CSV; ${WHAT_TO_DO.en}`);
  const parser = new ChunkParser(sniffDialect(text.slice(0, 256 * 1024)), false);
  const records = [...parser.push(text).records, ...parser.end().records];
  // Excel shows one row per record, whatever line breaks a quoted cell holds.
  return records.map((r, i) => ({ line: i + 1, cells: r.map((c) => (c === '' ? null : c)) }));
}

type Container = 'zip' | 'ole2';
function containerOf(head: Buffer): Container | undefined {
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) return 'ole2';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return 'zip';
  return undefined;
}
const isImage = (b: Buffer): boolean => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) || (b[0] === 0xff && b[1] === 0xd8) || b.subarray(0, 4).toString('latin1') === 'GIF8' || b.subarray(0, 4).toString('latin1') === '%PDF';

interface DateCode { y: number; m: number; d: number; H: number; M: number; S: number }
const SSF = XLSX.SSF as { is_date(format: string): boolean; parse_date_code(value: number, options?: { date1904?: boolean }): DateCode | null };
const pad2 = (n: number): string => String(n).padStart(2, '0');

function workbookCell(cell: XLSX.CellObject | undefined, date1904: boolean): RawCell {
  if (!cell) return null;
  switch (cell.t) {
    case 'n': {
      const v = cell.v as number;
      if (typeof cell.z === 'string' && SSF.is_date(cell.z)) {
        const p = SSF.parse_date_code(v, { date1904 });
        if (p) return `${String(p.y).padStart(4, '0')}-${pad2(p.m)}-${pad2(p.d)}`;
      }
      return v;
    }
    case 's':
      return cell.v === undefined || cell.v === '' ? null : String(cell.v);
    case 'b':
      return Boolean(cell.v);
    case 'd':
      return cell.v instanceof Date ? cell.v.toISOString().slice(0, 10) : null;
    case 'e':
    case 'z':
      // Errors (#N/A) and stubs read as empty.
      return null;
  }
}

/** XLSX, ODS, XLS: the rows of the first sheet that has the inventory's header (else the first sheet with anything in it). */
async function workbookRows(file: string, format: SheetFormat): Promise<NumberedRow[]> {
  const { bytes, size } = await readHead(file, MAX_BYTES + 1);
  const name = format.toUpperCase();
  if (size === 0) refuse(`檔案是空的；${WHAT_TO_DO.zh}`, `the file is empty; ${WHAT_TO_DO.en}`);
  if (size > MAX_BYTES) refuse(`檔案過大（超過 ${MAX_BYTES / 1024 / 1024} MB），不像盤點清單；${WHAT_TO_DO.zh}`, `the file is too large (over ${MAX_BYTES / 1024 / 1024} MB) for an inventory; ${WHAT_TO_DO.en}`);
  const container = containerOf(bytes);
  const expected: Container = format === 'xls' ? 'ole2' : 'zip';
  if (container !== expected) {
    const what = isImage(bytes) ? { zh: '（看來是圖片或 PDF）', en: ' (it looks like an image or a PDF)' } : /^\s*<(!doctype html|html|table)/i.test(bytes.subarray(0, 512).toString('latin1')) ? { zh: '（是網頁 HTML）', en: ' (it is a web page, HTML)' } : { zh: '', en: '' };
    refuse(`這個檔案不是 ${name} 試算表${what.zh}；請用 Excel 或 LibreOffice 開啟範本、填寫後另存為 .xlsx、.ods 或 .csv 再匯入`, `this file is not an ${name} workbook${what.en}; fill in the template in Excel or LibreOffice, save it as .xlsx, .ods or .csv and import that`);
  }
  if (container === 'zip') await checkInflatedSize(file, name);
  let wb: XLSX.WorkBook;
  // SheetJS reports records it skips on console.error; they are not the clerk's concern here.
  const consoleError = console.error;
  console.error = () => undefined;
  try {
    wb = XLSX.read(bytes, { type: 'buffer', dense: true, cellDates: false, cellNF: true, cellFormula: false, cellHTML: false, cellStyles: false, bookVBA: false, sheetRows: MAX_ROWS + HEADER_SEARCH_ROWS + 1 });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/password|encrypt/i.test(msg)) refuse('試算表有密碼保護，無法讀取；請解除保護後再匯入', 'the workbook is password-protected; remove the protection and import it again');
    refuse(`無法讀取 ${name} 試算表，檔案可能已損壞或不完整（${msg}）；請重新存檔後再匯入`, `cannot read the ${name} workbook; it may be damaged or cut short (${msg}); save it again and import that`);
    throw err;
  } finally {
    console.error = consoleError;
  }
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  const sheets = wb.SheetNames.map((sheetName) => {
    const data = wb.Sheets[sheetName]?.['!data'] ?? [];
    const rows: NumberedRow[] = [];
    data.forEach((src, r) => {
      if (!src) return;
      const cells = src.map((c) => workbookCell(c, date1904));
      if (!blank(cells)) rows.push({ line: r + 1, cells });
    });
    return rows;
  });
  return sheets.find((rows) => findHeader(rows) !== undefined) ?? sheets.find((rows) => rows.length > 0) ?? [];
}

/**
 * Inflates every entry of the zip once, as a stream, with yauzl (which holds each entry to its
 * declared size), and refuses the file past MAX_INFLATED_BYTES: SheetJS then inflates the same,
 * bounded, bytes.
 */
async function checkInflatedSize(file: string, name: string): Promise<void> {
  const damaged = (err: unknown): never => {
    const msg = err instanceof Error ? err.message : String(err);
    if (/encrypt/i.test(msg)) return refuse('試算表有密碼保護，無法讀取；請解除保護後再匯入', 'the workbook is password-protected; remove the protection and import it again');
    return refuse(`無法讀取 ${name} 試算表，檔案可能已損壞或不完整（${msg}）；請重新存檔後再匯入`, `cannot read the ${name} workbook; it may be damaged or cut short (${msg}); save it again and import that`);
  };
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch (err) {
    return damaged(err);
  }
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      total += entry.uncompressedSize;
      if (total > MAX_INFLATED_BYTES) {
        refuse(`試算表解壓縮後超過 ${MAX_INFLATED_BYTES / 1024 / 1024} MB，不像盤點清單；請確認檔案`, `the workbook inflates to over ${MAX_INFLATED_BYTES / 1024 / 1024} MB: not an inventory; check the file`);
      }
      if (entry.fileName.endsWith('/')) continue;
      const stream = await zip.openReadStreamPromise(entry);
      // Read to the end: yauzl fails the stream when it inflates to more than the entry declares.
      stream.resume();
      await finished(stream);
    }
  } catch (err) {
    if (err instanceof SheetRefusal) throw err;
    damaged(err);
  } finally {
    zip.close();
  }
}

/** The header: the first row near the top in which at least two cells are headings of the inventory. */
function findHeader(rows: readonly NumberedRow[]): number | undefined {
  for (let i = 0; i < Math.min(rows.length, HEADER_SEARCH_ROWS); i++) {
    const known = new Set(rows[i].cells.map((c) => HEADING_KEYS.get(headingKey(cellText(c)))).filter((f) => f !== undefined));
    if (known.size >= 2) return i;
  }
  return undefined;
}

/** A cell as the validation reads it; a spreadsheet export's protective apostrophe ('=…, see neutraliseFormula) taken off. */
function cellValue(c: RawCell | undefined): unknown {
  if (typeof c === 'string' && /^'[=+\-@\t\r]/.test(c)) return c.slice(1);
  return c ?? null;
}

/**
 * Reads a filled-in inventory: columns mapped by heading (or an alias; spacing and full-width
 * forms do not matter), title lines above the header passed over, blank rows skipped, each row
 * checked by parseItems and named by its line in the file. A missing required column is one
 * problem; an unknown column a warning. A file with any problem gives no items. Files that are
 * not a spreadsheet, empty, damaged or of another format give a problem saying what to do; this
 * function does not throw for anything wrong with the file.
 */
export async function readInventorySheet(file: string, format?: string, opts: { /** The name the clerk gave the file (an upload's), for its format and the messages. */ name?: string } = {}): Promise<SheetReadResult> {
  const result = (problems: ItemProblem[], warnings: SheetWarning[] = [], rows = 0): SheetReadResult => ({ items: [], problems, warnings, lines: [], rows });
  const shown = path.basename(opts.name ?? file);
  const fmt = (format ? format.toLowerCase().replace(/^\./, '') : sheetFormatOf(opts.name ?? file)) as SheetFormat | undefined;
  if (!fmt || !SHEET_FORMATS.includes(fmt)) {
    return result([fileProblem(`無法匯入「${shown}」這種檔案；${WHAT_TO_DO.zh}`, `cannot import a file like "${shown}"; ${WHAT_TO_DO.en}`)]);
  }
  let records: NumberedRow[];
  try {
    records = fmt === 'csv' ? await csvRows(file) : await workbookRows(file, fmt);
  } catch (err) {
    if (err instanceof SheetRefusal) return result([err.problem]);
    if (err instanceof ReadError) return result([fileProblem(`${err.zh}；${WHAT_TO_DO.zh}`, `${err.en}; ${WHAT_TO_DO.en}`, err.where.line ?? 0)]);
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    if (code === 'ENOENT') return result([fileProblem(`找不到檔案：${file}`, `no such file: ${file}`)]);
    if (code === 'EISDIR') return result([fileProblem(`不是檔案：${file}`, `not a file: ${file}`)]);
    if (code === 'EACCES' || code === 'EPERM') return result([fileProblem(`無法讀取檔案（權限不足）：${file}`, `cannot read the file (permission denied): ${file}`)]);
    throw err;
  }

  const nonBlank = records.filter((r) => !blank(r.cells));
  if (nonBlank.length === 0) return result([fileProblem(`檔案沒有任何內容；請從盤點範本開始填寫（第 1 列為欄位標題）`, 'the file has nothing in it; start from the inventory template (headings on line 1)')]);
  const h = findHeader(nonBlank);
  const headings = ITEM_FIELDS.map((f) => f.heading).join('、');
  if (h === undefined) {
    return result([fileProblem(`找不到盤點清單的欄位標題列（前 ${HEADER_SEARCH_ROWS} 列中沒有「資料名稱」、「資料分級」等標題）；請使用盤點範本，標題為：${headings}`, `no inventory header found (none of the first ${HEADER_SEARCH_ROWS} rows has headings such as 資料名稱, 資料分級); use the inventory template, whose headings are: ${headings}`)]);
  }
  const header = nonBlank[h];
  const problems: ItemProblem[] = [];
  const warnings: SheetWarning[] = [];

  // Columns → fields.
  const columnOf = new Map<ItemField['id'], number>();
  const unknown: string[] = [];
  header.cells.forEach((c, i) => {
    const text = normaliseCell(cellText(c));
    if (!text) return;
    const f = HEADING_KEYS.get(headingKey(text));
    if (!f) {
      unknown.push(text);
      return;
    }
    const first = columnOf.get(f.id);
    if (first !== undefined) {
      problems.push(fileProblem(
        `第 ${header.line} 列：「${text}」與「${normaliseCell(cellText(header.cells[first]))}」都是「${f.heading}」欄，請刪除其中一欄`,
        `line ${header.line}: "${text}" and "${normaliseCell(cellText(header.cells[first]))}" are both the "${f.heading}" (${f.headingEn}) column; delete one of them`,
        header.line, text, f.id,
      ));
      return;
    }
    columnOf.set(f.id, i);
  });
  if (unknown.length) {
    warnings.push({
      row: header.line,
      column: unknown.join('、'),
      zh: `第 ${header.line} 列：不認得的欄位「${unknown.join('」、「')}」，其內容不匯入`,
      en: `line ${header.line}: unknown column${unknown.length > 1 ? 's' : ''} "${unknown.join('", "')}" not imported`,
    });
  }
  for (const f of ITEM_FIELDS) {
    if (f.required !== true || columnOf.has(f.id)) continue;
    problems.push(fileProblem(
      `缺少必要欄位「${f.heading}」：請在第 ${header.line} 列加上這一欄（可從盤點範本複製標題）`,
      `the required column "${f.heading}" (${f.headingEn}) is missing: add it to the header on line ${header.line} (copy the headings from the inventory template)`,
      header.line, f.heading, f.id,
    ));
  }

  const data = nonBlank.slice(h + 1);
  if (data.length > MAX_ROWS) {
    problems.push(fileProblem(`資料超過 ${MAX_ROWS} 列，不像一個單位的盤點清單；請確認檔案`, `more than ${MAX_ROWS} rows: not one unit's inventory; check the file`));
    return result(problems, warnings, data.length);
  }
  if (problems.length) return result(problems, warnings, data.length);

  const rows = data.map((r) => {
    const raw: Record<string, unknown> = {};
    for (const [id, i] of columnOf) raw[id] = cellValue(r.cells[i]);
    return { raw, row: r.line };
  });
  const parsed = parseItems(rows);
  return { items: parsed.items, problems: parsed.problems, warnings, lines: parsed.items.length ? rows.map((r) => r.row) : [], rows: data.length };
}
