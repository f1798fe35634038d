import type { Lang } from '../../../i18n.ts';
import type { LedgerEntry, OverdueReport, Stage } from '../../../modules/followup/followup.service.ts';
import type { RawCell } from '../../../modules/ingest/table.ts';
import { zhPart } from '../../components.tsx';
import type { PageCtx } from '../../context.ts';
import { unitTitle } from '../../format.ts';
import { Layout } from '../../layout.tsx';
import { renderBarChart } from '../quality-report.tsx';
import { manageHref } from './common.tsx';

/** The words of the overdue follow-up page (逾期跟催), zh-TW and English. */
export function followupWords(lang: Lang) {
  const en = lang === 'en';
  return {
    title: en ? 'Overdue follow-up' : '逾期跟催',
    navLink: en ? 'Overdue follow-up (late datasets and opening schedule)' : '逾期跟催（逾期未更新的資料集與開放期程）',
    back: en ? 'Back to the back office' : '回到管理後台',
    lead: en
      ? 'Published continuing datasets not updated by their 更新頻率 (past the due date and the grace days), and approved open items past their planned opening date, by unit. The daily run reminds contacts before the date, tells reviewers when late and escalates to the open-data window; what it sent is listed with each.'
      : '依更新頻率應更新而未更新（超過應更新日及寬限日）的已公開資料集，以及超過預定開放日仍未開放的核定開放項目，依單位列出。每日作業會於到期前提醒承辦人、逾期時通知審核人並陳報資料開放窗口；每項列出已寄出的提醒與通知。',
    asOf: en ? 'As of' : '基準日',
    asOfHint: en ? 'YYYY-MM-DD; default today (Taipei).' : 'YYYY-MM-DD，預設今天（臺北時間）。',
    show: en ? 'Show' : '顯示',
    errorTitle: en ? 'There is a problem' : '有 1 個問題',
    downloads: en ? 'Download' : '下載',
    csv: en ? 'CSV (all late items)' : 'CSV（全部逾期項目）',
    summary: (d: number, i: number, asOf: string) =>
      en ? `As of ${asOf}: ${d} late dataset update${d === 1 ? '' : 's'}, ${i} late opening${i === 1 ? '' : 's'}.` : `截至 ${asOf}：逾期未更新資料集 ${d} 筆，逾期未開放項目 ${i} 項。`,
    nothing: en ? 'Nothing is late.' : '沒有逾期項目。',
    chartTitle: en ? 'Late items by unit' : '各單位逾期件數',
    chartSummary: (rows: { unit: string; d: number; i: number }[]) =>
      en
        ? `Bar chart of late items by unit: ${rows.map((r) => `${r.unit} ${r.d} datasets, ${r.i} openings`).join('; ')}.`
        : `長條圖：各單位逾期件數。${rows.map((r) => `${r.unit} 資料集 ${r.d} 筆、開放項目 ${r.i} 項`).join('；')}。`,
    chartHint: en ? ['The chart’s numbers are in “', '” below.'] : ['圖表的數值列於下方「', '」。'],
    chartData: en ? 'Late items by unit, as a table' : '各單位逾期件數（表格）',
    unit: en ? 'Unit' : '單位',
    kind: en ? 'Kind' : '類別',
    lateDatasets: en ? 'Late dataset updates' : '逾期未更新資料集',
    lateItems: en ? 'Late openings (schedule)' : '逾期未開放項目（開放期程）',
    datasetsOf: (u: string) => (en ? `Late dataset updates: ${u}` : `逾期未更新資料集：${u}`),
    itemsOf: (u: string) => (en ? `Late openings: ${u}` : `逾期未開放項目：${u}`),
    dataset: en ? 'Dataset' : '資料集',
    item: en ? 'Item' : '項目',
    frequency: en ? 'Update frequency' : '更新頻率',
    lastUpdate: en ? 'Last update' : '最後更新',
    due: en ? 'Due by' : '應更新日',
    planned: en ? 'Planned opening' : '預定開放日',
    daysLate: en ? 'Days late' : '逾期日數',
    workingDaysLate: en ? 'Working days late' : '逾期工作天',
    followups: en ? 'Reminders and notices sent' : '已寄提醒與通知',
    none: en ? 'none yet' : '尚無',
    schedule: en ? 'opening schedule' : '開放期程',
    datasetDraft: en ? 'dataset' : '資料集',
    stage: (s: Stage) => (en ? { reminder: 'reminder', overdue: 'overdue notice', escalated: 'escalated' } : { reminder: '提醒', overdue: '逾期通知', escalated: '陳報' })[s],
    kindDataset: en ? 'dataset update' : '資料集更新',
    kindItem: en ? 'opening schedule' : '開放期程',
  };
}

