import { inflateRawSync } from 'node:zlib';
import { sniffDialect } from '../../ingest/dialect.ts';
import { decode, detectEncoding } from '../../ingest/encoding.ts';
import { indicator, type Evidence, type IndicatorResult } from '../indicators.ts';

/**
 * What a file really is, from its first bytes (issue 5: `format_match`, `structured`). A clerk
 * declares 檔案格式; the bytes say whether a ".csv" is a CSV, an HTML page the server sent instead,
 * or an Excel workbook renamed. Only the head of the file is needed (a download may be cut off).
 */
export const SNIFF_BYTES = 64 * 1024;

export const FORMATS = [
  'CSV', 'TSV', 'JSON', 'JSONLD', 'GEOJSON', 'XML', 'RDF', 'TTL', 'KML', 'KMZ', 'SHP',
  'XLSX', 'XLS', 'ODS', 'ODT', 'DOC', 'DOCX', 'PPT', 'PPTX', 'PDF', 'HTML', 'PX', 'TXT',
  'IMAGE', 'ZIP', 'GZIP', 'RAR', '7Z',
  /** No bytes at all (or only white space). */
  'EMPTY',
  /** Bytes that are no text and no container we know. */
  'BINARY',
] as const;
export type Format = (typeof FORMATS)[number];

export interface SniffResult {
  format: Format;
  /** Why, in terms a technician can check: "magic bytes %PDF-1.7", "zip entries [Content_Types].xml, xl/workbook.xml". */
  evidence: string;
}

const hex = (b: Uint8Array, n: number): string => [...b.subarray(0, n)].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');

const startsWithBytes = (buf: Uint8Array, bytes: readonly number[], at = 0): boolean => buf.length >= at + bytes.length && bytes.every((b, i) => buf[at + i] === b);

const ascii = (buf: Uint8Array, from: number, to: number): string => Buffer.from(buf.buffer, buf.byteOffset + from, Math.max(0, Math.min(to, buf.length) - from)).toString('latin1');

/** What the name or the Content-Type suggests, to settle what the bytes leave open (an OLE2 file whose directory lies past the sample). */
function hintOf(fileName?: string, contentType?: string): Format | undefined {
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const ct = contentType?.toLowerCase() ?? '';
  if (ext === 'xls' || ct.includes('ms-excel')) return 'XLS';
  if (ext === 'doc' || ct.includes('msword')) return 'DOC';
  if (ext === 'ppt' || ct.includes('ms-powerpoint')) return 'PPT';
  if (ext === 'xlsx' || ct.includes('spreadsheetml')) return 'XLSX';
  if (ext === 'docx' || ct.includes('wordprocessingml')) return 'DOCX';
  if (ext === 'pptx' || ct.includes('presentationml')) return 'PPTX';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// OLE2 (Compound File Binary): XLS, DOC and PPT share the container; the streams inside differ.

const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function ole2Kind(buf: Uint8Array): { format?: Format; why: string } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const names: string[] = [];
  if (buf.length >= 0x34) {
    const sectorSize = 1 << view.getUint16(0x1e, true);
    const dirSector = view.getUint32(0x30, true);
    if (sectorSize >= 128 && sectorSize <= 65536 && dirSector < 0xfffffffa) {
      const start = (dirSector + 1) * sectorSize;
      for (let at = start; at + 128 <= Math.min(buf.length, start + sectorSize); at += 128) {
        const len = view.getUint16(at + 0x40, true);
        if (len < 2 || len > 64) continue;
        names.push(Buffer.from(buf.buffer, buf.byteOffset + at, len - 2).toString('utf16le'));
      }
    }
  }
  const fromNames = (): Format | undefined => {
    if (names.includes('Workbook') || names.includes('Book')) return 'XLS';
    if (names.includes('WordDocument')) return 'DOC';
    if (names.includes('PowerPoint Document')) return 'PPT';
    return undefined;
  };
  const named = fromNames();
  if (named) return { format: named, why: `OLE2 compound file (D0 CF 11 E0) with a ${names.find((n) => ['Workbook', 'Book', 'WordDocument', 'PowerPoint Document'].includes(n))} stream` };
  // The directory may lie past the sample; the streams' own first records often do not. A BIFF
  // workbook starts with a BOF record (09 08), a Word document with its FIB magic (EC A5), both on
  // a 512-byte sector boundary.
  for (let at = 512; at + 8 <= buf.length; at += 512) {
    if (buf[at] === 0x09 && buf[at + 1] === 0x08 && (buf[at + 2] === 0x10 || buf[at + 2] === 0x08) && buf[at + 3] === 0x00 && (view.getUint16(at + 6, true) === 0x0005 || view.getUint16(at + 6, true) === 0x0010)) {
      return { format: 'XLS', why: `OLE2 compound file (D0 CF 11 E0) with an Excel BIFF workbook record at byte ${at}` };
    }
    if (buf[at] === 0xec && buf[at + 1] === 0xa5) return { format: 'DOC', why: `OLE2 compound file (D0 CF 11 E0) with a Word document header at byte ${at}` };
  }
  return { why: 'OLE2 compound file (D0 CF 11 E0); its directory lies past the first 64 KB' };
}

