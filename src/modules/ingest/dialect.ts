import { parse } from 'csv-parse/sync';
import { isMissing, parseNumber, parsePercent } from './values.ts';

/**
 * CSV dialects and table layout as agencies' files come (issue 4): which delimiter, which line
 * ends, and where the table really starts and ends: DGBAS files often carry a title row or two
 * above the header and notes (註、資料來源) below the data.
 */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface Dialect {
  delimiter: Delimiter;
  lineEnd: '\r\n' | '\n' | '\r';
  /** Share (0–1) of the sampled records that have the most common number of fields. */
  consistency: number;
  /** The most common number of fields. */
  width: number;
}

function lineEndOf(text: string): Dialect['lineEnd'] {
  const crlf = text.split('\r\n').length - 1;
  const lf = text.split('\n').length - 1 - crlf;
  const cr = text.split('\r').length - 1 - crlf;
  if (crlf >= lf && crlf >= cr && crlf > 0) return '\r\n';
  if (cr > lf) return '\r';
  return '\n';
}

/** Records of the sample under one delimiter, quotes respected, ragged rows allowed. */
function sampleRecords(text: string, delimiter: string, lineEnd: string, maxRecords: number): string[][] {
  try {
    const recs: string[][] = parse(text, { delimiter, record_delimiter: lineEnd, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to_line: maxRecords, bom: true });
    return recs;
  } catch {
    // A cut-off quoted field at the end of a sample: try again without the last line.
    const cut = text.lastIndexOf(lineEnd);
    if (cut <= 0) return [];
    try {
      const recs: string[][] = parse(text.slice(0, cut), { delimiter, record_delimiter: lineEnd, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to_line: maxRecords, bom: true });
      return recs;
    } catch {
      return [];
    }
  }
}

/**
 * Guesses the delimiter from a decoded sample: the candidate under which most records have the
 * same number of fields (more than one), preferring the comma on a tie. A file whose records all
 * have one field under every candidate is a one-column comma file.
 */
export function sniffDialect(sample: string, maxRecords = 200): Dialect {
  const lineEnd = lineEndOf(sample);
  let best: Dialect = { delimiter: ',', lineEnd, consistency: 0, width: 1 };
  let bestScore = -1;
  for (const delimiter of DELIMITERS) {
    const records = sampleRecords(sample, delimiter, lineEnd, maxRecords);
    if (records.length === 0) continue;
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    let width = 1;
    let modal = 0;
    for (const [w, n] of counts) if (n > modal || (n === modal && w > width)) [width, modal] = [w, n];
    const consistency = modal / records.length;
    // One field per record says nothing about the delimiter.
    const score = width > 1 ? consistency * Math.min(width, 10) : 0;
    if (score > bestScore) {
      bestScore = score;
      best = { delimiter, lineEnd, consistency, width };
    }
  }
  return best;
}

export interface TableLayout {
  /** 0-based index of the header row in the records. */
  headerRow: number;
  /** Rows above the header (titles, units, dates of issue). */
  titleRows: number[];
  /** First row after the data (notes, sources), or the record count when there are none. */
  dataEnd: number;
  /** Rows from dataEnd on (註、資料來源、說明). */
  noteRows: number[];
  /** Data rows whose number of fields differs from the header's (reported, not dropped). */
  raggedRows: number[];
  /** Rows inside the data with no value at all. */
  blankRows: number[];
}

const filled = (r: readonly string[]): number => r.reduce((n, c) => (c.trim() === '' ? n : n + 1), 0);
const NOTE = /^\s*(註|附註|說明|資料來源|來源|備註|note|notes|source|sources)\s*[0-9０-９一二三四五六七八九十]*\s*[:：.．、)）]?/i;

/**
 * Finds the header and the data block in parsed records. The header is the first row that fills
 * most of the table's width and is followed by rows of the same shape; rows above it are titles.
 * Trailing rows that fill one or two cells, or start like a note (註、資料來源、Note), are notes.
 */
export function detectLayout(records: readonly (readonly string[])[]): TableLayout {
  const n = records.length;
  const widths = records.map(filled);
  const maxWidth = Math.max(0, ...widths);
  // The table's width: the most common filled-cell count among rows that fill more than one cell.
  const freq = new Map<number, number>();
  for (const w of widths) if (w > 1) freq.set(w, (freq.get(w) ?? 0) + 1);
  let tableWidth = maxWidth;
  let best = 0;
  for (const [w, c] of freq) if (c > best || (c === best && w > tableWidth)) [tableWidth, best] = [w, c];

  let headerRow = 0;
  for (let i = 0; i < n; i++) {
    const w = widths[i];
    if (w === 0) continue;
    // A title fills one cell (or a few of a wide table); the header fills most of the width.
    if (w >= Math.max(2, Math.ceil(tableWidth * 0.6))) {
      headerRow = i;
      break;
    }
  }
  const titleRows: number[] = [];
  for (let i = 0; i < headerRow; i++) if (widths[i] > 0) titleRows.push(i);

  let dataEnd = n;
  for (let i = n - 1; i > headerRow; i--) {
    const w = widths[i];
    const first = records[i].find((c) => c.trim() !== '') ?? '';
    const noteLike = w === 0 || NOTE.test(first) || (w <= 2 && tableWidth > 3 && first.length > 20);
    if (!noteLike) break;
    dataEnd = i;
  }
  const noteRows: number[] = [];
  for (let i = dataEnd; i < n; i++) if (widths[i] > 0) noteRows.push(i);

  const headerLength = records[headerRow]?.length ?? 0;
  const raggedRows: number[] = [];
  const blankRows: number[] = [];
  for (let i = headerRow + 1; i < dataEnd; i++) {
    if (widths[i] === 0) blankRows.push(i);
    else if (records[i].length !== headerLength) raggedRows.push(i);
  }
  return { headerRow, titleRows, dataEnd, noteRows, raggedRows, blankRows };
}

