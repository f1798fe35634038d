import type { Lang } from '../../../i18n.ts';
import type { CalendarYear } from '../../../modules/calendar/working-days.ts';
import type { TaskInput, TaskView } from '../../../modules/calendar/tasks.service.ts';
import { Breadcrumb, zhPart } from '../../components.tsx';
import type { PageCtx } from '../../context.ts';
import { Layout } from '../../layout.tsx';
import { calendarWords, GanttStyles } from '../calendar.tsx';
import { CsrfField } from '../signin.tsx';
import type { FieldError, Option } from './dataset-form.tsx';
import { Control, ErrorSummary } from './editor.tsx';
import { manageMessages } from './manage-messages.ts';

export function manageCalendarWords(lang: Lang) {
  const en = lang === 'en';
  return {
    title: en ? 'Annual work calendar: edit' : '年度行事曆管理',
    lead: en
      ? 'Edit the year’s tasks (names, dates, who is in charge), mark them done, or add one (e.g. a third advisory meeting). Every change is recorded in the audit trail.'
      : '調整年度工作項目的名稱、期間與主／協辦單位，標記完成，或新增工作項目（例如第三次諮詢小組會議）。每項變更皆記錄於稽核軌跡。',
    year: (y: number) => (en ? `Year ${y}` : `${y} 年度`),
    publicPage: en ? 'Public page of the year' : '本年度公開頁面',
    tasksHeading: en ? 'Tasks' : '工作項目',
    edit: en ? 'Edit' : '修改',
    save: en ? 'Save' : '儲存',
    markDone: en ? 'Mark done' : '標記為已完成',
    reopen: en ? 'Reopen' : '重新開啟',
    remove: en ? 'Remove this task' : '刪除此工作項目',
    addHeading: en ? 'Add a task' : '新增工作項目',
    add: en ? 'Add the task' : '新增',
    fTitle: en ? 'Name (Chinese)' : '工作項目名稱',
    fTitleEn: en ? 'Name (English)' : '英文名稱',
    fDescription: en ? 'Description' : '說明',
    fOwnerLabel: en ? 'In charge (as written in the plan)' : '主／協辦單位（顯示文字）',
    fOwnerLabelHint: en ? 'E.g. 主計資訊處／各單位.' : '例如：主計資訊處／各單位。',
    fOwnerUnits: en ? 'Units reminded before the deadline' : '截止前提醒的單位',
    fOwnerUnitsHint: en ? 'None ticked: every unit’s contacts are reminded. The open-data window is always told when a task is late.' : '都不勾選：提醒各單位聯絡人。逾期時一律通知資料開放窗口。',
    fStartsOn: en ? 'Start date' : '開始日期',
    fDueOn: en ? 'Deadline' : '截止日期',
    fDateHint: en ? 'YYYY-MM-DD' : '格式 YYYY-MM-DD',
    done: {
      saved: en ? 'The task was saved.' : '工作項目已儲存。',
      added: en ? 'The task was added.' : '工作項目已新增。',
      done: en ? 'The task was marked done.' : '工作項目已標記為完成。',
      reopened: en ? 'The task was reopened.' : '工作項目已重新開啟。',
      removed: en ? 'The task was removed.' : '工作項目已刪除。',
      loaded: en ? 'The government office calendar was loaded (recorded in the audit trail).' : '辦公日曆表已載入（已記錄於稽核軌跡）。',
    } as Record<string, string>,
    wdHeading: en ? 'Government office calendars loaded (working days)' : '已載入的政府行政機關辦公日曆表（工作天計算）',
    wdCaption: en ? 'Years loaded, with their source and counts' : '已載入年度、來源與日數',
    wdYear: en ? 'Year' : '年度',
    wdSource: en ? 'Source' : '資料來源',
    wdHolidays: en ? 'Weekdays off' : '平日放假日',
    wdWorkdays: en ? 'Make-up working days' : '補行上班日',
    wdMissing: (ys: number[]) =>
      en
        ? `Not loaded: ${ys.join(', ')}. Until it is, deadlines in that year are counted on weekends only.`
        : `尚未載入：${ys.join('、')} 年。載入前，該年的截止日僅扣除週末計算工作天。`,
    wdFormHeading: en ? 'Load or replace a year' : '載入或更新一年',
    wdJson: en ? 'The year’s calendar (JSON)' : '辦公日曆表（JSON）',
    wdJsonHint: en
      ? 'Paste the file’s content, written like src/modules/calendar/years/2026.json: year, title, source (the Executive Yuan letter and where it was published), holidays (weekdays off) and workdays (make-up Saturdays). A file with any problem loads nothing and each problem is listed.'
      : '貼上檔案內容，格式同 src/modules/calendar/years/2026.json：year、title、source（行政院函號與公告網址）、holidays（平日放假日）、workdays（補行上班日）。有任何問題則不載入，並逐項列出。',
    wdLoad: en ? 'Load' : '載入',
    wdBadJson: (msg: string) => (en ? `This is not valid JSON: ${msg}` : `不是有效的 JSON：${msg}`),
    wdHow: en
      ? '行政院人事行政總處 publishes next year’s calendar around June. Load it below, or from the command line: `kaifang calendar load <year>.json`.'
      : '行政院人事行政總處通常於前一年6月公布次年辦公日曆表。可於下方載入，或在命令列執行 `kaifang calendar load <年度>.json`。',
  };
}