// ---------------------------------------------------------------------------------------------
// ZIP: XLSX/DOCX/PPTX (Office Open XML), ODS/ODT (OpenDocument), KMZ, zipped shapefiles.

interface ZipEntry { name: string; method: number; data?: Uint8Array }

/** The entries whose local headers (and, for a small file, central directory) lie in the sample. */
function zipEntries(buf: Uint8Array): ZipEntry[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  for (let at = 0; at + 30 <= buf.length; ) {
    const local = buf[at] === 0x50 && buf[at + 1] === 0x4b && buf[at + 2] === 3 && buf[at + 3] === 4;
    const central = buf[at] === 0x50 && buf[at + 1] === 0x4b && buf[at + 2] === 1 && buf[at + 3] === 2;
    if (local) {
      const flags = view.getUint16(at + 6, true);
      const method = view.getUint16(at + 8, true);
      const size = view.getUint32(at + 18, true);
      const nameLen = view.getUint16(at + 26, true);
      const extraLen = view.getUint16(at + 28, true);
      const dataAt = at + 30 + nameLen + extraLen;
      if (at + 30 + nameLen > buf.length) break;
      const name = Buffer.from(buf.buffer, buf.byteOffset + at + 30, nameLen).toString('utf8');
      const sized = (flags & 8) === 0 && size > 0;
      if (!seen.has(name)) {
        seen.add(name);
        entries.push({ name, method, ...(sized && dataAt + size <= buf.length ? { data: buf.subarray(dataAt, dataAt + size) } : {}) });
      }
      // With a data descriptor the size is unknown here: look for the next header byte by byte.
      at = sized ? dataAt + size : at + 4;
    } else if (central && at + 46 <= buf.length) {
      const nameLen = view.getUint16(at + 28, true);
      if (at + 46 + nameLen > buf.length) break;
      const name = Buffer.from(buf.buffer, buf.byteOffset + at + 46, nameLen).toString('utf8');
      if (!seen.has(name)) {
        seen.add(name);
        entries.push({ name, method: view.getUint16(at + 10, true) });
      }
      at += 46 + nameLen;
    } else {
      at++;
    }
  }
  return entries;
}

function entryText(e: ZipEntry): string | undefined {
  if (!e.data) return undefined;
  try {
    if (e.method === 0) return Buffer.from(e.data).toString('utf8');
    if (e.method === 8) return inflateRawSync(e.data, { maxOutputLength: 1024 * 1024 }).toString('utf8');
  } catch {
    // A damaged or cut-off entry says nothing; the names still may.
  }
  return undefined;
}

