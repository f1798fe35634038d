import { isMissingN, normaliseCell, parseDateN, parseNumberN, parsePercentN, type ParsedDate } from '../../ingest/values.ts';
import type { RawCell } from '../../ingest/table.ts';
import { indicator, type Evidence, type IndicatorResult, type TableCheck } from '../indicators.ts';
import { canonicalAreaName, COUNTY_BY_CODE, COUNTY_BY_NAME, FORMER_COUNTY_BY_NAME, TOWN_BY_CODE, type FORMER_COUNTIES } from '../standards/admin-areas.ts';
import { TM2_X, TM2_Y, WGS84_LAT, WGS84_LON } from '../standards/coordinates.ts';

/**
 * `data_standards` (issue 5, indicator 8): does the content follow the national data standards
 * (datagovtw.md §5)? Four rules, each applied only to the columns it concerns, chosen from the
 * header and the first rows:
 * - dates: one way of writing per column; 民國 (ROC) years are flagged as convertible (never converted);
 * - county and area codes: valid against the national code lists; county names not in a former form;
 * - coordinates: WGS84 degrees or TWD97 TM2 metres inside Taiwan, X/Y or 經度/緯度 not swapped;
 * - numbers: plain, without thousands separators, units, footnote marks or full-width digits.
 * Streams: the first rows are held to decide, then every row is counted, keeping a few samples.
 */

/** Rows held before deciding which rules apply to which columns. */
const PROBE_ROWS = 200;
/** Samples kept per finding. */
const SAMPLES = 3;
/** Invalid codes are each a different mistake: a few more of them. */
const CODE_SAMPLES = 8;

type Severity = 'fail' | 'warn';
interface Finding {
  severity: Severity;
  evidence: Evidence[];
}

// ---- headers ----------------------------------------------------------------------------------

// COUNTYID / TOWNID / VILLID in the MOI boundary data are letter codes (A, A01), not these: not listed.
const H_COUNTY_CODE = /(縣市(別)?(代碼|代號|編碼))|county_?code/i;
const H_TOWN_CODE = /(鄉鎮(市區)?(別)?(代碼|代號|編碼))|town_?code/i;
/** 行政區域代碼 / AreaCode: a county (5 digits) or a town (8 digits). */
const H_AREA_CODE = /(行政區(域)?(別)?(代碼|代號|編碼))|area_?code/i;
const H_VILLAGE_CODE = /(村里(別)?(代碼|代號|編碼))|vill(age)?_?code/i;
const H_CODE_WORD = /代碼|代號|編碼|code/i;
const H_AREA_NAME = /^(縣市|縣市別|縣市名稱|縣市名|鄉鎮|鄉鎮市區|鄉鎮市區別|行政區|行政區別|行政區域|區域別|地區別|地區|區別|county|city|town|district)/i;
const H_LON = /經度|^lon(g(itude)?)?\b|^lng\b|longitude/i;
const H_LAT = /緯度|^lat(itude)?\b|latitude/i;
const H_X = /^(twd97|twd67|wgs84)?[ _-]?(x)([ _-]?(坐標|座標|坐標值|座標值|coord(inate)?|twd97|97))?$|^(x|橫)(坐標|座標)|^(坐標|座標)[ _-]?x$|^twd97[ _-]?x|^x[ _-]?twd97|^easting$/i;
const H_Y = /^(twd97|twd67|wgs84)?[ _-]?(y)([ _-]?(坐標|座標|坐標值|座標值|coord(inate)?|twd97|97))?$|^(y|縱)(坐標|座標)|^(坐標|座標)[ _-]?y$|^twd97[ _-]?y|^y[ _-]?twd97|^northing$/i;
const H_DATE = /日期|時間|年月|年度|年別|期別|統計期|期間|日|date|time|period|month|year/i;
const H_YEAR = /^(年|年度|年別|年份|年底|年底別|資料年度|統計年度|年度別|期間|統計期|year|period)$/i;
/** Identifiers, phone numbers and the like are digits but not quantities: the number rule leaves them alone. */
const H_IDENTIFIER = /編號|代碼|代號|編碼|號碼|統一編號|統編|電話|傳真|手機|郵遞區號|郵遞|地址|身分證|序號|\bid\b|_id$|^id_|code\b|_code|\bphone|\btel\b|\bfax\b|\bzip|postal|address|^no\.?$|_no$/i;

// ---- values -----------------------------------------------------------------------------------

