import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { ComponentChildren } from 'preact';
import type { Lang } from '../../i18n.ts';
import type { RawCell } from '../../modules/ingest/table.ts';
import { BADGES } from '../../modules/quality/badges.ts';
import { INDICATOR_IDS, type IndicatorId } from '../../modules/quality/indicators.ts';
import { badgeLabel, indicatorLabel, periodLabel } from '../../modules/quality/labels.ts';
import type { PeriodSummary } from '../../modules/quality/quality.repository.ts';
import type { Unit } from '../../modules/units/units.service.ts';
import type { PageCtx } from '../context.ts';
import { unitTitle } from '../format.ts';
import { Layout } from '../layout.tsx';
import { qualityWords } from './quality-words.ts';

echarts.use([BarChart, GridComponent, LegendComponent, SVGRenderer]);

/** Badge colours, lowest first (the legend, the table and the words carry the meaning; colour only repeats it). */
const BADGE_COLOURS = ['#6b7280', '#8c4a1c', '#2f7184', '#9a6b00', '#5b3f8c'];
const FONT = 'Noto Sans TC, Noto Sans CJK TC, PingFang TC, Microsoft JhengHei, Heiti TC, Source Han Sans TC, sans-serif';
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);

export interface BarChartData {
  /** Labels along the category axis. */
  categories: string[];
  series: { name: string; values: number[]; colour?: string }[];
  stacked?: boolean;
  /** Bars run left to right, categories down the side (long labels such as indicator names). */
  horizontal?: boolean;
  /** What a screen reader hears as the chart's name. */
  summary: string;
}

/**
 * A bar chart as an inline SVG (ECharts server-side rendering, as chart.ts draws the line charts):
 * role="img" named by the summary, described by the table of its numbers next to it.
 */
export function renderBarChart(d: BarChartData, opts: { describedBy?: string; width?: number } = {}): string {
  const width = opts.width ?? 760;
  const height = d.horizontal ? Math.max(160, 40 + d.categories.length * 30) : 340;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    const category = { type: 'category' as const, data: d.categories, axisLabel: { color: '#4a5561', interval: 0 }, axisLine: { lineStyle: { color: '#4a5561' } } };
    const value = { type: 'value' as const, minInterval: 1, axisLabel: { color: '#4a5561' }, splitLine: { lineStyle: { color: '#e3e8ee' } } };
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT, fontSize: 13, color: '#1b2733' },
      grid: { left: 16, right: 32, top: 24, bottom: d.series.length > 1 ? 56 : 16, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      legend: d.series.length > 1 ? { bottom: 0, left: 'center', textStyle: { fontFamily: FONT, fontSize: 13, color: '#1b2733' } } : undefined,
      xAxis: d.horizontal ? value : category,
      yAxis: d.horizontal ? { ...category, inverse: true } : value,
      series: d.series.map((s) => ({
        type: 'bar',
        name: s.name,
        stack: d.stacked ? 'all' : undefined,
        data: s.values,
        barMaxWidth: 48,
        itemStyle: s.colour ? { color: s.colour } : { color: '#0b5cad' },
        label: d.stacked ? undefined : { show: true, position: d.horizontal ? 'right' : 'top', color: '#1b2733' },
      })),
    });
    const svg = chart.renderToSVGString();
    const attrs = `role="img" aria-label="${escapeXml(d.summary)}"${opts.describedBy ? ` aria-describedby="${escapeXml(opts.describedBy)}"` : ''} focusable="false" class="chart-svg"`;
    return svg.replace(/^<svg\b([^>]*)>/, (_, rest: string) => `<svg ${attrs}${rest}>${`<title>${escapeXml(d.summary)}</title>`}`);
  } finally {
    chart.dispose();
  }
}

/* ---- Numbers ---- */

const num = (n: number, lang: Lang): string => n.toLocaleString(lang === 'en' ? 'en' : 'zh-TW');
const pct = (n: number, of: number): string => (of === 0 ? '0%' : `${((100 * n) / of).toFixed(1).replace(/\.0$/, '')}%`);
/** Indicators in their fixed order, with how many resources fail each. */
const failingOf = (s: PeriodSummary | undefined): [IndicatorId, number][] => INDICATOR_IDS.map((id): [IndicatorId, number] => [id, s?.failing[id] ?? 0]);

/** The report as one table (for CSV and ODS): a row per half-year (and unit), the badge counts and the failing counts. */
export function reportTable(rows: readonly PeriodSummary[], lang: Lang, unitName: (unitId: string | null) => string): { columns: string[]; rows: RawCell[][] } {
  const w = qualityWords(lang);
  const columns = [w.period, w.unit, w.resources, ...BADGES.map((b) => badgeLabel(b, lang)), ...INDICATOR_IDS.map((id) => `${lang === 'en' ? 'Failing: ' : '未通過：'}${indicatorLabel(id, lang)}`)];
  return {
    columns,
    rows: rows.map((s) => [s.period, unitName(s.unitId), s.resources, ...BADGES.map((b) => s.badges[b]), ...INDICATOR_IDS.map((id) => s.failing[id] ?? 0)]),
  };
}

