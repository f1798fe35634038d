import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { readHead } from './file-head.ts';
import { decideHeader, detectLayout, HeaderChoiceError, sniffDialect, type Dialect, type HeaderChoice } from './dialect.ts';
import { declarationFits, decode, decodeStream, detectEncoding, encodingToRead, type Encoding, type EncodingGuess } from './encoding.ts';
import { ReadError, rowStream, uniqueColumns, type RawCell, type RawTable, type ReadIssue } from './table.ts';

const SAMPLE_BYTES = 1 << 20;
/** Issues of one kind beyond this many are counted, not listed. */
const MAX_LISTED = 20;
const NOTE = /^\s*(註|附註|說明|資料來源|來源|備註|note|notes|source|sources)\s*[0-9０-９一二三四五六七八九十]*\s*[:：.．、)）]?/i;

export interface CsvTable extends RawTable {
  encoding: EncodingGuess & { used: Encoding };
  dialect: Dialect;
  /** Rows above the header that were skipped (titles), by 1-based line. */
  headerLine: number;
}

const filled = (r: readonly string[]): number => r.reduce((n, c) => (c.trim() === '' ? n : n + 1), 0);

/**
 * A CSV/TSV/semicolon/pipe file as a table: the encoding detected (or as given), the dialect
 * sniffed, title rows above the header and notes rows below the data found on a 1 MB sample and
 * skipped with an issue each, ragged rows padded or cut to the header's width and reported.
 * `rows()` and `batches()` stream the file afresh each time they are called (the loader may read
 * twice: types, then data); `batches()` hands over the rows of each chunk read together.
 */
export async function readCsvFile(
  filePath: string,
  opts: { /** The declared 編碼格式; the bytes win unless detection is weak. */ encoding?: Encoding; /** The header lines the contact chose (else found, or the file refused when it is a report layout). */ header?: HeaderChoice } = {},
): Promise<CsvTable> {
  const { bytes, complete } = await readHead(filePath, SAMPLE_BYTES);
  if (bytes.length === 0) throw new ReadError('檔案是空的', 'the file is empty');
  const detected = detectEncoding(bytes, { complete });
  // The bytes decide; a declaration is used only where they cannot tell (weak detection).
  const declared = opts.encoding;
  const used = encodingToRead(detected, declared);
  const sampleText = decode(bytes, used);
  if (sampleText.slice(0, 4096).includes('\u0000') && !used.startsWith('UTF-16')) {
    throw new ReadError('檔案含有二進位內容（NUL 位元組），不是文字檔 CSV', 'the file holds binary content (NUL bytes): it is not a text CSV', { line: sampleText.slice(0, sampleText.indexOf('\u0000')).split('\n').length });
  }
  const dialect = sniffDialect(sampleText);
  // Lay out the sample without its last (possibly cut) record.
  const sampleParser = new ChunkParser(dialect, true);
  const sampleRecords: { record: string[]; line: number }[] = [];
  const parts = [sampleParser.push(sampleText)];
  if (complete) parts.push(sampleParser.end());
  for (const part of parts) part.records.forEach((record, i) => sampleRecords.push({ record, line: part.lines[i] }));
  if (sampleRecords.length === 0) throw new ReadError('檔案沒有任何資料列', 'the file has no rows');
  const layout = detectLayout(sampleRecords.map((r) => r.record));
  const issues: ReadIssue[] = [];
  if (declared && !declarationFits(declared, detected)) {
    issues.push({
      level: 'warning',
      zh: `宣告的編碼為 ${declared}，檔案實際為 ${detected.encoding}（${detected.evidence}）；以 ${used} 讀取`,
      en: `declared encoding ${declared}, but the file is ${detected.encoding} (${detected.evidence}); read as ${used}`,
    });
  }
  if (detected.evidence.startsWith('UTF-8 with an invalid byte')) {
    issues.push({ level: 'warning', zh: `檔案有損毀的位元組：${detected.evidence}`, en: `the file has damaged bytes: ${detected.evidence}` });
  }
  let verdict;
  try {
    verdict = decideHeader(sampleRecords.map((r) => r.record), layout, (i) => sampleRecords[i].line, opts.header);
  } catch (err) {
    if (err instanceof HeaderChoiceError) throw new ReadError(err.zh, err.en);
    throw err;
  }
  if (verdict.refusal) throw new ReadError(verdict.refusal.zh, verdict.refusal.en, { line: sampleRecords[layout.headerRow].line });
  for (const t of verdict.titleRows) {
    const text = sampleRecords[t].record.filter((c) => c.trim()).join(' ').slice(0, 80);
    issues.push({ level: 'warning', line: sampleRecords[t].line, zh: `略過表頭上方的標題列「${text}」`, en: `skipped the title row "${text}" above the header` });
  }
  const headerLine = verdict.headerless ? 0 : sampleRecords[verdict.last].line;
  if (verdict.headerless) {
    issues.push({ level: 'warning', line: 1, zh: '第 1 行全是數字，視為資料：檔案沒有表頭，欄位暫名為「欄位1」、「欄位2」…，請在資料字典填寫欄位名稱', en: 'line 1 holds only numbers and is read as data: the file has no header, so the columns are named 欄位1, 欄位2, …; give them titles in the data dictionary' });
  } else if (verdict.last > verdict.first) {
    issues.push({ level: 'warning', line: headerLine, zh: `表頭由第 ${sampleRecords[verdict.first].line}–${headerLine} 行合併而成`, en: `the header joins lines ${sampleRecords[verdict.first].line}–${headerLine}` });
  }
  const columns = uniqueColumns(verdict.names, issues, headerLine || undefined);
  const width = columns.length;

  // What a pass notices is published once, by the first pass that reads the file to its end
  // (a pass abandoned half-way, as the loader may do, publishes nothing).
  let published = false;
  const publish = (found: ReadIssue[]) => {
    if (published) return;
    published = true;
    issues.push(...found);
  };
  const table: CsvTable = {
    columns,
    issues,
    encoding: { ...detected, used },
    dialect,
    headerLine,
    batches: () => streamBatches(filePath, used, dialect, verdict.last, width, published ? undefined : publish),
    rows: () => rowStream(() => streamBatches(filePath, used, dialect, verdict.last, width, published ? undefined : publish)),
  };
  return table;
}

