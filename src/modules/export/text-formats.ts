import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { batchesOf, type RawCell } from '../ingest/table.ts';
import { neutraliseFormula } from './cells.ts';

/**
 * Tables out as text (issue 4): CSV, JSON and XML, streamed. Rows are pulled from the table only
 * as fast as `out` takes them (stream pipeline backpressure), so memory stays flat whatever the
 * number of rows; they are taken in batches where the source has them (the CSV reader, the
 * datastore), one await per batch rather than per row, and written in chunks of 64 KB. Each writer resolves with the number of data rows written and ends `out`
 * unless `end: false` is given (to append to a stream the caller still owns).
 */

export interface TextWriteOptions {
  /** End `out` when done (default true). */
  end?: boolean;
}

/** Text is handed to the stream in pieces of about this many characters (fewer, larger writes). */
const CHUNK_CHARS = 64 * 1024;

/** Rows as long as the header: a short row is padded with nulls, a long one cut (readers promise this; exports enforce it). */
function fit(row: readonly RawCell[], width: number): readonly RawCell[] {
  if (row.length === width) return row;
  return Array.from({ length: width }, (_, i) => row[i] ?? null);
}

/** Joins small strings into chunks of about CHUNK_CHARS, counting the rows. */
async function* chunked(head: string, rows: AsyncIterable<RawCell[]>, width: number, format: (row: readonly RawCell[], first: boolean) => string, tail: (rows: number) => string, counted: { rows: number }): AsyncGenerator<string> {
  let buf = head;
  let n = 0;
  for await (const batch of batchesOf(rows)) {
    for (const row of batch) {
      buf += format(row.length === width ? row : fit(row, width), n === 0);
      n++;
      if (buf.length >= CHUNK_CHARS) {
        counted.rows = n;
        yield buf;
        buf = '';
      }
    }
  }
  counted.rows = n;
  buf += tail(n);
  if (buf) yield buf;
}

/** A readable of text chunks that holds at most two chunks ahead of the consumer. */
const textSource = (chunks: AsyncIterable<string>): Readable => Readable.from(chunks, { objectMode: true, highWaterMark: 2 });

/**
 * CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line break), with a
 * UTF-8 BOM when `bom` is set (Excel then reads it as UTF-8 rather than Big5). Text cells and
 * headers go through neutraliseFormula, since a spreadsheet runs "=…" as a formula; numbers are
 * written as numbers, booleans as true/false, null as an empty field.
 */
export async function writeCsv(columns: readonly string[], rows: AsyncIterable<RawCell[]>, out: Writable, opts: TextWriteOptions & { bom?: boolean } = {}): Promise<number> {
  const options = {
    record_delimiter: '\r\n',
    // Given a record delimiter, csv-stringify would quote only fields holding CR LF; a lone LF or
    // CR must be quoted too or readers split the record there.
    quote_record_delimiter: true,
    cast: { boolean: (b: boolean) => (b ? 'true' : 'false') },
  };
  const width = columns.length;
  const counted = { rows: 0 };
  // csv-stringify's stream form writes one small chunk per record; its synchronous form over a
  // batch of rows gives the same text in a few large writes (six times faster into a socket).
  async function* text(): AsyncGenerator<string> {
    let batch: RawCell[][] = [columns.map((c) => neutraliseFormula(c))];
    let first = true;
    const flush = () => {
      const s = (first && opts.bom ? '\uFEFF' : '') + stringifySync(batch, options);
      first = false;
      batch = [];
      return s;
    };
    for await (const rowBatch of batchesOf(rows)) {
      for (const row of rowBatch) {
        batch.push(fit(row, width).map(neutraliseFormula));
        counted.rows++;
        if (batch.length >= CSV_BATCH) yield flush();
      }
    }
    if (batch.length || first) yield flush();
  }
  await pipeline(textSource(text()), out, { end: opts.end ?? true });
  return counted.rows;
}

/** Rows stringified together (a batch of about 16–64 KB of CSV). */
const CSV_BATCH = 256;

/** A JSON value for a cell: text as a string, numbers as numbers (non-finite ones as null). */
const jsonCell = (cell: RawCell): string => (cell === null ? 'null' : JSON.stringify(cell));

/**
 * JSON: an array of objects keyed by column name, one row per line
 * (`[\n{"年":"113年","金額":12},\n…\n]\n`). Values keep their types: strings, numbers, booleans,
 * null. Not neutralised: JSON is read by programs, which must see the data as published.
 */
