import { dayMs as dayOf, isIsoDay, isoDay as isoOf } from '../../time.ts';

/**
 * Working days (issue 6: deadlines are counted in working days): a calendar of the days off that
 * are not weekends (national holidays, their 補假, 調整放假) and of the Saturdays worked instead
 * (補行上班), a year at a time, as 行政院人事行政總處 publishes the 政府行政機關辦公日曆表.
 */

export interface CalendarYear {
  year: number;
  title: string;
  /** Where the data came from (the official letter, a URL). */
  source: string;
  /** Weekdays off. */
  holidays: { date: string; name: string }[];
  /** Weekend days worked (補行上班). */
  workdays: { date: string; name: string }[];
}

export class CalendarFileError extends Error {
  constructor(readonly problems: { zh: string; en: string }[]) {
    super(problems.map((p) => `${p.zh} / ${p.en}`).join('\n'));
  }
}

const weekday = (iso: string): number => new Date(dayOf(iso)).getUTCDay();
const isWeekend = (iso: string): boolean => weekday(iso) === 0 || weekday(iso) === 6;
const DAY = 86_400_000;

/**
 * Reads a year's calendar as the admin writes it (the JSON the project ships, or one edited from
 * it), naming every problem: which entry, which field, why — in zh-TW and English. Nothing of a
 * file with problems is taken.
 */
export function parseCalendarYear(raw: unknown): CalendarYear {
  const problems: { zh: string; en: string }[] = [];
  const o = (raw ?? {}) as Record<string, unknown>;
  const year = Number(o.year);
  if (!Number.isInteger(year) || year < 1912 || year > 2200) problems.push({ zh: `year 須為西元年（例如 2026），不是「${String(o.year)}」`, en: `year must be a Gregorian year (e.g. 2026), not "${String(o.year)}"` });
  const text = (k: string): string => {
    const v = o[k];
    return typeof v === 'string' ? v.trim() : '';
  };
  if (!text('source')) problems.push({ zh: 'source（資料來源，例如行政院函號）為必填', en: 'source (where the data came from, e.g. the Executive Yuan letter) is required' });
  const seen = new Map<string, string>();
  const list = (k: 'holidays' | 'workdays', zhName: string, mustBeWeekend: boolean): { date: string; name: string }[] => {
    const v = o[k] ?? [];
    if (!Array.isArray(v)) {
      problems.push({ zh: `${k} 須為清單`, en: `${k} must be a list` });
      return [];
    }
    return v.flatMap((e: unknown, i: number) => {
      const entry = (e ?? {}) as Record<string, unknown>;
      const date = typeof entry.date === 'string' ? entry.date.trim() : '';
      const name = typeof entry.name === 'string' ? entry.name.trim() : '';
      const at = { zh: `${k} 第 ${i + 1} 筆`, en: `${k} entry ${i + 1}` };
      if (!isIsoDay(date)) {
        problems.push({ zh: `${at.zh}：日期「${date}」須為 YYYY-MM-DD`, en: `${at.en}: date "${date}" must be YYYY-MM-DD` });
        return [];
      }
      if (Number.isInteger(year) && Number(date.slice(0, 4)) !== year) problems.push({ zh: `${at.zh}：${date} 不在 ${year} 年`, en: `${at.en}: ${date} is not in ${year}` });
      if (!name) problems.push({ zh: `${at.zh}（${date}）：缺少名稱`, en: `${at.en} (${date}): the name is missing` });
      if (mustBeWeekend !== isWeekend(date)) {
        problems.push(
          mustBeWeekend
            ? { zh: `${at.zh}：${date} 不是週末，不必列為${zhName}`, en: `${at.en}: ${date} is not a weekend day, so it is no make-up working day` }
            : { zh: `${at.zh}：${date} 是週末，本來就放假，不必列為${zhName}`, en: `${at.en}: ${date} is a weekend day, off anyway: not a holiday to list` },
        );
      }
      const dup = seen.get(date);
      if (dup) problems.push({ zh: `${at.zh}：${date} 重複（已列於 ${dup}）`, en: `${at.en}: ${date} appears twice (also in ${dup})` });
      seen.set(date, k);
      return [{ date, name }];
    });
  };
  const holidays = list('holidays', '放假日', false);
  const workdays = list('workdays', '補行上班日', true);
  if (problems.length) throw new CalendarFileError(problems);
  return { year, title: text('title') || `${year}`, source: text('source'), holidays, workdays };
}

/**
 * Working-day arithmetic over the loaded years. A year without a calendar counts weekends only
 * (`known()` says so, for the pages to warn).
 */
export class WorkingCalendar {
  private readonly off = new Set<string>();
  private readonly on = new Set<string>();
  private readonly years = new Set<number>();

  constructor(years: readonly CalendarYear[]) {
    for (const y of years) {
      this.years.add(y.year);
      for (const h of y.holidays) this.off.add(h.date);
      for (const w of y.workdays) this.on.add(w.date);
    }
  }

  known(year: number): boolean {
    return this.years.has(year);
  }

  isWorkingDay(iso: string): boolean {
    if (this.on.has(iso)) return true;
    if (this.off.has(iso)) return false;
    return !isWeekend(iso);
  }

  /** The date `n` working days after `iso` (before it when n < 0); n = 0 is `iso` itself. */
  addWorkingDays(iso: string, n: number): string {
    let t = dayOf(iso);
    const step = n < 0 ? -DAY : DAY;
    for (let left = Math.abs(n); left > 0; ) {
      t += step;
      if (this.isWorkingDay(isoOf(t))) left--;
    }
    return isoOf(t);
  }

  /** Working days after `from` up to and including `to` (negative when `to` is earlier). */
  workingDaysBetween(from: string, to: string): number {
    const a = dayOf(from);
    const b = dayOf(to);
    const sign = b < a ? -1 : 1;
    let n = 0;
    for (let t = Math.min(a, b) + DAY; t <= Math.max(a, b); t += DAY) if (this.isWorkingDay(isoOf(t))) n++;
    return sign * n;
  }
}