/** Cell as text (typed numbers as their digits), or undefined when empty or a "no value" mark. */
function text(cell: RawCell | undefined): string | undefined {
  if (cell === null || cell === undefined || typeof cell === 'boolean') return undefined;
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : undefined;
  const s = normaliseCell(cell);
  return s === '' || isMissingN(s) ? undefined : s;
}

/**
 * parseDateN, refusing what is more likely a foreign day-month-year: a 民國 year is never written
 * with a leading zero in two digits ("01-01-13" is 1 January 2013, not 民國1年).
 */
function parseDate(s: string): ParsedDate | undefined {
  const d = parseDateN(s);
  if (d?.roc && s.charCodeAt(0) === 48 && /^0\d[-/.]/.test(s)) return undefined;
  return d;
}

/** Looks like a date but is in no form we know (31-12-2024, 12/31/24): another way of writing, in a date column. */
const DATE_LIKE = /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$/;

/** Date forms as writing styles: the granularity may vary in a column (113年 totals among 113年1月), the style may not. */
function dateStyle(form: string): string {
  if (form.startsWith('roc-cjk') || form === 'roc-year') return 'roc-cjk';
  if (form.startsWith('cjk')) return 'cjk';
  if (form.startsWith('roc-month')) return `roc${form.slice('roc-month'.length)}`;
  if (form.startsWith('iso-month')) return `iso${form.slice('iso-month'.length)}`;
  if (form.startsWith('period')) return 'period';
  return form;
}

/** How each style is written, for the message. */
const STYLE_EXAMPLE: Record<string, string> = {
  'roc-cjk': '113年1月5日 / 113年1月 / 113年',
  cjk: '2024年1月5日 / 2024年1月',
  'roc/': '113/01/05',
  'roc-': '113-01-05',
  'roc.': '113.01.05',
  'roc-yyymmdd': '1130105',
  'iso-': '2024-01-05',
  'iso/': '2024/01/05',
  'iso.': '2024.01.05',
  other: '31-12-2024 / 12/31/24 …',
  yyyymmdd: '20240105',
  period: '2024M01 / 2024Q1',
};
const styleLabel = (style: string): string => `${style} (${STYLE_EXAMPLE[style] ?? style})`;

const UNIT = /^(?:NT\$|\$|新臺幣|新台幣)\s*[+-]?[\d,]+(?:\.\d+)?$|^[+-]?[\d,]+(?:\.\d+)?\s*(?:百萬元|千萬元|萬元|千元|億元|元|萬|千|億|新臺幣元|人次|人|戶|件|公斤|公噸|噸|kg|km|公里|公尺|m|平方公尺|平方公里|公頃|個|次|歲|天|日|小時|輛|家|所|名|位|台|臺|張|床|座|隻|頭|株|本|筆|倍|度|°C|℃|cm|mm|萬人|千人)$/i;
const FOOTNOTE = /^[+-]?[\d,]+(?:\.\d+)?\s*(?:\*{1,3}|†|‡|#|[rpe]|\([rpe]\)|\(\s*(?:註|注|附註)?\s*[0-9一二三四五六七八九十]+\s*\)|(?:註|注)\s*[0-9一二三四五六七八九十]+)$/i;
const EURO_GROUPED = /^[+-]?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?$|^[+-]?\d{1,3}(?:\.\d{3})+,\d+$/;
/** 1,7 or 0,611553068 (never three decimals: 1,234 is a thousands separator). */
const DECIMAL_COMMA = /^[+-]?\d+,(?:\d{1,2}|\d{4,})$/;
const FULLWIDTH_DIGIT = /[\uFF10-\uFF19]/;

type NumberKind = 'plain' | 'thousands' | 'decimal-comma' | 'unit' | 'footnote' | 'fullwidth' | 'text';
const KIND_TEXT: Record<NumberKind, { zh: string; en: string }> = {
  plain: { zh: '純數字', en: 'plain number' },
  thousands: { zh: '千分位符號', en: 'thousands separators' },
  'decimal-comma': { zh: '以逗號作小數點', en: 'decimal comma' },
  unit: { zh: '數字帶單位', en: 'units written in the cell' },
  footnote: { zh: '數字帶註記符號', en: 'footnote or revision marks' },
  fullwidth: { zh: '全形數字', en: 'full-width digits' },
  text: { zh: '文字', en: 'text' },
};

/** The hot path: "1234", "-0.5" (digits, a sign, at most one point) without a regular expression; undefined otherwise. */
function plainNumber(s: string): number | undefined {
  let digits = 0;
  let point = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !point) point = true;
    else if (!(i === 0 && (c === 45 || c === 43))) return undefined;
  }
  return digits > 0 ? Number(s) : undefined;
}