function zipKind(buf: Uint8Array, hint?: Format): SniffResult {
  const entries = zipEntries(buf);
  const names = entries.map((e) => e.name);
  const listed = (n = 4): string => names.slice(0, n).join(', ') + (names.length > n ? ', …' : '');
  const mimetype = entries.find((e) => e.name === 'mimetype');
  if (mimetype) {
    const mt = entryText(mimetype)?.trim() ?? '';
    if (mt === 'application/vnd.oasis.opendocument.spreadsheet') return { format: 'ODS', evidence: `zip with mimetype ${mt}` };
    if (mt === 'application/vnd.oasis.opendocument.text') return { format: 'ODT', evidence: `zip with mimetype ${mt}` };
    if (mt) return { format: 'ZIP', evidence: `zip with mimetype ${mt}` };
  }
  if (names.some((n) => n.startsWith('xl/'))) return { format: 'XLSX', evidence: `zip with Office Open XML entries ${listed()}` };
  if (names.some((n) => n.startsWith('word/'))) return { format: 'DOCX', evidence: `zip with Office Open XML entries ${listed()}` };
  if (names.some((n) => n.startsWith('ppt/'))) return { format: 'PPTX', evidence: `zip with Office Open XML entries ${listed()}` };
  const types = entries.find((e) => e.name === '[Content_Types].xml');
  if (types) {
    const t = entryText(types) ?? '';
    if (t.includes('spreadsheetml')) return { format: 'XLSX', evidence: 'zip whose [Content_Types].xml names a spreadsheetml workbook' };
    if (t.includes('wordprocessingml')) return { format: 'DOCX', evidence: 'zip whose [Content_Types].xml names a wordprocessingml document' };
    if (t.includes('presentationml')) return { format: 'PPTX', evidence: 'zip whose [Content_Types].xml names a presentationml deck' };
    if (hint === 'XLSX' || hint === 'DOCX' || hint === 'PPTX') return { format: hint, evidence: `zip with [Content_Types].xml (Office Open XML; which kind taken from the name or type: ${hint})` };
  }
  if (names.some((n) => /\.kml$/i.test(n))) return { format: 'KMZ', evidence: `zip with KML entries ${listed()}` };
  if (names.some((n) => /\.shp$/i.test(n))) return { format: 'SHP', evidence: `zip with shapefile entries ${listed()}` };
  return { format: 'ZIP', evidence: names.length ? `zip archive (PK 03 04) with entries ${listed()}` : 'zip archive (PK 03 04)' };
}

// ---------------------------------------------------------------------------------------------
// Text.

/** Share of characters (in the first 8 KB) that are control characters other than tab, CR, LF, VT and FF, or U+FFFD. */
function controlShare(text: string): { share: number; count: number; nul: number; of: number } {
  let count = 0;
  let nul = 0;
  const n = Math.min(text.length, 8192);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) nul++;
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 11 && c !== 12) || c === 0xfffd) count++;
  }
  return { share: n ? count / n : 0, count, nul, of: n };
}