/** A header the contact chose: its first line (1-based, as the messages number them) and how many lines it spans. */
export interface HeaderChoice {
  line: number;
  count: number;
}

/** Parses the header choice as a contact types it: "4" (line 4) or "4-6" (lines 4 to 6). */
export function parseHeaderChoice(text: string | null | undefined): HeaderChoice | undefined {
  const t = (text ?? '').trim();
  if (!t) return undefined;
  const m = /^(\d{1,6})(?:\s*[-–~～]\s*(\d{1,6}))?$/.exec(t);
  const first = m ? Number(m[1]) : 0;
  const last = m?.[2] ? Number(m[2]) : first;
  if (!m || first < 1 || last < first || last - first > 9) {
    throw new HeaderChoiceError(
      `表頭列「${t}」的寫法不對：請寫表頭所在的行號，例如「4」，或跨多行時「4-6」（最多 10 行）`,
      `header rows "${t}" not understood: give the line number of the header, e.g. "4", or "4-6" when it spans several lines (at most 10)`,
    );
  }
  return { line: first, count: last - first + 1 };
}

export class HeaderChoiceError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
  }
}

/** The header as read: column names (before de-duplication), the rows it spans, or the reason the layout cannot be loaded as it is. */
export interface HeaderVerdict {
  /** Index of the first and last record of the header (both -1 when the file has no header row). */
  first: number;
  last: number;
  names: string[];
  /** Records above the header that are titles. */
  titleRows: number[];
  /** The first row holds data: the file has no header, columns are named 欄位1, 欄位2, … */
  headerless: boolean;
  /** Why this looks like a printed report rather than a table (no header was chosen). */
  refusal?: { zh: string; en: string };
}

const CJK = '\\u3400-\\u9fff\\uf900-\\ufaff';
const CJK_GAP = new RegExp(`(?<=[${CJK}])[\\s\\u3000]+(?=[${CJK}])`, 'g');
/** Header text as people mean it: DGBAS spaces out characters ("項  目" with ideographic spaces, "總  計") and wraps lines inside cells. */
export const cleanHeader = (s: string): string => s.replace(CJK_GAP, '').replace(/\s+/g, ' ').trim();
/** A header cell that is a number, read as the values are (grouping, full-width digits, percent). */
const isNumber = (x: string): boolean => parseNumber(x) !== undefined || parsePercent(x) !== undefined;
/** Years as column names (a wide table by year): Gregorian 1800–2199 or ROC 1–199 followed by 年. */
const YEARISH = /^(1[89]\d\d|2[01]\d\d)$|^(民國)?\d{1,3}\s*年(度)?$/;

/**
 * Decides the header of a table from its first records (issue 4): the header row found by
 * detectLayout, or the rows the contact chose (several rows are joined per column, a blank cell
 * in an upper row taking the text on its left, as merged cells are flattened). Without a choice,
 * a layout that is a printed report rather than a table is refused with what to do:
 * a header that is mostly numbers that are not years (the real header spans several rows, or
 * the table starts elsewhere), a table printed in blocks side by side (a column repeating an
 * earlier one's heading and values, 續表), or a header mostly blank or repeated.
 * `lineOf(i)` numbers record i as the messages do (file line or sheet row).
 */
