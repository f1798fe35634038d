import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import v8 from 'node:v8';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { decoded, xmlError, type XmlSource } from './dgbas-xml.ts';
import { decode, detectEncoding, type EncodingGuess } from './encoding.ts';
import { ReadError, rowStream, uniqueColumns, type RawCell, type RawTable, type ReadIssue } from './table.ts';

/**
 * Plain record files as tables (issue 4): the shapes most open data comes in when it is neither
 * CSV nor a statistical format — a JSON array of objects (bare, or wrapped as CKAN's
 * `{"result":{"records":[…]}}`, `{"data":[…]}`) and XML of repeated record elements
 * (`<dataset><record>…</record>…`, `<Data><Row>…`). One row per record, one column per key,
 * attribute or child element, in the order they are first seen.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Largest JSON file read (it is parsed whole: JSON has no record boundaries a stream could cut at cheaply). */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;
/**
 * The largest JSON file this process can parse whole: the text and the objects made of it take a
 * few times the file's size, so the limit follows the heap (the datastore's load thread has a
 * small one) — a clear refusal rather than a thread that runs out of memory.
 */
export function jsonSizeLimit(): number {
  return Math.min(MAX_JSON_BYTES, Math.floor(v8.getHeapStatistics().heap_size_limit / 5));
}
/** Records whose keys (or fields) make the columns; a key first seen later is reported and left out. */
const PEEK_RECORDS = 1000;
/** How deep under the top-level object the list of records is looked for (`a.b.c` is depth 3). */
const SEARCH_DEPTH = 3;
/** Rows per batch handed to the loader. */
const BATCH_ROWS = 1000;
/** Key names that say "these are the records" when a document holds several lists (CKAN's `fields` before `records`). */
const RECORD_KEYS = new Set(['records', 'data', 'rows', 'items', 'results', 'result', 'features', 'entries', 'value', 'list', 'dataset', 'datasets']);

/** "…in JSON at position 1234" → line and column, when V8 says where. */
function whereInJson(text: string, message: string): { line?: number; column?: string } {
  const m = /at position (\d+)/.exec(message);
  if (!m) return {};
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return { line, column: String(before.length - before.lastIndexOf('\n')) };
}

/** A JSON file parsed whole, with the encoding it was read in. */
export interface JsonDocument {
  root: Json;
  encoding: EncodingGuess;
  /** The text parsed, when it is at hand: it holds the keys' written order, which objects lose for keys like "2024". */
  text?: string;
}

