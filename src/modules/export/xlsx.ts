import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { RawCell } from '../ingest/table.ts';
import { neutraliseFormula } from './cells.ts';

/**
 * XLSX export, streamed (issue 4). The workbook is one sheet of SpreadsheetML written by hand
 * and zipped by yazl as it is produced: exceljs' streaming WorkbookWriter buffers committed rows
 * without waiting for a slow reader (a download to a slow client would grow memory), while here
 * the XML is generated only when zlib and the output stream ask for more. Text goes in as inline
 * strings, so no shared-string table grows with the row count.
 */

export type RowSource = AsyncIterable<readonly RawCell[]> | Iterable<readonly RawCell[]>;

export interface SheetWriteOptions {
  /** Name of the one sheet (default "Sheet1"); made valid for Excel (31 characters, no []:*?/\). */
  sheetName?: string;
}

/** XML 1.0 forbids most C0 controls (DGBAS files carry stray ones) and lone surrogates: drop them. */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlEscape(text: string): string {
  return text.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Text for an OOXML cell: characters XML cannot carry (controls, and CR, which XML parsers turn
 * into LF) are written as _xHHHH_, as Excel does, and a literal "_xHHHH_" is protected as
 * _x005F_xHHHH_, so that the text reads back exactly.
 */
export function ooxmlText(text: string): string {
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
 * Backpressure runs from `out` back through yazl and zlib to the entries' generators.
 */
export async function writeZip(entries: readonly ZipEntry[], out: Writable): Promise<void> {
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as Readable;
  const mtime = new Date();
  for (const e of entries) {
    if (typeof e.content === 'string') {
      // A stored entry gets no extra field, so ODF's "mimetype at byte 38" magic holds.
      zip.addBuffer(Buffer.from(e.content, 'utf8'), e.name, { compress: !e.store, forceDosTimestamp: true, mtime });
    } else {
      const source = Readable.from(chunked(e.content), { objectMode: false, encoding: 'utf8' });
      // pipe() does not forward errors: a failing row source must fail the download, not hang it.
      source.on('error', (err) => output.destroy(err));
      zip.addReadStream(source, e.name, { compress: !e.store, mtime });
    }
  }
  zip.on('error', (err: Error) => output.destroy(err));
  zip.end();
  await pipeline(output, out);
}

function validSheetName(name: string | undefined): string {
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

async function* sheetXml(columns: readonly string[], rows: RowSource): AsyncGenerator<string> {
  const letters = columns.map((_, i) => columnLetter(i));
  const lastCol = letters.at(-1) ?? 'A';
  yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
    '<sheetData>';
  yield `<row r="1">${columns.map((c, i) => cellXml(`${letters[i]}1`, c, true)).join('')}</row>`;
  let r = 1;
  for await (const row of rows) {
    r++;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < columns.length; i++) {
      // A row is as wide as the header (RawTable's promise); anything past it has no column to go to.
      xml += cellXml(`${letters[i]}${r}`, row[i] ?? null, false);
    }
    yield `${xml}</row>`;
  }
  yield `</sheetData><autoFilter ref="A1:${lastCol}${Math.max(r, 1)}"/></worksheet>`;
}

const CONTENT_TYPES = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
  '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
  '</Types>';

const ROOT_RELS = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
  '</Relationships>';

const WORKBOOK_RELS = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
  '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
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

function workbookXml(sheetName: string): string {
  return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    `<sheets><sheet name="${xmlEscape(sheetName)}" sheetId="1" r:id="rId1"/></sheets>` +
    '</workbook>';
}

/**
 * Writes one table as an XLSX workbook of one sheet to `out` (which it ends): a bold, frozen
 * header row, numbers as numbers, booleans as booleans, text through `neutraliseFormula`.
 * Memory stays flat whatever the row count; rows are read only as fast as `out` takes the bytes.
 */
export async function writeXlsx(columns: readonly string[], rows: RowSource, out: Writable, options: SheetWriteOptions = {}): Promise<void> {
  const sheetName = validSheetName(options.sheetName);
  await writeZip([
    { name: '[Content_Types].xml', content: CONTENT_TYPES },
    { name: '_rels/.rels', content: ROOT_RELS },
    { name: 'xl/workbook.xml', content: workbookXml(sheetName) },
    { name: 'xl/_rels/workbook.xml.rels', content: WORKBOOK_RELS },
    { name: 'xl/styles.xml', content: STYLES },
    { name: 'xl/worksheets/sheet1.xml', content: sheetXml(columns, rows) },
  ], out);
}
