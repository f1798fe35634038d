import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { batchesOf, type RawCell } from '../ingest/table.ts';
import { neutraliseFormula } from './cells.ts';

/**
 * XLSX export, streamed (issue 4). The workbook is SpreadsheetML written by hand (one sheet,
 * more only past Excel's row limit) and zipped by yazl as it is produced: exceljs' streaming WorkbookWriter buffers committed rows
 * without waiting for a slow reader (a download to a slow client would grow memory), while here
 * the XML is generated only when zlib and the output stream ask for more. Text goes in as inline
 * strings, so no shared-string table grows with the row count.
 */

export type RowSource = AsyncIterable<readonly RawCell[]> | Iterable<readonly RawCell[]>;

export interface SheetWriteOptions {
  /** Name of the sheet (default "Sheet1"); made valid for Excel (31 characters, no []:*?/\). */
  sheetName?: string;
  /** XLSX only: data rows per sheet before the table goes on in another (default and at most Excel's 1,048,575). */
  maxRowsPerSheet?: number;
}

/** XML 1.0 forbids most C0 controls (DGBAS files carry stray ones) and lone surrogates: drop them. */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlEscape(text: string): string {
  return text.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Anything ooxmlText or xmlEscape would change: controls, XML's specials, "_x", surrogates, U+FFFE/FFFF. */
// eslint-disable-next-line no-control-regex
const OOXML_SPECIAL = /[\u0000-\u001F&<>"\uD800-\uDFFF\uFFFE\uFFFF]|_x/;

/**
 * Text for an OOXML cell: characters XML cannot carry (controls, and CR, which XML parsers turn
 * into LF) are written as _xHHHH_, as Excel does, and a literal "_xHHHH_" is protected as
 * _x005F_xHHHH_, so that the text reads back exactly.
 */
export function ooxmlText(text: string): string {
  // Most text has nothing to escape: one test instead of seven replacements.
  if (!OOXML_SPECIAL.test(text)) return text;
  return xmlEscape(
    text
      .replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B-\u001F]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`),
  );
}

/** Excel's column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/**
 * Turns rows into XML text in chunks of about 64 KB, pulled one chunk at a time by the stream
 * that reads it, so the rows iterator only advances as fast as the output drains.
 */
export async function* chunked(parts: AsyncIterable<string>, size = 64 * 1024): AsyncGenerator<string> {
  let buf = '';
  for await (const p of parts) {
    buf += p;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export interface ZipEntry {
  name: string;
  /** Fixed content, or XML produced lazily. */
  content: string | AsyncIterable<string>;
  /** Stored (no compression), as ODF wants its mimetype. */
  store?: boolean;
}

/**
 * Writes the entries into a zip on `out`, in order, and resolves when `out` has finished.
 * Backpressure runs from `out` back through yazl and zlib to the entries' generators. Entries
 * may come from an async iterable: the next one is asked for only once the previous one is
 * written, so a writer can decide on later entries (another sheet) from what the earlier wrote.
 */
export async function writeZip(entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>, out: Writable): Promise<void> {
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as Readable;
  const mtime = new Date();
  zip.on('error', (err: Error) => output.destroy(err));
  const piping = pipeline(output, out);
  // Whatever fails first (the output, a source) ends the whole zip.
  piping.catch(() => undefined);
  try {
    for await (const e of entries) {
      if (typeof e.content === 'string') {
        // A stored entry gets no extra field, so ODF's "mimetype at byte 38" magic holds.
        zip.addBuffer(Buffer.from(e.content, 'utf8'), e.name, { compress: !e.store, forceDosTimestamp: true, mtime });
        continue;
      }
      const source = Readable.from(chunked(e.content), { objectMode: false, encoding: 'utf8' });
      zip.addReadStream(source, e.name, { compress: !e.store, mtime });
      try {
        await Promise.race([finished(source), piping]);
      } catch (err) {
        // pipe() does not forward errors: a failing row source must fail the download, not hang it.
        source.destroy();
        output.destroy(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
    }
    zip.end();
  } finally {
    await piping;
  }
}

export function validSheetName(name: string | undefined): string {
  const cleaned = (name ?? '').replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31);
  return cleaned || 'Sheet1';
}

function cellXml(ref: string, raw: RawCell, header: boolean): string {
  const value = neutraliseFormula(raw);
  if (value === null || value === '') return '';
  if (typeof value === 'number') {
    // Excel has no NaN or infinity: write what the source said as text rather than a broken number.
    if (!Number.isFinite(value)) return `<c r="${ref}" t="inlineStr"><is><t>${String(value)}</t></is></c>`;
    return `<c r="${ref}"${header ? ' s="1"' : ''}><v>${String(value)}</v></c>`;
  }
  if (typeof value === 'boolean') return `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`;
  return `<c r="${ref}" t="inlineStr"${header ? ' s="1"' : ''}><is><t xml:space="preserve">${ooxmlText(value)}</t></is></c>`;
}

/**
 * The rows of a table, handed out sheet by sheet: each sheet takes at most `limit`, and knows
 * whether more remain. Rows are fetched in batches (one await per batch) and taken one by one.
 */
class RowFeed {
  private readonly batches: AsyncIterator<(readonly RawCell[])[]>;
  private batch: (readonly RawCell[])[] = [];
  private at = 0;
  private ended = false;

  constructor(rows: RowSource) {
    this.batches = batchesOf(rows)[Symbol.asyncIterator]();
  }

  /** Whether a row is ready to take without waiting. */
  ready(): boolean {
    return this.at < this.batch.length;
  }

  /** The next row; call only when ready(). */
  take(): readonly RawCell[] {
    return this.batch[this.at++];
  }

  /** Whether rows remain, fetching the next batch when this one is used up. */
  async more(): Promise<boolean> {
    while (!this.ready() && !this.ended) {
      const next = await this.batches.next();
      if (next.done) this.ended = true;
      else {
        this.batch = next.value;
        this.at = 0;
      }
    }
    return this.ready();
  }
}

/** XML of a sheet's rows is handed on in pieces of about this many characters (joined to 64 KB by chunked). */
const XML_CHUNK = 16 * 1024;

async function* sheetXml(columns: readonly string[], feed: RowFeed, limit: number): AsyncGenerator<string> {
  const letters = columns.map((_, i) => columnLetter(i));
  const lastCol = letters.at(-1) ?? 'A';
  yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
    '<sheetData>';
  yield `<row r="1">${columns.map((c, i) => cellXml(`${letters[i]}1`, c, true)).join('')}</row>`;
  let r = 1;
  let xml = '';
  while (r - 1 < limit && (feed.ready() || (await feed.more()))) {
    const row = feed.take();
    r++;
    xml += `<row r="${r}">`;
    for (let i = 0; i < columns.length; i++) {
      // A row is as wide as the header (RawTable's promise); anything past it has no column to go to.
      xml += cellXml(`${letters[i]}${r}`, row[i] ?? null, false);
    }
    xml += '</row>';
    if (xml.length >= XML_CHUNK) {
      yield xml;
      xml = '';
    }
  }
  yield `${xml}</sheetData><autoFilter ref="A1:${lastCol}${r}"/></worksheet>`;
}

const SHEET_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function contentTypesXml(sheets: number): string {
  let overrides = '';
  for (let i = 1; i <= sheets; i++) overrides += `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="${SHEET_TYPE}"/>`;
  return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
    `${overrides}</Types>`;
}

function workbookRelsXml(sheets: number): string {
  let rels = '';
  for (let i = 1; i <= sheets; i++) rels += `<Relationship Id="rId${i}" Type="${REL}/worksheet" Target="worksheets/sheet${i}.xml"/>`;
  return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    `${rels}<Relationship Id="rId${sheets + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`;
}

const ROOT_RELS = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
  '</Relationships>';

/** Two cell formats: 0 plain, 1 bold (the header row). */
const STYLES = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

function workbookXml(names: readonly string[]): string {
  return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}"><sheets>` +
    names.map((n, i) => `<sheet name="${xmlEscape(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
    '</sheets></workbook>';
}

/** Excel's last row is 1,048,576: the header and 1,048,575 data rows. */
export const XLSX_MAX_DATA_ROWS = 1_048_575;

/**
 * Writes one table as an XLSX workbook to `out` (which it ends): a bold, frozen header row with
 * a filter, numbers as numbers, booleans as booleans, text through `neutraliseFormula`. A table
 * longer than Excel's 1,048,576 rows goes on in further sheets ("名稱 (2)" …), each with the
 * header. Memory stays flat whatever the row count; rows are read only as fast as `out` takes
 * the bytes. The workbook's part list is written after the sheets, once their number is known.
 */
export async function writeXlsx(columns: readonly string[], rows: RowSource, out: Writable, options: SheetWriteOptions = {}): Promise<void> {
  const base = validSheetName(options.sheetName);
  const limit = Math.max(1, Math.min(options.maxRowsPerSheet ?? XLSX_MAX_DATA_ROWS, XLSX_MAX_DATA_ROWS));
  const feed = new RowFeed(rows);
  const names: string[] = [];
  async function* entries(): AsyncGenerator<ZipEntry> {
    do {
      const n = names.length + 1;
      const suffix = n === 1 ? '' : ` (${n})`;
      names.push(base.slice(0, 31 - suffix.length) + suffix);
      yield { name: `xl/worksheets/sheet${n}.xml`, content: sheetXml(columns, feed, limit) };
    } while (await feed.more());
    yield { name: 'xl/styles.xml', content: STYLES };
    yield { name: 'xl/workbook.xml', content: workbookXml(names) };
    yield { name: 'xl/_rels/workbook.xml.rels', content: workbookRelsXml(names.length) };
    yield { name: '_rels/.rels', content: ROOT_RELS };
    yield { name: '[Content_Types].xml', content: contentTypesXml(names.length) };
  }
  await writeZip(entries(), out);
}
