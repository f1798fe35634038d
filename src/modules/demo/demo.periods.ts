/**
 * Calendar arithmetic for the demo catalogue: statistical periods (month, quarter, half-year,
 * year), when each period's figures are released, and the national 更新頻率 text. Pure
 * functions of a reference date, so the same date always gives the same catalogue.
 */

export type Granularity = 'month' | 'quarter' | 'half' | 'year';

/** How a table is published: its periods, the first one, and how long after a period ends it appears. */
export interface Schedule {
  granularity: Granularity;
  /** First period's year (the table starts with the first period of that year, or the first census year on or after it). */
  fromYear: number;
  /** Days from the end of a period to its release; negative for budgets, which are published before their year ends. */
  lagDays: number;
  /** Only for `year`: a census every N years, counted from `anchor` (e.g. 5 and 2021). */
  everyYears?: number;
  anchor?: number;
  /** Released when something happens (a special act, a new list) rather than on a calendar: 不定期. */
  irregular?: boolean;
  /** Fiscal years are labelled in 民國 years (114), as budgets are. */
  rocYears?: boolean;
}

export const PER_YEAR: Record<Granularity, number> = { month: 12, quarter: 4, half: 2, year: 1 };

const DAY = 86_400_000;

/** A calendar date at UTC midnight standing for a Taipei calendar day. */
export function dateOf(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY);
}

/** Today's calendar date in Taipei (UTC+8, no daylight saving). */

export function periodYear(g: Granularity, idx: number): number {
  return Math.floor(idx / PER_YEAR[g]);
}

/** Position of the period inside its year: 0-based month, quarter or half. */
export function periodInYear(g: Granularity, idx: number): number {
  return idx - periodYear(g, idx) * PER_YEAR[g];
}

export function periodStart(g: Granularity, idx: number): Date {
  const months = 12 / PER_YEAR[g];
  return new Date(Date.UTC(periodYear(g, idx), periodInYear(g, idx) * months, 1));
}

export function periodEnd(g: Granularity, idx: number): Date {
  return addDays(periodStart(g, idx + 1), -1);
}

/** The label a statistical table shows: 2024-01, 2024Q1, 2024H1, 2024, or 113 for 民國 fiscal years. */
export function periodLabel(s: Pick<Schedule, 'granularity' | 'rocYears'>, idx: number): string {
  const y = periodYear(s.granularity, idx);
  const k = periodInYear(s.granularity, idx);
  switch (s.granularity) {
    case 'month':
      return `${y}-${String(k + 1).padStart(2, '0')}`;
    case 'quarter':
      return `${y}Q${k + 1}`;
    case 'half':
      return `${y}H${k + 1}`;
    case 'year':
      return s.rocYears ? String(y - 1911) : String(y);
  }
}

/** How the period column is described in 主要欄位說明. */
export function periodDescription(s: Pick<Schedule, 'granularity' | 'rocYears'>): string {
  switch (s.granularity) {
    case 'month':
      return '西元年月，格式 YYYY-MM';
    case 'quarter':
      return '西元年季，如 2024Q1';
    case 'half':
      return '西元年半年，H1=上半年；H2=下半年';
    case 'year':
      return s.rocYears ? '民國年，如 114' : '西元年';
  }
}

function aligned(s: Schedule, idx: number): boolean {
  if (s.granularity !== 'year' || !s.everyYears) return true;
  const anchor = s.anchor ?? s.fromYear;
  return (((idx - anchor) % s.everyYears) + s.everyYears) % s.everyYears === 0;
}

/** The date a period's figures are released (publication is strictly before the reference date to count). */
export function releaseDate(s: Schedule, idx: number): Date {
  return addDays(periodEnd(s.granularity, idx), s.lagDays);
}

/** Every period released before `ref`, oldest first. */
export function releasedPeriods(s: Schedule, ref: string): number[] {
  const refDate = dateOf(ref);
  const per = PER_YEAR[s.granularity];
  let first = s.fromYear * per;
  while (!aligned(s, first)) first++;
  const step = s.granularity === 'year' && s.everyYears ? s.everyYears : 1;
  const out: number[] = [];
  for (let idx = first; releaseDate(s, idx) < refDate; idx += step) out.push(idx);
  return out;
}

/** 更新頻率 in the national form. */
export function frequencyText(s: Schedule): string {
  if (s.irregular) return '不定期';
  switch (s.granularity) {
    case 'month':
      return '每1月';
    case 'quarter':
      return '每3月';
    case 'half':
      return '每6月';
    case 'year':
      return `每${s.everyYears ?? 1}年`;
  }
}