const ledgerText = (entries: LedgerEntry[], lang: Lang): string => {
  const w = followupWords(lang);
  return entries.length === 0 ? w.none : entries.map((e) => `${w.stage(e.stage)} ${e.asOf}`).join(lang === 'en' ? '; ' : '；');
};

/** The report as one table (CSV): a row per late dataset or schedule item. */
export function overdueTable(r: OverdueReport, lang: Lang): { columns: string[]; rows: RawCell[][] } {
  const w = followupWords(lang);
  const rows: RawCell[][] = [];
  for (const u of r.units) {
    const unit = unitTitle(u, lang);
    for (const d of u.datasets) rows.push([unit, w.kindDataset, d.title, d.frequency, d.lastUpdate, d.due, d.daysLate, d.workingDaysLate, ledgerText(d.followups, lang)]);
    for (const i of u.items) rows.push([unit, w.kindItem, i.name, null, null, i.plannedDate, i.daysLate, i.workingDaysLate, ledgerText(i.followups, lang)]);
  }
  return { columns: [w.unit, w.kind, lang === 'en' ? 'Name' : '名稱', w.frequency, w.lastUpdate, lang === 'en' ? 'Due / planned' : '應更新日／預定開放日', w.daysLate, w.workingDaysLate, w.followups], rows };
}

export interface FollowupPageProps {
  ctx: PageCtx;
  /** The date asked for, as typed (kept in the field when it is wrong). */
  asOf: string;
  /** The problem with the date, for the field and the error summary. */
  error?: string;
  report?: OverdueReport;
}

