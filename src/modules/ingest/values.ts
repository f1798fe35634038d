/**
 * Reading the values of statistical tables as agencies write them (issue 4): numbers with
 * thousands separators and full-width digits, percentages, Gregorian and 民國 (ROC) dates, period
 * codes (2024M01, 2024Q1, SDMX 1981-M1), booleans in Chinese and English, and the many ways of
 * writing "no value". Each parser returns undefined for a value it does not recognise.
 */

/** Cells that mean "no value" in agency tables (「-」 not applicable, 「…」 not available, PC-Axis "."). */
const MISSING = new Set(['', '-', '－', '—', '–', '...', '…', '..', '.', '‥', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', '--', '*', '×', 'x', 'X', '不詳']);

/** Full-width digits, letters and punctuation to their ASCII forms; trims ordinary and ideographic spaces. */
export function normaliseCell(raw: string): string {
  // Most cells are plain ASCII without surrounding spaces: skip the costly work for them.
  let plain = true;
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) > 0x7e) {
      plain = false;
      break;
    }
  }
  if (plain) {
    const first = raw.charCodeAt(0);
    const last = raw.charCodeAt(raw.length - 1);
    return first > 0x20 && last > 0x20 ? raw : raw.trim();
  }
  return raw.normalize('NFKC').replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
}

export function isMissing(raw: string): boolean {
  return MISSING.has(normaliseCell(raw));
}

/** isMissing for a cell already passed through normaliseCell. */
export const isMissingN = (s: string): boolean => MISSING.has(s);

export interface ParsedNumber {
  value: number;
  integer: boolean;
  /** The text had thousands separators (data_standards flags these in published files). */
  grouped: boolean;
}

const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const PLAIN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** "1,234", "-0.5", "１２３", "(1,234)" (accounting negative) → number. */
export function parseNumber(raw: string): ParsedNumber | undefined {
  return parseNumberN(normaliseCell(raw));
}