const HTML_START = /^<(?:!doctype\s+html|html|head|body|meta|title|script|link|style|div|table|p|form|iframe|frameset|center|font|br|h[1-6])[\s>/]/i;
const XML_PRELUDE = /^(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>\s*)*/i;
const PX_KEYWORD = /^(?:CHARSET|AXIS-VERSION|CODEPAGE|LANGUAGE|LANGUAGES|CREATION-DATE|DECIMALS|SHOWDECIMALS|MATRIX|SUBJECT-CODE|SUBJECT-AREA|CONTENTS|TITLE|UNITS|STUB|HEADING|VALUES|CODES|DATA|SOURCE|NOTE|TIMEVAL|DESCRIPTION|COPYRIGHT|UPDATE-FREQUENCY|LAST-UPDATED|CONTVARIABLE|INFOFILE|TABLEID)(?:\[[a-z-]+\])?(?:\("[^"]*"(?:,"[^"]*")*\))?\s*=/im;
const PX_REQUIRED = /^(?:MATRIX|STUB|HEADING|VALUES|DECIMALS|CONTENTS)(?:\[[a-z-]+\])?(?:\("[^"]*"\))?\s*=/gim;

function xmlKind(text: string): SniffResult {
  const body = text.replace(XML_PRELUDE, '');
  const doctypeHtml = /<!doctype\s+html/i.test(text.slice(0, 1024));
  if (doctypeHtml || HTML_START.test(body)) return { format: 'HTML', evidence: `HTML markup: ${body.slice(0, 40).replace(/\s+/g, ' ')}` };
  const root = /^<([A-Za-z_][\w.:-]*)/.exec(body)?.[1];
  if (!root) return { format: 'XML', evidence: 'starts with an XML declaration' };
  const local = root.includes(':') ? root.slice(root.indexOf(':') + 1) : root;
  if (root === 'rdf:RDF' || (local === 'RDF' && body.slice(0, 2000).includes('22-rdf-syntax-ns'))) return { format: 'RDF', evidence: `XML with root element <${root}> (RDF/XML)` };
  if (local.toLowerCase() === 'kml') return { format: 'KML', evidence: `XML with root element <${root}> (KML)` };
  if (local.toLowerCase() === 'svg') return { format: 'IMAGE', evidence: `XML with root element <${root}> (SVG picture)` };
  if (local.toLowerCase() === 'html') return { format: 'HTML', evidence: `XML with root element <${root}> (XHTML)` };
  return { format: 'XML', evidence: `XML with root element <${root}>` };
}

function jsonKind(text: string): SniffResult | undefined {
  const first = text[0];
  const next = text.slice(1, 200).trimStart()[0];
  const looksJson = first === '{' ? next === undefined || next === '"' || next === '}' : next === undefined || /[[{"\-0-9tfn\]]/.test(next);
  if (!looksJson) return undefined;
  const head = text.slice(0, 4096);
  if (/"@context"\s*:/.test(head)) return { format: 'JSONLD', evidence: 'JSON with an "@context" key (JSON-LD)' };
  if (/"type"\s*:\s*"(?:FeatureCollection|Feature)"/.test(head)) return { format: 'GEOJSON', evidence: 'JSON with "type": "FeatureCollection" (GeoJSON)' };
  return { format: 'JSON', evidence: first === '{' ? 'JSON object' : 'JSON array' };
}

/** The delimiter found on most lines (and the most common count), when the CSV parser gives up on a damaged sample. */
function looseDelimiter(t: string): { delimiter: string; fields: number; lines: number; of: number } | undefined {
  const lines = t.split(/\r\n|\r|\n/, 500).filter((l) => l.trim().length > 0);
  let best: { delimiter: string; fields: number; lines: number; of: number } | undefined;
  for (const delimiter of [',', ';', '\t', '|']) {
    const counts = new Map<number, number>();
    let with_ = 0;
    for (const l of lines) {
      const n = l.split(delimiter).length - 1;
      if (n > 0) {
        with_++;
        counts.set(n, (counts.get(n) ?? 0) + 1);
      }
    }
    let modal = 0;
    let modalCount = 0;
    for (const [n, c] of counts) if (c > modalCount) [modal, modalCount] = [n, c];
    if (with_ >= 2 && with_ >= lines.length / 3 && (!best || with_ > best.lines)) best = { delimiter, fields: modal + 1, lines: with_, of: lines.length };
  }
  return best;
}

function consistentlyDelimited(text: string): boolean {
  const d = sniffDialect(text.slice(0, 32 * 1024));
  return d.width > 1 && d.consistency >= 0.8;
}

function textKind(text: string, encoding: string, controls: number): SniffResult {
  const enc = ` (${encoding})`;
  const damage = controls > 0 ? `; ${controls} control characters in the first 8 KB` : '';
  const t = text.trimStart();
  if (t.length === 0) return { format: 'EMPTY', evidence: 'only white space' };
  // "<5 歲" in a first cell is text, not markup.
  if (/^<[A-Za-z?!]/.test(t)) return xmlKind(t);
  if (t.startsWith('{') || t.startsWith('[')) {
    const j = jsonKind(t);
    if (j) return j;
  }
  if (/^\{\\rtf/.test(t)) return { format: 'DOC', evidence: 'RTF document ({\\rtf)' };
  if (/^(?:@prefix|@base|PREFIX|BASE)\s/i.test(t)) return { format: 'TTL', evidence: 'Turtle (RDF) prefixes' };
  if (PX_KEYWORD.test(t.slice(0, 200))) {
    const required = new Set([...t.matchAll(PX_REQUIRED)].map((m) => m[0].replace(/[[("=\s].*$/s, '').toUpperCase()));
    if (required.size >= 2) return { format: 'PX', evidence: `PC-Axis keywords ${[...required].slice(0, 4).join(', ')}${enc}` };
  }
  // Delimited text: the dialect sniffer of the readers (issue 4) decides the delimiter.
  const d = sniffDialect(t.slice(0, 32 * 1024));
  if (d.width > 1 && d.consistency >= 0.5) {
    const name = d.delimiter === '\t' ? 'tab' : `"${d.delimiter}"`;
    return { format: d.delimiter === '\t' ? 'TSV' : 'CSV', evidence: `delimited text, ${name}, ${d.width} fields in ${Math.round(d.consistency * 100)}% of records${enc}${damage}` };
  }
  // A damaged file (stray quotes, binary fragments) defeats the parser; count delimiters per line.
  const loose = looseDelimiter(t);
  if (loose) {
    const name = loose.delimiter === '\t' ? 'tab' : `"${loose.delimiter}"`;
    return { format: loose.delimiter === '\t' ? 'TSV' : 'CSV', evidence: `delimited text (ragged or damaged), ${name}, delimiter on ${loose.lines} of ${loose.of} lines (${loose.fields} fields most often)${enc}${damage}` };
  }
  return { format: 'TXT', evidence: `plain text without a consistent delimiter${enc}` };
}

/**
 * The format of a file from its first bytes (up to SNIFF_BYTES): magic numbers for binary formats
 * (PDF, OLE2 for XLS/DOC, zip for XLSX/ODS/DOCX, images, archives), then the content of text
 * (HTML, XML, JSON, PC-Axis, delimited text) decoded with the readers' encoding detection. The
 * name and Content-Type are hints only, used where the bytes leave the kind open.
 */
export function sniffFormat(bytes: Uint8Array, fileName?: string, contentType?: string): SniffResult {
  const buf = bytes.subarray(0, SNIFF_BYTES);
  const hint = hintOf(fileName, contentType);
  if (buf.length === 0) return { format: 'EMPTY', evidence: '0 bytes' };
  if (startsWithBytes(buf, OLE2)) {
    const k = ole2Kind(buf);
    if (k.format) return { format: k.format, evidence: k.why };
    const guess = hint === 'DOC' || hint === 'PPT' ? hint : 'XLS';
    return { format: guess, evidence: `${k.why}; taken as ${guess}${hint ? ' from the name or type' : ', the usual kind on a data portal'}` };
  }
  if (startsWithBytes(buf, [0x50, 0x4b, 0x03, 0x04]) || startsWithBytes(buf, [0x50, 0x4b, 0x05, 0x06])) return zipKind(buf, hint);
  const pdfAt = ascii(buf, 0, 1024).indexOf('%PDF-');
  if (pdfAt >= 0) return { format: 'PDF', evidence: `PDF header ${ascii(buf, pdfAt, pdfAt + 8)}${pdfAt ? ` at byte ${pdfAt}` : ''}` };
  if (startsWithBytes(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: 'IMAGE', evidence: 'PNG picture (89 50 4E 47)' };
  if (startsWithBytes(buf, [0xff, 0xd8, 0xff])) return { format: 'IMAGE', evidence: 'JPEG picture (FF D8 FF)' };
  if (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a') return { format: 'IMAGE', evidence: `GIF picture (${ascii(buf, 0, 6)})` };
  if (startsWithBytes(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWithBytes(buf, [0x4d, 0x4d, 0x00, 0x2a])) return { format: 'IMAGE', evidence: `TIFF picture (${hex(buf, 4)})` };
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return { format: 'IMAGE', evidence: 'WebP picture (RIFF…WEBP)' };
  if (startsWithBytes(buf, [0x1f, 0x8b])) return { format: 'GZIP', evidence: 'gzip archive (1F 8B)' };
  if (ascii(buf, 0, 6) === 'Rar!\x1a\x07') return { format: 'RAR', evidence: 'RAR archive (Rar!)' };
  if (startsWithBytes(buf, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { format: '7Z', evidence: '7-Zip archive (37 7A BC AF)' };
  if (startsWithBytes(buf, [0x00, 0x00, 0x27, 0x0a])) return { format: 'SHP', evidence: 'ESRI shapefile (file code 9994)' };

  const guess = detectEncoding(buf, { complete: bytes.length < SNIFF_BYTES });
  const text = decode(buf, guess.encoding);
  const ctrl = controlShare(text);
  // Text damaged by binary fragments is still text (kiang's DGBAS CSVs: 15–19% control characters,
  // one not even valid UTF-8, yet the same number of commas on nearly every line). NUL bytes
  // outside UTF-16 or a third of control characters are not text; a tenth is not, unless the lines
  // hold a consistent delimited structure, which random bytes never do.
  const heavy = (ctrl.nul > 2 && ctrl.nul / ctrl.of > 0.01) || (ctrl.share > 0.3 && ctrl.count > 2);
  const suspect = ctrl.share > 0.1 && ctrl.count > 2;
  if (heavy || (suspect && !consistentlyDelimited(text))) {
    return { format: 'BINARY', evidence: `binary data (${Math.round(ctrl.share * 100)}% control bytes; first bytes ${hex(buf, 8)})` };
  }
  return textKind(text, guess.encoding, ctrl.count);
}

// ---------------------------------------------------------------------------------------------
// Declared format against the content.

/** 檔案格式 as clerks write it ("csv", ".CSV", "壓縮檔", "JSON-LD", "Excel") → the names above, or undefined for 其他 and empty. */
export function normaliseDeclaredFormat(declared: string): { formats: Format[]; label: string } | undefined {
  const label = declared.trim();
  const v = label.toUpperCase().replace(/^\./, '').replace(/[\s_]/g, '');
  if (v === '' || v === '其他' || v === 'OTHER' || v === 'OTHERS') return undefined;
  const map: Record<string, Format[]> = {
    CSV: ['CSV'], TSV: ['TSV'], TXT: ['TXT'], TEXT: ['TXT'],
    JSON: ['JSON'], 'JSON-LD': ['JSONLD'], JSONLD: ['JSONLD'], GEOJSON: ['GEOJSON'],
    XML: ['XML'], RDF: ['RDF'], 'RDF/XML': ['RDF'], TTL: ['TTL'], TURTLE: ['TTL'], KML: ['KML'], KMZ: ['KMZ'], SHP: ['SHP'], SHAPEFILE: ['SHP'],
    XLSX: ['XLSX'], XLS: ['XLS'], EXCEL: ['XLS', 'XLSX'], ODS: ['ODS'], ODT: ['ODT'], DOC: ['DOC'], DOCX: ['DOCX'], RTF: ['DOC'],
    PPT: ['PPT'], PPTX: ['PPTX'], PDF: ['PDF'], HTML: ['HTML'], HTM: ['HTML'], PX: ['PX'], 'PC-AXIS': ['PX'],
    ZIP: ['ZIP'], 壓縮檔: ['ZIP'], RAR: ['RAR'], '7Z': ['7Z'], GZ: ['GZIP'], GZIP: ['GZIP'],
    PNG: ['IMAGE'], JPG: ['IMAGE'], JPEG: ['IMAGE'], GIF: ['IMAGE'], TIF: ['IMAGE'], TIFF: ['IMAGE'], SVG: ['IMAGE'], 圖片: ['IMAGE'],
    // An API answers in JSON or XML; that is what can be checked.
    API: ['JSON', 'XML'], WEBSERVICES: ['JSON', 'XML'], 'API/WEBSERVICES': ['JSON', 'XML'], WEBSERVICE: ['JSON', 'XML'],
  };
  const formats = map[v];
  return formats ? { formats, label } : { formats: [], label };
}

/** Formats that are the same thing for a user: a one-column CSV sniffs as plain text, GeoJSON is JSON. */
const COMPATIBLE: Partial<Record<Format, readonly Format[]>> = {
  CSV: ['TSV', 'TXT'],
  TSV: ['CSV', 'TXT'],
  TXT: ['CSV', 'TSV'],
  JSON: ['JSONLD', 'GEOJSON'],
  XML: ['RDF', 'KML'],
  RDF: ['TTL', 'JSONLD'],
  TTL: ['RDF', 'JSONLD'],
  JSONLD: ['RDF', 'TTL'],
  KMZ: ['KML'],
};
/** Close but not the same: the declaration should be corrected, yet users get what they expect (a spreadsheet, a document). */
const FAMILIES: readonly (readonly Format[])[] = [
  ['XLS', 'XLSX', 'ODS'],
  ['DOC', 'DOCX', 'ODT'],
  ['PPT', 'PPTX'],
  ['ZIP', 'KMZ', 'SHP', 'GZIP', 'RAR', '7Z'],
  ['JSON', 'GEOJSON', 'JSONLD'],
  ['XML', 'KML', 'RDF'],
];

const FORMAT_ZH: Partial<Record<Format, string>> = {
  HTML: '網頁（HTML）', XLS: 'Excel 97–2003 活頁簿（XLS）', XLSX: 'Excel 活頁簿（XLSX）', ODS: 'ODF 試算表（ODS）', EMPTY: '空檔案',
  BINARY: '無法辨識的二進位檔', IMAGE: '圖片', ZIP: '壓縮檔（ZIP）', PDF: 'PDF 文件', DOC: 'Word 97–2003 文件（DOC）', DOCX: 'Word 文件（DOCX）', TXT: '純文字', PX: 'PC-Axis 統計表（PX）',
};
const FORMAT_EN: Partial<Record<Format, string>> = {
  HTML: 'a web page (HTML)', XLS: 'an Excel 97–2003 workbook (XLS)', XLSX: 'an Excel workbook (XLSX)', ODS: 'an OpenDocument spreadsheet (ODS)', EMPTY: 'an empty file',
  BINARY: 'unrecognised binary data', IMAGE: 'a picture', ZIP: 'a zip archive', PDF: 'a PDF document', DOC: 'a Word 97–2003 document (DOC)', DOCX: 'a Word document (DOCX)', TXT: 'plain text', PX: 'a PC-Axis table (PX)',
};
export const formatNameZh = (f: Format): string => FORMAT_ZH[f] ?? f;
export const formatNameEn = (f: Format): string => FORMAT_EN[f] ?? f;

/**
 * `format_match`: the declared 檔案格式 against what the bytes are. Same format or a compatible one
 * (CSV/TSV/TXT; JSON and GeoJSON) passes; a close relative (XLS declared, XLSX delivered) warns;
 * anything else fails and names what the file really is. 其他 or nothing declared → na.
 */
export function formatMatch(declared: string | undefined, sniffed: SniffResult): IndicatorResult {
  const ev: Evidence[] = [{ sample: sniffed.format, note: sniffed.evidence }];
  const data = { declared: declared ?? null, detected: sniffed.format };
  const d = declared === undefined ? undefined : normaliseDeclaredFormat(declared);
  if (!d) {
    return indicator('format_match', 'na', '未宣告具體的檔案格式（空白或「其他」），無法比對', 'no specific file format declared (blank or 其他), so nothing to compare', ev, data);
  }
  if (d.formats.length === 0) {
    return indicator('format_match', 'na', `宣告的檔案格式「${d.label}」無法由檔案內容判斷，未比對`, `the declared format "${d.label}" cannot be recognised from file content, so it was not compared`, ev, data);
  }
  const got = sniffed.format;
  if (got === 'EMPTY') {
    return indicator('format_match', 'na', '檔案是空的，無法判斷格式（請見「可直接下載」檢測）', 'the file is empty, so its format cannot be judged (see the downloadable check)', ev, data);
  }
  if (d.formats.includes(got) || d.formats.some((f) => COMPATIBLE[f]?.includes(got))) {
    return indicator('format_match', 'pass', `檔案內容與宣告的格式「${d.label}」相符`, `the file's content matches the declared format "${d.label}"`, ev, data);
  }
  if (d.formats.some((f) => FAMILIES.some((fam) => fam.includes(f) && fam.includes(got)))) {
    return indicator(
      'format_match',
      'warn',
      `宣告為「${d.label}」，但檔案實際是${formatNameZh(got)}；兩者相近，請將檔案格式更正為 ${got}`,
      `declared "${d.label}" but the file is really ${formatNameEn(got)}; close, but correct the declared format to ${got}`,
      ev,
      data,
    );
  }
  const fix = got === 'HTML'
    ? { zh: '下載網址可能指向網頁而非檔案，請改為檔案的直接下載網址', en: 'the download URL probably points to a web page, not the file; link the file itself' }
    : { zh: `請將檔案另存為 ${d.label} 再上傳，或將檔案格式更正為 ${got}`, en: `save the file as ${d.label} and upload it again, or correct the declared format to ${got}` };
  return indicator(
    'format_match',
    'fail',
    `宣告為「${d.label}」，但檔案實際是${formatNameZh(got)}；${fix.zh}`,
    `declared "${d.label}" but the file is really ${formatNameEn(got)}; ${fix.en}`,
    ev,
    data,
  );
}

// ---------------------------------------------------------------------------------------------
// Openness stars.

/**
 * Stars of Tim Berners-Lee's 5-star open data scheme (5stardata.info) by format: ★ on the web in
 * any format (PDF, pictures, documents, web pages); ★★ structured but in a proprietary format
 * (Excel XLS/XLSX); ★★★ structured in an open format (CSV, ODS, JSON, XML, PC-Axis, KML, …);
 * ★★★★ RDF with URIs for things; ★★★★★ RDF linked to other people's data — which the format alone
 * cannot show, so it needs `linksToOtherData` from a content check.
 */
const STARS: Partial<Record<Format, 1 | 2 | 3 | 4>> = {
  PDF: 1, IMAGE: 1, DOC: 1, DOCX: 1, ODT: 1, PPT: 1, PPTX: 1, HTML: 1, TXT: 1, BINARY: 1,
  XLS: 2, XLSX: 2,
  CSV: 3, TSV: 3, ODS: 3, JSON: 3, GEOJSON: 3, XML: 3, PX: 3, KML: 3, KMZ: 3, SHP: 3,
  RDF: 4, TTL: 4, JSONLD: 4,
};

const STAR_TEXT = ['', '★', '★★', '★★★', '★★★★', '★★★★★'];

/**
 * `structured`: openness stars 1–5 in `data.stars` for a format (sniffed, or declared when the file
 * could not be fetched). ≥ 3 passes, 2 warns (structured but proprietary), 1 fails. A container
 * (zip, gzip) or an empty file is na: the stars are those of what is inside.
 */
export function structured(format: string, opts: { linksToOtherData?: boolean } = {}): IndicatorResult {
  const f: Format | undefined = (FORMATS as readonly string[]).includes(format) ? (format as Format) : normaliseDeclaredFormat(format)?.formats[0];
  const scheme = { scheme: '5-star open data (5stardata.info)' };
  const base = f ? STARS[f] : undefined;
  if (!f || base === undefined) {
    return indicator(
      'structured',
      'na',
      `無法由格式「${format}」判斷開放程度${f === 'ZIP' || f === 'GZIP' || f === 'RAR' || f === '7Z' ? '（壓縮檔的星等取決於其中的檔案）' : ''}`,
      `the openness of format "${format}" cannot be judged${f === 'ZIP' || f === 'GZIP' || f === 'RAR' || f === '7Z' ? ' (an archive has the stars of the files inside it)' : ''}`,
      [],
      { ...scheme, format },
    );
  }
  const stars = base === 4 && opts.linksToOtherData ? 5 : base;
  const data = { ...scheme, format: f, stars };
  const ev: Evidence[] = [{ sample: f, note: `${STAR_TEXT[stars]} (${stars}/5)` }];
  switch (stars) {
    case 1:
      return indicator('structured', 'fail', `${f} 不是結構化格式（開放程度 ★，5 星中 1 星）；請另提供 CSV、JSON 或 XML 等機器可讀格式`, `${f} is not a structured format (★, 1 of 5 stars); also publish a machine-readable format such as CSV, JSON or XML`, ev, data);
    case 2:
      return indicator('structured', 'warn', `${f} 是結構化但屬專有格式（★★，5 星中 2 星）；建議另提供 CSV 或 ODS 等開放格式`, `${f} is structured but proprietary (★★, 2 of 5 stars); consider also publishing an open format such as CSV or ODS`, ev, data);
    case 3:
      return indicator('structured', 'pass', `${f} 是開放的結構化格式（★★★，5 星中 3 星）`, `${f} is an open, structured format (★★★, 3 of 5 stars)`, ev, data);
    case 4:
      return indicator('structured', 'pass', `${f} 以 URI 表示資料（★★★★，5 星中 4 星）`, `${f} identifies things with URIs (★★★★, 4 of 5 stars)`, ev, data);
    case 5:
      return indicator('structured', 'pass', `${f} 以 URI 表示並連結到其他資料（★★★★★，5 星）`, `${f} uses URIs and links to other data (★★★★★, 5 of 5 stars)`, ev, data);
  }
}
