import { isMissing, isMissingN, normaliseCell, parseBoolean, parseBooleanN, parseDate, parseDateN, parseNumber, parseNumberN, parsePercent, parsePercentN, type Granularity } from './values.ts';

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
  /** Whole numbers written with leading zeros (001, 09007) were seen: codes, kept as text so no zero is lost. */
  leadingZeros: boolean;
  /**
   * Why a more specific type was not chosen: the first values that did not fit the best
   * candidate, with their 0-based row index in the sample (empty when the type fits every value).
   */
  misfits: { row: number; value: string; expected: ColumnType }[];
}

const MAX_MISFITS = 5;

/**
 * Proposes a type for one column from its values, one value at a time (so a whole file streams
 * through). A type is chosen only when every non-missing value fits it (integer before decimal,
 * then percent, date, boolean); otherwise the column is text and `misfits` names the values that
 * kept it from the closest type, so a clerk can fix the data or override the type knowingly.
 * Typed cells (numbers from spreadsheets or cubes, booleans) count as what they are.
 */
export class ColumnInferrer {
  private values = 0;
  private missing = 0;
  private ints = 0;
  private nums = 0;
  private pcts = 0;
  private dates = 0;
  private bools = 0;
  private grouped = false;
  private leadingZeros = false;
  private roc = false;
  private readonly forms = new Set<string>();
  private readonly granularities = new Set<Granularity>();
  private readonly firstNon: Record<'number' | 'percent' | 'date' | 'boolean', { row: number; value: string }[]> = { number: [], percent: [], date: [], boolean: [] };
  private row = -1;

  private note(k: 'number' | 'percent' | 'date' | 'boolean', value: string): void {
    if (this.firstNon[k].length < MAX_MISFITS) this.firstNon[k].push({ row: this.row, value });
  }

  add(cell: string | number | boolean | null): void {
    this.row++;
    if (cell === null) {
      this.missing++;
      return;
    }
    this.values++;
    if (typeof cell === 'number') {
      this.nums++;
      if (Number.isSafeInteger(cell)) this.ints++;
      const text = String(cell);
      this.note('percent', text);
      this.note('date', text);
      this.note('boolean', text);
      return;
    }
    if (typeof cell === 'boolean') {
      this.bools++;
      this.note('number', String(cell));
      this.note('percent', String(cell));
      this.note('date', String(cell));
      return;
    }
    const v = normaliseCell(cell);
    if (isMissingN(v)) {
      this.values--;
      this.missing++;
      return;
    }
    // A type that has already failed often and fits fewer than half the values cannot win and
    // will not be the near-miss reported: stop testing it (the big files' hot loop).
    const hopeless = (fits: number, k: 'number' | 'percent' | 'date' | 'boolean') => this.firstNon[k].length >= MAX_MISFITS && fits * 2 < this.values;
    if (!hopeless(this.nums, 'number')) {
      const n = parseNumberN(v);
      if (n) {
        this.nums++;
        if (n.integer) this.ints++;
        if (n.grouped) this.grouped = true;
        if (n.integer && /^[+-]?0\d/.test(v)) this.leadingZeros = true;
      } else this.note('number', cell);
    }
    if (!hopeless(this.pcts, 'percent')) {
      if (parsePercentN(v) !== undefined) this.pcts++;
      else this.note('percent', cell);
    }
    if (!hopeless(this.dates, 'date')) {
      const d = parseDateN(v);
      if (d) {
        this.dates++;
        this.forms.add(d.form);
        this.granularities.add(d.granularity);
        if (d.roc) this.roc = true;
      } else this.note('date', cell);
    }
    if (!hopeless(this.bools, 'boolean')) {
      if (parseBooleanN(v) !== undefined) this.bools++;
      else this.note('boolean', cell);
    }
  }

  result(): ColumnInference {
    const { values, missing, grouped, leadingZeros, nums, ints, pcts, dates, bools, forms, granularities, roc, firstNon } = this;
    const base = { values, missing, grouped, leadingZeros, roc: false, forms: [] as string[], misfits: [] as ColumnInference['misfits'] };
    if (values === 0) return { ...base, type: 'text' };
    // Dates first when every value is one: 20240105 is also a number, but a column of them is dates
    // (with fewer than three values that are all plain digits, there is too little to tell).
    const digitsOnly = nums === values && [...forms].every((f) => f === 'yyyymmdd' || f === 'roc-yyymmdd');
    if (dates === values && granularities.size === 1 && !(digitsOnly && dates < 3)) {
      return { ...base, type: 'date', granularity: [...granularities][0], forms: [...forms].sort(), roc };
    }
    // Codes written with leading zeros (001, 09007 for 連江縣) stay text: as numbers they would lose them.
    if (leadingZeros && nums === values) return { ...base, type: 'text' };
    if (ints === values) return { ...base, type: 'integer' };
    if (nums === values) return { ...base, type: 'decimal' };
    if (pcts === values) return { ...base, type: 'percent' };
    if (bools === values && values >= 2) return { ...base, type: 'boolean' };
    // Dates of mixed precision (days and months in one column) stay text; the forms say why.
    if (dates === values) return { ...base, type: 'text', forms: [...forms].sort(), roc };
    // Text: say which near-miss kept it from the type most of its values have.
    const best: [number, 'number' | 'percent' | 'date' | 'boolean', ColumnType][] = [
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
}

/** inferColumn over a whole array of values (see ColumnInferrer). */
export function inferColumn(cells: readonly (string | number | boolean | null)[]): ColumnInference {
  const inf = new ColumnInferrer();
  for (const c of cells) inf.add(c);
  return inf.result();
}

/**
 * A cell as stored for its column's type: numbers for integer/decimal/percent, the canonical ISO
 * form for dates (2024-01-05, 2024-01, 2024-Q1, 2024), 1/0 for booleans, text as text; null when
 * missing or when the value does not fit (the loader reports those).
 */
export function convertCell(cell: string | number | boolean | null, type: ColumnType): string | number | null {
  if (cell === null) return null;
  if (typeof cell === 'boolean') return type === 'text' ? String(cell) : cell ? 1 : 0;
  if (typeof cell === 'number') return type === 'text' || type === 'date' ? String(cell) : cell;
  if (isMissing(cell)) return null;
  switch (type) {
    case 'integer':
    case 'decimal':
      return parseNumber(cell)?.value ?? null;
    case 'percent':
      return parsePercent(cell) ?? null;
    case 'date':
      return parseDate(cell)?.iso ?? null;
    case 'boolean': {
      const b = parseBoolean(cell);
      return b === undefined ? null : b ? 1 : 0;
    }
    case 'text':
      return cell;
  }
}
