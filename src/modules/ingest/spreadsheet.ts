/**
 * Spreadsheet readers (issue 4): XLSX, XLS (BIFF8, e.g. DGBAS's Big5/code page 950 workbooks) and
 * ODS, one RawTable per sheet, with the header found under the title rows and the notes cut off.
 *
 * Libraries, and why:
 * - XLSX and ODS are streamed: yauzl opens the zip by its central directory (entries are read in
 *   the order we need, each inflated as a stream with its declared size enforced) and saxes
 *   parses the XML as it comes. Only an XLSX's shared-string table and cell formats are held in
 *   memory, never a sheet: a 1,000,000-row XLSX reads in ~130 MB peak RSS, where SheetJS, which
 *   parses a workbook whole, took 1.6 GB on the same file. exceljs' streaming reader was tried
 *   and dropped: it ignores merged cells, fails on cells without an address, and brings 190
 *   packages. SheetJS's ODS reader was dropped too: it strips ideographic spaces (U+3000, DGBAS's
 *   indentation of sub-items) and runs of spaces that LibreOffice keeps.
 * - XLS goes through SheetJS Community Edition 0.20.3, from npm as `@e965/xlsx` (a verbatim
 *   republication of SheetJS's release; SheetJS stopped publishing to npm at 0.18.5, whose copy
 *   has the prototype-pollution and ReDoS advisories fixed in 0.19.3 / 0.20.2). It is the one
 *   maintained JavaScript library that reads BIFF8 with its code pages (cpexcel tables), merged
 *   ranges, formulas' cached values and the 1904 date system, and it has no dependencies. It
 *   parses whole files, so XLS files over `maxBytes` are refused before parsing (a BIFF8 sheet
 *   holds at most 65,536 rows anyway).
 *
 * Only real OLE2 (XLS) and zip (XLSX/ODS) containers are accepted: SheetJS would otherwise happily
 * guess at CSV, HTML or SYLK, which have their own readers.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import * as XLSX from '@e965/xlsx';
import * as cptable from '@e965/xlsx/dist/cpexcel.full.mjs';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import yauzl from 'yauzl';
import { readHead } from './file-head.ts';
import { cleanHeader, decideHeader, detectLayout, HeaderChoiceError, type HeaderChoice } from './dialect.ts';
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
  /** Why the sheet is not loadable as a table as it is (a printed report layout), with what to do. */
  refusal?: { zh: string; en: string; line: number };
}

export interface Workbook {
  /** Sheets in workbook order (hidden ones too, with an issue saying so). */
  sheets: WorkbookSheet[];
  format: 'xlsx' | 'xls' | 'ods';
}

export interface ReadWorkbookOptions {
  /** Largest XLS file accepted (default 64 MiB): SheetJS holds it whole in memory. XLSX and ODS stream. */
  maxBytes?: number;
  /** Largest uncompressed size of an XLSX's shared strings and of its styles, which are held in memory (default 512 MiB). */
  maxUncompressedBytes?: number;
  /** The header rows the contact chose (1-based rows; else found, or the sheet refused when it is a report layout). */
  header?: HeaderChoice;
}

const MiB = 1024 * 1024;
/** Issues of one kind beyond this many are summed up in one line rather than listed. */
const MAX_LISTED = 20;
/** Rows from the top and from the bottom of a sheet on which its layout is found. */
const LAYOUT_HEAD = 500;
const LAYOUT_TAIL = 50;
/** Excel's limits: a cell address past these is damage, not data. */
const MAX_ROWS = 1_048_576;
const MAX_COLS = 16_384;
const MAX_CELL_CHARS = 1_000_000;

const damaged = (detail: string, sheet?: string): ReadError =>
  new ReadError(`試算表檔案已損壞或不完整（${detail}）；請重新匯出後再上傳`, `the workbook is damaged or incomplete (${detail}); export it again and upload it`, sheet ? { sheet } : {});

type Container = 'ole2' | 'zip';

function containerOf(head: Buffer): Container | undefined {
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) return 'ole2';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return 'zip';
  return undefined;
}

function describeNonSpreadsheet(head: Buffer): { zh: string; en: string } {
  const text = head.toString('latin1').trimStart().toLowerCase();
  if (head.length === 0) return { zh: '檔案是空的', en: 'the file is empty' };
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || text.includes('<table')) {
    return { zh: '這個檔案是網頁（HTML）而不是試算表；請用 Excel 另存成 .xlsx 或 .csv 再上傳', en: 'this file is a web page (HTML), not a spreadsheet; save it from Excel as .xlsx or .csv and upload that' };
  }
  if (text.startsWith('<?xml')) return { zh: '這個檔案是 XML 而不是 XLSX、XLS 或 ODS 試算表', en: 'this file is XML, not an XLSX, XLS or ODS workbook' };
  return { zh: '這個檔案不是 XLSX、XLS 或 ODS 試算表（既非 zip 也非 OLE2 格式）', en: 'this file is not an XLSX, XLS or ODS workbook (neither a zip nor an OLE2 container)' };
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

