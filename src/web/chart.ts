/**
 * Time-series charts for the dataset page, rendered on the server as SVG with ECharts (no client
 * JavaScript): which tables are time series, which lines to draw, and the SVG with its text
 * alternative. The page puts the charted numbers in a table next to it (the accessible
 * alternative); this module only decides and draws.
 *
 * The rule (also in the README):
 * - a table is charted when it has exactly one date column (type `date`: the loader turns 2024M01,
 *   113年1月, 2024Q1, 2024-01-05 … into ISO forms) or, failing that, exactly one integer column
 *   named as a year (year, 年度, 年別 …) holding years (2024, or 民國 113 = 2024); at least one
 *   numeric column; and each line has at most one value per date (otherwise it is a list of
 *   events, not a series);
 * - category columns are text columns, columns with code meanings (代碼), and integer columns
 *   named like codes (代碼, 編號, code …);
 * - with category columns (e.g. 項目 with 總指數, 食物類 …): one line per combination of their
 *   values, in the order they first appear, for the first numeric column; at most MAX_SERIES
 *   lines (the rest are named as left out). Lines are named by the categories that vary, and of a
 *   code column and its label column (one to one), by the label;
 * - without: one line per numeric column of the same kind as the first (percentages with
 *   percentages, others with the same unit) and of a comparable size (typical values within a
 *   factor of 10 of the first's: 失業者 beside 勞動力 would be a flat line), at most MAX_SERIES;
 * - the page reads at most MAX_CHART_ROWS rows, the latest by date, through the query API.
 */
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { ColumnType } from '../modules/ingest/infer.ts';

echarts.use([LineChart, GridComponent, LegendComponent, SVGRenderer]);

/** Lines drawn at most (more would be unreadable, and colours run out). */
export const MAX_SERIES = 6;
/** Rows read for a chart at most: the latest ones by date. */
export const MAX_CHART_ROWS = 2000;

/** A column as the chart needs it (the table's dictionary, with the dataset's field titles). */
export interface ChartColumn {
  name: string;
  type: ColumnType;
  /** 欄位中文名稱 (the dictionary's or the dataset's field title). */
  label: string;
  unit: string | null;
  /** Code meanings: a coded column is a category, and its lines are named by meaning. */
  codes: { code: string; meaning: string }[] | null;
}

export interface SeriesPlan<C extends ChartColumn = ChartColumn> {
  date: C;
  /** The numeric columns whose values are drawn. */
  values: C[];
  /** Columns whose value combinations make the lines (empty: one line per value column). */
  categories: C[];
}

const NUMERIC: ReadonlySet<ColumnType> = new Set(['integer', 'decimal', 'percent']);
/** Names of integer columns that identify rather than measure (代碼 65000, 年度 2024). */
const CODE_LIKE = /(代碼|代號|編號|序號|年度|年別|^年|^月|^季|code|_id|^id|^no\.?|year|month|quarter)$/i;
/** Names of an integer column of years: year, fiscal_year, 年度, 年別, 年. */
const YEAR_NAME = /(year|年度|年別|^年)$/i;

const isCategory = (c: ChartColumn): boolean =>
  c.type === 'text' || (c.codes !== null && c.codes.length > 0) || (c.type === 'integer' && (CODE_LIKE.test(c.name) || CODE_LIKE.test(c.label)));
const isYearColumn = (c: ChartColumn): boolean => c.type === 'integer' && !c.codes?.length && (YEAR_NAME.test(c.name) || YEAR_NAME.test(c.label));

/** A year column's value as the ISO year: 2024 as it is, 民國 113 as 2024; anything else is not a year. */
export function yearOf(v: number): string | undefined {
  if (!Number.isInteger(v)) return undefined;
  if (v >= 1800 && v <= 2200) return String(v);
  if (v >= 1 && v <= 200) return String(v + 1911);
  return undefined;
}

/** Whether a column's numbers measure something (they are summed, charted, right-aligned with separators). */
export const isMeasure = (c: ChartColumn): boolean => NUMERIC.has(c.type) && !isCategory(c);

/**
 * A code's meaning (代碼意義). A column of codes such as 000, 100 … may have been loaded as
 * integers (0, 100 …), so numbers match codes by value too.
 */