/** Characters of text read at a time (one batch of rows per chunk: about 1,300 rows of 100 bytes). */
const CHUNK_BYTES = 128 * 1024;
/** A record longer than this (a quote that never closes) stops the read instead of filling memory. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * Decoded text to records, chunk by chunk, with papaparse's parser (RFC 4180 quoting, quoted line
 * breaks, stray quotes inside unquoted fields kept as text): each chunk's complete records are
 * returned and the cut-off last one waits for the next chunk. With `lines`, each record's 1-based
 * line (where it ends, as line numbers in issues have always been) is counted too.
 */
export class ChunkParser {
  private readonly parser: Papa.Parser;
  private rest = '';
  private line = 0;
  private readonly lineChar: string;
  private started = false;

  constructor(
    dialect: Pick<Dialect, 'delimiter' | 'lineEnd'>,
    private readonly lines: boolean,
  ) {
    this.parser = new Papa.Parser({ delimiter: dialect.delimiter, newline: dialect.lineEnd, quoteChar: '"' });
    this.lineChar = dialect.lineEnd === '\r' ? '\r' : '\n';
  }

  push(chunk: string): { records: string[][]; lines: number[] } {
    let text = this.rest + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const r = this.parser.parse(text, 0, true) as { data: string[][]; meta: { cursor: number } };
    this.rest = text.slice(r.meta.cursor);
    if (this.rest.length > MAX_RECORD_CHARS) {
      throw new ReadError('無法剖析 CSV：有一筆資料超過 8 MB（多半是引號沒有成對關閉）', 'cannot parse the CSV: a record runs over 8 MB (most likely a quote that is never closed)', { line: this.line + 1 });
    }
    return { records: r.data, lines: this.count(r.data, text) };
  }

  /** The last record (a file without a final line break); refuses a quote left open at the end. */
  end(): { records: string[][]; lines: number[] } {
    const text = this.rest;
    this.rest = '';
    if (!text) return { records: [], lines: [] };
    const r = this.parser.parse(text, 0, false) as { data: string[][]; errors: { code: string }[] };
    if (r.errors.some((e) => e.code === 'MissingQuotes')) {
      throw new ReadError('無法剖析 CSV：引號沒有成對關閉，檔案可能被截斷', 'cannot parse the CSV: a quoted field is never closed, the file may be cut off', { line: this.line + 1 });
    }
    return { records: r.data, lines: this.count(r.data, text) };
  }

  private count(records: string[][], text: string): number[] {
    if (!this.lines) return [];
    const out = new Array<number>(records.length);
    // Without quotes no field holds a line break: one line per record.
    if (!text.includes('"')) {
      for (let i = 0; i < records.length; i++) out[i] = ++this.line;
      return out;
    }
    for (let i = 0; i < records.length; i++) {
      let n = 1;
      for (const field of records[i]) {
        for (let at = field.indexOf(this.lineChar); at !== -1; at = field.indexOf(this.lineChar, at + 1)) n++;
      }
      out[i] = this.line += n;
    }
    return out;
  }
}

