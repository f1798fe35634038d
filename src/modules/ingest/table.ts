/**
 * What every reader (CSV, spreadsheets, DGBAS XML, SDMX-JSON, PC-Axis) produces and every loader
 * and exporter consumes (issue 4): a table of columns and rows, read lazily so that a file of any
 * size streams through, plus what the reader noticed. Statistical cubes also keep their
 * dimensions, so they can be written out as JSON-stat.
 */

/** One cell as read: text from text formats, numbers where the format is typed; null = empty. */
export type RawCell = string | number | boolean | null;

/** Something a clerk should know about the file, in both languages, with where it is. */
export interface ReadIssue {
  level: 'error' | 'warning';
  /** 1-based line (text formats) or row (spreadsheets) in the file, when it has one. */
  line?: number;
  /** Column header or letter, when it concerns one. */
  column?: string;
  /** Sheet name, for workbooks. */
  sheet?: string;
  zh: string;
  en: string;
}

/** A dimension of a statistical cube (PC-Axis, SDMX, JSON-stat). */
export interface CubeDimension {
  /** Identifier (SDMX id, PX name). */
  id: string;
  label: string;
  /** Category codes in order (the labels when the source has no codes). */
  codes: string[];
  labels: string[];
  role?: 'time' | 'geo' | 'metric';
}

/** A cube: the table's rows are its cells, one column per dimension then the value. */
export interface CubeInfo {
  title: string | null;
  dimensions: CubeDimension[];
  /** Values in row-major order (last dimension fastest); null = missing. */
  values: (number | null)[];
  /** Missing-value symbols by cell index, as the source wrote them. */
  status?: Map<number, string>;
  source?: string | null;
  updated?: string | null;
  unit?: string | null;
  notes?: string[];
}

export interface RawTable {
  /** Sheet or table name when the file holds several (workbook sheets, SDMX series). */
  name?: string;
  /** Column headers in file order (made unique by the reader: a second "年" becomes "年_2"). */
  columns: string[];
  /** The data rows, each as long as `columns` (readers pad short rows and report them). */
  rows(): AsyncIterable<RawCell[]>;
  /**
   * The same rows in arrays of rows, for readers that can hand them over that way (CSV): one await
   * per batch instead of one per row, which is most of the cost of loading or converting a big
   * file. Optional: `batchesOf(table)` falls back to gathering `rows()`.
   */
  batches?(): AsyncIterable<RawCell[][]>;
  /** What the reader noticed: title and notes rows skipped, ragged rows, encodings, damage. */
  issues: ReadIssue[];
  /** For statistical cubes: their dimensions and values (JSON-stat export). */
  cube?: CubeInfo;
}

/** Raised when a file cannot be read as a table at all; says where and why, in both languages. */
export class ReadError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
    readonly where: { line?: number; column?: string; sheet?: string } = {},
  ) {
    const at = [where.sheet ? `sheet ${where.sheet}` : '', where.line ? `line ${where.line}` : '', where.column ? `column ${where.column}` : ''].filter(Boolean).join(', ');
    super(`${zh} / ${en}${at ? ` (${at})` : ''}`);
  }
}

/** Makes headers unique and non-empty: blank → "欄位N", repeats → "name_2". Reports what it changed. */
export function uniqueColumns(headers: readonly (string | null | undefined)[], issues: ReadIssue[], line?: number): string[] {
  const seen = new Map<string, number>();
  return headers.map((h, i) => {
    let name = (h ?? '').toString().trim();
    if (!name) {
      name = `欄位${i + 1}`;
      issues.push({ level: 'warning', line, column: name, zh: `第 ${i + 1} 欄沒有標題，暫名「${name}」`, en: `column ${i + 1} has no header; named "${name}"` });
    }
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) {
      const renamed = `${name}_${n}`;
      issues.push({ level: 'warning', line, column: renamed, zh: `欄位標題「${name}」重複，第 ${n} 個改名為「${renamed}」`, en: `header "${name}" repeats; occurrence ${n} renamed "${renamed}"` });
      name = renamed;
    }
    return name;
  });
}

/** Rows that can also be taken in batches (what `batches()` readers and the datastore's `rows()` answer). */
export interface RowStream extends AsyncIterable<RawCell[]> {
  batches(): AsyncIterable<RawCell[][]>;
}

/** Rows one at a time over a source of batches, keeping the batches reachable for callers that take them. */
export function rowStream(batches: () => AsyncIterable<RawCell[][]>): RowStream {
  return {
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

/** Rows per batch when batches are gathered from rows. */
const BATCH_ROWS = 1000;

/**
 * Rows in batches: a table's or a row stream's own batches when it has them, else its rows
 * (async or not) gathered `size` at a time — the default for every reader that only has `rows()`.
 */
export function batchesOf(source: RawTable, size?: number): AsyncGenerator<RawCell[][]>;
export function batchesOf<T extends readonly RawCell[]>(source: AsyncIterable<T> | Iterable<T>, size?: number): AsyncGenerator<T[]>;
export async function* batchesOf(source: RawTable | AsyncIterable<readonly RawCell[]> | Iterable<readonly RawCell[]>, size = BATCH_ROWS): AsyncGenerator<(readonly RawCell[])[]> {
  const own = (source as { batches?: () => AsyncIterable<RawCell[][]> }).batches;
  if (typeof own === 'function') {
    yield* own.call(source);
    return;
  }
  const rows = Symbol.asyncIterator in source || Symbol.iterator in source ? (source as AsyncIterable<readonly RawCell[]>) : source.rows();
  let batch: (readonly RawCell[])[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