export function codeMeaning(c: Pick<ChartColumn, 'codes'>, v: string | number | boolean | null): string | undefined {
  if (v === null || !c.codes) return undefined;
  const text = String(v);
  const exact = c.codes.find((x) => x.code === text);
  if (exact) return exact.meaning;
  if (typeof v !== 'number') return undefined;
  return c.codes.find((x) => /^\d+(\.\d+)?$/.test(x.code) && Number(x.code) === v)?.meaning;
}

/** Which columns make a time series, or undefined when the table is not one. */
export function planTimeSeries<C extends ChartColumn>(columns: C[]): SeriesPlan<C> | undefined {
  const dates = columns.filter((c) => c.type === 'date');
  const years = columns.filter(isYearColumn);
  const date = dates.length === 1 ? dates[0] : dates.length === 0 && years.length === 1 ? years[0] : undefined;
  if (!date) return undefined;
  const measures = columns.filter(isMeasure);
  const first = measures[0];
  if (!first) return undefined;
  const categories = columns.filter((c) => c !== date && c.type !== 'date' && c.type !== 'boolean' && isCategory(c));
  if (categories.length > 0) return { date, values: [first], categories };
  const sameKind = (c: C) => (c.type === 'percent') === (first.type === 'percent') && c.unit === first.unit;
  return { date, values: measures.filter(sameKind).slice(0, MAX_SERIES), categories: [] };
}

/** The first day of an ISO date or period as the loader writes it (2024-01-05, 2024-01, 2024-Q1, 2024), in ms UTC. */
export function periodStart(iso: string): number | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso))) return Date.UTC(+m[1], +m[2] - 1, +m[3]);
  if ((m = /^(\d{4})-(\d{2})$/.exec(iso))) return Date.UTC(+m[1], +m[2] - 1, 1);
  if ((m = /^(\d{4})-Q([1-4])$/.exec(iso))) return Date.UTC(+m[1], (+m[2] - 1) * 3, 1);
  if ((m = /^(\d{4})$/.exec(iso))) return Date.UTC(+m[1], 0, 1);
  return undefined;
}

type Granularity = 'day' | 'month' | 'quarter' | 'year';
type Cell = string | number | boolean | null;
const granularityOf = (iso: string): Granularity => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? 'day' : /^\d{4}-\d{2}$/.test(iso) ? 'month' : /Q/.test(iso) ? 'quarter' : 'year');

export interface ChartSeries {
  name: string;
  /** The category values that make this line (empty without categories). */
  categories: Cell[];
  /** [ISO date or period, value], in date order. */
  points: [string, number | null][];
}

export interface ChartData {
  /** What is drawn: the value column's label (with categories) or the common kind of the value columns. */
  valueLabel: string;
  unit: string | null;
  percent: boolean;
  dateLabel: string;
  granularity: Granularity;
  series: ChartSeries[];
  /** Lines there would be without the MAX_SERIES cap. */
  seriesFound: number;
  /** Every date on the chart, in order (the rows of the data table). */
  dates: string[];
}

/**
 * The lines of a planned chart from rows in date order (values in the order date, values…,
 * categories…). Undefined when the rows are not a time series: fewer than two dates, or a line
 * with two values for one date.
 */
