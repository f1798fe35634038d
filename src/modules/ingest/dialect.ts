import { parse } from 'csv-parse/sync';

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