/** What kind of number a (normalised) cell is; `raw` tells full-width digits apart. */
function numberKind(raw: RawCell, s: string): NumberKind {
  if (typeof raw === 'number') return 'plain';
  if (raw === s && plainNumber(s) !== undefined) return 'plain';
  const c0 = s.charCodeAt(0);
  const digitLead = (c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45 || c0 === 46 || c0 === 40;
  if (digitLead) {
    const n = parseNumberN(s);
    if (n) {
      if (typeof raw === 'string' && raw !== s && FULLWIDTH_DIGIT.test(raw)) return 'fullwidth';
      return n.grouped ? 'thousands' : 'plain';
    }
    if (parsePercentN(s) !== undefined) return 'plain';
    if (EURO_GROUPED.test(s)) return 'thousands';
    if (DECIMAL_COMMA.test(s)) return 'decimal-comma';
    if (FOOTNOTE.test(s)) return 'footnote';
  }
  if (UNIT.test(s)) return 'unit';
  return 'text';
}

// ---- per-column rules -------------------------------------------------------------------------

interface Sample {
  row: number;
  value: string;
}
const keep = (list: Sample[], row: number, value: string, max = SAMPLES): void => {
  if (list.length < max) list.push({ row, value });
};

interface Rule {
  readonly column: string;
  /** `cells`: the whole row, for rules that look at another column of it. */
  visit(cell: RawCell, row: number, cells: readonly RawCell[]): void;
  findings(): Finding[];
}

/** Dates repeat (periods, days): parsed once per distinct value, up to this many remembered. */
const DATE_CACHE = 8192;

class DateRule implements Rule {
  /** Keyed by the cell as read, so a repeated cell skips normalising too. */
  private readonly cache = new Map<RawCell, { s: string; style: string; roc?: string } | null>();
  private readonly styles = new Map<string, { count: number; samples: Sample[] }>();
  private roc = 0;
  private readonly rocSamples: { row: number; value: string; iso: string }[] = [];
  constructor(readonly column: string) {}

  visit(cell: RawCell, row: number): void {
    if (cell === null) return;
    let known = this.cache.get(cell);
    if (known === undefined) {
      const s = text(cell);
      const d = s === undefined ? undefined : parseDate(s);
      known = s === undefined ? null : d ? { s, style: dateStyle(d.form), ...(d.roc ? { roc: d.iso } : {}) } : DATE_LIKE.test(s) ? { s, style: 'other' } : null;
      if (this.cache.size >= DATE_CACHE) this.cache.clear();
      this.cache.set(cell, known);
    }
    if (known === null) return;
    const { s, style } = known;
    let st = this.styles.get(style);
    if (!st) this.styles.set(style, (st = { count: 0, samples: [] }));
    st.count++;
    keep(st.samples, row, s);
    if (known.roc !== undefined) {
      this.roc++;
      if (this.rocSamples.length < SAMPLES) this.rocSamples.push({ row, value: s, iso: known.roc });
    }
  }

  /** The year of a period cell, for telling whether a former county name was right at the time. */
  static year(cell: RawCell): number | undefined {
    const s = text(cell);
    if (s === undefined) return undefined;
    const d = parseDate(s);
    return d ? Number(d.iso.slice(0, 4)) : bareYear(cell);
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    const column = this.column;
    if (this.styles.size > 1) {
      const parts = [...this.styles.entries()].sort((a, b) => b[1].count - a[1].count);
      const evidence: Evidence[] = [];
      for (const [style, st] of parts) {
        for (const s of st.samples) evidence.push({ column, row: s.row, sample: s.value, count: st.count, note: `寫法 ${styleLabel(style)} / form ${styleLabel(style)}` });
      }
      out.push({ severity: 'fail', evidence });
    }
    if (this.roc > 0) {
      out.push({
        severity: 'warn',
        evidence: this.rocSamples.map((s) => ({ column, row: s.row, sample: s.value, count: this.roc, note: `民國年，可轉為西元 ${s.iso} / ROC year (民國), convertible to Gregorian ${s.iso}` })),
      });
    }
    return out;
  }

  summary(): { column: string; forms: string[]; roc: boolean } {
    return { column: this.column, forms: [...this.styles.keys()], roc: this.roc > 0 };
  }
}

type CodeKind = 'county' | 'town' | 'village' | 'area';

class CodeRule implements Rule {
  private checked = 0;
  private invalid = 0;
  private readonly invalidSamples: (Sample & { note: string })[] = [];
  constructor(
    readonly column: string,
    readonly kind: CodeKind,
  ) {}

  visit(cell: RawCell, row: number): void {
    const s = text(cell);
    if (s === undefined || !/\d/.test(s)) return; // labels such as 總計 in a code column are not codes
    this.checked++;
    const problem = codeProblem(s, this.kind);
    if (problem) {
      this.invalid++;
      if (this.invalidSamples.length < CODE_SAMPLES) this.invalidSamples.push({ row, value: s, note: problem });
    }
  }

  findings(): Finding[] {
    if (this.invalid === 0) return [];
    return [{ severity: 'fail', evidence: this.invalidSamples.map((s) => ({ column: this.column, row: s.row, sample: s.value, count: this.invalid, note: s.note })) }];
  }

  summary(): { column: string; kind: CodeKind; checked: number; invalid: number } {
    return { column: this.column, kind: this.kind, checked: this.checked, invalid: this.invalid };
  }
}

/** Why a code is not a valid national area code (zh / en), or undefined when it is one. */
function codeProblem(s: string, kind: CodeKind): string | undefined {
  if (/^\d{5}$/.test(s) && kind !== 'town' && kind !== 'village') return COUNTY_BY_CODE.has(s) ? undefined : '不是現行縣市代碼 / not a current county code';
  if (/^\d{8}$/.test(s) && kind !== 'county' && kind !== 'village') return TOWN_BY_CODE.has(s) ? undefined : '不是現行鄉鎮市區代碼 / not a current town (鄉鎮市區) code';
  if (/^\d{8}[0-9A-Z]\d{2}$/.test(s) && (kind === 'village' || kind === 'area')) {
    return TOWN_BY_CODE.has(s.slice(0, 8)) ? undefined : `前 8 碼 ${s.slice(0, 8)} 不是現行鄉鎮市區代碼 / its first 8 digits ${s.slice(0, 8)} are not a current town code`;
  }
  // A code read as a number loses its leading zero: 09007 → 9007.
  if (/^\d{4}$|^\d{7}$|^\d{7}[0-9A-Z]\d{2}$/.test(s) && codeProblem(`0${s}`, kind) === undefined) {
    return `開頭的 0 不見了（應為 0${s}）/ the leading zero was lost (should be 0${s})`;
  }
  const expected = kind === 'county' ? '5 碼 / 5 digits' : kind === 'town' ? '8 碼 / 8 digits' : kind === 'village' ? '11 碼 / 11 characters' : '5 或 8 碼 / 5 or 8 digits';
  return `格式不符行政區域代碼（${expected.split(' / ')[0]}）/ not an area code (${expected.split(' / ')[1]})`;
}

class CountyNameRule implements Rule {
  /** Names repeat: each distinct cell is looked up once (bounded). */
  private readonly cache = new Map<RawCell, { s: string; f: (typeof FORMER_COUNTIES)[number] } | null>();
  private former = 0;
  private readonly samples: (Sample & { now: string; until: number })[] = [];
  /** The year a row is about, when the table says (set once the columns are known). */
  yearOf: ((cells: readonly RawCell[]) => number | undefined) | undefined;
  constructor(readonly column: string) {}

  visit(cell: RawCell, row: number, cells: readonly RawCell[]): void {
    if (cell === null) return;
    let known = this.cache.get(cell);
    if (known === undefined) {
      const s = text(cell);
      const f = s === undefined || s.length > 8 ? undefined : FORMER_COUNTY_BY_NAME.get(canonicalAreaName(s));
      known = s !== undefined && f ? { s, f } : null;
      if (this.cache.size >= DATE_CACHE) this.cache.clear();
      this.cache.set(cell, known);
    }
    if (known === null) return;
    const { s, f } = known;
    // Data about a year when the county still existed rightly uses its name.
    const rowYear = this.yearOf?.(cells);
    if (rowYear !== undefined && rowYear <= f.until) return;
    this.former++;
    if (this.samples.length < SAMPLES) this.samples.push({ row, value: s, now: f.now, until: f.until });
  }

  findings(): Finding[] {
    if (this.former === 0) return [];
    return [
      {
        severity: 'warn',
        evidence: this.samples.map((s) => ({
          column: this.column,
          row: s.row,
          sample: s.value,
          count: this.former,
          note: `${s.value} 已於 ${s.until} 年底改制為 ${s.now}；若資料是 ${s.until} 年以後的，請改用 ${s.now} / ${s.value} became ${s.now} at the end of ${s.until}; data after ${s.until} should say ${s.now}`,
        })),
      },
    ];
  }
}

type Axis = 'e' | 'n';
type System = 'deg' | 'tm2';

class CoordinateRule implements Rule {
  private ok = 0;
  private swapped = 0;
  private outside = 0;
  private notNumber = 0;
  private readonly swappedSamples: Sample[] = [];
  private readonly outsideSamples: Sample[] = [];
  private readonly notNumberSamples: Sample[] = [];
  constructor(
    readonly column: string,
    readonly axis: Axis,
    readonly system: System,
  ) {}

  private range(axis: Axis): { min: number; max: number } {
    if (this.system === 'deg') return axis === 'e' ? WGS84_LON : WGS84_LAT;
    return axis === 'e' ? TM2_X : TM2_Y;
  }

  visit(cell: RawCell, row: number): void {
    const s = text(cell);
    if (s === undefined) return;
    const v = typeof cell === 'number' ? cell : (plainNumber(s) ?? parseNumberN(s)?.value);
    if (v === undefined) {
      this.notNumber++;
      keep(this.notNumberSamples, row, s);
      return;
    }
    const own = this.range(this.axis);
    if (v >= own.min && v <= own.max) {
      this.ok++;
      return;
    }
    const other = this.range(this.axis === 'e' ? 'n' : 'e');
    if (v >= other.min && v <= other.max) {
      this.swapped++;
      keep(this.swappedSamples, row, s);
    } else {
      this.outside++;
      keep(this.outsideSamples, row, s);
    }
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    const { column } = this;
    const own = this.range(this.axis);
    const name = this.system === 'deg' ? (this.axis === 'e' ? '經度 / longitude' : '緯度 / latitude') : this.axis === 'e' ? 'TWD97 X' : 'TWD97 Y';
    const [zhName, enName] = name.includes(' / ') ? name.split(' / ') : [name, name];
    if (this.swapped > 0) {
      const otherName = this.system === 'deg' ? (this.axis === 'e' ? ['緯度', 'latitude'] : ['經度', 'longitude']) : this.axis === 'e' ? ['Y', 'Y'] : ['X', 'X'];
      out.push({
        severity: 'fail',
        evidence: this.swappedSamples.map((s) => ({ column, row: s.row, sample: s.value, count: this.swapped, note: `這是${otherName[0]}的值，${zhName}與${otherName[0]}可能對調了 / this is a ${otherName[1]} value: ${enName} and ${otherName[1]} look swapped` })),
      });
    }
    if (this.outside > 0) {
      out.push({
        severity: 'fail',
        evidence: this.outsideSamples.map((s) => ({ column, row: s.row, sample: s.value, count: this.outside, note: `${zhName}應在 ${own.min}–${own.max} 之間（臺灣及離島）/ ${enName} should be within ${own.min}–${own.max} (Taiwan and its islands)` })),
      });
    }
    if (this.notNumber > 0) {
      out.push({
        severity: 'fail',
        evidence: this.notNumberSamples.map((s) => ({ column, row: s.row, sample: s.value, count: this.notNumber, note: '坐標應為十進位數字 / a coordinate should be a decimal number' })),
      });
    }
    return out;
  }

  summary(): { column: string; axis: Axis; system: System; ok: number; swapped: number; outside: number } {
    return { column: this.column, axis: this.axis, system: this.system, ok: this.ok, swapped: this.swapped, outside: this.outside };
  }
}

class NumberRule implements Rule {
  private values = 0;
  private plain = 0;
  private readonly decorated = new Map<NumberKind, { count: number; samples: Sample[] }>();
  constructor(readonly column: string) {}

  visit(cell: RawCell, row: number): void {
    if (typeof cell === 'number') {
      this.values++;
      this.plain++;
      return;
    }
    const s = text(cell);
    if (s === undefined) return;
    this.values++;
    const kind = numberKind(cell, s);
    if (kind === 'plain') {
      this.plain++;
      return;
    }
    if (kind === 'text') return;
    let d = this.decorated.get(kind);
    if (!d) this.decorated.set(kind, (d = { count: 0, samples: [] }));
    d.count++;
    // As found (full-width digits stay full-width), so the clerk can search for it.
    keep(d.samples, row, typeof cell === 'string' ? cell.trim() : s);
  }

  private decoratedCount(): number {
    let n = 0;
    for (const d of this.decorated.values()) n += d.count;
    return n;
  }

  /** A number column: most of its values are numbers, plain or decorated. */
  private numeric(): boolean {
    return this.values > 0 && (this.plain + this.decoratedCount()) / this.values >= 0.8;
  }

  findings(): Finding[] {
    if (this.decorated.size === 0 || !this.numeric()) return [];
    const evidence: Evidence[] = [];
    for (const [kind, d] of this.decorated) {
      for (const s of d.samples) evidence.push({ column: this.column, row: s.row, sample: s.value, count: d.count, note: `${KIND_TEXT[kind].zh} / ${KIND_TEXT[kind].en}` });
    }
    return [{ severity: 'fail', evidence }];
  }

  kinds(): NumberKind[] {
    return this.numeric() ? [...this.decorated.keys()] : [];
  }
}

// ---- deciding which rules apply ---------------------------------------------------------------

interface Probe {
  values: { cell: RawCell; s: string }[];
}

function probeColumn(rows: readonly (readonly RawCell[])[], k: number): Probe {
  const values: Probe['values'] = [];
  for (const r of rows) {
    const cell = r[k] ?? null;
    const s = text(cell);
    if (s !== undefined) values.push({ cell, s });
  }
  return { values };
}

function isDateColumn(header: string, p: Probe): boolean {
  const n = p.values.length;
  if (n === 0) return false;
  let dates = 0;
  let digitsOnly = 0;
  let dateLike = 0;
  for (const { cell, s } of p.values) {
    if (typeof cell === 'number') continue;
    const d = parseDate(s);
    if (d) {
      dates++;
      if (d.form === 'yyyymmdd' || d.form === 'roc-yyymmdd') digitsOnly++;
    } else if (DATE_LIKE.test(s)) dateLike++;
  }
  // Under a date header, half the values in known forms are enough (the others are often dates in another form).
  const dateHeader = H_DATE.test(header);
  if (dates < (dateHeader ? 0.5 : 0.9) * n || dates + dateLike < 0.9 * n) return false;
  // 20240105 and 1130105 are also numbers: take them as dates when the header says so or there are enough of them.
  if (digitsOnly === dates) return dateHeader || dates >= 3;
  return n >= 3 || dateHeader;
}

function codeKindFromHeader(header: string): CodeKind | undefined {
  if (H_VILLAGE_CODE.test(header)) return 'village';
  if (H_COUNTY_CODE.test(header)) return 'county';
  if (H_TOWN_CODE.test(header)) return 'town';
  if (H_AREA_CODE.test(header)) return 'area';
  return undefined;
}

/** A column whose values are mostly valid 5- or 8-digit area codes, beside a county or town name column. */
function codeKindFromValues(header: string, p: Probe, hasAreaNames: boolean): CodeKind | undefined {
  if (!hasAreaNames && !H_CODE_WORD.test(header)) return undefined;
  if (H_IDENTIFIER.test(header) && !H_CODE_WORD.test(header)) return undefined;
  const n = p.values.length;
  if (n === 0) return undefined;
  let five = 0;
  let eight = 0;
  let valid = 0;
  for (const { s } of p.values) {
    if (/^\d{5}$/.test(s)) {
      five++;
      if (COUNTY_BY_CODE.has(s)) valid++;
    } else if (/^\d{8}$/.test(s)) {
      eight++;
      if (TOWN_BY_CODE.has(s)) valid++;
    }
  }
  // Random 8-digit numbers (company numbers, product codes) are almost never area codes: most must be valid.
  if (five + eight < 0.9 * n || valid < 0.5 * n) return undefined;
  return five === 0 ? 'town' : eight === 0 ? 'county' : 'area';
}

function isAreaNameColumn(header: string, p: Probe): boolean {
  const n = p.values.length;
  if (n === 0) return false;
  let names = 0;
  let numbers = 0;
  for (const { cell, s } of p.values) {
    const c = canonicalAreaName(s);
    if (COUNTY_BY_NAME.has(c) || FORMER_COUNTY_BY_NAME.has(c)) names++;
    else if (numberKind(cell, s) !== 'text') numbers++;
  }
  return names >= 0.5 * n || (H_AREA_NAME.test(header.trim()) && numbers < 0.5 * n);
}

function coordinate(header: string, p: Probe): { axis: Axis; system: System } | undefined {
  const h = header.trim();
  const axis: Axis | undefined = H_LON.test(h) || H_X.test(h) ? 'e' : H_LAT.test(h) || H_Y.test(h) ? 'n' : undefined;
  if (!axis) return undefined;
  const nums: number[] = [];
  for (const { cell, s } of p.values) {
    const v = typeof cell === 'number' ? cell : parseNumberN(s)?.value;
    if (v !== undefined) nums.push(Math.abs(v));
  }
  if (nums.length === 0 || nums.length < 0.8 * p.values.length) return undefined;
  // A bare "x" or "y" may be anything (a chart's axes): coordinates only if they fall in Taiwan under some reading.
  if (/^[xy]$/i.test(h)) {
    const inside = (v: number) => [WGS84_LON, WGS84_LAT, TM2_X, TM2_Y].some((r) => v >= r.min && v <= r.max);
    if (nums.filter(inside).length < 0.5 * nums.length) return undefined;
  }
  nums.sort((a, b) => a - b);
  const median = nums[nums.length >> 1];
  return { axis, system: median < 1000 ? 'deg' : 'tm2' };
}

function isNumberColumn(header: string, p: Probe): boolean {
  if (H_IDENTIFIER.test(header) || p.values.length === 0) return false;
  let numeric = 0;
  for (const { cell, s } of p.values) if (numberKind(cell, s) !== 'text') numeric++;
  return numeric >= 0.5 * p.values.length;
}

/** The year of a row from a bare year column (1998, or 99 in a 年度 column = 民國). */
function bareYear(cell: RawCell): number | undefined {
  const s = text(cell);
  if (s === undefined || !/^\d{1,4}$/.test(s)) return undefined;
  const v = Number(s);
  return v >= 1800 && v <= 2200 ? v : v >= 1 && v <= 200 ? v + 1911 : undefined;
}

// ---- the check --------------------------------------------------------------------------------

interface Active {
  index: number;
  rule: Rule;
}

/** The `data_standards` check (see the module comment). */
export function dataStandardsCheck(): TableCheck {
  let columns: readonly string[] = [];
  let held: { row: number; cells: readonly RawCell[] }[] = [];
  let decided = false;
  let active: Active[] = [];
  let dates: DateRule[] = [];
  let codes: CodeRule[] = [];
  let coords: CoordinateRule[] = [];
  let numbers: NumberRule[] = [];
  let names: CountyNameRule[] = [];

  const decide = () => {
    decided = true;
    const rows = held.map((h) => h.cells);
    const probes = columns.map((_, k) => probeColumn(rows, k));
    const areaNames = columns.map((h, k) => isAreaNameColumn(h, probes[k]));
    const hasAreaNames = areaNames.some(Boolean);
    columns.forEach((header, k) => {
      const p = probes[k];
      const headerCode = codeKindFromHeader(header);
      const valueCode = headerCode ? undefined : codeKindFromValues(header, p, hasAreaNames);
      const codeKind = headerCode ?? valueCode;
      if (codeKind) {
        const r = new CodeRule(header, codeKind);
        codes.push(r);
        active.push({ index: k, rule: r });
        return;
      }
      const coord = coordinate(header, p);
      if (coord) {
        const r = new CoordinateRule(header, coord.axis, coord.system);
        coords.push(r);
        active.push({ index: k, rule: r });
        return;
      }
      if (isDateColumn(header, p)) {
        const r = new DateRule(header);
        dates.push(r);
        active.push({ index: k, rule: r });
        return;
      }
      // County names (縣市, or county names under 地區, 區域別…): checked for former names.
      if (areaNames[k]) {
        const r = new CountyNameRule(header);
        names.push(r);
        active.push({ index: k, rule: r });
        return;
      }
      if (isNumberColumn(header, p)) {
        const r = new NumberRule(header);
        numbers.push(r);
        active.push({ index: k, rule: r });
      }
    });
    // The row's year, for former county names: the first date column, else a bare year column.
    if (names.length > 0) {
      const dateIndex = active.find((a) => a.rule instanceof DateRule)?.index;
      const y = dateIndex ?? columns.findIndex((h) => H_YEAR.test(h.trim()));
      if (y >= 0) {
        const years = new Map<RawCell, number | undefined>();
        const yearOf = (cells: readonly RawCell[]): number | undefined => {
          const cell = cells[y] ?? null;
          if (years.has(cell)) return years.get(cell);
          const v = DateRule.year(cell);
          if (years.size >= DATE_CACHE) years.clear();
          years.set(cell, v);
          return v;
        };
        for (const n of names) n.yearOf = yearOf;
      }
    }
    const replay = held;
    held = [];
    for (const h of replay) visitRow(h.cells, h.row);
  };

  const visitRow = (cells: readonly RawCell[], row: number) => {
    for (const a of active) a.rule.visit(cells[a.index] ?? null, row, cells);
  };

  return {
    id: 'data_standards',
    begin(cols) {
      columns = cols;
      held = [];
      decided = false;
      active = [];
      dates = [];
      codes = [];
      coords = [];
      numbers = [];
      names = [];
    },
    rows(batch, firstRow) {
      for (let i = 0; i < batch.length; i++) {
        if (decided) {
          visitRow(batch[i], firstRow + i);
          continue;
        }
        held.push({ row: firstRow + i, cells: batch[i] });
        if (held.length >= PROBE_ROWS) decide();
      }
    },
    end(): IndicatorResult {
      if (!decided) decide();
      return verdict(columns, { dates, codes, coords, numbers, names });
    },
  };
}

function verdict(
  columns: readonly string[],
  r: { dates: DateRule[]; codes: CodeRule[]; coords: CoordinateRule[]; numbers: NumberRule[]; names: CountyNameRule[] },
): IndicatorResult {
  const data = {
    columns: columns.length,
    dates: r.dates.map((d) => d.summary()),
    codes: r.codes.map((c) => c.summary()),
    coordinates: r.coords.map((c) => c.summary()),
    numbers: r.numbers.map((n) => ({ column: n.column, kinds: n.kinds() })),
    countyNames: r.names.map((n) => n.column),
  };
  const applied = r.dates.length + r.codes.length + r.coords.length + r.numbers.length + r.names.length;
  if (applied === 0) {
    return indicator(
      'data_standards',
      'na',
      '沒有適用資料標準檢查的欄位（日期、縣市或行政區代碼、坐標、數值）',
      'no column that the data standards apply to (dates, county or area codes, coordinates, numbers)',
      [],
      data,
    );
  }

  const fails: { zh: string; en: string; evidence: Evidence[] }[] = [];
  const warns: { zh: string; en: string; evidence: Evidence[] }[] = [];
  for (const d of r.dates) {
    for (const f of d.findings()) {
      if (f.severity === 'fail') fails.push({ zh: `「${d.column}」混用多種日期寫法，請統一為一種`, en: `"${d.column}" mixes ways of writing dates: use one`, evidence: f.evidence });
      else warns.push({ zh: `「${d.column}」使用民國年，可轉換為西元年（是否須改用西元尚無定論，請依需要標示或轉換）`, en: `"${d.column}": ROC years (民國): convertible to Gregorian (which one is required is not settled; say so or convert)`, evidence: f.evidence });
    }
  }
  for (const c of r.codes) {
    for (const f of c.findings()) fails.push({ zh: `「${c.column}」有不在全國行政區域代碼表中的代碼`, en: `"${c.column}" has codes that are not in the national area code list`, evidence: f.evidence });
  }
  for (const n of r.names) {
    for (const f of n.findings()) warns.push({ zh: `「${n.column}」使用已改制的舊縣市名稱`, en: `"${n.column}" uses former county names`, evidence: f.evidence });
  }
  for (const c of r.coords) {
    for (const f of c.findings()) fails.push({ zh: `「${c.column}」的坐標不合理（不在臺灣範圍、對調或不是數字）`, en: `"${c.column}": implausible coordinates (outside Taiwan, swapped, or not numbers)`, evidence: f.evidence });
  }
  for (const n of r.numbers) {
    for (const f of n.findings()) fails.push({ zh: `「${n.column}」的數值夾帶千分位、單位、註記或全形數字，數值欄應只填純數字`, en: `"${n.column}": numbers carry separators, units, marks or full-width digits; a number column should hold plain numbers`, evidence: f.evidence });
  }

  const evidence = [...fails, ...warns].flatMap((x) => x.evidence);
  if (fails.length > 0) {
    return indicator('data_standards', 'fail', `未符合資料標準：${fails.map((f) => f.zh).join('；')}`, `not standard-conformant: ${fails.map((f) => f.en).join('; ')}`, evidence, data);
  }
  if (warns.length > 0) {
    return indicator('data_standards', 'warn', `大致符合資料標準，但請留意：${warns.map((w) => w.zh).join('；')}`, `conformant, but note: ${warns.map((w) => w.en).join('; ')}`, evidence, data);
  }
  return indicator('data_standards', 'pass', '日期、代碼、坐標與數值欄位均符合資料標準', 'dates, codes, coordinates and numbers follow the data standards', [], data);
}