export function seriesFromRows(plan: SeriesPlan, rows: Cell[][], lang: string): ChartData | undefined {
  const nCat = plan.categories.length;
  const lines = new Map<string, { name: string; categories: Cell[]; valueAt: number; byDate: Map<string, number | null> }>();
  const dates: string[] = [];
  const seenDates = new Set<string>();
  const keysSeen = new Set<string>();
  let duplicate = false;
  const catAt = 1 + plan.values.length;
  // Only the categories that vary name the lines (a column that is 合計 throughout says nothing),
  // and of two that go one to one (a code and its name), the later one (the name).
  const distinct = plan.categories.map(() => new Set<string>());
  for (const row of rows) for (let k = 0; k < nCat; k++) distinct[k].add(String(row[catAt + k] ?? ''));
  const naming = plan.categories.map((_, k) => distinct[k].size > 1);
  for (let k = 0; k < nCat; k++) {
    for (let j = k + 1; j < nCat && naming[k]; j++) {
      if (!naming[j] || distinct[j].size !== distinct[k].size) continue;
      const pairs = new Set(rows.map((row) => `${String(row[catAt + k] ?? '')}\u0000${String(row[catAt + j] ?? '')}`));
      if (pairs.size === distinct[k].size) naming[k] = false;
    }
  }
  const named = plan.categories.filter((_, k) => naming[k]);
  for (const row of rows) {
    const date = typeof row[0] === 'number' ? yearOf(row[0]) : row[0];
    if (typeof date !== 'string' || periodStart(date) === undefined) continue;
    if (!seenDates.has(date)) {
      seenDates.add(date);
      dates.push(date);
    }
    const cats = row.slice(catAt, catAt + nCat);
    const keys = nCat > 0 ? [cats.map((v) => String(v ?? '')).join('\u0000')] : plan.values.map((c) => c.name);
    keys.forEach((key, i) => {
      keysSeen.add(key);
      let line = lines.get(key);
      if (!line) {
        if (lines.size >= MAX_SERIES) return;
        const parts = cats.filter((_, k) => naming[k]).map((v, k) => (v === null ? '—' : (codeMeaning(named[k], v) ?? String(v))));
        const name = parts.length > 0 ? parts.join(' · ') : plan.values[i].label;
        lines.set(key, (line = { name, categories: cats, valueAt: nCat > 0 ? 0 : i, byDate: new Map() }));
      }
      const v = row[1 + line.valueAt];
      if (line.byDate.has(date)) duplicate = true; // two values for one date: a list of events, not a series
      line.byDate.set(date, typeof v === 'number' && Number.isFinite(v) ? v : null);
    });
  }
  if (duplicate || lines.size === 0 || dates.length < 2) return undefined;
  let drawn = [...lines.values()];
  if (nCat === 0) {
    // Columns drawn together must be of a size: a column 100 times smaller would lie flat on the axis.
    const typical = (l: (typeof drawn)[number]) => {
      const abs = [...l.byDate.values()].filter((v): v is number => v !== null).map(Math.abs).sort((a, b) => a - b);
      return abs.length ? abs[Math.floor(abs.length / 2)] : 0;
    };
    const base = typical(drawn[0]);
    drawn = drawn.filter((l, i) => {
      const size = typical(l);
      return i === 0 || base === 0 || size === 0 || (size / base <= 10 && base / size <= 10);
    });
  }
  const first = plan.values[0];
  const en = lang === 'en';
  const valueLabel = nCat > 0 || drawn.length === 1 ? first.label : first.type === 'percent' ? (en ? 'Percent' : '百分比') : (first.unit ?? (en ? 'Value' : '數值'));
  return {
    valueLabel,
    unit: first.unit,
    percent: first.type === 'percent',
    dateLabel: plan.date.label,
    granularity: granularityOf(dates[0]),
    series: drawn.map((l) => ({ name: l.name, categories: l.categories, points: dates.filter((d) => l.byDate.has(d)).map((d): [string, number | null] => [d, l.byDate.get(d) ?? null]) })),
    seriesFound: nCat > 0 ? keysSeen.size : drawn.length,
    dates,
  };
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);

/** Numbers as people read them in the page's language. */
export const formatNumber = (v: number, lang: string): string => v.toLocaleString(lang === 'en' ? 'en' : 'zh-TW', { maximumFractionDigits: 6 });

/** One sentence a screen reader hears for the chart: what, when, how many lines, the latest values. */
export function chartSummary(d: ChartData, lang: string): string {
  const en = lang === 'en';
  const from = d.dates[0];
  const to = d.dates[d.dates.length - 1];
  const pct = d.percent ? '%' : '';
  const latest = d.series
    .map((s) => {
      const last = [...s.points].reverse().find(([, v]) => v !== null);
      return last ? `${s.name} ${formatNumber(last[1] as number, lang)}${pct}（${last[0]}）` : null;
    })
    .filter((x): x is string => x !== null);
  const unit = d.unit ? (en ? ` (${d.unit})` : `（${d.unit}）`) : '';
  const left = d.seriesFound > d.series.length ? (en ? ` (the first ${d.series.length} of ${d.seriesFound})` : `（${d.seriesFound} 條中的前 ${d.series.length} 條）`) : '';
  return en
    ? `Line chart of ${d.valueLabel}${unit} from ${from} to ${to}, ${d.series.length} line${d.series.length === 1 ? '' : 's'}${left}. Latest values: ${latest.join('; ').replace(/（/g, ' (').replace(/）/g, ')')}.`
    : `折線圖：${d.valueLabel}${unit}，${from} 至 ${to}，共 ${d.series.length} 條線${left}。最新數值：${latest.join('；')}。`;
}