export async function writeJson(columns: readonly string[], rows: AsyncIterable<RawCell[]>, out: Writable, opts: TextWriteOptions = {}): Promise<number> {
  const keys = columns.map((c) => `${JSON.stringify(c)}:`);
  const format = (row: readonly RawCell[], first: boolean): string => {
    let s = first ? '{' : ',\n{';
    for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + keys[i] + jsonCell(row[i]);
    return `${s}}`;
  };
  const counted = { rows: 0 };
  // An empty table is "[\n]\n".
  const tail = (n: number) => (n ? '\n]\n' : ']\n');
  await pipeline(textSource(chunked('[\n', rows, columns.length, format, tail, counted)), out, { end: opts.end ?? true });
  return counted.rows;
}

// XML 1.0 names (https://www.w3.org/TR/xml/#NT-Name), without ":" which namespaces reserve.
const NAME_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
// eslint-disable-next-line no-misleading-character-class -- the combining-mark range U+0300–036F is part of the XML grammar
const NOT_NAME_CHAR = new RegExp(`[^${NAME_CHAR}]`, 'gu');
const NAME_START_RE = new RegExp(`^[${NAME_START}]`, 'u');

/**
 * Column headers as XML element names: characters a name cannot hold become "_", a name that
 * cannot start as it does (a digit: 「2024年」) or starts with "xml" gets a leading "_", and
 * names made equal by this get "_2", "_3". Returns the element names, in column order.
 */
export function xmlElementNames(columns: readonly string[]): string[] {
  const seen = new Set<string>();
  return columns.map((c) => {
    let name = c.normalize('NFC').replace(NOT_NAME_CHAR, '_');
    if (!name) name = '_';
    if (!NAME_START_RE.test(name) || /^xml/i.test(name)) name = `_${name}`;
    let unique = name;
    for (let n = 2; seen.has(unique); n++) unique = `${name}_${n}`;
    seen.add(unique);
    return unique;
  });
}

/**
 * Characters XML 1.0 cannot carry at all (C0 controls other than tab and line ends, unpaired
 * surrogates, U+FFFE/FFFF) become U+FFFD, visibly; "&", "<", ">" and (in attributes) quotes are
 * escaped; CR is written as a reference because parsers would otherwise turn CR LF into LF.
 */
// eslint-disable-next-line no-control-regex -- matching the control characters XML forbids is the point
const XML_SPECIAL = /[&<>"\r\n\t\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '"', '\r': '&#13;', '\n': '\n', '\t': '\t' };
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', '\n': '&#10;', '\t': '&#9;' };

// XML_SPECIAL without the g flag: a quick test that most text passes untouched.
const XML_SPECIAL_TEST = new RegExp(XML_SPECIAL.source);

export function escapeXml(text: string, attribute = false): string {
  if (!XML_SPECIAL_TEST.test(text)) return text;
  const table = attribute ? ATTR_ESCAPES : TEXT_ESCAPES;
  return text.replace(XML_SPECIAL, (c) => table[c] ?? '\uFFFD');
}

/**
 * XML, in this shape (documented for users on the download page):
 *
 * ```xml
 * <?xml version="1.0" encoding="UTF-8"?>
 * <dataset>
 * <row><年>113年</年><金額>12</金額><備註/></row>
 * …
 * </dataset>
 * ```
 *
 * One `<row>` per row, one element per column named after the header. A header that is not a
 * valid XML name is made one (see xmlElementNames) and keeps its original in a `name` attribute:
 * `<_2024年 name="2024年">`. Null (and empty text) is an empty element; numbers and booleans are written as text
 * (12, 3.5, true). Not neutralised (XML is read by programs).
 */
export async function writeXml(columns: readonly string[], rows: AsyncIterable<RawCell[]>, out: Writable, opts: TextWriteOptions = {}): Promise<number> {
  const names = xmlElementNames(columns);
  const open = names.map((n, i) => (n === columns[i] ? `<${n}` : `<${n} name="${escapeXml(columns[i], true)}"`));
  const close = names.map((n) => `</${n}>`);
  const format = (row: readonly RawCell[]): string => {
    let s = '<row>';
    for (let i = 0; i < names.length; i++) {
      const cell = row[i];
      if (cell === null || cell === '' || (typeof cell === 'number' && !Number.isFinite(cell))) s += `${open[i]}/>`;
      else s += `${open[i]}>${typeof cell === 'string' ? escapeXml(cell) : String(cell)}${close[i]}`;
    }
    return `${s}</row>\n`;
  };
  const counted = { rows: 0 };
  await pipeline(textSource(chunked('<?xml version="1.0" encoding="UTF-8"?>\n<dataset>\n', rows, columns.length, format, () => '</dataset>\n', counted)), out, { end: opts.end ?? true });
  return counted.rows;
}
