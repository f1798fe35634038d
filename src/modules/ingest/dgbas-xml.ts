import { createReadStream } from 'node:fs';
import { pipeline, Readable, type Transform } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { decodeStream, parseDeclaredEncoding, type Encoding } from './encoding.ts';
import { ReadError, type RawCell, type RawTable, type ReadIssue } from './table.ts';

/**
 * DGBAS's XML answers (issue 4), as ws.dgbas.gov.tw serves its tables (就業率, 物價指數, …):
 * one empty element per figure, everything in attributes,
 * `<Obs Item="就業率" TYPE="原始值" TIME_PERIOD="2024-M01" Item_VALUE="56.71"/>`. The attribute
 * names vary between tables and in case (Item_VALUE, ITEM_VALUE) and some tables add others, so
 * the columns are the attributes as they are first seen (one column per name, case ignored).
 * Attributes of an enclosing `<Series>` (SDMX "compact" files) are columns too, before the Obs's.
 *
 * Read with saxes, a strict streaming (SAX) parser: the file goes through in pieces and is never
 * held whole. The columns come from a first look at the start of the file (up to `peekObs`
 * observations); an attribute that first appears later is reported and left out.
 */

/** Where the bytes come from: a file path, or a function that opens the file again each time. */
export type XmlSource = string | (() => AsyncIterable<Uint8Array | string>);

interface Obs {
  /** Attribute name → value, in document order (Series attributes first). */
  attributes: [string, string][];
  line: number;
}

const localName = (name: string): string => (name.includes(':') ? name.slice(name.indexOf(':') + 1) : name).toLowerCase();
const isNamespaceDeclaration = (name: string): boolean => name === 'xmlns' || name.startsWith('xmlns:');

/** The encoding from a byte-order mark or the XML declaration; XML's default is UTF-8. */
function sniffEncoding(head: Uint8Array, issues: ReadIssue[]): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'UTF-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16LE';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16BE';
  const declaration = Buffer.from(head.subarray(0, 200)).toString('latin1');
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']/.exec(declaration)?.[1];
  if (!declared) return 'UTF-8';
  const encoding = parseDeclaredEncoding(declared);
  if (!encoding) {
    issues.push({ level: 'warning', line: 1, zh: `XML 宣告的編碼「${declared}」無法辨識，以 UTF-8 讀取`, en: `the XML declaration names an unknown encoding "${declared}"; read as UTF-8` });
    return 'UTF-8';
  }
  return encoding;
}

/** Bytes → text in the file's encoding, chunk by chunk (a character split between chunks is kept whole). */
export async function* decoded(open: () => AsyncIterable<Uint8Array | string>, issues: ReadIssue[]): AsyncGenerator<string> {
  const source = open()[Symbol.asyncIterator]();
  try {
    // Enough of the start to see a byte-order mark and the XML declaration.
    const head: Uint8Array[] = [];
    let size = 0;
    let text = false;
    while (size < 256) {
      const r = await source.next();
      if (r.done) break;
      // Text chunks (a caller that has decoded already) are taken as they are.
      text ||= typeof r.value === 'string';
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      head.push(b);
      size += b.length;
    }
    if (size === 0) return;
    const first = Buffer.concat(head);
    const encoding = text ? 'UTF-8' : sniffEncoding(first, issues);
    async function* bytes(): AsyncGenerator<Uint8Array> {
      yield first;
      for (let r = await source.next(); !r.done; r = await source.next()) yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
    const decoder = decodeStream(encoding) as Transform;
    // An error on either side ends the other; iterating the decoder then throws it.
    pipeline(Readable.from(bytes()), decoder, () => undefined);
    try {
      for await (const chunk of decoder) yield String(chunk);
    } finally {
      decoder.destroy();
    }
  } finally {
    await source.return?.();
  }
}

/** The reasons saxes gives most often, for the clerk who reads zh-TW; others are shown as saxes words them. */
const REASONS_ZH: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^unexpected close tag\.?$/, () => '結束標籤沒有對應的開始標籤'],
  [/^unmatched closing tag: (.*?)\.?$/, (m) => `結束標籤 </${m[1]}> 與開始標籤不符`],
  [/^unclosed tag: (.*)$/, (m) => `標籤 <${m[1]}> 沒有結束（檔案可能不完整）`],
  [/^undefined entity\.?$/, () => '未定義的實體（XML 只認得 &amp; &lt; &gt; &quot; &apos;，例如 &nbsp; 不可用）'],
  [/^(unquoted attribute value|value must be quoted)\.?$/, () => '屬性值沒有加引號'],
  [/^duplicate attribute: (.*?)\.?$/, (m) => `屬性「${m[1]}」重複`],
  [/^document must contain a root element\.?$/, () => '文件沒有根元素（可能不是 XML）'],
  [/^text data outside of root node\.?$/, () => '根元素之外有文字（可能不是 XML）'],
  [/^(unexpected end|disallowed character|disallowed character in tag name|disallowed character in attribute name)\.?$/, (m) => ({ 'unexpected end': '檔案意外結束', 'disallowed character': '含有 XML 不允許的字元' } as Record<string, string>)[m[1]] ?? 'XML 名稱含有不允許的字元'],
];