/** /manage/followup (逾期跟催): late datasets and schedule items by unit, a bar chart of the counts with its table, CSV. */
export function FollowupPage({ ctx, asOf, error, report }: FollowupPageProps) {
  const w = followupWords(ctx.lang);
  const lang = ctx.lang;
  const counts = (report?.units ?? []).map((u) => ({ unit: unitTitle(u, lang), name: u.unit, d: u.datasets.length, i: u.items.length }));
  const charted = counts.filter((c) => c.d + c.i > 0);
  const totalD = counts.reduce((n, c) => n + c.d, 0);
  const totalI = counts.reduce((n, c) => n + c.i, 0);
  const late = (report?.units ?? []).filter((u) => u.datasets.length + u.items.length > 0);
  const describedBy = error ? 'asof-hint asof-error' : 'asof-hint';
  return (
    <Layout ctx={ctx} title={w.title} nav="manage">
      <div class="container back-office manage followup">
        <p>
          <a href={ctx.href('/manage')}>{w.back}</a>
        </p>
        <h1>{w.title}</h1>
        <p>{w.lead}</p>
        {error ? (
          <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} id="error-summary">
            <h2 id="error-summary-title">{w.errorTitle}</h2>
            <ul>
              <li>
                <a href="#asof">{`${w.asOf}${ctx.m.colon}${error}`}</a>
              </li>
            </ul>
          </div>
        ) : null}
        <form method="get" action="/manage/followup" class="report-filter">
          {lang === 'en' ? <input type="hidden" name="lang" value="en" /> : null}
          <div class={`form-field${error ? ' has-error' : ''}`}>
            <label for="asof">{w.asOf}</label>
            <p id="asof-hint" class="hint">
              {w.asOfHint}
            </p>
            {error ? (
              <p id="asof-error" class="field-error">
                {error}
              </p>
            ) : null}
            <input type="date" id="asof" name="asOf" value={asOf} aria-describedby={describedBy} aria-invalid={error ? 'true' : undefined} />
          </div>
          <p>
            <button type="submit" class="button button-secondary">
              {w.show}
            </button>
          </p>
        </form>
        {report ? (
          <>
            <p>{w.summary(totalD, totalI, report.asOf)}</p>
            <p>
              {w.downloads}
              {ctx.m.colon}
              <a href={ctx.href('/manage/followup.csv', { asOf: report.asOf })}>{w.csv}</a>
            </p>
            {/* Nothing late: no chart of zeros. */}
            {totalD + totalI > 0 ? (
              <>
            <h2 id="chart-heading">{w.chartTitle}</h2>
            <div class="chart-block">
              <div
                class="chart-figure"
                dangerouslySetInnerHTML={{
                  __html: renderBarChart(
                    {
                      // Units with something late (the table below lists every unit).
                      categories: charted.map((c) => c.unit),
                      series: [
                        { name: w.lateDatasets, values: charted.map((c) => c.d), colour: '#b3261e' },
                        { name: w.lateItems, values: charted.map((c) => c.i), colour: '#0b5cad' },
                      ],
                      horizontal: true,
                      summary: w.chartSummary(charted.map((c) => ({ unit: c.unit, d: c.d, i: c.i }))),
                    },
                    { describedBy: 'chart-note' },
                  ),
                }}
              />
              <p class="chart-note" id="chart-note">
                {w.chartHint[0]}
                <a href="#late-by-unit">{w.chartData}</a>
                {w.chartHint[1]}
              </p>
              <div class="table-scroll" id="late-by-unit">
                <table class="data">
                  <caption>{w.chartData}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{w.unit}</th>
                      <th scope="col" class="num">
                        {w.lateDatasets}
                      </th>
                      <th scope="col" class="num">
                        {w.lateItems}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {counts.map((c) => (
                      <tr>
                        <th scope="row">{c.d + c.i > 0 ? <a href={`#unit-${c.name}`}>{c.unit}</a> : c.unit}</th>
                        <td class="num">{c.d}</td>
                        <td class="num">{c.i}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
              </>
            ) : null}
            {late.length === 0 ? <p>{w.nothing}</p> : null}
            {late.map((u) => {
              const title = unitTitle(u, lang);
              return (
                <section id={`unit-${u.unit}`} aria-labelledby={`unit-${u.unit}-heading`}>
                  <h2 id={`unit-${u.unit}-heading`}>{title}</h2>
                  {u.datasets.length > 0 ? (
                    <div class="table-scroll">
                      <table class="data">
                        <caption>{w.datasetsOf(title)}</caption>
                        <thead>
                          <tr>
                            <th scope="col">{w.dataset}</th>
                            <th scope="col">{w.frequency}</th>
                            <th scope="col">{w.lastUpdate}</th>
                            <th scope="col">{w.due}</th>
                            <th scope="col" class="num">
                              {w.daysLate}
                            </th>
                            <th scope="col" class="num">
                              {w.workingDaysLate}
                            </th>
                            <th scope="col">{w.followups}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {u.datasets.map((d) => (
                            <tr>
                              <th scope="row">
                                <a href={ctx.href(manageHref(d.name))} lang={zhPart(ctx)}>
                                  {d.title}
                                </a>
                              </th>
                              <td lang={zhPart(ctx)}>{d.frequency}</td>
                              <td>{d.lastUpdate}</td>
                              <td>{d.due}</td>
                              <td class="num">{d.daysLate}</td>
                              <td class="num">{d.workingDaysLate}</td>
                              <td>{ledgerText(d.followups, lang)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  ) : null}
                  {u.items.length > 0 ? (
                    <div class="table-scroll">
                      <table class="data">
                        <caption>{w.itemsOf(title)}</caption>
                        <thead>
                          <tr>
                            <th scope="col">{w.item}</th>
                            <th scope="col">{w.planned}</th>
                            <th scope="col" class="num">
                              {w.daysLate}
                            </th>
                            <th scope="col" class="num">
                              {w.workingDaysLate}
                            </th>
                            <th scope="col">{w.followups}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {u.items.map((i) => (
                            <tr>
                              <th scope="row">
                                <span lang={zhPart(ctx)}>{i.name}</span>{' '}
                                <a href={ctx.href('/manage/schedule', { year: i.year, unit: u.unit })}>
                                  {`（${w.schedule}）`}
                                  <span class="visually-hidden">{i.name}</span>
                                </a>
                              </th>
                              <td>{i.plannedDate}</td>
                              <td class="num">{i.daysLate}</td>
                              <td class="num">{i.workingDaysLate}</td>
                              <td>{ledgerText(i.followups, lang)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  ) : null}
                </section>
              );
            })}
          </>
        ) : null}
      </div>
    </Layout>
  );
}