/** Error cells (#DIV/0!, #N/A) seen while reading: the first few with where, and how many. */
interface SheetStats { errors: { line: number; column: string; text: string }[]; errorCount: number }

function noteError(stats: SheetStats | undefined, line: number, col: number, text: string): null {
  if (stats && stats.errorCount++ < MAX_LISTED) stats.errors.push({ line, column: XLSX.utils.encode_col(col), text });
  return null;
}

const cellText = (c: RawCell): string => (c === null ? '' : String(c));
const isBlank = (row: readonly RawCell[]): boolean => row.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));
const rangeText = (m: XLSX.Range): string => `${XLSX.utils.encode_cell(m.s)}:${XLSX.utils.encode_cell(m.e)}`;

/** One row as a sheet holds it: 0-based index, cells from column A (null = empty). */
interface SheetRow { index: number; cells: RawCell[] }

/**
 * A sheet as the layout finder sees it, whatever the format: its rows in order (rows with
 * nothing in them may be left out), read afresh on each call, and its merged ranges (complete
 * once the rows have been read through, since XLSX lists them after the cells).
 */
interface SheetSource {
  name: string;
  hidden: boolean;
  rows(stats?: SheetStats): AsyncIterable<SheetRow>;
  merges: XLSX.Range[];
}

// ——— layout, common to every format ———

/**
 * Turns a sheet into a RawTable: finds title rows, header and notes on the first and last rows
 * (detectLayout, as for CSV), then reads the data block once to find its width, blank rows,
 * repeated headers and error cells. rows() reads the sheet again, lazily.
 */
