import { createHash } from 'node:crypto';
import type { Lang } from '../../i18n.ts';
import type { TaskStatus, TaskView } from '../../modules/calendar/tasks.service.ts';
import { Breadcrumb, zhPart } from '../components.tsx';
import type { PageCtx } from '../context.ts';
import { Layout } from '../layout.tsx';

/** The annual calendar's words (public page and its back-office page), zh-TW and English. */
export function calendarWords(lang: Lang) {
  const en = lang === 'en';
  return {
    title: (year: number) => (en ? `Annual work calendar ${year}` : `${year} 年度行事曆`),
    crumb: en ? 'Annual work calendar' : '年度行事曆',
    lead: en
      ? 'The open-data work of the year as the action plan schedules it (section 10, work schedule): the inventory, the advisory group’s meetings, the evaluation and the review. Deadlines are counted in working days on the government office calendar.'
      : '依本總處資料開放行動方案「壹拾、辦理期程」排定的年度工作：資料盤點、諮詢小組會議、績效評估與檢討。截止前的工作天依政府行政機關辦公日曆表計算。',
    ics: en ? 'Subscribe or download (.ics, iCalendar)' : '訂閱或下載行事曆（.ics，iCalendar 格式）',
    icsHint: en ? 'Calendar apps (Outlook, Google Calendar, Apple Calendar) show each task as an all-day event from its start to its deadline.' : '可匯入 Outlook、Google 日曆、Apple 行事曆；每個工作項目為自開始日至截止日的全天事件。',
    otherYears: en ? 'Other years' : '其他年度',
    manage: en ? 'Edit the calendar' : '管理行事曆',
    chartTitle: en ? 'The year at a glance' : '全年工作時程',
    chartNote: en ? 'The chart shows the same as the table below it.' : '下圖內容與其下方的表格相同。',
    tableCaption: (year: number) => (en ? `Tasks of ${year}, with owner, dates and status` : `${year} 年度工作項目：主／協辦單位、期間與狀態`),
    colTask: en ? 'Task' : '工作項目',
    colOwner: en ? 'In charge' : '主／協辦單位',
    colStart: en ? 'Start' : '開始',
    colDue: en ? 'Deadline' : '截止',
    colStatus: en ? 'Status' : '狀態',
    today: (d: string) => (en ? `Today: ${d}` : `今天：${d}`),
    nextYear: (d: string) => (en ? `continues to ${d}` : `延續至 ${d}`),
    months: en ? ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] : ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
    statuses: (en
      ? { done: 'Done', late: 'Late', due_soon: 'Due soon', in_progress: 'In progress', planned: 'Not started' }
      : { done: '已完成', late: '逾期', due_soon: '即將到期', in_progress: '進行中', planned: '尚未開始' }) as Record<TaskStatus, string>,
    statusDetail: (t: Pick<TaskView, 'status' | 'workingDaysLeft' | 'doneAt'>): string => {
      const n = Math.abs(t.workingDaysLeft);
      switch (t.status) {
        case 'done':
          return en ? `Done${t.doneAt ? ` on ${t.doneAt}` : ''}` : `已完成${t.doneAt ? `（${t.doneAt}）` : ''}`;
        case 'late':
          return en ? `Late by ${n} working day${n === 1 ? '' : 's'}` : `逾期 ${n} 個工作天`;
        case 'due_soon':
          return en ? `Due soon: ${n} working day${n === 1 ? '' : 's'} left` : `即將到期：剩 ${n} 個工作天`;
        case 'in_progress':
          return en ? `In progress: ${n} working days left` : `進行中：剩 ${n} 個工作天`;
        case 'planned':
          return en ? 'Not started' : '尚未開始';
      }
    },
    noWorkingDays: (year: number) =>
      en
        ? `The government office calendar of ${year} is not loaded yet: working days are counted on weekends only until the administrator loads it.`
        : `${year} 年的政府行政機關辦公日曆表尚未載入：在管理者載入前，工作天僅扣除週末計算。`,
    none: en ? 'No tasks.' : '沒有工作項目。',
  };
}

const DAY = 86_400_000;
const dayIndex = (iso: string, year: number): number => Math.round((Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) - Date.UTC(year, 0, 1)) / DAY);
const daysIn = (year: number): number => dayIndex(`${year + 1}-01-01`, year);
const pct = (n: number): string => `${(Math.round(n * 10000) / 100).toString()}%`;