/** parseNumber for a cell already passed through normaliseCell. */
export function parseNumberN(normalised: string): ParsedNumber | undefined {
  let s = normalised;
  const c0 = s.charCodeAt(0);
  // Fast refusal: a number starts with a digit, a sign, a point or "(".
  if (!((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45 || c0 === 46 || c0 === 40)) return undefined;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  let grouped = false;
  if (GROUPED.test(s)) {
    grouped = true;
    s = s.replace(/,/g, '');
  } else if (!PLAIN.test(s)) {
    return undefined;
  }
  const value = Number(s);
  if (!Number.isFinite(value)) return undefined;
  const integer = /^[+-]?\d+$/.test(s) && Number.isSafeInteger(value);
  return { value: negative ? -value : value, integer, grouped };
}

/** "12.5%", "12.5％", "-3 %" → 12.5 (the number as written, not divided by 100). */
export function parsePercent(raw: string): number | undefined {
  return parsePercentN(normaliseCell(raw));
}

/** parsePercent for a cell already passed through normaliseCell. */
export function parsePercentN(s: string): number | undefined {
  if (!s.endsWith('%')) return undefined;
  return parseNumberN(s.slice(0, -1).trimEnd())?.value;
}

const TRUE = new Set(['true', 'yes', 'y', 't', '是', '有', '真']);
const FALSE = new Set(['false', 'no', 'n', 'f', '否', '無', '假']);

export function parseBoolean(raw: string): boolean | undefined {
  return parseBooleanN(normaliseCell(raw));
}

/** parseBoolean for a cell already passed through normaliseCell. */
export function parseBooleanN(normalised: string): boolean | undefined {
  if (normalised.length > 5) return undefined;
  const s = normalised.toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

/** How precise a date is: a day, a month, a quarter or a year. */
export type Granularity = 'day' | 'month' | 'quarter' | 'year';

export interface ParsedDate {
  granularity: Granularity;
  /** ISO-style canonical form: 2024-01-05, 2024-01, 2024-Q1, 2024. */
  iso: string;
  /** The text used the 民國 (ROC) calendar: year + 1911. */
  roc: boolean;
  /** Which way it was written, so a column mixing forms can be reported (e.g. "roc-slash", "iso-dash"). */
  form: string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** Gregorian years we accept as dates (a bare 4-digit number is a year only in a date pattern). */
const plausibleYear = (y: number): boolean => y >= 1800 && y <= 2200;
/** ROC years: 民國1 = 1912; tables go back to the 1940s–50s (民國30s) and forward a few years. */
const plausibleRoc = (y: number): boolean => y >= 1 && y <= 200;

function day(y: number, m: number, d: number, roc: boolean, form: string): ParsedDate | undefined {
  const year = roc ? y + 1911 : y;
  if (!(roc ? plausibleRoc(y) : plausibleYear(y)) || !validDay(year, m, d)) return undefined;
  return { granularity: 'day', iso: `${year}-${pad2(m)}-${pad2(d)}`, roc, form };
}
function month(y: number, m: number, roc: boolean, form: string): ParsedDate | undefined {
  const year = roc ? y + 1911 : y;
  if (!(roc ? plausibleRoc(y) : plausibleYear(y)) || m < 1 || m > 12) return undefined;
  return { granularity: 'month', iso: `${year}-${pad2(m)}`, roc, form };
}
function quarter(y: number, q: number, roc: boolean, form: string): ParsedDate | undefined {
  const year = roc ? y + 1911 : y;
  if (!(roc ? plausibleRoc(y) : plausibleYear(y)) || q < 1 || q > 4) return undefined;
  return { granularity: 'quarter', iso: `${year}-Q${q}`, roc, form };
}
function year(y: number, roc: boolean, form: string): ParsedDate | undefined {
  if (!(roc ? plausibleRoc(y) : plausibleYear(y))) return undefined;
  return { granularity: 'year', iso: String(roc ? y + 1911 : y), roc, form };
}

const CN_QUARTER: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, '1': 1, '2': 2, '3': 3, '4': 4 };

/**
 * Dates and periods as Taiwanese agencies write them:
 * Gregorian 2024-01-05, 2024/1/5, 20240105, 2024-01, 2024/01, 2024年1月5日, 2024年1月;
 * ROC 113/01/05, 113.01.05, 1130105, 113/01, 113年1月5日, 113年1月, 113年, 民國113年, 113年第1季;
 * period codes 2024M01, 2024-M1 (SDMX), 2024Q1, 2024-Q1.
 */
export function parseDate(raw: string): ParsedDate | undefined {
  return parseDateN(normaliseCell(raw));
}

/** parseDate for a cell already passed through normaliseCell. */
export function parseDateN(normalised: string): ParsedDate | undefined {
  // Every form starts with a digit or 民 (民國), and none is longer than 16 characters.
  const c0 = normalised.charCodeAt(0);
  if (normalised.length > 24 || !((c0 >= 48 && c0 <= 57) || normalised.startsWith('民'))) return undefined;
  const s = normalised.includes(' ') ? normalised.replace(/\s+/g, '') : normalised;
  let m: RegExpExecArray | null;
  // Gregorian day.
  if ((m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(s))) return day(+m[1], +m[3], +m[4], false, `iso${m[2]}`);
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) return day(+m[1], +m[2], +m[3], false, 'yyyymmdd');
  if ((m = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(s))) return day(+m[1], +m[2], +m[3], false, 'cjk-day');
  // ROC day: 2–3 digit year.
  if ((m = /^(?:民國)?(\d{2,3})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(s))) return day(+m[1], +m[3], +m[4], true, `roc${m[2]}`);
  if ((m = /^(\d{3})(\d{2})(\d{2})$/.exec(s))) return day(+m[1], +m[2], +m[3], true, 'roc-yyymmdd');
  if ((m = /^(?:民國)?(\d{2,3})年(\d{1,2})月(\d{1,2})日$/.exec(s))) return day(+m[1], +m[2], +m[3], true, 'roc-cjk-day');
  // Months.
  if ((m = /^(\d{4})([-/.])(\d{1,2})$/.exec(s))) return month(+m[1], +m[3], false, `iso-month${m[2]}`);
  if ((m = /^(\d{4})-?M(\d{1,2})$/i.exec(s))) return month(+m[1], +m[2], false, 'period-M');
  if ((m = /^(\d{4})年(\d{1,2})月$/.exec(s))) return month(+m[1], +m[2], false, 'cjk-month');
  if ((m = /^(?:民國)?(\d{2,3})年(\d{1,2})月$/.exec(s))) return month(+m[1], +m[2], true, 'roc-cjk-month');
  if ((m = /^(?:民國)?(\d{2,3})([-/.])(\d{1,2})$/.exec(s))) return month(+m[1], +m[3], true, `roc-month${m[2]}`);
  // Quarters.
  if ((m = /^(\d{4})-?Q([1-4])$/i.exec(s))) return quarter(+m[1], +m[2], false, 'period-Q');
  if ((m = /^(\d{4})年第?([一二三四1-4])季$/.exec(s))) return quarter(+m[1], CN_QUARTER[m[2]] ?? 0, false, 'cjk-quarter');
  if ((m = /^(?:民國)?(\d{2,3})年第?([一二三四1-4])季$/.exec(s))) return quarter(+m[1], CN_QUARTER[m[2]] ?? 0, true, 'roc-cjk-quarter');
  // Years (a bare number is not a year: it stays a number).
  if ((m = /^(\d{4})年$/.exec(s))) return year(+m[1], false, 'cjk-year');
  if ((m = /^民國(\d{1,3})年?$/.exec(s))) return year(+m[1], true, 'roc-year');
  if ((m = /^(\d{2,3})年(?:度)?$/.exec(s))) return year(+m[1], true, 'roc-year');
  return undefined;
}