/** The form's values as typed (strings), for a task being edited or added. */
export interface TaskFormValues {
  title: string;
  titleEn: string;
  description: string;
  ownerLabel: string;
  ownerUnits: string[];
  startsOn: string;
  dueOn: string;
}

export const taskValues = (t: TaskView): TaskFormValues => ({ title: t.title, titleEn: t.titleEn, description: t.description, ownerLabel: t.ownerLabel, ownerUnits: t.ownerUnits, startsOn: t.startsOn, dueOn: t.dueOn });
export const emptyTaskValues = (): TaskFormValues => ({ title: '', titleEn: '', description: '', ownerLabel: '', ownerUnits: [], startsOn: '', dueOn: '' });

const one = (v: unknown): string => (typeof v === 'string' ? v : '');
/** Reads a posted task form (anything else posted is ignored). */
export function readTaskForm(body: Record<string, unknown>): TaskFormValues {
  const units = body.ownerUnits;
  return {
    title: one(body.title),
    titleEn: one(body.titleEn),
    description: one(body.description),
    ownerLabel: one(body.ownerLabel),
    ownerUnits: Array.isArray(units) ? units.map(one) : typeof units === 'string' ? [units] : [],
    startsOn: one(body.startsOn),
    dueOn: one(body.dueOn),
  };
}
export const toTaskInput = (v: TaskFormValues): Required<TaskInput> => ({ ...v });

/** Field ids of one form: `t-<task id>-<field>` (or `new-<field>` for the add form). */
export const taskFieldId = (formId: string, field: string): string => `${formId}-${field}`;
const FIELDS = ['title', 'titleEn', 'ownerLabel', 'ownerUnits', 'startsOn', 'dueOn', 'description'] as const;

/** The problem list of a refused form, in the form's order, each linked to its field. */
export function taskErrors(formId: string, details: Record<string, string[]>, lang: Lang): FieldError[] {
  const w = manageCalendarWords(lang);
  const label: Record<string, string> = { title: w.fTitle, titleEn: w.fTitleEn, description: w.fDescription, ownerLabel: w.fOwnerLabel, ownerUnits: w.fOwnerUnits, startsOn: w.fStartsOn, dueOn: w.fDueOn };
  const out: FieldError[] = [];
  for (const f of [...FIELDS, ...Object.keys(details).filter((k) => !(FIELDS as readonly string[]).includes(k))]) {
    for (const m of details[f] ?? []) {
      const i = m.indexOf(' / ');
      out.push({ id: label[f] ? taskFieldId(formId, f) : null, label: label[f] ?? f, message: i < 0 ? m : lang === 'en' ? m.slice(i + 3) : m.slice(0, i) });
    }
  }
  return out;
}