/** The chart's own styles, served as /assets/calendar.css (calendar.routes.tsx). */
export const CALENDAR_CSS = `
.calendar-page .gantt { margin: 1rem 0 1.5rem; font-size: .9rem; }
.calendar-page .gantt-row { display: grid; grid-template-columns: 16rem 1fr; gap: .75rem; align-items: center; border-bottom: 1px solid var(--line); padding: .35rem 0; }
.calendar-page .gantt-label { line-height: 1.35; }
.calendar-page .gantt-label .owner, .calendar-page .gantt-label .state { display: block; color: var(--muted); font-size: .82rem; }
.calendar-page .gantt-track { position: relative; height: 1.8rem; background: var(--soft); border-radius: 3px; }
.calendar-page .gantt-months { position: relative; height: 1.6rem; }
.calendar-page .gantt-month { position: absolute; top: 0; height: 100%; border-left: 1px solid var(--line); padding-left: .2rem; color: var(--muted); font-size: .8rem; white-space: nowrap; overflow: hidden; }
.calendar-page .gantt-bar { position: absolute; top: .35rem; height: 1.1rem; border-radius: 3px; border: 1px solid rgba(0,0,0,.35); min-width: 4px; }
.calendar-page .gantt-bar.continues { border-right: 3px dashed #1b1f24; border-radius: 3px 0 0 3px; }
.calendar-page .gantt-today { position: absolute; top: -.2rem; bottom: -.2rem; width: 2px; background: #b3261e; }
.calendar-page .s-done { background: #8cc8a0; }
.calendar-page .s-late { background: #e8837c; }
.calendar-page .s-due_soon { background: #f2c14e; }
.calendar-page .s-in_progress { background: #7fb0e0; }
.calendar-page .s-planned { background: #c9d1da; }
.calendar-page .legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: .5rem 0 0; font-size: .85rem; }
.calendar-page .legend .swatch { display: inline-block; width: 1.2rem; height: .8rem; border: 1px solid rgba(0,0,0,.35); border-radius: 2px; margin-right: .3rem; vertical-align: middle; }
.calendar-page .status { font-weight: 600; }
.calendar-page .status-late { color: #9b1c15; }
.calendar-page .status-done { color: var(--ok); }
.calendar-page .notice { border-left: 4px solid #b35c00; background: #fff4d6; padding: .6rem 1rem; }
.calendar-page .task-desc { display: block; font-weight: normal; font-size: .85rem; color: var(--muted); }
.calendar-page table.data th.year { white-space: nowrap; width: auto; }
.calendar-page .task-block { border-top: 1px solid var(--line); padding-top: .5rem; }
.calendar-page .task-block .actions { margin-top: .5rem; }
.calendar-page .years { display: flex; flex-wrap: wrap; gap: .5rem 1rem; list-style: none; padding: 0; }
@media (max-width: 48rem) { .calendar-page .gantt-row { grid-template-columns: 1fr; gap: .25rem; } .calendar-page .gantt-head .gantt-label { display: none; } }
`;

/** Versioned by content, so it can be cached for good. */
export const CALENDAR_CSS_ETAG = `"${createHash('sha256').update(CALENDAR_CSS).digest('hex').slice(0, 16)}"`;
export const CALENDAR_CSS_HREF = `/assets/calendar.css?v=${CALENDAR_CSS_ETAG.slice(1, -1)}`;
export const GanttStyles = () => <link rel="stylesheet" href={CALENDAR_CSS_HREF} />;

/**
 * The Gantt-like year view: twelve months across, one row per task, bars positioned by day. It is
 * a picture of the table that follows it (hidden from assistive technology, which reads the table).
 */
