import { createHash } from 'node:crypto';
import type { Config } from '../../config.ts';
import { createReadStream } from 'node:fs';
import { readHead } from '../ingest/file-head.ts';
import type { DatasetInput } from '../catalogue/catalogue.schemas.ts';
import type { FieldDef } from '../catalogue/national.ts';
import { detectEncoding, type EncodingGuess } from '../ingest/encoding.ts';
import { isTabularFormat, openTableFile } from '../ingest/registry.ts';
import { batchesOf, ReadError, type RawTable } from '../ingest/table.ts';
import { predictBadge, type BadgePrediction, type BadgeRules } from './badges.ts';
import { metadataComplete, notSplit, timeliness } from './checks/dataset.ts';
import { descMatch, encodingMatch } from './checks/declared.ts';
import { dataStandardsCheck } from './checks/data-standards.ts';
import { formatMatch, sniffFormat, structured } from './checks/format.ts';
import type { CheckLinkOptions } from './checks/link.ts';
import { genderCheck } from './checks/gender.ts';
import { personalDataCheck } from './checks/personal-data.ts';
import { tabularShape } from './checks/shape.ts';
import { indicator, INDICATOR_IDS, type IndicatorId, type IndicatorResult, type TableCheck } from './indicators.ts';

/** Formats whose bytes are text in some encoding (the others have none to compare). */
const TEXT_FORMATS = new Set(['CSV', 'TSV', 'TXT', 'JSON', 'XML', 'PX', 'HTML']);
const SAMPLE = 1 << 20;

export interface FileCheckInput {
  /** The file (downloaded first when checking a URL). */
  path: string;
  fileName?: string;
  contentType?: string;
  /** The file's sha256 when it is already known (a stored version); else it is computed. */
  sha256?: string;
  /** What the metadata says; anything missing makes its indicator `na` (not declared). */
  declared: { format?: string | null; encoding?: string | null; fields?: readonly FieldDef[] | null; header?: string | null };
  /** linkable and downloadable, when the file came from a URL; a local file is by definition both (na, not applicable). */
  link?: { linkable: IndicatorResult; downloadable: IndicatorResult };
  /** The dataset around the resource, for the dataset-level indicators. */
  dataset?: DatasetContext;
  rules?: BadgeRules;
  onProgress?: (p: { rows: number }) => void;
}

export interface DatasetContext {
  input: DatasetInput;
  /** Every resource's name and columns (for not_split). */
  resources: readonly { name: string; columns: readonly string[] | null }[];
  lastUpdate: string | null;
  /** YYYY-MM-DD, Taipei. */
  asOf: string;
  graceDays?: number;
}

export interface FileFacts {
  name?: string;
  size: number;
  sha256: string;
  /** What the bytes are. */
  format: string;
  encoding?: string;
  rows?: number;
  columns?: string[];
}

export interface QualityReport extends BadgePrediction {
  indicators: IndicatorResult[];
  file?: FileFacts;
  checkedAt: string;
}

const notApplicable = (id: IndicatorId, zh: string, en: string): IndicatorResult => indicator(id, 'na', zh, en, [], { notApplicable: true });

/**
 * The quality engine (issue 5): one pass over a file — its bytes sniffed, its encoding detected,
 * its table read once in batches through the content checks (personal data, data standards,
 * gender fields) — plus the checks against the metadata and of the dataset around it. Memory
 * stays bounded: the readers stream, and each check keeps counts and the first samples only.
 */
