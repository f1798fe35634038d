import { isMissing, parseBoolean, parseDate, parseNumber, parsePercent, type Granularity } from './values.ts';

/** Column types of the datastore (issue 4). An inferred type is a proposal the contact can override. */
export const COLUMN_TYPES = ['integer', 'decimal', 'percent', 'date', 'boolean', 'text'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnInference {
  type: ColumnType;
  /** For dates: the common precision (day, month, quarter, year). */
  granularity?: Granularity;
  /** Values seen (not counting missing ones). */
  values: number;
  missing: number;
  /** Dates: the ways they were written (more than one is a data_standards finding). */
  forms: string[];
  /** Some dates were 民國 (ROC) dates. */
  roc: boolean;
  /** Numbers with thousands separators were seen. */
  grouped: boolean;
  /**
   * Why a more specific type was not chosen: the first values that did not fit the best
   * candidate, with their 0-based row index in the sample (empty when the type fits every value).
   */
  misfits: { row: number; value: string; expected: ColumnType }[];
}

const MAX_MISFITS = 5;

/**
 * Proposes a type for one column from its values. A type is chosen only when every non-missing
 * value fits it (integer before decimal, then percent, date, boolean); otherwise the column is
 * text and `misfits` names the values that kept it from the closest type, so a clerk can fix the
 * data or override the type knowingly.
 */
export function inferColumn(cells: readonly string[]): ColumnInference {
  let values = 0;
  let missing = 0;
  let ints = 0;
  let nums = 0;
  let pcts = 0;
  let dates = 0;
  let bools = 0;
  let grouped = false;
  let roc = false;
  const forms = new Set<string>();
  const granularities = new Set<Granularity>();
  const firstNon: Record<'number' | 'percent' | 'date' | 'boolean', { row: number; value: string }[]> = { number: [], percent: [], date: [], boolean: [] };
  const note = (k: keyof typeof firstNon, row: number, value: string) => {
    if (firstNon[k].length < MAX_MISFITS) firstNon[k].push({ row, value });
  };

  cells.forEach((cell, row) => {
    if (isMissing(cell)) {
      missing++;
      return;
    }
    values++;
    const n = parseNumber(cell);
    if (n) {
      nums++;
      if (n.integer) ints++;
      if (n.grouped) grouped = true;
    } else note('number', row, cell);
    if (parsePercent(cell) !== undefined) pcts++;
    else note('percent', row, cell);
    const d = parseDate(cell);
    if (d) {
      dates++;
      forms.add(d.form);
      granularities.add(d.granularity);
      if (d.roc) roc = true;
    } else note('date', row, cell);
    if (parseBoolean(cell) !== undefined) bools++;
    else note('boolean', row, cell);
  });

  const base = { values, missing, grouped, roc: false, forms: [] as string[], misfits: [] as ColumnInference['misfits'] };
  if (values === 0) return { ...base, type: 'text' };
  // Dates first when every value is one: 20240105 is also a number, but a column of them is dates.
  if (dates === values && granularities.size === 1 && !(nums === values && [...forms].every((f) => f === 'yyyymmdd' || f === 'roc-yyymmdd') && dates < 3)) {
    return { ...base, type: 'date', granularity: [...granularities][0], forms: [...forms].sort(), roc };
  }
  if (ints === values) return { ...base, type: 'integer' };
  if (nums === values) return { ...base, type: 'decimal' };
  if (pcts === values) return { ...base, type: 'percent' };
  if (bools === values && values >= 2) return { ...base, type: 'boolean' };
  // Dates of mixed precision (days and months in one column) stay text; the forms say why.
  if (dates === values) return { ...base, type: 'text', forms: [...forms].sort(), roc };
  // Text: say which near-miss kept it from the type most of its values have.
  const best: [number, keyof typeof firstNon, ColumnType][] = [
    [nums, 'number', ints === nums ? 'integer' : 'decimal'],
    [pcts, 'percent', 'percent'],
    [dates, 'date', 'date'],
    [bools, 'boolean', 'boolean'],
  ];
  best.sort((a, b) => b[0] - a[0]);
  const [count, key, expected] = best[0];
  const misfits = count >= values / 2 ? firstNon[key].map((m) => ({ ...m, expected })) : [];
  return { ...base, type: 'text', misfits };
}