export function decideHeader(records: readonly (readonly string[])[], layout: TableLayout, lineOf: (i: number) => number, choice?: HeaderChoice, unit: 'line' | 'row' = 'line'): HeaderVerdict {
  const U = unit === 'line' ? { zh: '行', en: 'line' } : { zh: '列', en: 'row' };
  if (choice) {
    const first = records.findIndex((_, i) => lineOf(i) >= choice.line);
    const lastLine = choice.line + choice.count - 1;
    let last = first;
    while (last + 1 < records.length && lineOf(last + 1) <= lastLine) last++;
    if (first < 0 || last >= records.length - 1) {
      throw new HeaderChoiceError(`指定的表頭第 ${choice.line} ${U.zh}之後沒有資料`, `there is no data after the chosen header at ${U.en} ${choice.line}`);
    }
    const width = Math.max(...records.slice(first, last + 1).map((r) => r.length));
    const names: string[] = [];
    const carried: string[] = [];
    for (let c = 0; c < width; c++) {
      const parts: string[] = [];
      for (let r = first; r <= last; r++) {
        let t = cleanHeader(records[r][c] ?? '');
        // An upper header row's blank cell continues the heading on its left (a merged cell), over
    // columns that have a heading below it.
        if (!t && r < last && c > 0 && records.slice(r + 1, last + 1).some((row) => (row[c] ?? '').trim() !== '')) t = carried[r - first] ?? '';
        if (r < last) carried[r - first] = t;
        if (t && parts[parts.length - 1] !== t) parts.push(t);
      }
      names.push(parts.join(' '));
    }
    const titleRows: number[] = [];
    for (let i = 0; i < first; i++) if (records[i].some((x) => x.trim() !== '')) titleRows.push(i);
    return { first, last, names, titleRows, headerless: false };
  }

  const h = layout.headerRow;
  const header = records[h] ?? [];
  const cells = header.map((x) => x.trim()).filter((x) => x !== '');
  const numeric = cells.filter(isNumber);
  const names = header.map(cleanHeader);
  const verdict: HeaderVerdict = { first: h, last: h, names, titleRows: layout.titleRows, headerless: false };
  // A first row of nothing but numbers (and missing-value marks) is data: the file has no header.
  if (layout.titleRows.length === 0 && cells.length > 0 && cells.every((x) => isNumber(x) || isMissing(x)) && numeric.length > 0) {
    return { ...verdict, first: -1, last: -1, names: header.map((_, k) => `欄位${k + 1}`), headerless: true };
  }
  const line = lineOf(h);
  const how = {
    zh: `請把表頭整理成一${U.zh}（每欄一個名稱）、刪去標題與附註後再上傳；或在上傳時指定表頭所在的${U.zh}號（例如表頭在第 4 到 6 ${U.zh}時寫「4-6」）`,
    en: `Give the table a one-${U.en} header (one name per column) without titles or notes and upload again, or give the header's ${U.en} numbers when uploading (e.g. "4-6" when the header is on ${U.en}s 4 to 6)`,
  };
  if (numeric.length * 2 > header.length && !numeric.every((x) => YEARISH.test(x))) {
    const sample = numeric.slice(0, 3).join('、');
    return {
      ...verdict,
      refusal: {
        zh: `此檔看來是報表版面而不是資料表：第 ${line} ${U.zh}被當作表頭，但多數欄位是數字（${sample}…），真正的表頭可能跨多${U.zh}或不在此處。${how.zh}`,
        en: `this file looks like a printed report rather than a table: ${U.en} ${line} was taken as the header but most of its cells are numbers (${numeric.slice(0, 3).join(', ')}…), so the real header spans several ${U.en}s or is elsewhere. ${how.en}`,
      },
    };
  }
  // A table printed in blocks side by side: a later column repeats an earlier one's heading and values.
  const data = records.slice(h + 1, Math.min(layout.dataEnd, h + 51)).filter((r) => r.some((x) => x.trim() !== ''));
  for (let b = 1; b < names.length; b++) {
    if (!names[b]) continue;
    const a = names.indexOf(names[b]);
    if (a === b) continue;
    let both = 0;
    let same = 0;
    for (const r of data) {
      const x = (r[a] ?? '').trim();
      const y = (r[b] ?? '').trim();
      if (!x && !y) continue;
      both++;
      if (x === y && !isNumber(x)) same++;
    }
    if (both >= 3 && same >= both * 0.8) {
      return {
        ...verdict,
        refusal: {
          zh: `此檔看來是分段並排的報表（續表）：第 ${b + 1} 欄重複第 ${a + 1} 欄「${names[a]}」的標題與內容。請把各段接成一個表（每列一筆、每欄一個名稱）後再上傳`,
          en: `this file looks like a report printed in blocks side by side (continued tables): column ${b + 1} repeats the heading and values of column ${a + 1} ("${names[a]}"). Join the blocks into one table (one record per row, one name per column) and upload again`,
        },
      };
    }
  }
  const blank = names.filter((n) => !n).length;
  const repeated = names.filter((n, k) => n && names.indexOf(n) !== k).length;
  if (repeated >= 2 && (blank + repeated) * 2 > names.length) {
    return {
      ...verdict,
      refusal: {
        zh: `此檔看來是報表版面而不是資料表：第 ${line} ${U.zh}的表頭有 ${blank} 欄空白、${repeated} 欄重複，表頭可能跨多${U.zh}。${how.zh}`,
        en: `this file looks like a printed report rather than a table: the header on ${U.en} ${line} has ${blank} blank and ${repeated} repeated names, so it probably spans several ${U.en}s. ${how.en}`,
      },
    };
  }
  return verdict;
}