const megabytes = (n: number): string => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${Math.round(n / 1024 / 1024)} MB`);

/**
 * Reads and parses a JSON file (any JSON: the caller decides what it is). Refuses, with ReadError,
 * an empty file, one larger than `maxBytes`, and text that is not JSON (with the line and column
 * where the parser stopped, when it says).
 */
export async function readJsonDocument(path: string, opts: { maxBytes?: number } = {}): Promise<JsonDocument> {
  const maxBytes = opts.maxBytes ?? jsonSizeLimit();
  const { size } = await stat(path);
  if (size > maxBytes) {
    throw new ReadError(
      `JSON 檔有 ${megabytes(size)}，超過可整份讀取的上限 ${megabytes(maxBytes)}；請分成較小的檔案，或改以 CSV 提供`,
      `the JSON file is ${megabytes(size)}, more than the ${megabytes(maxBytes)} that can be read whole; split it into smaller files or publish it as CSV`,
    );
  }
  if (size === 0) throw new ReadError('檔案是空的', 'the file is empty');
  const bytes = await readFile(path);
  const encoding = detectEncoding(bytes.subarray(0, 1 << 20), { complete: bytes.length <= 1 << 20 });
  const text = decode(bytes, encoding.encoding);
  try {
    return { root: JSON.parse(text) as Json, encoding, text };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ReadError(`不是有效的 JSON（${message}）`, `not valid JSON (${message})`, whereInJson(text, message));
  }
}

/** Whether a parsed document is an SDMX-JSON data message (read by sdmx.ts) rather than a list of records. */
export function looksLikeSdmxJson(root: Json): boolean {
  if (!isObject(root)) return false;
  return 'dataSets' in root || 'structure' in root || (isObject(root.data) && 'dataSets' in root.data);
}

/** A list of records: a non-empty array whose first non-null element is an object. */
function isRecordList(v: Json | undefined): boolean {
  if (!Array.isArray(v)) return false;
  const first = v.find((x) => x !== null);
  return first !== undefined && isObject(first);
}

interface Found {
  path: string[];
  list: Json[];
}

/**
 * The list of records in a document: the top-level array, or among the arrays of objects under
 * the top-level object (depth ≤ 3, through objects only) the one under a name that says so
 * (records, data, result, …), else the longest, else the first. Also says where an empty list
 * was, for the refusal.
 */
function findRecords(root: Json): { found?: Found; empty?: string[] } {
  if (Array.isArray(root)) return isRecordList(root) ? { found: { path: [], list: root } } : root.length === 0 ? { empty: [] } : {};
  if (!isObject(root)) return {};
  const candidates: (Found & { named: boolean; order: number })[] = [];
  let empty: string[] | undefined;
  const walk = (o: JsonObject, path: string[]) => {
    for (const [key, v] of Object.entries(o)) {
      const here = [...path, key];
      if (Array.isArray(v) && isRecordList(v)) candidates.push({ path: here, list: v, named: RECORD_KEYS.has(key.toLowerCase()), order: candidates.length });
      else if (Array.isArray(v) && v.length === 0 && RECORD_KEYS.has(key.toLowerCase())) empty ??= here;
      else if (isObject(v) && here.length < SEARCH_DEPTH) walk(v, here);
    }
  };
  walk(root, []);
  candidates.sort((a, b) => Number(b.named) - Number(a.named) || b.list.length - a.list.length || a.path.length - b.path.length || a.order - b.order);
  const best = candidates[0];
  return best ? { found: { path: best.path, list: best.list } } : { empty };
}

/** Keys that JavaScript objects hold as array indices: listed first, in numeric order, whatever order the JSON wrote them in. */
const INDEX_KEY = /^(?:0|[1-9]\d{0,8})$/;

/**
 * The keys of the first `count` elements of the array at `path`, in the order the text writes
 * them (a scan of the text's structure, stopping after those elements). Undefined when the text
 * does not match the path (then objects' own order is used).
 */
function writtenKeyOrder(text: string, path: readonly string[], count: number): string[][] | undefined {
  let i = 0;
  const fail = (): never => {
    throw new Error('unexpected JSON structure');
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const expectChar = (c: string) => {
    space();
    if (text[i] !== c) fail();
    i++;
  };
  const string = (): string => {
    space();
    const start = i;
    if (text[i] !== '"') fail();
    for (i++; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') {
        i++;
        return JSON.parse(text.slice(start, i)) as string;
      }
    }
    return fail();
  };
  // Skips one value (strings may hold brackets; containers are skipped by depth, without recursion).
  const skip = () => {
    space();
    let depth = 0;
    do {
      const c = text[i];
      if (c === undefined) fail();
      if (c === '"') {
        string();
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      else if (depth === 0 && (c === ',' || c === ' ' || c === '\n' || c === '\r' || c === '\t')) break;
      i++;
      if (depth === 0) {
        // A scalar: read to its end.
        while (i < text.length && !',}] \n\r\t'.includes(text[i])) i++;
      }
    } while (depth > 0);
  };
  /** Calls `each(key)` with the position at each member's value; `each` returns false to stop. */
  const members = (each: (key: string) => boolean) => {
    expectChar('{');
    space();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      const key = string();
      expectChar(':');
      if (!each(key)) return;
      space();
      if (text[i] === ',') i++;
      else if (text[i] === '}') {
        i++;
        return;
      } else fail();
    }
  };
  try {
    for (const segment of path) {
      let found = false;
      members((key) => {
        if (key === segment) {
          found = true;
          return false;
        }
        skip();
        return true;
      });
      if (!found) return undefined;
    }
    const orders: string[][] = [];
    expectChar('[');
    while (orders.length < count) {
      space();
      if (text[i] === '{') {
        const keys: string[] = [];
        members((key) => {
          keys.push(key);
          skip();
          return true;
        });
        orders.push(keys);
      } else {
        skip();
        orders.push([]);
      }
      space();
      if (text[i] === ',') i++;
      else break;
    }
    return orders;
  } catch {
    return undefined;
  }
}

/** `{}`: no field at all, so no row (a record whose fields are all null is still a row). */
function isEmptyRecord(o: JsonObject): boolean {
  for (const _ in o) return false;
  return true;
}

const NOT_RECORDS = {
  zh: '找不到紀錄清單：JSON 中沒有由物件組成的陣列（例如 [{"欄位":值,…},…] 或 {"data":[…]}），無法讀成資料表',
  en: 'no list of records found: the JSON holds no array of objects (such as [{"field": value, …}, …] or {"data": […]}) to read as a table',
};

/**
 * A parsed JSON document as a table of its records. Columns are the keys in the order first seen
 * in the first 1,000 records (a key that first appears later is reported and left out); strings,
 * numbers and booleans stay typed, null is empty, nested objects and lists are kept as their JSON
 * text with one warning per column. Rows are made from the parsed list as they are read.
 */
export function jsonRecordsTable(doc: JsonDocument, opts: { name?: string } = {}): RawTable {
  const issues: ReadIssue[] = [];
  const { encoding } = doc;
  // JSON is UTF-8 (RFC 8259; UTF-16 in older texts): anything else is a file re-saved by hand, and a
  // guess at its encoding is not something to build a table on.
  if (!['UTF-8', 'UTF-16LE', 'UTF-16BE'].includes(encoding.encoding)) {
    throw new ReadError(
      `JSON 檔必須是 UTF-8（或 UTF-16）編碼，本檔看來是 ${encoding.encoding}（${encoding.evidence}）；請另存為 UTF-8 後再上傳`,
      `JSON must be encoded in UTF-8 (or UTF-16); this file looks like ${encoding.encoding} (${encoding.evidence}): save it as UTF-8 and upload it again`,
    );
  }
  const { found, empty } = findRecords(doc.root);
  if (!found) {
    if (empty) {
      const where = empty.length ? `「${empty.join('.')}」` : '最外層';
      const whereEn = empty.length ? `at "${empty.join('.')}"` : 'at the top level';
      throw new ReadError(`找不到紀錄清單：${where}的清單是空的`, `no list of records found: the list ${whereEn} is empty`);
    }
    throw new ReadError(NOT_RECORDS.zh, NOT_RECORDS.en);
  }
  const { list, path } = found;
  const shownPath = path.join('.');
  if (path.length) {
    issues.push({ level: 'warning', zh: `讀取的是 JSON 中「${shownPath}」的 ${list.length} 筆紀錄`, en: `read the ${list.length} records at "${shownPath}" in the JSON` });
  }

  // Columns: keys in first-seen order over the first records. Objects list keys like "2024" or
  // "108" (years as columns) first, in numeric order; the text says where they were written.
  const peeked = list.slice(0, PEEK_RECORDS);
  const written = doc.text && peeked.some((r) => isObject(r) && Object.keys(r).some((k) => INDEX_KEY.test(k))) ? writtenKeyOrder(doc.text, path, peeked.length) : undefined;
  const keys: string[] = [];
  const indexOf = new Map<string, number>();
  let skipped = 0;
  let firstSkipped = 0;
  for (let i = 0; i < peeked.length; i++) {
    const record = peeked[i];
    if (!isObject(record)) continue;
    const own = Object.keys(record);
    const order = written?.[i];
    const inOrder = order ? [...new Set([...order.filter((k) => k in record), ...own])] : own;
    for (const key of inOrder) {
      if (!indexOf.has(key)) {
        indexOf.set(key, keys.length);
        keys.push(key);
      }
    }
  }
  if (keys.length === 0) throw new ReadError('紀錄都沒有任何欄位（全是空物件 {}）', 'the records have no fields (every one is an empty object {})');
  const columns = uniqueColumns(keys, issues);

  const nested = new Set<number>();
  const unknown = new Set<string>();
  const cell = (v: Json | undefined, column: number): RawCell => {
    if (v === null || v === undefined || v === '') return null;
    if (typeof v !== 'object') return v;
    if (!nested.has(column)) {
      nested.add(column);
      issues.push({
        level: 'warning',
        column: columns[column],
        zh: `欄位「${columns[column]}」含巢狀的值（物件或清單），以 JSON 文字保留：巢狀值不是整齊的表格，建議拆成欄位或另一個表`,
        en: `column "${columns[column]}" holds nested values (objects or lists), kept as their JSON text: nested values are not tidy; make them columns or a table of their own`,
      });
    }
    return JSON.stringify(v);
  };
  const rowOf = (record: JsonObject, n: number): RawCell[] => {
    const row = new Array<RawCell>(columns.length).fill(null);
    for (const key of Object.keys(record)) {
      const i = indexOf.get(key);
      if (i !== undefined) row[i] = cell(record[key], i);
      else if (!unknown.has(key)) {
        unknown.add(key);
        issues.push({ level: 'warning', column: key, zh: `第 ${n} 筆紀錄起出現新的鍵「${key}」，不在前 ${PEEK_RECORDS} 筆紀錄的欄位中，未納入`, en: `key "${key}" first appears in record ${n}, after the first ${PEEK_RECORDS} records that set the columns; left out` });
      }
    }
    return row;
  };
  // Nested values among the first records are reported before any row is read.
  for (let i = 0; i < list.length && i < PEEK_RECORDS; i++) {
    const record = list[i];
    if (isObject(record)) for (const [key, v] of Object.entries(record)) if (typeof v === 'object' && v !== null) cell(v, indexOf.get(key) ?? 0);
  }
  let empties = 0;
  let firstEmpty = 0;
  for (let i = 0; i < list.length; i++) {
    const record = list[i];
    if (!isObject(record)) {
      if (skipped === 0) firstSkipped = i + 1;
      skipped++;
    } else if (isEmptyRecord(record)) {
      if (empties === 0) firstEmpty = i + 1;
      empties++;
    }
  }
  if (skipped) {
    issues.push({ level: 'warning', zh: `${skipped} 個元素不是物件（第一個是第 ${firstSkipped} 個），不是紀錄，已略過`, en: `${skipped} elements of the list are not objects (the first is element ${firstSkipped}), so not records; skipped` });
  }
  if (empties) {
    issues.push({ level: 'warning', zh: `${empties} 筆紀錄是空物件 {}（第一筆是第 ${firstEmpty} 筆），已略過`, en: `${empties} records are empty objects {} (the first is record ${firstEmpty}); skipped` });
  }

  async function* batches(): AsyncGenerator<RawCell[][]> {
    let batch: RawCell[][] = [];
    for (let i = 0; i < list.length; i++) {
      const record = list[i];
      if (!isObject(record) || isEmptyRecord(record)) continue;
      batch.push(rowOf(record, i + 1));
      if (batch.length >= BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return { name: opts.name, columns, issues, rows: () => rowStream(batches), batches };
}

/**
 * Reads a JSON file of records as a table (see jsonRecordsTable). ReadError, in both languages,
 * for a file too large to parse whole, one not in UTF-8/UTF-16, text that is not JSON, and a
 * document with no list of records anywhere.
 */
export async function readJsonRecords(path: string, opts: { name?: string; maxBytes?: number } = {}): Promise<RawTable> {
  return jsonRecordsTable(await readJsonDocument(path, opts), opts);
}

// ─── XML ─────────────────────────────────────────────────────────────────────────────────────

/** Where the records are: elements named `name` that are children of the element at `parentPath`. */
interface RecordElement {
  name: string;
  /** Element names from the root to the records' parent, joined by "/". */
  parentPath: string;
  /** The records' depth: 1 for children of the root. */
  depth: number;
}

/** One record as read: its fields in document order (null = empty), and which were nested. */
interface XmlRecord {
  fields: [string, string | null][];
  nested: string[];
  repeated: string[];
  line: number;
}

/** Distinct child names counted per element (a hostile file with millions of names is not counted further). */
const MAX_CHILD_NAMES = 10_000;
/** Distinct names of other elements beside the records that are counted for the warning. */
const MAX_OTHER_NAMES = 100;

const isNamespaceDeclaration = (name: string): boolean => name === 'xmlns' || name.startsWith('xmlns:');

function parse(parser: SaxesParser, text: string | null): void {
  try {
    if (text === null) parser.close();
    else parser.write(text);
  } catch (e) {
    throw xmlError(parser, e);
  }
}

/**
 * First pass: the record element is the first element name that repeats as a child of one
 * parent — the shallowest such name, so that a list inside the first record (`<tags><tag>…`) does
 * not pass for the records. Reads until that name has been seen `PEEK_RECORDS` times or the end.
 */
async function findRecordElement(open: () => AsyncIterable<Uint8Array | string>, issues: ReadIssue[]): Promise<RecordElement | undefined> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: { name: string; children: Map<string, number> }[] = [];
  let found: (RecordElement & { count: number }) | undefined;
  parser.on('opentag', (tag) => {
    const depth = stack.length;
    const parent = stack.at(-1);
    if (parent && (parent.children.has(tag.name) || parent.children.size < MAX_CHILD_NAMES)) {
      const n = (parent.children.get(tag.name) ?? 0) + 1;
      parent.children.set(tag.name, n);
      if (n >= 2) {
        if (found && found.depth === depth && found.name === tag.name) found.count++;
        else if (!found || depth < found.depth) found = { name: tag.name, parentPath: stack.map((s) => s.name).join('/'), depth, count: n };
      }
    }
    stack.push({ name: tag.name, children: new Map() });
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  let sawText = false;
  for await (const text of decoded(open, issues)) {
    sawText ||= text.length > 0;
    parse(parser, text);
    if (found && found.count >= PEEK_RECORDS) return found;
  }
  if (!sawText) throw new ReadError('檔案是空的', 'the file is empty');
  parse(parser, null);
  return found;
}

/** The records of the document in batches (one batch per piece of text parsed); other children of their parent are counted by name. */
async function* xmlRecords(open: () => AsyncIterable<Uint8Array | string>, target: RecordElement, others: Map<string, number>): AsyncGenerator<XmlRecord[]> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const names: string[] = [];
  let batch: XmlRecord[] = [];
  let record: XmlRecord | undefined;
  let ownText = '';
  let hasChildren = false;
  let field: { name: string; text: string; nested: boolean } | undefined;
  const inParent = () => names.length === target.depth && names.join('/') === target.parentPath;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const depth = names.length;
    if (!record) {
      if (depth === target.depth && inParent()) {
        if (tag.name === target.name) {
          record = { fields: Object.entries(tag.attributes).filter(([n]) => !isNamespaceDeclaration(n)).map(([n, v]) => [n, v === '' ? null : v]), nested: [], repeated: [], line: parser.line };
          ownText = '';
          hasChildren = false;
        } else if (others.has(tag.name) || others.size < MAX_OTHER_NAMES) others.set(tag.name, (others.get(tag.name) ?? 0) + 1);
      }
    } else if (depth === target.depth + 1) {
      field = { name: tag.name, text: '', nested: false };
      hasChildren = true;
    } else if (field) field.nested = true;
    names.push(tag.name);
  });
  const onText = (text: string) => {
    if (!record) return;
    if (!field) ownText += text;
    else if (names.length === target.depth + 2) field.text += text;
    // Text of elements inside a field: kept, separated, so that <a><b>x</b><c>y</c></a> reads "x y".
    else field.text += ` ${text}`;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    names.pop();
    const depth = names.length;
    if (!record) return;
    if (field && depth === target.depth + 1) {
      const value = (field.nested ? field.text.replace(/\s+/g, ' ') : field.text).trim();
      const same = record.fields.find(([n]) => n === field?.name);
      if (same) {
        // A child repeated inside one record (<tag>a</tag><tag>b</tag>): its values joined.
        same[1] = [same[1], value || null].filter((v) => v !== null).join('; ') || null;
        if (!record.repeated.includes(field.name)) record.repeated.push(field.name);
      } else record.fields.push([field.name, value || null]);
      if (field.nested && !record.nested.includes(field.name)) record.nested.push(field.name);
      field = undefined;
    } else if (depth === target.depth) {
      // A record with only text (<item>x</item>) is a one-field record named after its element.
      const text = ownText.trim();
      if (!hasChildren && text) record.fields.push([target.name, text]);
      batch.push(record);
      record = undefined;
    }
  });
  for await (const text of decoded(open, [])) {
    parse(parser, text);
    if (batch.length) {
      yield batch;
      batch = [];
    }
  }
  parse(parser, null);
  if (batch.length) yield batch;
}

/**
 * Reads an XML file of repeated record elements as a table, streaming with saxes: a first look
 * finds the record element and its fields, then `rows()` reads the file again. Fields are the
 * record's attributes and child elements (their text), in the order first seen in the first 1,000
 * records; a child with elements of its own is kept as its text, with a warning; other elements
 * beside the records are reported. ReadError with line and column for malformed XML, and when no
 * element repeats.
 */
export async function readXmlRecords(source: XmlSource, opts: { name?: string } = {}): Promise<RawTable> {
  const open = typeof source === 'string' ? () => createReadStream(source) as AsyncIterable<Uint8Array> : source;
  const issues: ReadIssue[] = [];
  const target = await findRecordElement(open, issues);
  if (!target) {
    throw new ReadError(
      '找不到重複出現的紀錄元素：XML 中沒有任何元素之下有同名的子元素重複出現（例如 <dataset><record>…</record><record>…</record>），無法看出哪些是資料列',
      'no repeated record elements: no element of the XML has a child element that repeats (such as <dataset><record>…</record><record>…</record>), so there are no rows to read',
    );
  }

  // Second look: the fields of the first records.
  const keys: string[] = [];
  const indexOf = new Map<string, number>();
  const nested = new Set<string>();
  const repeated = new Set<string>();
  const others = new Map<string, number>();
  let seen = 0;
  look: for await (const batch of xmlRecords(open, target, others)) {
    for (const r of batch) {
      if (seen >= PEEK_RECORDS) break look;
      seen++;
      for (const [name] of r.fields) {
        if (!indexOf.has(name)) {
          indexOf.set(name, keys.length);
          keys.push(name);
        }
      }
      for (const n of r.nested) nested.add(n);
      for (const n of r.repeated) repeated.add(n);
    }
  }
  const element = `<${target.name}>`;
  if (keys.length === 0) throw new ReadError(`${element} 元素沒有任何屬性、子元素或文字，無法組成欄位`, `the ${element} elements have no attributes, child elements or text to make columns of`);
  const columns = uniqueColumns(keys, issues);
  const parentShown = `<${target.parentPath.split('/').at(-1) ?? ''}>`;
  if (others.size) {
    const list = [...others].slice(0, 10).map(([n, c]) => `<${n}> ×${c}`).join(', ') + (others.size > 10 ? ', …' : '');
    issues.push({ level: 'warning', zh: `${parentShown} 之下除了 ${element} 紀錄，還有其他元素（${list}），未讀成資料列`, en: `besides the ${element} records, ${parentShown} holds other elements (${list}), not read as rows` });
  }
  const noteNested = (name: string) => {
    const column = columns[indexOf.get(name) ?? 0];
    issues.push({ level: 'warning', column, zh: `欄位「${column}」的元素內還有子元素，以其文字保留：巢狀值不是整齊的表格`, en: `column "${column}": its elements hold elements of their own, kept as their text: nested values are not tidy` });
  };
  const noteRepeated = (name: string) => {
    const column = columns[indexOf.get(name) ?? 0];
    issues.push({ level: 'warning', column, zh: `欄位「${column}」在同一筆紀錄中出現多次，其值以「; 」合併`, en: `column "${column}" occurs more than once in a record; its values are joined with "; "` });
  };
  for (const n of nested) noteNested(n);
  for (const n of repeated) noteRepeated(n);

  const unknown = new Set<string>();
  async function* batches(): AsyncGenerator<RawCell[][]> {
    for await (const batch of xmlRecords(open, target as RecordElement, new Map())) {
      yield batch.map((r) => {
        const row = new Array<RawCell>(columns.length).fill(null);
        for (const [name, value] of r.fields) {
          const i = indexOf.get(name);
          if (i !== undefined) row[i] = value;
          else if (!unknown.has(name)) {
            unknown.add(name);
            issues.push({ level: 'warning', line: r.line, column: name, zh: `第 ${r.line} 行起出現新的欄位「${name}」，不在前 ${PEEK_RECORDS} 筆紀錄的欄位中，未納入`, en: `field "${name}" first appears at line ${r.line}, after the first ${PEEK_RECORDS} records that set the columns; left out` });
          }
        }
        for (const n of r.nested) {
          if (!nested.has(n) && indexOf.has(n)) {
            nested.add(n);
            noteNested(n);
          }
        }
        for (const n of r.repeated) {
          if (!repeated.has(n) && indexOf.has(n)) {
            repeated.add(n);
            noteRepeated(n);
          }
        }
        return row;
      });
    }
  }
  return { name: opts.name, columns, issues, rows: () => rowStream(batches), batches };
}