async function sheetTable(source: SheetSource, choice?: HeaderChoice): Promise<RawTable & { refusal?: WorkbookSheet['refusal'] }> {
  const { name } = source;
  const issues: ReadIssue[] = [];
  if (source.hidden) issues.push({ level: 'warning', sheet: name, zh: `工作表「${name}」是隱藏的`, en: `sheet "${name}" is hidden` });

  // First pass: the first LAYOUT_HEAD rows and the last LAYOUT_TAIL ones.
  const head: SheetRow[] = [];
  let tail: SheetRow[] = [];
  let lastIndex = -1;
  for await (const row of source.rows()) {
    lastIndex = row.index;
    if (row.index < LAYOUT_HEAD) head.push(row);
    else {
      tail.push(row);
      if (tail.length > LAYOUT_TAIL * 2) tail = tail.slice(-LAYOUT_TAIL);
    }
  }
  const sample: number[] = [];
  for (let r = 0; r <= Math.min(lastIndex, LAYOUT_HEAD - 1); r++) sample.push(r);
  for (let r = Math.max(LAYOUT_HEAD, lastIndex - LAYOUT_TAIL + 1); r <= lastIndex; r++) sample.push(r);
  const byIndex = new Map<number, RawCell[]>();
  for (const row of [...head, ...tail]) byIndex.set(row.index, row.cells);
  const records = sample.map((r) => (byIndex.get(r) ?? []).map(cellText));
  if (records.every((rec) => rec.every((t) => t.trim() === ''))) {
    issues.push({ level: 'warning', sheet: name, zh: `工作表「${name}」沒有資料`, en: `sheet "${name}" is empty` });
    return { name, columns: [], issues, rows: async function* () {} };
  }
  const layout = detectLayout(records);
  let verdict;
  try {
    verdict = decideHeader(records, layout, (i) => sample[i] + 1, choice, 'row');
  } catch (err) {
    if (err instanceof HeaderChoiceError) return { name, columns: [], issues, rows: async function* () {}, refusal: { zh: `工作表「${name}」：${err.zh}`, en: `sheet "${name}": ${err.en}`, line: choice?.line ?? 1 } };
    throw err;
  }
  if (verdict.refusal) return { name, columns: [], issues, rows: async function* () {}, refusal: { ...verdict.refusal, line: sample[layout.headerRow] + 1 } };
  // The last header row (-1: no header, the first row is data).
  const headerRow = verdict.headerless ? -1 : sample[verdict.last];
  const headerLine = headerRow + 1;
  const dataEnd = layout.dataEnd < sample.length ? sample[layout.dataEnd] : lastIndex + 1;
  const headerText = verdict.names;
  if (verdict.headerless) issues.push({ level: 'warning', sheet: name, line: 1, zh: '第 1 列全是數字，視為資料：工作表沒有表頭，欄位暫名為「欄位1」、「欄位2」…，請在資料字典填寫欄位名稱', en: 'row 1 holds only numbers and is read as data: the sheet has no header, so the columns are named 欄位1, 欄位2, …; give them titles in the data dictionary' });
  else if (verdict.last > verdict.first) issues.push({ level: 'warning', sheet: name, line: headerLine, zh: `表頭由第 ${sample[verdict.first] + 1}–${headerLine} 列合併而成`, en: `the header joins rows ${sample[verdict.first] + 1}–${headerLine}` });

  // Second pass over the data block: its width (the last column with anything in it), blank
  // rows (listed or left out), rows that repeat the header, error cells.
  let width = headerText.reduce((w, t, c) => (t ? c + 1 : w), 0);
  const blanks: number[] = [];
  let blankCount = 0;
  const repeats: number[] = [];
  const stats: SheetStats = { errors: [], errorCount: 0 };
  let previous = headerRow;
  const blank = (r: number): void => {
    if (blankCount++ < MAX_LISTED) blanks.push(r);
  };
  for await (const { index: r, cells } of source.rows(stats)) {
    if (r <= headerRow) continue;
    if (r >= dataEnd) break;
    for (let g = previous + 1; g < r; g++) blank(g);
    previous = r;
    let last = -1;
    let filledCells = 0;
    let numeric = false;
    let same = 0;
    for (let c = 0; c < cells.length; c++) {
      const v = cells[c];
      if (v === null || (typeof v === 'string' && v.trim() === '')) continue;
      last = c;
      filledCells++;
      if (typeof v === 'number' || Number.isFinite(Number(v))) numeric = true;
      else if (typeof v === 'string' && cleanHeader(v) === headerText[c]) same++;
    }
    if (last < 0) {
      blank(r);
      continue;
    }
    width = Math.max(width, last + 1);
    // Stacked tables and print pages repeat (part of) the header inside the data.
    if (!numeric && same > 0 && same * 2 >= filledCells && repeats.length < MAX_LISTED) repeats.push(r);
  }
  for (let g = previous + 1; g < dataEnd; g++) blank(g);

  // Merged cells: a header merged across columns names each column it covers ("金額", "金額_2");
  // merges in the data are reported, since only their first cell holds the value.
  const headerCells: (string | null)[] = Array.from({ length: width }, (_, c) => headerText[c] || null);
  let listed = 0;
  // In sheet order, whatever order the file lists them in.
  const merges = [...source.merges].sort((x, y) => x.s.r - y.s.r || x.s.c - y.s.c);
  for (const m of merges) {
    const where = rangeText(m);
    const inHeader = m.s.r <= headerRow && m.e.r >= headerRow;
    if (inHeader && m.e.c > m.s.c) {
      const label = m.s.r === headerRow ? (headerText[m.s.c] ?? '') : cellText(byIndex.get(m.s.r)?.[m.s.c] ?? null).trim();
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
  for (const i of verdict.titleRows) {
    const r = sample[i];
    issues.push({ level: 'warning', sheet: name, line: r + 1, zh: `第 ${r + 1} 列是標題，不是資料：${joined(i)}`, en: `row ${r + 1} is a title, not data: ${joined(i)}` });
  }
  if (headerRow > 0 && verdict.last === verdict.first) {
    issues.push({ level: 'warning', sheet: name, line: headerLine, zh: `欄位標題在第 ${headerLine} 列`, en: `the header is on row ${headerLine}` });
  }
  for (const i of layout.noteRows) {
    const r = sample[i];
    issues.push({ level: 'warning', sheet: name, line: r + 1, zh: `第 ${r + 1} 列是附註，不是資料：${joined(i)}`, en: `row ${r + 1} is a note, not data: ${joined(i)}` });
  }
  if (blankCount) {
    const shown = blanks.map((r) => r + 1).join(', ');
    const more = blankCount > blanks.length ? '…' : '';
    issues.push({ level: 'warning', sheet: name, line: blanks[0] + 1, zh: `略過 ${blankCount} 個空白列（第 ${shown}${more} 列）`, en: `${blankCount} blank rows skipped (rows ${shown}${more})` });
  }
  if (repeats.length) {
    const texts = new Map<number, string>();
    for await (const { index, cells } of source.rows()) {
      if (index > repeats[repeats.length - 1]) break;
      if (repeats.includes(index)) texts.set(index, cells.slice(0, width).map(cellText).filter((t) => t.trim() !== '').join(' ').replace(/\s+/g, ' '));
    }
    for (const r of repeats) {
      const text = texts.get(r) ?? '';
      issues.push({
        level: 'warning', sheet: name, line: r + 1,
        zh: `第 ${r + 1} 列重複了欄位標題，可能是另一個表或另一頁的開頭：${text}`,
        en: `row ${r + 1} repeats the header; another table or page may start there: ${text}`,
      });
    }
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
      for await (const { index, cells } of source.rows()) {
        if (index <= headerRow) continue;
        if (index >= dataEnd) break;
        const row = cells.slice(0, columns.length);
        if (isBlank(row)) continue;
        while (row.length < columns.length) row.push(null);
        yield row;
      }
    },
  };
}

async function sheetOf(source: SheetSource, choice?: HeaderChoice): Promise<Omit<WorkbookSheet, 'name'>> {
  const { refusal, ...table } = await sheetTable(source, choice);
  return refusal ? { table, refusal } : { table };
}

// ——— XLS and ODS, through SheetJS ———

function parseWithSheetJs(buf: Buffer, format: Workbook['format']): { wb: XLSX.WorkBook; warnings: string[] } {
  // SheetJS reports records it skips on console.error. XLSX.read is synchronous, so catching
  // them for the length of the call cannot catch anything else; they become issues, not log noise.
  const warnings: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  try {
    const wb = XLSX.read(buf, {
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
    return { wb, warnings };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/password|encrypt/i.test(msg)) {
      throw new ReadError('試算表有密碼保護，無法讀取；請解除保護後再上傳', 'the workbook is password-protected; remove the protection and upload it again');
    }
    throw new ReadError(
      `無法讀取 ${format.toUpperCase()} 試算表，檔案可能已損壞或不完整（${msg}）`,
      `cannot read the ${format.toUpperCase()} workbook; the file may be damaged or cut short (${msg})`,
    );
  } finally {
    console.error = consoleError;
  }
}

function sheetJsCell(cell: XLSX.CellObject | undefined, date1904: boolean, line: number, col: number, stats: SheetStats | undefined): RawCell {
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
      return noteError(stats, line, col, cell.w ?? '#ERR');
    case 'z':
      return null;
  }
}

function sheetJsSources(wb: XLSX.WorkBook): SheetSource[] {
  const date1904 = Boolean(wb.Workbook?.WBProps?.date1904);
  return wb.SheetNames.map((name, i) => {
    const ws = wb.Sheets[name];
    const data = ws?.['!data'] ?? [];
    const ref = ws?.['!ref'];
    const range = ref ? XLSX.utils.decode_range(ref) : undefined;
    const lastRow = Math.min(range?.e.r ?? -1, data.length - 1);
    // The declared range may claim more than the sheet holds (a hostile file can say A1:XFD1048576).
    let widest = 0;
    for (let r = 0; r <= lastRow; r++) widest = Math.max(widest, data[r]?.length ?? 0);
    const lastCol = Math.min(range?.e.c ?? -1, widest - 1);
    return {
      name,
      hidden: Boolean(wb.Workbook?.Sheets?.[i]?.Hidden),
      merges: ws?.['!merges'] ?? [],
      rows: async function* (stats?: SheetStats) {
        for (let r = 0; r <= lastRow; r++) {
          const src = data[r];
          if (!src) continue;
          const cells = new Array<RawCell>(lastCol + 1);
          for (let c = 0; c <= lastCol; c++) cells[c] = sheetJsCell(src[c], date1904, r + 1, c, stats);
          yield { index: r, cells };
        }
      },
    };
  });
}

// ——— XLSX, streamed ———

/** Built-in number formats that Excel shows as dates or times (27–36 and 50–58 in East Asian locales). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/** Joins a relationship target to the folder of the part that names it: ("xl/workbook.xml", "worksheets/sheet1.xml") → "xl/worksheets/sheet1.xml". */
function resolvePart(from: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = from.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

interface XlsxZip {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
}

async function openXlsxZip(path: string): Promise<XlsxZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch (err) {
    throw damaged(`zip: ${err instanceof Error ? err.message : String(err)}`);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    for await (const e of zip.eachEntry()) entries.set(e.fileName, e);
  } catch (err) {
    zip.close();
    throw damaged(`zip: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { zip, entries };
}

/**
 * SAX-parses one zip entry, calling `on` for each open tag, text and close tag, and yielding
 * after each chunk so that callers can hand on what the chunk completed (the entry is inflated
 * only as fast as it is consumed).
 */
async function* saxEntry(
  z: XlsxZip,
  part: string,
  on: { open?: (tag: SaxesTagPlain) => void; text?: (t: string) => void; close?: (name: string) => void },
): AsyncGenerator<void> {
  const entry = z.entries.get(part);
  if (!entry) throw damaged(`missing ${part}`);
  if (entry.isEncrypted()) throw new ReadError('試算表有密碼保護，無法讀取；請解除保護後再上傳', 'the workbook is password-protected; remove the protection and upload it again');
  let stream: Readable;
  try {
    stream = await z.zip.openReadStreamPromise(entry);
  } catch (err) {
    throw damaged(`${part}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parser = new SaxesParser({ xmlns: false });
  if (on.open) parser.on('opentag', on.open);
  if (on.text) parser.on('text', on.text);
  if (on.close) {
    const close = on.close;
    parser.on('closetag', (tag) => close(localName(tag.name)));
  }
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream) {
      parser.write(chunk as string);
      yield;
    }
    parser.close();
  } catch (err) {
    if (err instanceof ReadError) throw err;
    throw damaged(`${part}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    stream.destroy();
  }
}

async function readPart(z: XlsxZip, part: string, on: Parameters<typeof saxEntry>[2]): Promise<void> {
  for await (const _ of saxEntry(z, part, on)) {
    // the callbacks do the work
  }
}

interface XlsxBook {
  sheets: { name: string; part: string; hidden: boolean }[];
  sharedStrings: string[];
  /** For each cell format (the `s` attribute), whether it shows a date. */
  dateStyles: boolean[];
  date1904: boolean;
}

async function readXlsxBook(z: XlsxZip, maxUncompressed: number): Promise<XlsxBook> {
  // The package's relationships say where the workbook is (almost always xl/workbook.xml).
  let workbookPart = 'xl/workbook.xml';
  if (z.entries.has('_rels/.rels')) {
    await readPart(z, '_rels/.rels', {
      open: (t) => {
        if (localName(t.name) === 'Relationship' && (t.attributes.Type ?? '').endsWith('/officeDocument')) workbookPart = resolvePart('', t.attributes.Target ?? workbookPart);
      },
    });
  }
  const declared: { name: string; rid: string; hidden: boolean }[] = [];
  let date1904 = false;
  await readPart(z, workbookPart, {
    open: (t) => {
      const n = localName(t.name);
      if (n === 'sheet') {
        const rid = Object.entries(t.attributes).find(([k]) => localName(k) === 'id')?.[1] ?? '';
        declared.push({ name: t.attributes.name ?? `Sheet${declared.length + 1}`, rid, hidden: (t.attributes.state ?? 'visible') !== 'visible' });
      } else if (n === 'workbookPr') {
        date1904 = ['1', 'true'].includes(t.attributes.date1904 ?? '');
      }
    },
  });
  const relsPart = resolvePart(workbookPart, `_rels/${workbookPart.split('/').pop() ?? ''}.rels`);
  const targets = new Map<string, string>();
  let sharedStringsPart: string | undefined;
  let stylesPart: string | undefined;
  await readPart(z, relsPart, {
    open: (t) => {
      if (localName(t.name) !== 'Relationship') return;
      const type = t.attributes.Type ?? '';
      const target = resolvePart(workbookPart, t.attributes.Target ?? '');
      if (type.endsWith('/worksheet')) targets.set(t.attributes.Id ?? '', target);
      else if (type.endsWith('/sharedStrings')) sharedStringsPart = target;
      else if (type.endsWith('/styles')) stylesPart = target;
    },
  });
  // Chart sheets and dialog sheets have no cells: they are left out.
  const sheets = declared.flatMap((d) => {
    const part = targets.get(d.rid);
    return part && z.entries.has(part) ? [{ name: d.name, part, hidden: d.hidden }] : [];
  });

  // Shared strings and styles are held in memory: refuse a directory that says they are huge.
  for (const part of [sharedStringsPart, stylesPart]) {
    const size = part ? (z.entries.get(part)?.uncompressedSize ?? 0) : 0;
    if (size > maxUncompressed) {
      throw new ReadError(
        `試算表解壓縮後超過 ${Math.floor(maxUncompressed / MiB)} MB，不予讀取；請另存成 CSV 再上傳`,
        `the workbook unpacks to more than ${Math.floor(maxUncompressed / MiB)} MB and is not read; save it as CSV and upload that`,
      );
    }
  }

  const sharedStrings: string[] = [];
  if (sharedStringsPart && z.entries.has(sharedStringsPart)) {
    // Rich text is several <r><t> runs; phonetic guides (<rPh>) are not part of the text.
    let current = '';
    let inT = false;
    let phonetic = 0;
    await readPart(z, sharedStringsPart, {
      open: (t) => {
        const n = localName(t.name);
        if (n === 'si') current = '';
        else if (n === 'rPh') phonetic++;
        else if (n === 't' && !phonetic) inT = true;
      },
      text: (s) => {
        if (inT) current += s;
        if (current.length > MAX_CELL_CHARS) throw damaged(`a shared string is over ${MAX_CELL_CHARS} characters long`);
      },
      close: (n) => {
        if (n === 't') inT = false;
        else if (n === 'rPh') phonetic--;
        else if (n === 'si') sharedStrings.push(unescapeOoxml(current));
      },
    });
  }

  const dateStyles: boolean[] = [];
  if (stylesPart && z.entries.has(stylesPart)) {
    const custom = new Map<number, string>();
    let inCellXfs = false;
    await readPart(z, stylesPart, {
      open: (t) => {
        const n = localName(t.name);
        if (n === 'numFmt') custom.set(Number(t.attributes.numFmtId), t.attributes.formatCode ?? '');
        else if (n === 'cellXfs') inCellXfs = true;
        else if (n === 'xf' && inCellXfs) {
          const id = Number(t.attributes.numFmtId ?? 0);
          const code = custom.get(id);
          dateStyles.push(code !== undefined ? SSF.is_date(code) : BUILTIN_DATE_FORMATS.has(id));
        }
      },
      close: (n) => {
        if (n === 'cellXfs') inCellXfs = false;
      },
    });
  }
  return { sheets, sharedStrings, dateStyles, date1904 };
}

/** OOXML writes characters XML cannot carry (CR, other controls) as _xHHHH_, and a literal "_x" as _x005F_x. */
const unescapeOoxml = (text: string): string =>
  text.includes('_x') ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;

/** "B12" → [11, 1] (row, column), or undefined for anything that is not an A1 address. */
function decodeAddress(ref: string): [number, number] | undefined {
  const m = /^\$?([A-Z]{1,3})\$?(\d{1,7})$/.exec(ref);
  if (!m) return undefined;
  let col = 0;
  for (const ch of m[1]) col = col * 26 + ch.charCodeAt(0) - 64;
  return [Number(m[2]) - 1, col - 1];
}

function xlsxSource(path: string, book: XlsxBook, sheet: XlsxBook['sheets'][number]): SheetSource {
  const source: SheetSource = {
    name: sheet.name,
    hidden: sheet.hidden,
    merges: [],
    rows: async function* (stats?: SheetStats) {
      const z = await openXlsxZip(path);
      const merges: XLSX.Range[] = [];
      const done: SheetRow[] = [];
      let row: SheetRow | undefined;
      let rowIndex = -1;
      let col = -1;
      let type = 'n';
      let style = 0;
      let value: string | undefined;
      let text = '';
      let inValue = false;
      let inInline = false;
      let phonetic = 0;
      const problem: { error?: ReadError } = {};
      const finishCell = (): void => {
        if (!row || col < 0 || col >= MAX_COLS) return;
        let v: RawCell = null;
        const line = row.index + 1;
        switch (type) {
          case 's': {
            const s = book.sharedStrings[Number(value)];
            v = s === undefined || s === '' ? null : s;
            break;
          }
          case 'inlineStr':
          case 'str':
            v = unescapeOoxml(type === 'inlineStr' ? text : (value ?? '')) || null;
            break;
          case 'b':
            v = value === undefined ? null : value === '1' || value === 'true';
            break;
          case 'e':
            v = noteError(stats, line, col, value ?? '#ERR');
            break;
          case 'd':
            v = value ? value.replace(/T00:00:00(\.0+)?Z?$/, '').replace(/(\.\d+)?Z$/, '') : null;
            break;
          default: {
            if (value === undefined || value.trim() === '') break;
            const n = Number(value);
            if (!Number.isFinite(n)) v = value;
            else v = book.dateStyles[style] ? (serialToIso(n, book.date1904) ?? n) : n;
          }
        }
        while (row.cells.length < col) row.cells.push(null);
        row.cells[col] = v;
      };
      const iter = saxEntry(z, sheet.part, {
        open: (t) => {
          switch (localName(t.name)) {
            case 'row': {
              const r = t.attributes.r ? Number(t.attributes.r) - 1 : rowIndex + 1;
              if (!Number.isInteger(r) || r <= rowIndex || r >= MAX_ROWS) {
                problem.error ??= damaged(`row ${t.attributes.r ?? '?'} out of order`, sheet.name);
                return;
              }
              rowIndex = r;
              row = { index: r, cells: [] };
              col = -1;
              break;
            }
            case 'c': {
              const a = t.attributes.r ? decodeAddress(t.attributes.r) : undefined;
              col = a ? a[1] : col + 1;
              type = t.attributes.t ?? 'n';
              style = Number(t.attributes.s ?? 0);
              value = undefined;
              text = '';
              break;
            }
            case 'v':
              inValue = true;
              value = '';
              break;
            case 'rPh':
              phonetic++;
              break;
            case 't':
              if (type === 'inlineStr' && !phonetic) inInline = true;
              break;
            case 'mergeCell': {
              const [s, e] = (t.attributes.ref ?? '').split(':');
              const a = s ? decodeAddress(s) : undefined;
              const b = e ? decodeAddress(e) : a;
              if (a && b) merges.push({ s: { r: a[0], c: a[1] }, e: { r: b[0], c: b[1] } });
              break;
            }
          }
        },
        text: (s) => {
          if (inValue) value += s;
          else if (inInline) text += s;
          // Excel stops at 32,767 characters a cell; a megabyte is no cell but an attack on memory.
          if ((value?.length ?? 0) + text.length > MAX_CELL_CHARS) problem.error ??= damaged(`a cell in row ${rowIndex + 1} is over ${MAX_CELL_CHARS} characters long`, sheet.name);
        },
        close: (n) => {
          switch (n) {
            case 'v':
              inValue = false;
              break;
            case 't':
              inInline = false;
              break;
            case 'rPh':
              phonetic--;
              break;
            case 'c':
              finishCell();
              break;
            case 'row':
              if (row) done.push(row);
              row = undefined;
              break;
          }
        },
      });
      try {
        for await (const _ of iter) {
          if (problem.error) throw problem.error;
          for (const r of done) yield r;
          done.length = 0;
        }
        for (const r of done) yield r;
        source.merges = merges;
      } finally {
        // Also when the caller stops early (break): the generator's finally closes the zip.
        await iter.return(undefined);
        z.zip.close();
      }
    },
  };
  return source;
}

// ——— ODS, streamed ———

/** Attribute values as LibreOffice (and the ODF specification's examples) prefix them. */
const odsNumber = (v: string | undefined, fallback: number): number => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

/** "PT12H30M05S" → "12:30:05" (ODF times are ISO 8601 durations). */
function odsTime(v: string): string {
  const m = /^-?PT(\d+)H(\d+)M(\d+)(?:[.,]\d+)?S$/.exec(v);
  return m ? `${pad2(Number(m[1]))}:${pad2(Number(m[2]))}:${pad2(Number(m[3]))}` : v;
}

async function odsSheetNames(z: XlsxZip): Promise<string[]> {
  const names: string[] = [];
  let depth = 0;
  await readPart(z, 'content.xml', {
    open: (t) => {
      if (t.name !== 'table:table') return;
      if (depth++ === 0) names.push(t.attributes['table:name'] ?? `Sheet${names.length + 1}`);
    },
    close: (n) => {
      if (n === 'table') depth = Math.max(0, depth - 1);
    },
  });
  return names;
}

/**
 * One sheet of an ODS file, streamed from content.xml. Cell text is taken as LibreOffice shows
 * it: paragraphs joined by line breaks, <text:s text:c="n"/> as n spaces, literal spaces and
 * ideographic spaces (U+3000, DGBAS's indentation) kept. Repeated empty rows and columns (LibreOffice
 * pads sheets to 1,048,576 × 16,384 that way) cost nothing; covered cells of a merge read empty.
 */
function odsSource(path: string, name: string, index: number): SheetSource {
  const source: SheetSource = {
    name,
    hidden: false,
    merges: [],
    rows: async function* (stats?: SheetStats) {
      const z = await openXlsxZip(path);
      const merges: XLSX.Range[] = [];
      const done: SheetRow[] = [];
      let tableIndex = -1;
      let depth = 0;
      let inTarget = false;
      let finishedTarget = false;
      let rowIndex = 0;
      let rowRepeat = 1;
      let cells: RawCell[] = [];
      let col = 0;
      let cell: { repeat: number; type: string; value?: string; error: boolean; text: string; paragraphs: number } | undefined;
      let annotation = 0;
      const problem: { error?: ReadError } = {};
      const iter = saxEntry(z, 'content.xml', {
        open: (t) => {
          const a = t.attributes;
          if (t.name === 'table:table') {
            if (depth++ === 0) {
              tableIndex++;
              inTarget = tableIndex === index;
            }
            return;
          }
          if (!inTarget || depth !== 1) return;
          switch (t.name) {
            case 'table:table-row':
              rowRepeat = odsNumber(a['table:number-rows-repeated'], 1);
              cells = [];
              col = 0;
              break;
            case 'table:table-cell':
            case 'table:covered-table-cell': {
              cell = {
                repeat: odsNumber(a['table:number-columns-repeated'], 1),
                type: t.name === 'table:covered-table-cell' ? 'covered' : (a['office:value-type'] ?? ''),
                error: a['calcext:value-type'] === 'error',
                text: '',
                paragraphs: 0,
              };
              const type = cell.type;
              cell.value = type === 'float' || type === 'percentage' || type === 'currency' ? a['office:value']
                : type === 'date' ? a['office:date-value']
                  : type === 'time' ? a['office:time-value']
                    : type === 'boolean' ? a['office:boolean-value']
                      // A string cell may carry its value apart from the text it shows (formatted, padded).
                      : a['office:string-value'];
              const spanCols = odsNumber(a['table:number-columns-spanned'], 1);
              const spanRows = odsNumber(a['table:number-rows-spanned'], 1);
              if (spanCols > 1 || spanRows > 1) merges.push({ s: { r: rowIndex, c: col }, e: { r: rowIndex + spanRows - 1, c: col + spanCols - 1 } });
              break;
            }
            case 'office:annotation':
              annotation++;
              break;
            case 'text:p':
            case 'text:h':
              if (cell && !annotation && cell.paragraphs++ > 0) cell.text += '\n';
              break;
            case 'text:s':
              if (cell && !annotation) cell.text += ' '.repeat(Math.min(odsNumber(a['text:c'], 1), MAX_CELL_CHARS));
              break;
            case 'text:tab':
              if (cell && !annotation) cell.text += '\t';
              break;
            case 'text:line-break':
              if (cell && !annotation) cell.text += '\n';
              break;
          }
        },
        text: (s) => {
          if (cell && !annotation && inTarget) {
            cell.text += s;
            if (cell.text.length > MAX_CELL_CHARS) problem.error ??= damaged(`a cell in row ${rowIndex + 1} is over ${MAX_CELL_CHARS} characters long`, name);
          }
        },
        close: (n) => {
          if (n === 'table') {
            depth = Math.max(0, depth - 1);
            if (depth === 0 && inTarget) {
              inTarget = false;
              finishedTarget = true;
            }
            return;
          }
          if (!inTarget || depth !== 1) return;
          switch (n) {
            case 'annotation':
              annotation = Math.max(0, annotation - 1);
              break;
            case 'table-cell':
            case 'covered-table-cell': {
              if (!cell) break;
              let v: RawCell = null;
              const line = rowIndex + 1;
              if (cell.error) v = noteError(stats, line, col, cell.text || '#ERR');
              else if (cell.type === 'float' || cell.type === 'percentage' || cell.type === 'currency') {
                const num = Number(cell.value);
                v = Number.isFinite(num) ? num : cell.text || null;
              } else if (cell.type === 'date') v = cell.value ? cell.value.replace(/(\.\d+)?Z?$/, '').replace(/T00:00:00$/, '') : null;
              else if (cell.type === 'time') v = cell.value ? odsTime(cell.value) : null;
              else if (cell.type === 'boolean') v = cell.value === 'true';
              else if (cell.type !== 'covered') v = (cell.value ?? cell.text) || null;
              if (v !== null) {
                for (let k = 0; k < cell.repeat && col + k < MAX_COLS; k++) {
                  while (cells.length < col + k) cells.push(null);
                  cells[col + k] = v;
                }
              }
              col += cell.repeat;
              cell = undefined;
              break;
            }
            case 'table-row': {
              if (cells.some((c) => c !== null)) {
                for (let k = 0; k < rowRepeat && rowIndex + k < MAX_ROWS; k++) done.push({ index: rowIndex + k, cells: k === 0 ? cells : [...cells] });
              }
              rowIndex += rowRepeat;
              break;
            }
          }
        },
      });
      try {
        for await (const _ of iter) {
          if (problem.error) throw problem.error;
          for (const r of done) yield r;
          done.length = 0;
          if (finishedTarget) break;
        }
        for (const r of done) yield r;
        source.merges = merges;
      } finally {
        await iter.return(undefined);
        z.zip.close();
      }
    },
  };
  return source;
}

// ——— entry point ———

/**
 * Reads an XLSX, XLS or ODS workbook: one table per sheet, in workbook order. Throws ReadError
 * (zh + en) for a file that is not a workbook, is damaged, truncated, encrypted or too large;
 * everything else (title and note rows, merged cells, blank rows, error cells, hidden sheets)
 * goes into each table's issues. XLSX sheets are streamed (each table's rows() reads its sheet
 * again from the file, which must stay in place while the table is used).
 */
export async function readWorkbook(path: string, options: ReadWorkbookOptions = {}): Promise<Workbook> {
  const maxBytes = options.maxBytes ?? 64 * MiB;
  const maxUncompressed = options.maxUncompressedBytes ?? 512 * MiB;
  const { bytes: head } = await readHead(path, 512);
  const container = containerOf(head);
  if (!container) {
    const { zh, en } = describeNonSpreadsheet(head);
    throw new ReadError(zh, en);
  }

  if (container === 'zip') {
    const z = await openXlsxZip(path);
    try {
      // An OpenDocument package has content.xml; an Office Open XML one has [Content_Types].xml.
      if (z.entries.has('[Content_Types].xml')) {
        const book = await readXlsxBook(z, maxUncompressed);
        if (book.sheets.length === 0) throw new ReadError('試算表沒有任何工作表', 'the workbook has no sheets');
        const sheets: WorkbookSheet[] = [];
        for (const s of book.sheets) sheets.push({ name: s.name, ...(await sheetOf(xlsxSource(path, book, s), options.header)) });
        return { format: 'xlsx', sheets };
      }
      if (!z.entries.has('content.xml')) throw new ReadError('這個 zip 檔不是 XLSX 或 ODS 試算表', 'this zip file is not an XLSX or ODS workbook');
      const names = await odsSheetNames(z);
      if (names.length === 0) throw new ReadError('試算表沒有任何工作表', 'the workbook has no sheets');
      const sheets: WorkbookSheet[] = [];
      for (const [i, name] of names.entries()) sheets.push({ name, ...(await sheetOf(odsSource(path, name, i), options.header)) });
      return { format: 'ods', sheets };
    } finally {
      z.zip.close();
    }
  }

  const size = (await stat(path)).size;
  if (size > maxBytes) {
    throw new ReadError(
      `試算表太大（${Math.ceil(size / MiB)} MB，上限 ${Math.floor(maxBytes / MiB)} MB）；請另存成 CSV 或 XLSX 再上傳`,
      `the workbook is too large (${Math.ceil(size / MiB)} MB, limit ${Math.floor(maxBytes / MiB)} MB); save it as CSV or XLSX and upload that`,
    );
  }
  const format = 'xls';
  const { wb, warnings } = parseWithSheetJs(await readFile(path), format);
  if (wb.SheetNames.length === 0) throw new ReadError('試算表沒有任何工作表', 'the workbook has no sheets');
  const sheets: WorkbookSheet[] = [];
  for (const source of sheetJsSources(wb)) sheets.push({ name: source.name, ...(await sheetOf(source, options.header)) });
  if (warnings.length) {
    const shown = [...new Set(warnings)].slice(0, 3).join('; ');
    sheets[0].table.issues.unshift({
      level: 'warning',
      zh: `檔案中有 ${warnings.length} 處無法辨識的內容被略過，檔案可能部分損壞，請核對資料（${shown}）`,
      en: `${warnings.length} unrecognised parts of the file were skipped; it may be partly damaged, so check the data (${shown})`,
    });
  }
  return { format, sheets };
}
