import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { decideHeader, detectLayout, HeaderChoiceError, sniffDialect, type Dialect, type HeaderChoice } from './dialect.ts';
import { declarationFits, decode, decodeStream, detectEncoding, encodingToRead, type Encoding, type EncodingGuess } from './encoding.ts';
import { ReadError, uniqueColumns, type RawCell, type RawTable, type ReadIssue } from './table.ts';

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

async function readSample(filePath: string): Promise<{ bytes: Buffer; complete: boolean }> {
  const fh = await open(filePath, 'r');
  try {
    const { size } = await fh.stat();
    const bytes = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
    await fh.read(bytes, 0, bytes.length, 0);
    return { bytes, complete: size <= SAMPLE_BYTES };
  } finally {
    await fh.close();
  }
}

const filled = (r: readonly string[]): number => r.reduce((n, c) => (c.trim() === '' ? n : n + 1), 0);

/**
 * A CSV/TSV/semicolon/pipe file as a table: the encoding detected (or as given), the dialect
 * sniffed, title rows above the header and notes rows below the data found on a 1 MB sample and
 * skipped with an issue each, ragged rows padded or cut to the header's width and reported.
 * `rows()` streams the file afresh each time it is called (the loader reads twice: types, then data).
 */
export async function readCsvFile(
  filePath: string,
  opts: { /** The declared 編碼格式; the bytes win unless detection is weak. */ encoding?: Encoding; /** The header lines the contact chose (else found, or the file refused when it is a report layout). */ header?: HeaderChoice } = {},
): Promise<CsvTable> {
  const { bytes, complete } = await readSample(filePath);
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
  // Lay out the sample without its last (possibly cut) line.
  const cut = complete ? sampleText : sampleText.slice(0, Math.max(0, sampleText.lastIndexOf(dialect.lineEnd)));
  const sampleRecords: { record: string[]; line: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    const p = parse({ delimiter: dialect.delimiter, record_delimiter: dialect.lineEnd, relax_column_count: true, relax_quotes: true, bom: true, info: true, skip_empty_lines: false });
    p.on('readable', () => {
      let r: { record: string[]; info: { lines: number } } | null;
      while ((r = p.read() as typeof r) !== null) sampleRecords.push({ record: r.record, line: r.info.lines });
    });
    p.on('error', reject);
    p.on('end', resolve);
    p.end(cut);
  }).catch((err: unknown) => {
    throw new ReadError(`無法剖析 CSV：${(err as Error).message}`, `cannot parse the CSV: ${(err as Error).message}`);
  });
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
    rows: () => streamRows(filePath, used, dialect, verdict.last, width, published ? undefined : publish),
  };
  return table;
}

/** Streams the data rows: skips up to the header, pads ragged rows, holds back note-like rows until a data row proves them data. */
async function* streamRows(filePath: string, encoding: Encoding, dialect: Dialect, headerRow: number, width: number, publish: ((found: ReadIssue[]) => void) | undefined): AsyncGenerator<RawCell[]> {
  const collect = publish !== undefined;
  const issues: ReadIssue[] = [];
  // Line numbers (csv-parse's `info`) cost a third of the parse: only the pass that reports asks for them.
  // UTF-8 goes straight to csv-parse, which decodes it; other encodings through iconv-lite.
  const source = encoding === 'UTF-8' ? createReadStream(filePath) : createReadStream(filePath).pipe(decodeStream(encoding));
  const parser = source.pipe(parse({ delimiter: dialect.delimiter, record_delimiter: dialect.lineEnd, relax_column_count: true, relax_quotes: true, bom: true, info: collect, skip_empty_lines: false }));
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
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } } | string[]>) {
      const r = Array.isArray(item) ? { record: item, info: { lines: 0 } } : item;
      index++;
      if (index <= headerRow) continue;
      const w = filled(r.record);
      const first = r.record.find((c) => c.trim() !== '') ?? '';
      const noteLike = w === 0 || NOTE.test(first) || (w <= 2 && width > 3 && first.length > 20);
      if (noteLike) {
        held.push({ record: r.record, line: r.info.lines });
        continue;
      }
      for (const h of held) {
        if (filled(h.record) === 0) {
          blank++;
          if (collect && blank <= MAX_LISTED) issues.push({ level: 'warning', line: h.line, zh: `第 ${h.line} 行是空白列（已略過）`, en: `line ${h.line} is blank (skipped)` });
        } else yield emit(h.record, h.line);
      }
      held = [];
      yield emit(r.record, r.info.lines);
    }
  } catch (err) {
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