/** Line styles cycle too, so lines differ by more than colour. */
const LINE_TYPES = ['solid', 'dashed', 'dotted'] as const;
/** Dark enough on white (WCAG non-text contrast 3:1), distinct for common colour blindness. */
const COLOURS = ['#0b5cad', '#b35c00', '#17603a', '#8e2a8e', '#b3261e', '#4a5561'];
/** The page's fonts; CJK text falls back to the system's Chinese fonts. */
const FONT = 'Noto Sans TC, Noto Sans CJK TC, PingFang TC, Microsoft JhengHei, Heiti TC, Source Han Sans TC, sans-serif';

export interface RenderedChart {
  svg: string;
  summary: string;
}

/**
 * The chart as an SVG string for inline use: role="img" with the summary as its name and title,
 * and `aria-describedby` pointing at the table with its numbers. ECharts escapes the text it
 * writes (series names, labels); what is added here is escaped here.
 */
export function renderLineChart(d: ChartData, opts: { lang: string; describedBy?: string; width?: number; height?: number }): RenderedChart {
  const width = opts.width ?? 760;
  const height = opts.height ?? 360;
  const summary = chartSummary(d, opts.lang);
  const day = 86_400_000;
  const minInterval = { day, month: 28 * day, quarter: 90 * day, year: 365 * day }[d.granularity];
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      useUTC: true,
      color: COLOURS,
      textStyle: { fontFamily: FONT, fontSize: 13, color: '#1b2733' },
      grid: { left: 16, right: 24, top: 44, bottom: d.series.length > 1 ? 64 : 28, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      legend: d.series.length > 1 ? { bottom: 0, left: 'center', itemWidth: 28, textStyle: { fontFamily: FONT, fontSize: 13, color: '#1b2733' } } : undefined,
      xAxis: {
        type: 'time',
        minInterval,
        axisLabel: { hideOverlap: true, color: '#4a5561', formatter: { year: '{yyyy}', month: d.granularity === 'year' ? '{yyyy}' : '{yyyy}-{MM}', day: d.granularity === 'day' ? '{yyyy}-{MM}-{dd}' : '{yyyy}-{MM}', hour: '', minute: '', second: '', millisecond: '' } },
        axisLine: { lineStyle: { color: '#4a5561' } },
      },
      yAxis: {
        type: 'value',
        scale: true,
        name: [d.valueLabel, d.unit ? `（${d.unit}）` : d.percent ? '（%）' : ''].join(''),
        nameTextStyle: { align: 'left', color: '#1b2733', fontFamily: FONT, fontSize: 13 },
        axisLabel: { color: '#4a5561' },
        splitLine: { lineStyle: { color: '#e3e8ee' } },
      },
      series: d.series.map((s, i) => ({
        type: 'line',
        name: s.name,
        showSymbol: s.points.length <= 40,
        symbolSize: 5,
        connectNulls: false,
        lineStyle: { width: 2, type: LINE_TYPES[i % LINE_TYPES.length] },
        data: s.points.map(([date, v]) => [periodStart(date), v]),
      })),
    });
    const svg = chart.renderToSVGString();
    const title = `<title>${escapeXml(summary)}</title>`;
    const attrs = `role="img" aria-label="${escapeXml(summary)}"${opts.describedBy ? ` aria-describedby="${escapeXml(opts.describedBy)}"` : ''} focusable="false" class="chart-svg"`;
    return { svg: svg.replace(/^<svg\b([^>]*)>/, (_, rest: string) => `<svg ${attrs}${rest}>${title}`), summary };
  } finally {
    chart.dispose();
  }
}
