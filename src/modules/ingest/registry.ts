import { readFile } from 'node:fs/promises';
import { readHead } from './file-head.ts';
import { cubeToTable, pxToCube } from './cube-table.ts';
import { readCsvFile } from './csv-reader.ts';
import { readDgbasXml } from './dgbas-xml.ts';
import { HeaderChoiceError, parseHeaderChoice, type HeaderChoice } from './dialect.ts';
import { decode, detectEncoding, parseDeclaredEncoding } from './encoding.ts';
import { readPx } from './pcaxis.ts';
import { jsonRecordsTable, looksLikeSdmxJson, readJsonDocument, readXmlRecords } from './records.ts';
import { readSdmxJson } from './sdmx.ts';
import { ReadError, type RawTable } from './table.ts';

/**
 * Which reader opens a file as a table, by format (issue 4): the one registry the datastore's
 * loader and the quality engine both use, so a file is read the same way wherever it is checked.
 */

/** How a version's file is to be read: its declared encoding and the header rows the contact chose. */
export interface ReadOptions {
  encoding?: string | null;
  header?: string | null;
}
const csv = (p: string, o: ReadOptions) => readCsvFile(p, { encoding: o.encoding ? parseDeclaredEncoding(o.encoding) : undefined, header: headerChoice(o.header) });
const px = async (p: string) => {
  const cube = readPx(await readFile(p));
  return cubeToTable(pxToCube(cube), { issues: cube.warnings.map((w) => ({ level: 'warning' as const, zh: w.split(' / ')[0] ?? w, en: w.split(' / ')[1] ?? w })) });
};
/** The contact's header choice ("4" or "4-6"); a malformed one refuses the file with the reason. */
function headerChoice(text: string | null | undefined): HeaderChoice | undefined {
  try {
    return parseHeaderChoice(text);
  } catch (err) {
    if (err instanceof HeaderChoiceError) throw new ReadError(err.zh, err.en);
    throw err;
  }
}
/**
 * Workbooks: the first sheet with data is the table; other sheets are named in the issues. A sheet
 * laid out as a printed report is passed over with a warning; when every sheet is, the first one's
 * reason refuses the file.
 */
const workbook = async (p: string, o: ReadOptions): Promise<RawTable> => {
  // Imported when needed: the spreadsheet library is large, and a load thread reading a CSV does without it.
  const { readWorkbook } = await import('../ingest/spreadsheet.ts');
  const wb = await readWorkbook(p, { header: headerChoice(o.header) });
  const refused = wb.sheets.filter((s) => s.refusal);
  const withData = wb.sheets.filter((s) => !s.refusal && s.table.columns.length > 0);
  const first = withData[0];
  if (!first) {
    const r = refused[0]?.refusal;
    if (r) throw new ReadError(`工作表「${refused[0].name}」：${r.zh}`, `sheet "${refused[0].name}": ${r.en}`, { sheet: refused[0].name, line: r.line });
    throw new ReadError('活頁簿中沒有含資料的工作表', 'the workbook has no sheet with data');
  }
  const others = withData.slice(1).map((s) => s.name);
  if (others.length) {
    first.table.issues.push({
      level: 'warning',
      sheet: first.name,
      zh: `只載入第一個工作表「${first.name}」；其他工作表（${others.join('、')}）請分別作為資料資源上傳`,
      en: `only the first sheet "${first.name}" was loaded; upload the other sheets (${others.join(', ')}) as resources of their own`,
    });
  }
  for (const s of refused) {
    first.table.issues.push({ level: 'warning', sheet: s.name, zh: `略過工作表「${s.name}」：${s.refusal?.zh ?? ''}`, en: `sheet "${s.name}" passed over: ${s.refusal?.en ?? ''}` });
  }
  return first.table;
};
/** SDMX-JSON (the statistical database's answers), for files declared as such. */
const sdmx = async (p: string) => readSdmxJson(await readFile(p));
/**
 * JSON: an SDMX-JSON data message when the document looks like one (its own reader, its own
 * messages), otherwise a list of records (a bare array of objects or one wrapped in an object).
 */
const json = async (p: string) => {
  const doc = await readJsonDocument(p);
  if (looksLikeSdmxJson(doc.root)) return readSdmxJson(await readFile(p));
  return jsonRecordsTable(doc);
};
/** Bytes of an XML file looked at to tell DGBAS's `<Obs>` answers from other XML. */
const XML_PEEK = 64 * 1024;
/** XML: DGBAS's `<Obs>` answers when the start of the file has Obs elements, otherwise repeated record elements. */
const xml = async (p: string) => {
  const { bytes: head } = await readHead(p, XML_PEEK);
  const text = decode(head, detectEncoding(head).encoding);
  return /<(?:[\w.-]+:)?obs[\s/>]/i.test(text) ? readDgbasXml(p) : readXmlRecords(p);
};

/** The readers of the formats the datastore loads into a table, by declared format. */
export const TABULAR: Record<string, (path: string, opts: ReadOptions) => Promise<RawTable>> = {
  CSV: csv,
  TSV: csv,
  TXT: csv,
  PX: px,
  'PC-AXIS': px,
  JSON: json,
  'SDMX-JSON': sdmx,
  XML: xml,
  XLSX: workbook,
  XLS: workbook,
  ODS: workbook,
};

export const isTabular = (format: string): boolean => format.toUpperCase() in TABULAR;
export const isTabularFormat = isTabular;

/** Opens a file as a table with the reader for its format (ReadError when it cannot be read as one). */
export async function openTableFile(path: string, format: string, opts: ReadOptions = {}): Promise<RawTable> {
  const reader = TABULAR[format.toUpperCase()];
  if (!reader) throw new ReadError(`${format} 格式不是表格`, `${format} is not a tabular format`);
  return reader(path, opts);
}