function TaskFields({ ctx, formId, values, errors, units }: { ctx: PageCtx; formId: string; values: TaskFormValues; errors: FieldError[]; units: Option[] }) {
  const w = manageCalendarWords(ctx.lang);
  const mm = manageMessages(ctx.lang);
  const at = (f: string) => errors.filter((e) => e.id === taskFieldId(formId, f)).map((e) => e.message);
  const date = (f: 'startsOn' | 'dueOn', label: string) => {
    const id = taskFieldId(formId, f);
    const msgs = at(f);
    return (
      <div class={`form-field${msgs.length > 0 ? ' has-error' : ''}`}>
        <label for={id}>
          {label} <span class="req">{`（${mm.required}）`}</span>
        </label>
        <p id={`${id}-hint`} class="hint">
          {w.fDateHint}
        </p>
        {msgs.length > 0 ? (
          <p id={`${id}-error`} class="field-error">
            {msgs.join(' ')}
          </p>
        ) : null}
        {/* A date input needs no script; browsers without one show a text box taking YYYY-MM-DD. */}
        <input type="date" id={id} name={f} value={values[f]} required aria-describedby={[`${id}-hint`, msgs.length > 0 ? `${id}-error` : ''].filter(Boolean).join(' ')} aria-invalid={msgs.length > 0 ? 'true' : undefined} />
      </div>
    );
  };
  const unitErrors = at('ownerUnits');
  const unitsId = taskFieldId(formId, 'ownerUnits');
  return (
    <>
      <Control ctx={ctx} id={taskFieldId(formId, 'title')} name="title" label={w.fTitle} required kind="text" value={values.title} messages={at('title')} />
      <Control ctx={ctx} id={taskFieldId(formId, 'titleEn')} name="titleEn" label={w.fTitleEn} required kind="text" value={values.titleEn} messages={at('titleEn')} />
      <Control ctx={ctx} id={taskFieldId(formId, 'ownerLabel')} name="ownerLabel" label={w.fOwnerLabel} hint={w.fOwnerLabelHint} required kind="text" value={values.ownerLabel} messages={at('ownerLabel')} />
      <fieldset id={unitsId} class={unitErrors.length > 0 ? 'has-error' : undefined} aria-describedby={[`${unitsId}-hint`, unitErrors.length > 0 ? `${unitsId}-error` : ''].filter(Boolean).join(' ')}>
        <legend>{w.fOwnerUnits}</legend>
        <p id={`${unitsId}-hint`} class="hint">
          {w.fOwnerUnitsHint}
        </p>
        {unitErrors.length > 0 ? (
          <p id={`${unitsId}-error`} class="field-error">
            {unitErrors.join(' ')}
          </p>
        ) : null}
        {units.map((u) => (
          <p class="checkbox">
            <input type="checkbox" id={`${unitsId}-${u.value}`} name="ownerUnits" value={u.value} checked={values.ownerUnits.includes(u.value)} />{' '}
            <label for={`${unitsId}-${u.value}`}>{u.label}</label>
          </p>
        ))}
      </fieldset>
      {date('startsOn', w.fStartsOn)}
      {date('dueOn', w.fDueOn)}
      <Control ctx={ctx} id={taskFieldId(formId, 'description')} name="description" label={w.fDescription} kind="textarea" value={values.description} messages={at('description')} />
    </>
  );
}

export interface ManageCalendarProps {
  ctx: PageCtx;
  year: number;
  years: number[];
  tasks: TaskView[];
  units: Option[];
  /** A refused form: which one (a task id, or "new"), as typed, and its problems. */
  failed?: { formId: string; values: TaskFormValues; errors: FieldError[] };
  done?: string;
  workingYears: CalendarYear[];
  /** Years of the calendar shown or coming up whose working days are not loaded. */
  missingYears: number[];
  /** The working-day form as posted, with its problems (refused). */
  wdForm?: { value: string; errors: FieldError[] };
}

export const WD_FIELD = 'wd-json';