function inChinese(reason: string): string {
  for (const [re, zh] of REASONS_ZH) {
    const m = re.exec(reason);
    if (m) return zh(m);
  }
  return reason;
}

export function xmlError(parser: SaxesParser, e: unknown): ReadError {
  // saxes: "3:17: unclosed tag: row" (line:column: reason).
  const message = e instanceof Error ? e.message : String(e);
  const m = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(message);
  const reason = m ? m[3] : message;
  const line = m ? Number(m[1]) : parser.line;
  const column = m ? m[2] : String(parser.column);
  return new ReadError(`XML 格式錯誤：${inChinese(reason)}`, `malformed XML: ${reason}`, { line, column });
}

/** The Obs elements of the document in batches (one batch per piece of text parsed). */
async function* observations(open: () => AsyncIterable<Uint8Array | string>, issues: ReadIssue[]): AsyncGenerator<Obs[]> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let batch: Obs[] = [];
  const series: [string, string][][] = [];
  const attributesOf = (tag: SaxesTagPlain): [string, string][] => Object.entries(tag.attributes).filter(([name]) => !isNamespaceDeclaration(name));
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (name === 'obs') batch.push({ attributes: [...series.flat(), ...attributesOf(tag)], line: parser.line });
    else if (name === 'series') series.push(attributesOf(tag));
  });
  parser.on('closetag', (tag) => {
    if (localName(tag.name) === 'series') series.pop();
  });
  // Only the parser's complaints are XML errors; a file that cannot be opened or read fails as it is.
  const parse = (text: string | null) => {
    try {
      if (text === null) parser.close();
      else parser.write(text);
    } catch (e) {
      throw xmlError(parser, e);
    }
  };
  let sawText = false;
  for await (const text of decoded(open, issues)) {
    sawText ||= text.length > 0;
    parse(text);
    if (batch.length) {
      yield batch;
      batch = [];
    }
  }
  if (!sawText) throw new ReadError('檔案是空的', 'the file is empty');
  parse(null);
  if (batch.length) yield batch;
}

/**
 * Reads a DGBAS XML file as a table: one row per `<Obs>`, one column per attribute name (first
 * spelling kept, case ignored), values as text (the datastore infers types), null where an Obs
 * lacks the attribute. Throws ReadError with line and column for malformed XML (during the first
 * look, or later while rows are read) and when there is no Obs at all.
 */
export async function readDgbasXml(source: XmlSource, opts: { name?: string; peekObs?: number } = {}): Promise<RawTable> {
  const open = typeof source === 'string' ? () => createReadStream(source) as AsyncIterable<Uint8Array> : source;
  const peekObs = opts.peekObs ?? 1000;
  const issues: ReadIssue[] = [];

  // First look: the column names, from the start of the file.
  const columns: string[] = [];
  const indexOf = new Map<string, number>();
  let seen = 0;
  const peekIssues: ReadIssue[] = [];
  look: for await (const batch of observations(open, peekIssues)) {
    for (const obs of batch) {
      if (seen >= peekObs) break look;
      for (const [name] of obs.attributes) {
        const key = name.toLowerCase();
        if (!indexOf.has(key)) {
          indexOf.set(key, columns.length);
          columns.push(name);
        }
      }
      seen++;
    }
  }
  if (seen === 0) {
    throw new ReadError('找不到任何 <Obs> 元素：這不是主計總處 XML 格式的資料', 'no <Obs> elements: this is not DGBAS XML data');
  }
  if (columns.length === 0) {
    throw new ReadError('<Obs> 元素沒有任何屬性，無法組成欄位', 'the <Obs> elements have no attributes to make columns of');
  }
  issues.push(...peekIssues);

  const unknown = new Set<string>();
  return {
    name: opts.name,
    columns,
    issues,
    async *rows() {
      for await (const batch of observations(open, [])) {
        for (const obs of batch) {
          const row: RawCell[] = new Array<RawCell>(columns.length).fill(null);
          for (const [name, value] of obs.attributes) {
            const i = indexOf.get(name.toLowerCase());
            if (i !== undefined) row[i] = value;
            else if (!unknown.has(name.toLowerCase())) {
              unknown.add(name.toLowerCase());
              issues.push({ level: 'warning', line: obs.line, column: name, zh: `第 ${obs.line} 行起出現新的屬性「${name}」，不在前 ${peekObs} 筆資料的欄位中，未納入`, en: `attribute "${name}" first appears at line ${obs.line}, after the first ${peekObs} observations that set the columns; left out` });
            }
          }
          yield row;
        }
      }
    },
  };
}
