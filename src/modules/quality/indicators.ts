import type { RawCell } from '../ingest/table.ts';

/**
 * The quality indicators (issue 5): each has a stable id, a result, evidence (what was found,
 * where) and a message in zh-TW and English. The national platform checks the first six on
 * every resource (datagovtw.md §4); the others are Kaifang's own, stricter checks of content and
 * metadata (MISSION C8, C11).
 */
export const INDICATOR_IDS = [
  'linkable',
  'downloadable',
  'structured',
  'encoding_match',
  'desc_match',
  'format_match',
  'tabular_shape',
  'data_standards',
  'personal_data',
  'timeliness',
  'metadata_complete',
  'not_split',
  'gender_statistics',
] as const;
export type IndicatorId = (typeof INDICATOR_IDS)[number];

/** pass · fail · warn (passes, with something a person should look at) · na (not applicable, or not declared so not checkable). */
export type Verdict = 'pass' | 'fail' | 'warn' | 'na';

/** One piece of evidence: where (data row, file line, column) and what (a sample, masked when it is personal data). */
export interface Evidence {
  /** 1-based data row (the first row under the header is 1). */
  row?: number;
  /** 1-based line of the file, when the reader knows it. */
  line?: number;
  column?: string;
  /** What was found, as found — except personal data, which is masked (A12****789). */
  sample?: string;
  /** How many times (e.g. 37 ID numbers in this column). */
  count?: number;
  /** Anything else, in both languages when it is prose ("zh / en"). */
  note?: string;
}

export interface IndicatorResult {
  id: IndicatorId;
  result: Verdict;
  /** At most a few dozen items: the first occurrences, with counts. */
  evidence: Evidence[];
  /** What it means and what to do, for a clerk. */
  zh: string;
  en: string;
  /** Figures the reports use (e.g. stars for `structured`, the detected encoding). */
  data?: Record<string, unknown>;
}

/**
 * A check that reads a table's content as it streams (personal data, data standards, gender
 * fields): `begin` with the columns, `rows` in batches in file order, `end` for the verdict.
 * Memory must not grow with the number of rows (keep counts and the first few samples).
 */
export interface TableCheck {
  readonly id: IndicatorId;
  begin(columns: readonly string[]): void;
  /** `firstRow`: the 1-based data-row number of batch[0]. */
  rows(batch: readonly (readonly RawCell[])[], firstRow: number): void;
  end(): IndicatorResult;
}

/** Evidence lists are cut here; the count says how many there were. */
export const MAX_EVIDENCE = 20;

export const indicator = (id: IndicatorId, result: Verdict, zh: string, en: string, evidence: Evidence[] = [], data?: Record<string, unknown>): IndicatorResult => ({
  id,
  result,
  evidence: evidence.slice(0, MAX_EVIDENCE),
  zh,
  en,
  ...(data ? { data } : {}),
});