/** /manage/calendar: the admin edits the year's tasks (forms that work without JavaScript). */
export function ManageCalendarPage({ ctx, year, years, tasks, units, failed, done, workingYears, missingYears, wdForm }: ManageCalendarProps) {
  const w = manageCalendarWords(ctx.lang);
  const cw = calendarWords(ctx.lang);
  const mm = manageMessages(ctx.lang);
  const action = (path: string) => ctx.href(path);
  return (
    <Layout ctx={ctx} title={`${w.title}：${w.year(year)}`} nav="manage" head={<GanttStyles />}>
      <div class="container back-office manage calendar-page">
        <Breadcrumb ctx={ctx} trail={[{ label: mm.navManage, href: '/manage' }, { label: w.title }]} />
        <h1>
          {w.title}：{w.year(year)}
        </h1>
        {failed ? <ErrorSummary ctx={ctx} errors={failed.errors} /> : null}
        {wdForm ? <ErrorSummary ctx={ctx} errors={wdForm.errors} /> : null}
        {done && w.done[done] ? (
          <p class="notice notice-ok" role="status">
            {w.done[done]}
          </p>
        ) : null}
        <p>{w.lead}</p>
        <nav aria-label={cw.otherYears}>
          <ul class="years">
            {years.map((y) => (
              <li>{y === year ? <span aria-current="page">{w.year(y)}</span> : <a href={ctx.href('/manage/calendar', { year: y })}>{w.year(y)}</a>}</li>
            ))}
            <li>
              <a href={ctx.href(`/calendar/${year}`)}>{w.publicPage}</a>
            </li>
          </ul>
        </nav>

        <h2>{w.tasksHeading}</h2>
        {tasks.map((t) => {
          const formId = `t-${t.id}`;
          const mine = failed?.formId === formId ? failed : undefined;
          const title = ctx.lang === 'en' ? t.titleEn : t.title;
          return (
            <section class="task-block" aria-labelledby={`${formId}-h`}>
              <h3 id={`${formId}-h`}>{title}</h3>
              <p>
                <span lang={zhPart(ctx)}>{t.ownerLabel}</span> · {t.startsOn} – {t.dueOn} · <span class={`status status-${t.status}`}>{cw.statusDetail(t)}</span>
              </p>
              <div class="actions">
                <form method="post" action={action(`/manage/calendar/tasks/${t.id}/${t.done ? 'reopen' : 'done'}`)}>
                  <CsrfField ctx={ctx} />
                  <button type="submit" class={t.done ? 'button button-secondary' : 'button'}>
                    {t.done ? w.reopen : w.markDone}
                    <span class="visually-hidden">：{title}</span>
                  </button>
                </form>
                {t.added ? (
                  <form method="post" action={action(`/manage/calendar/tasks/${t.id}/remove`)}>
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="button button-secondary">
                      {w.remove}
                      <span class="visually-hidden">：{title}</span>
                    </button>
                  </form>
                ) : null}
              </div>
              <details open={mine !== undefined}>
                <summary>
                  {w.edit}
                  <span class="visually-hidden">：{title}</span>
                </summary>
                <form method="post" action={action(`/manage/calendar/tasks/${t.id}`)} class="form-stack" novalidate>
                  <CsrfField ctx={ctx} />
                  <TaskFields ctx={ctx} formId={formId} values={mine?.values ?? taskValues(t)} errors={mine?.errors ?? []} units={units} />
                  <div class="actions">
                    <button type="submit" class="button">
                      {w.save}
                    </button>
                  </div>
                </form>
              </details>
            </section>
          );
        })}

        <section aria-labelledby="add-h">
          <h2 id="add-h">{w.addHeading}</h2>
          <form method="post" action={action('/manage/calendar/tasks')} class="form-stack" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="year" value={String(year)} />
            <TaskFields ctx={ctx} formId="new" values={failed?.formId === 'new' ? failed.values : emptyTaskValues()} errors={failed?.formId === 'new' ? failed.errors : []} units={units} />
            <div class="actions">
              <button type="submit" class="button">
                {w.add}
              </button>
            </div>
          </form>
        </section>

        <section aria-labelledby="wd-h">
          <h2 id="wd-h">{w.wdHeading}</h2>
          {missingYears.length > 0 ? <p class="notice">{w.wdMissing(missingYears)}</p> : null}
          <div class="table-scroll">
            <table class="data">
              <caption>{w.wdCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{w.wdYear}</th>
                  <th scope="col">{w.wdSource}</th>
                  <th scope="col">{w.wdHolidays}</th>
                  <th scope="col">{w.wdWorkdays}</th>
                </tr>
              </thead>
              <tbody>
                {workingYears.map((y) => (
                  <tr>
                    <th scope="row" class="year">
                      {y.year}
                    </th>
                    <td lang={zhPart(ctx)}>
                      {y.title}
                      <span class="task-desc">{y.source}</span>
                    </td>
                    <td>{y.holidays.length}</td>
                    <td>{y.workdays.length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="hint">{w.wdHow}</p>
          <h3>{w.wdFormHeading}</h3>
          <form method="post" action={action('/manage/calendar/working-days')} class="form-stack" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="year" value={String(year)} />
            <Control ctx={ctx} id={WD_FIELD} name="json" label={w.wdJson} hint={w.wdJsonHint} required kind="textarea" value={wdForm?.value ?? ''} messages={(wdForm?.errors ?? []).map((e) => e.message)} />
            <div class="actions">
              <button type="submit" class="button">
                {w.wdLoad}
              </button>
            </div>
          </form>
        </section>
      </div>
    </Layout>
  );
}