/** Decoded text of a file in chunks: UTF-8 by Node's decoder, other encodings through iconv-lite. */
function textChunks(filePath: string, encoding: Encoding): AsyncIterable<string> {
  const file = createReadStream(filePath, { highWaterMark: CHUNK_BYTES });
  if (encoding === 'UTF-8') return file.setEncoding('utf8') as AsyncIterable<string>;
  return file.pipe(decodeStream(encoding)) as unknown as AsyncIterable<string>;
}

/**
 * Streams the data rows in batches (one per chunk of text): skips up to the header, pads ragged
 * rows, holds back note-like rows until a data row proves them data. Line numbers are counted
 * only on the pass that reports issues.
 */
async function* streamBatches(filePath: string, encoding: Encoding, dialect: Dialect, headerRow: number, width: number, publish: ((found: ReadIssue[]) => void) | undefined): AsyncGenerator<RawCell[][]> {
  const collect = publish !== undefined;
  const issues: ReadIssue[] = [];
  const parser = new ChunkParser(dialect, collect);
  let index = -1;
  let ragged = 0;
  let blank = 0;
  let held: { record: string[]; line: number }[] = [];
  const emit = (record: string[], line: number): RawCell[] => {
    if (record.length !== width) {
      ragged++;
      if (collect && ragged <= MAX_LISTED) {
        issues.push({ level: 'warning', line, zh: `第 ${line} 行有 ${record.length} 個欄位，表頭有 ${width} 個（${record.length < width ? '已補空值' : '多出的已略去'}）`, en: `line ${line} has ${record.length} fields, the header ${width} (${record.length < width ? 'padded with empty values' : 'extra fields dropped'})` });
      }
    }
    const row: RawCell[] = new Array<RawCell>(width);
    for (let k = 0; k < width; k++) {
      const v = record[k];
      row[k] = v === undefined || v === '' ? null : v;
    }
    return row;
  };
  const take = ({ records, lines }: { records: string[][]; lines: number[] }): RawCell[][] => {
    const out: RawCell[][] = [];
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      index++;
      if (index <= headerRow) continue;
      const line = collect ? lines[i] : 0;
      // Most rows: the first cell is filled and not a note, so the row is data.
      const c0 = record[0];
      const plain = c0 !== undefined && c0 !== '' && c0.trim() !== '' && !NOTE.test(c0) && (c0.length <= 20 || width <= 3 || filled(record) > 2);
      if (!plain) {
        const w = filled(record);
        const first = w === 0 ? '' : (record.find((c) => c.trim() !== '') ?? '');
        const noteLike = w === 0 || NOTE.test(first) || (w <= 2 && width > 3 && first.length > 20);
        if (noteLike) {
          held.push({ record, line });
          continue;
        }
      }
      if (held.length) {
        for (const h of held) {
          if (filled(h.record) === 0) {
            blank++;
            if (collect && blank <= MAX_LISTED) issues.push({ level: 'warning', line: h.line, zh: `第 ${h.line} 行是空白列（已略過）`, en: `line ${h.line} is blank (skipped)` });
          } else out.push(emit(h.record, h.line));
        }
        held = [];
      }
      out.push(emit(record, line));
    }
    return out;
  };
  try {
    for await (const chunk of textChunks(filePath, encoding)) {
      const out = take(parser.push(chunk));
      if (out.length) yield out;
    }
    const out = take(parser.end());
    if (out.length) yield out;
  } catch (err) {
    if (err instanceof ReadError) throw err;
    throw new ReadError(`無法剖析 CSV：${(err as Error).message}`, `cannot parse the CSV: ${(err as Error).message}`);
  }
  if (collect) {
    for (const h of held) {
      if (filled(h.record) === 0) continue;
      const text = h.record.filter((c) => c.trim()).join(' ').slice(0, 80);
      issues.push({ level: 'warning', line: h.line, zh: `略過資料下方的附註列「${text}」`, en: `skipped the note row "${text}" below the data` });
    }
    if (ragged > MAX_LISTED) issues.push({ level: 'warning', zh: `另有 ${ragged - MAX_LISTED} 列欄位數與表頭不符`, en: `${ragged - MAX_LISTED} more rows have a different number of fields than the header` });
    if (blank > MAX_LISTED) issues.push({ level: 'warning', zh: `另有 ${blank - MAX_LISTED} 個空白列`, en: `${blank - MAX_LISTED} more blank rows` });
    publish?.(issues);
  }
}