export function YearChart({ ctx, year, tasks, today }: { ctx: PageCtx; year: number; tasks: TaskView[]; today: string }) {
  const w = calendarWords(ctx.lang);
  const total = daysIn(year);
  const months = w.months.map((label, i) => {
    const start = dayIndex(`${year}-${String(i + 1).padStart(2, '0')}-01`, year);
    const end = i === 11 ? total : dayIndex(`${year}-${String(i + 2).padStart(2, '0')}-01`, year);
    return { label, left: start / total, width: (end - start) / total };
  });
  const todayAt = today.startsWith(`${year}-`) ? dayIndex(today, year) / total : null;
  return (
    <div class="gantt" aria-hidden="true">
      <div class="gantt-row gantt-head">
        <div class="gantt-label">{w.colTask}</div>
        <div class="gantt-months">
          {months.map((m) => (
            <span class="gantt-month" style={`left:${pct(m.left)};width:${pct(m.width)}`}>
              {m.label}
            </span>
          ))}
        </div>
      </div>
      {tasks.map((t) => {
        const from = Math.max(0, dayIndex(t.startsOn, year));
        const to = Math.min(total, dayIndex(t.dueOn, year) + 1);
        const continues = t.dueOn > `${year}-12-31`;
        return (
          <div class="gantt-row">
            <div class="gantt-label">
              <span>{ctx.lang === 'en' ? t.titleEn : t.title}</span>
              <span class="owner" lang={zhPart(ctx)}>
                {t.ownerLabel}
              </span>
              <span class="state">
                {w.statuses[t.status]} · {continues ? w.nextYear(t.dueOn) : `${w.colDue} ${t.dueOn}`}
              </span>
            </div>
            <div class="gantt-track">
              {to > from ? <span class={`gantt-bar s-${t.status}${continues ? ' continues' : ''}`} style={`left:${pct(from / total)};width:${pct((to - from) / total)}`} /> : null}
              {todayAt !== null ? <span class="gantt-today" style={`left:${pct(todayAt)}`} /> : null}
            </div>
          </div>
        );
      })}
      <ul class="legend">
        {(['late', 'due_soon', 'in_progress', 'planned', 'done'] as const).map((s) => (
          <li>
            <span class={`swatch s-${s}`} />
            {w.statuses[s]}
          </li>
        ))}
        {todayAt !== null ? (
          <li>
            <span class="swatch" style="background:#b3261e;width:2px" />
            {w.today(today)}
          </li>
        ) : null}
      </ul>
    </div>
  );
}

/** The accessible equivalent of the chart (and the page's reference): one row per task. */
export function TaskTable({ ctx, year, tasks }: { ctx: PageCtx; year: number; tasks: TaskView[] }) {
  const w = calendarWords(ctx.lang);
  return (
    <div class="table-scroll">
      <table class="data">
        <caption>{w.tableCaption(year)}</caption>
        <thead>
          <tr>
            <th scope="col">{w.colTask}</th>
            <th scope="col">{w.colOwner}</th>
            <th scope="col">{w.colStart}</th>
            <th scope="col">{w.colDue}</th>
            <th scope="col">{w.colStatus}</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr>
              <th scope="row">
                {ctx.lang === 'en' ? t.titleEn : t.title}
                {t.description ? (
                  <span class="task-desc" lang={zhPart(ctx)}>
                    {t.description}
                  </span>
                ) : null}
              </th>
              <td lang={zhPart(ctx)}>{t.ownerLabel}</td>
              <td>
                <time dateTime={t.startsOn}>{t.startsOn}</time>
              </td>
              <td>
                <time dateTime={t.dueOn}>{t.dueOn}</time>
              </td>
              <td class={`status status-${t.status}`}>{w.statusDetail(t)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface YearPageProps {
  ctx: PageCtx;
  year: number;
  tasks: TaskView[];
  today: string;
  /** Years to link to (this one included). */
  years: number[];
  /** The working-day calendar of the year is loaded. */
  workingDaysKnown: boolean;
  canManage: boolean;
}

/** /calendar/<year>: the public annual work calendar (年度行事曆). */
export function CalendarYearPage({ ctx, year, tasks, today, years, workingDaysKnown, canManage }: YearPageProps) {
  const w = calendarWords(ctx.lang);
  return (
    <Layout ctx={ctx} title={w.title(year)} nav="none" head={<GanttStyles />}>
      <div class="container calendar-page">
        <Breadcrumb ctx={ctx} trail={[{ label: ctx.m.navHome, href: '/' }, { label: w.title(year) }]} />
        <h1>{w.title(year)}</h1>
        <p>{w.lead}</p>
        {!workingDaysKnown ? <p class="notice">{w.noWorkingDays(year)}</p> : null}
        <p>
          <a href={`/calendar/${year}.ics`} type="text/calendar" download={`calendar-${year}.ics`}>
            {w.ics}
          </a>
          <br />
          <span class="hint">{w.icsHint}</span>
        </p>
        {canManage ? (
          <p>
            <a href={ctx.href('/manage/calendar', { year })}>{w.manage}</a>
          </p>
        ) : null}
        <h2>{w.chartTitle}</h2>
        {tasks.length === 0 ? (
          <p>{w.none}</p>
        ) : (
          <>
            <p class="hint">{w.chartNote}</p>
            <YearChart ctx={ctx} year={year} tasks={tasks} today={today} />
            <TaskTable ctx={ctx} year={year} tasks={tasks} />
          </>
        )}
        <nav aria-labelledby="other-years">
          <h2 id="other-years">{w.otherYears}</h2>
          <ul class="years">
            {years.map((y) => (
              <li>{y === year ? <span aria-current="page">{w.title(y)}</span> : <a href={ctx.href(`/calendar/${y}`)}>{w.title(y)}</a>}</li>
            ))}
          </ul>
        </nav>
      </div>
    </Layout>
  );
}