/* ---- The page ---- */

export interface ReportPageProps {
  ctx: PageCtx;
  kind: 'unit' | 'agency';
  /** Per half-year, oldest first (the unit's, or the agency's). */
  periods: PeriodSummary[];
  /** The half-year shown (default the latest). */
  period: string | undefined;
  /** Unit report: the unit and the units offered. */
  unit?: Unit;
  choices?: Unit[];
  /** Agency report: one summary per half-year and unit, and every unit by id. */
  byUnit?: PeriodSummary[];
  units?: Unit[];
  /** The agency report's link, for who may read it. */
  agencyLink?: boolean;
}

function ChartFigure({ ctx, id, chart, table }: { ctx: PageCtx; id: string; chart: BarChartData; table: ComponentChildren }) {
  const w = qualityWords(ctx.lang);
  const noteId = `${id}-note`;
  const dataId = `${id}-data`;
  return (
    <div class="chart-block">
      <div class="chart-figure" dangerouslySetInnerHTML={{ __html: renderBarChart(chart, { describedBy: noteId }) }} />
      <p class="chart-note" id={noteId}>
        {w.chartHint[0]}
        <a href={`#${dataId}`}>{w.chartData}</a>
        {w.chartHint[1]}
      </p>
      <div id={dataId}>{table}</div>
    </div>
  );
}

