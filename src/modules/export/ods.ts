import type { Writable } from 'node:stream';
import { batchesOf, type RawCell } from '../ingest/table.ts';
import { neutraliseFormula } from './cells.ts';
import { validSheetName, writeZip, xmlEscape, type RowSource, type SheetWriteOptions } from './xlsx.ts';

/**
 * ODS export, streamed (issue 4): an OpenDocument spreadsheet is a zip whose first entry is the
 * stored `mimetype`, then a manifest and content.xml. content.xml is generated row by row as the
 * zip stream asks for it (see writeZip), so memory does not grow with the table.
 */

const MIMETYPE = 'application/vnd.oasis.opendocument.spreadsheet';

const MANIFEST = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">' +
  `<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="${MIMETYPE}"/>` +
  '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>' +
  '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>' +
  '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>' +
  '</manifest:manifest>';

const NS = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ' +
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ' +
  'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" ' +
  'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/"';

const STYLES = `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles ${NS} office:version="1.2"><office:styles/></office:document-styles>`;

function metaXml(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta ${NS} office:version="1.2"><office:meta>` +
    `<meta:generator>Kaifang</meta:generator><meta:creation-date>${new Date().toISOString().slice(0, 19)}</meta:creation-date>` +
    '</office:meta></office:document-meta>';
}

/** Text that textXml writes as it is: no XML specials, controls, surrogates, line ends, tabs, or runs of spaces at either end or inside. */
// eslint-disable-next-line no-control-regex
const ODS_SPECIAL = /[\u0000-\u001F&<>"\uD800-\uDFFF\uFFFE\uFFFF]|^ | $| {2}/;

/**
 * Text in a cell, as LibreOffice writes it: one <text:p> a line, runs of spaces and spaces at
 * either end of a line as <text:s/> (ODF collapses plain ones), tabs as <text:tab/>.
 */
function textXml(text: string): string {
  if (!ODS_SPECIAL.test(text)) return `<text:p>${text}</text:p>`;
  return xmlEscape(text)
    .split(/\r\n|\r|\n/)
    .map((line) => `<text:p>${line.replace(/^ +| +$| {2,}/g, (m) => (m.length === 1 ? '<text:s/>' : `<text:s text:c="${m.length}"/>`)).replace(/\t/g, '<text:tab/>')}</text:p>`)
    .join('');
}

function cellXml(raw: RawCell, header: boolean): string {
  const value = neutraliseFormula(raw);
  const style = header ? ' table:style-name="header"' : '';
  if (value === null || value === '') return '<table:table-cell/>';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `<table:table-cell office:value-type="string"><text:p>${String(value)}</text:p></table:table-cell>`;
    return `<table:table-cell${style} office:value-type="float" office:value="${String(value)}"><text:p>${String(value)}</text:p></table:table-cell>`;
  }
  if (typeof value === 'boolean') {
    return `<table:table-cell office:value-type="boolean" office:boolean-value="${String(value)}"><text:p>${value ? 'TRUE' : 'FALSE'}</text:p></table:table-cell>`;
  }
  return `<table:table-cell${style} office:value-type="string">${textXml(value)}</table:table-cell>`;
}

async function* contentXml(columns: readonly string[], rows: RowSource, sheetName: string): AsyncGenerator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content ${NS} office:version="1.2">` +
    '<office:automatic-styles><style:style style:name="header" style:family="table-cell"><style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles>' +
    `<office:body><office:spreadsheet><table:table table:name="${xmlEscape(sheetName)}">` +
    `<table:table-column table:number-columns-repeated="${Math.max(columns.length, 1)}"/>` +
    '<table:table-header-rows>' +
    `<table:table-row>${columns.map((c) => cellXml(c, true)).join('')}</table:table-row>` +
    '</table:table-header-rows>';
  // Taken in batches like the other writers (typed one way, whatever the source), written a row at a time.
  for await (const batch of batchesOf(rows)) {
    for (const row of batch) {
      let xml = '<table:table-row>';
      for (let i = 0; i < columns.length; i++) xml += cellXml(row[i] ?? null, false);
      yield `${xml}</table:table-row>`;
    }
  }
  yield '</table:table></office:spreadsheet></office:body></office:document-content>';
}

/**
 * Writes one table as an ODS spreadsheet of one sheet to `out` (which it ends): a bold header
 * row, numbers as floats, text through `neutraliseFormula`. Memory stays flat whatever the row
 * count; rows are read only as fast as `out` takes the bytes.
 */
export async function writeOds(columns: readonly string[], rows: RowSource, out: Writable, options: SheetWriteOptions = {}): Promise<void> {
  const sheetName = validSheetName(options.sheetName);
  await writeZip([
    { name: 'mimetype', content: MIMETYPE, store: true },
    { name: 'META-INF/manifest.xml', content: MANIFEST },
    { name: 'meta.xml', content: metaXml() },
    { name: 'styles.xml', content: STYLES },
    { name: 'content.xml', content: contentXml(columns, rows, sheetName) },
  ], out);
}