export async function checkFile(input: FileCheckInput): Promise<QualityReport> {
  const { bytes: sample, size, complete } = await readHead(input.path, SAMPLE);
  const sniffed = sniffFormat(sample.subarray(0, 64 * 1024), input.fileName, input.contentType);
  const results = new Map<IndicatorId, IndicatorResult>();
  const put = (r: IndicatorResult) => results.set(r.id, r);

  put(input.link?.linkable ?? notApplicable('linkable', '檢查的是檔案本身，不是網址', 'a file was checked, not a URL'));
  put(
    size === 0
      ? indicator('downloadable', 'fail', '取得的檔案是空的（0 位元組）', 'the file obtained is empty (0 bytes)')
      : (input.link?.downloadable ?? notApplicable('downloadable', '檢查的是檔案本身，不是網址', 'a file was checked, not a URL')),
  );
  put(formatMatch(input.declared.format ?? undefined, sniffed));
  const format = formatOf(sniffed.format, input.fileName, input.declared.format);
  if (size === 0) put(indicator('structured', 'fail', '檔案是空的', 'the file is empty', [], { stars: 0 }));
  else put(structured(format));

  const text = TEXT_FORMATS.has(format);
  let detected: EncodingGuess | undefined;
  if (text) detected = detectEncoding(sample, { complete });
  put(encodingMatch(input.declared.encoding, detected, { text }));

  // A stored file's hash is known; anything else is hashed as it is read (a second read the OS cache serves).
  const hashing = input.sha256
    ? Promise.resolve(input.sha256)
    : new Promise<string>((resolve, reject) => {
        const hash = createHash('sha256');
        createReadStream(input.path)
          .on('data', (c) => hash.update(c))
          .on('end', () => resolve(hash.digest('hex')))
          .on('error', reject);
      });

  const facts: FileFacts = { name: input.fileName, size, sha256: '', format, encoding: detected?.encoding };
  const contentIds: IndicatorId[] = ['personal_data', 'data_standards', 'gender_statistics'];
  if (isTabularFormat(format)) {
    let table: RawTable | undefined;
    try {
      table = await openTableFile(input.path, format, { encoding: input.declared.encoding, header: input.declared.header });
    } catch (err) {
      if (!(err instanceof ReadError)) throw err;
      put(tabularShape({ refused: { zh: err.zh, en: err.en, line: err.where.line, sheet: err.where.sheet } }));
      put(indicator('desc_match', 'fail', '檔案無法讀成資料表，無法比對欄位', 'the file cannot be read as a table, so its fields cannot be compared'));
      for (const id of contentIds) put(notApplicable(id, '檔案無法讀成資料表，未檢查內容', 'the file cannot be read as a table: content not checked'));
    }
    if (table) {
      const checks: TableCheck[] = [personalDataCheck(), dataStandardsCheck(), genderCheck()];
      const rows = await runTableChecks(checks, table, input.onProgress);
      for (const c of checks) put(c.end());
      put(tabularShape({ issues: table.issues, columns: table.columns }));
      put(descMatch(input.declared.fields ?? undefined, table.columns));
      facts.rows = rows;
      facts.columns = [...table.columns];
    }
  } else {
    put(notApplicable('tabular_shape', `${format} 不是表格格式`, `${format} is not a tabular format`));
    put(indicator('desc_match', input.declared.fields?.length ? 'fail' : 'na', `${format} 檔沒有可比對的欄位`, `a ${format} file has no fields to compare`, [], input.declared.fields?.length ? undefined : { notDeclared: true }));
    for (const id of contentIds) put(notApplicable(id, `${format} 不是表格格式，未檢查內容`, `${format} is not a tabular format: content not checked`));
  }
  facts.sha256 = await hashing;

  for (const r of datasetIndicators(input.dataset)) put(r);
  const indicators = INDICATOR_IDS.map((id) => results.get(id) ?? notApplicable(id, '未檢查', 'not checked'));
  return { ...predictBadge(indicators, input.rules), indicators, file: facts, checkedAt: new Date().toISOString() };
}

/** The format a file is read as: what its bytes are — except that a one-column CSV has no delimiter to find and sniffs as plain text, so what it was declared or named decides. */
export function formatOf(sniffed: string, fileName?: string, declared?: string | null): string {
  const csvByName = /\.(csv|tsv|psv|ssv)$/i.test(fileName ?? '') || /^(CSV|TSV)$/i.test(declared ?? '');
  return sniffed === 'TXT' && csvByName ? 'CSV' : sniffed;
}

/** Streams a table's rows, in the reader's batches, through content checks (begun here; the caller ends them). Returns the row count. */
export async function runTableChecks(checks: readonly TableCheck[], table: RawTable, onProgress?: (p: { rows: number }) => void): Promise<number> {
  for (const c of checks) c.begin(table.columns);
  let rows = 0;
  for await (const batch of batchesOf(table)) {
    for (const c of checks) c.rows(batch, rows + 1);
    rows += batch.length;
    onProgress?.({ rows });
  }
  return rows;
}

/** The report when no file was obtained (a link that fails, a resource without one): the link verdicts, the dataset's, the rest not checked. */
export function reportWithoutFile(link: readonly IndicatorResult[], dataset: DatasetContext | undefined, rules?: BadgeRules): QualityReport {
  const byId = new Map<IndicatorId, IndicatorResult>([...link, ...datasetIndicators(dataset)].map((r) => [r.id, r]));
  const indicators = INDICATOR_IDS.map((id) => byId.get(id) ?? indicator(id, 'na', '沒有取得檔案，未檢查', 'no file was obtained: not checked', [], { notDeclared: true }));
  return { ...predictBadge(indicators, rules), indicators, checkedAt: new Date().toISOString() };
}

/** Link-check settings from the configuration (timeouts; private addresses only when allowed). */
export function linkCheckOptions(config: Config, allowPrivate = config.quality.linkAllowPrivate): CheckLinkOptions {
  return { allowPrivate, connectTimeoutMs: config.quality.linkConnectSeconds * 1000, timeoutMs: config.quality.linkTotalSeconds * 1000, maxBytes: config.uploadMaxBytes };
}

/** timeliness, metadata_complete, not_split: from the dataset's metadata, or na (not declared) without one. */
export function datasetIndicators(d: DatasetContext | undefined): IndicatorResult[] {
  if (!d) {
    const none = (id: IndicatorId) => indicator(id, 'na', '未提供資料集的詮釋資料', 'no dataset metadata given', [], { notDeclared: true });
    return [none('timeliness'), none('metadata_complete'), none('not_split')];
  }
  return [timeliness({ frequency: d.input.updateFrequency, lastUpdate: d.lastUpdate, asOf: d.asOf, graceDays: d.graceDays }), metadataComplete(d.input), notSplit(d.resources)];
}