/** /manage/quality and /manage/quality/agency: badge distribution, failing indicators, trend, units. */
export function QualityReportPage(props: ReportPageProps) {
  const { ctx, kind, periods } = props;
  const w = qualityWords(ctx.lang);
  const lang = ctx.lang;
  const title = kind === 'agency' ? w.agencyReportTitle : `${w.unitReportTitle}${props.unit ? `：${unitTitle(props.unit, lang)}` : ''}`;
  const available = [...new Set(periods.map((p) => p.period))].sort().reverse();
  const period = props.period && available.includes(props.period) ? props.period : available[0];
  const current = periods.find((p) => p.period === period);
  const pLabel = period ? periodLabel(period, lang) : '';
  const base = kind === 'agency' ? '/manage/quality/agency' : '/manage/quality';
  const query = { unit: kind === 'unit' ? props.unit?.name : undefined, period };
  const unitById = new Map((props.units ?? []).map((u) => [u.id, u]));
  const failing = failingOf(current).filter(([, n]) => n > 0);
  const oldestFirst = [...periods].sort((a, b) => a.period.localeCompare(b.period));
  return (
    <Layout ctx={ctx} title={title} nav="manage">
      <div class="container back-office manage quality-report">
        <p>
          <a href={ctx.href('/manage')}>{lang === 'en' ? 'Back to the back office' : '回到管理後台'}</a>
          {props.agencyLink && kind === 'unit' ? (
            <>
              {' · '}
              <a href={ctx.href('/manage/quality/agency')}>{w.agencyLink}</a>
            </>
          ) : null}
          {kind === 'agency' ? (
            <>
              {' · '}
              <a href={ctx.href('/manage/quality')}>{w.unitLink}</a>
            </>
          ) : null}
        </p>
        <h1>{title}</h1>
        <p>{kind === 'agency' ? w.agencyReportLead : w.unitReportLead}</p>
        <form method="get" action={base} class="report-filter">
          {lang === 'en' ? <input type="hidden" name="lang" value="en" /> : null}
          {kind === 'unit' && props.choices && props.choices.length > 0 ? (
            <div class="form-field">
              <label for="report-unit">{w.unitSelect}</label>
              <select id="report-unit" name="unit">
                {props.choices.map((u) => (
                  <option value={u.name} selected={u.name === props.unit?.name}>
                    {unitTitle(u, lang)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {available.length > 0 ? (
            <div class="form-field">
              <label for="report-period">{w.periodSelect}</label>
              <select id="report-period" name="period">
                {available.map((p) => (
                  <option value={p} selected={p === period}>
                    {periodLabel(p, lang)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <p>
            <button type="submit" class="button button-secondary">
              {w.show}
            </button>
          </p>
        </form>
        {!current ? (
          <p>{w.noRuns}</p>
        ) : (
          <>
            <p>
              {w.downloads}
              {ctx.m.colon}
              <a href={ctx.href(`${base}.csv`, query)}>{w.downloadCsv}</a>
              {' · '}
              <a href={ctx.href(`${base}.ods`, query)}>{w.downloadOds}</a>
            </p>

            <h2 id="badges">{w.badgesHeading(pLabel)}</h2>
            <div class="table-scroll">
              <table class="data">
                <caption>{w.badgesCaption(pLabel)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{w.badge}</th>
                    <th scope="col" class="num">
                      {w.resources}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {BADGES.map((b) => (
                    <tr>
                      <th scope="row">{badgeLabel(b, lang)}</th>
                      <td class="num">{`${num(current.badges[b], lang)}${w.share(pct(current.badges[b], current.resources))}`}</td>
                    </tr>
                  ))}
                  <tr>
                    <th scope="row">{lang === 'en' ? 'Total' : '合計'}</th>
                    <td class="num">{num(current.resources, lang)}</td>
                  </tr>
                </tbody>
              </table>
            </div>

            <h2 id="failing">{w.failingHeading(pLabel)}</h2>
            {failing.length === 0 ? (
              <p>{w.failingNone}</p>
            ) : (
              <ChartFigure
                ctx={ctx}
                id="chart-failing"
                chart={{
                  categories: failing.map(([id]) => indicatorLabel(id, lang)),
                  series: [{ name: w.failingCount, values: failing.map(([, n]) => n), colour: '#b3261e' }],
                  horizontal: true,
                  summary: `${w.failingCaption(pLabel)}${ctx.m.colon}${failing.map(([id, n]) => `${indicatorLabel(id, lang)} ${n}`).join(lang === 'en' ? ', ' : '、')}`,
                }}
                table={
                  <div class="table-scroll">
                    <table class="data">
                      <caption>{w.failingCaption(pLabel)}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{w.indicator}</th>
                          <th scope="col" class="num">
                            {w.failingCount}
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {failing.map(([id, n]) => (
                          <tr>
                            <th scope="row">
                              {indicatorLabel(id, lang)}
                              <code class="field-name">{id}</code>
                            </th>
                            <td class="num">{`${num(n, lang)}${w.share(pct(n, current.resources))}`}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                }
              />
            )}

            <h2 id="trend">{w.trendHeading}</h2>
            <ChartFigure
              ctx={ctx}
              id="chart-trend"
              chart={{
                categories: oldestFirst.map((p) => periodLabel(p.period, lang)),
                series: BADGES.map((b, i) => ({ name: badgeLabel(b, lang), values: oldestFirst.map((p) => p.badges[b]), colour: BADGE_COLOURS[i] })),
                stacked: true,
                summary: `${w.trendCaption}${ctx.m.colon}${oldestFirst.map((p) => `${periodLabel(p.period, lang)} ${BADGES.map((b) => `${badgeLabel(b, lang)} ${p.badges[b]}`).join(' ')}`).join(lang === 'en' ? '; ' : '；')}`,
              }}
              table={
                <div class="table-scroll">
                  <table class="data">
                    <caption>{w.trendCaption}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{w.period}</th>
                        {BADGES.map((b) => (
                          <th scope="col" class="num">
                            {badgeLabel(b, lang)}
                          </th>
                        ))}
                        <th scope="col" class="num">
                          {w.resources}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {oldestFirst.map((p) => (
                        <tr>
                          <th scope="row">{periodLabel(p.period, lang)}</th>
                          {BADGES.map((b) => (
                            <td class="num">{num(p.badges[b], lang)}</td>
                          ))}
                          <td class="num">{num(p.resources, lang)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              }
            />

            {kind === 'agency' ? (
              <>
                <h2 id="units">{w.unitsHeading(pLabel)}</h2>
                <div class="table-scroll">
                  <table class="data">
                    <caption>{w.unitsCaption(pLabel)}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{w.unit}</th>
                        <th scope="col" class="num">
                          {w.resources}
                        </th>
                        {BADGES.map((b) => (
                          <th scope="col" class="num">
                            {badgeLabel(b, lang)}
                          </th>
                        ))}
                        <th scope="col">{w.topFailing}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {(props.byUnit ?? [])
                        .filter((s) => s.period === period)
                        .map((s) => {
                          const u = s.unitId ? unitById.get(s.unitId) : undefined;
                          const top = failingOf(s)
                            .filter(([, n]) => n > 0)
                            .sort((a, b) => b[1] - a[1])[0];
                          return (
                            <tr>
                              <th scope="row">{u ? unitTitle(u, lang) : (s.unitId ?? '')}</th>
                              <td class="num">{num(s.resources, lang)}</td>
                              {BADGES.map((b) => (
                                <td class="num">{num(s.badges[b], lang)}</td>
                              ))}
                              <td>{top ? `${indicatorLabel(top[0], lang)}${lang === 'en' ? ` (${num(top[1], lang)})` : `（${num(top[1], lang)}）`}` : w.none}</td>
                            </tr>
                          );
                        })}
                    </tbody>
                  </table>
                </div>
              </>
            ) : null}
          </>
        )}
      </div>
    </Layout>
  );
}
