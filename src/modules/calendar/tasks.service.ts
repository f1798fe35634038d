import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { CalendarTasksTable, Database } from '../../db/types.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import { isIsoDay, taipeiDate } from '../../time.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { assertCan } from '../policy/policy.ts';
import type { UnitsService } from '../units/units.service.ts';
import type { User } from '../users/users.service.ts';
import type { CalendarService } from './calendar.service.ts';
import type { WorkingCalendar } from './working-days.ts';

/** One task of the plan's work schedule (plan-tasks.json), dates as month-day. */
export interface PlanTask {
  key: string;
  title: string;
  titleEn: string;
  description: string;
  ownerLabel: string;
  /** Unit names; [] = every unit; "@window" = the open-data window's unit. */
  ownerUnits: string[];
  start: string;
  deadline: string;
  deadlineNextYear?: boolean;
  basis: string;
}

const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** Keys of tasks the admin added (e.g. a third advisory meeting); only these may be removed. */
const ADDED = 'added-';

/** The plan's tasks, read and checked once (a broken file is a bug in the project, so it throws at start). */
export const PLAN_TASKS: readonly PlanTask[] = (() => {
  const raw = JSON.parse(readFileSync(new URL('./plan-tasks.json', import.meta.url), 'utf8')) as { tasks: PlanTask[] };
  const keys = new Set<string>();
  for (const t of raw.tasks) {
    if (!/^[a-z0-9-]+$/.test(t.key) || keys.has(t.key) || t.key.startsWith(ADDED)) throw new Error(`plan-tasks.json: bad or repeated key ${t.key}`);
    if (!MONTH_DAY.test(t.start) || !MONTH_DAY.test(t.deadline)) throw new Error(`plan-tasks.json: ${t.key}: start/deadline must be MM-DD`);
    if (!t.deadlineNextYear && t.start > t.deadline) throw new Error(`plan-tasks.json: ${t.key}: start after deadline`);
    keys.add(t.key);
  }
  return raw.tasks;
})();

export type TaskStatus = 'done' | 'late' | 'due_soon' | 'in_progress' | 'planned';
export const TASK_STATUSES: readonly TaskStatus[] = ['late', 'due_soon', 'in_progress', 'planned', 'done'];

export interface CalendarTask {
  id: string;
  year: number;
  key: string;
  title: string;
  titleEn: string;
  description: string;
  ownerLabel: string;
  /** Unit names reminded; [] = every unit. */
  ownerUnits: string[];
  startsOn: string;
  dueOn: string;
  done: boolean;
  doneAt: string | null;
  doneBy: string | null;
  position: number;
  updatedAt: string;
  /** Added by the admin (not from the plan): may be removed. */
  added: boolean;
}

/** A task as shown on a day: its status and the working days to its deadline (negative when late). */
export interface TaskView extends CalendarTask {
  status: TaskStatus;
  workingDaysLeft: number;
}

/** What the admin may change (and must give when adding). */
export interface TaskInput {
  title?: string;
  titleEn?: string;
  description?: string;
  ownerLabel?: string;
  ownerUnits?: string[];
  startsOn?: string;
  dueOn?: string;
}

/** A stored task as the service and the daily run read it. */
export const toTask = (r: CalendarTasksTable): CalendarTask => ({
  id: r.id,
  year: Number(r.year),
  key: r.task_key,
  title: r.title,
  titleEn: r.title_en,
  description: r.description ?? '',
  ownerLabel: r.owner_label,
  ownerUnits: JSON.parse(r.owner_units_json) as string[],
  startsOn: r.starts_on,
  dueOn: r.due_on,
  done: r.status === 'done',
  doneAt: r.done_at,
  doneBy: r.done_by,
  position: Number(r.position),
  updatedAt: r.updated_at,
  added: r.task_key.startsWith(ADDED),
});
const snapshot = (t: CalendarTask) => ({ title: t.title, titleEn: t.titleEn, description: t.description, ownerLabel: t.ownerLabel, ownerUnits: t.ownerUnits, startsOn: t.startsOn, dueOn: t.dueOn, done: t.done });
const actorOf = (user: User) => ({ id: user.id, label: user.email });

/**
 * The annual work calendar (年度行事曆, issue 6): the plan's tasks of a year, made from
 * plan-tasks.json on first use, edited by the admin (`calendar.manage`), every change audited.
 * Statuses are counted in working days (the stored 辦公日曆).
 */
export class CalendarTasksService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly units: UnitsService,
    private readonly calendar: CalendarService,
    private readonly config: Config,
  ) {}

  /**
   * Creates the year's tasks from the plan, once. Safe to call any number of times, from several
   * instances at once: each task is inserted with ON CONFLICT (year, task_key) DO NOTHING, so a
   * task the admin edited (or removed… plan tasks cannot be removed) is never touched again. Not
   * audited: nobody decides anything here, the shipped plan is copied; edits are audited.
   */
  async ensureYear(year: number): Promise<void> {
    if (!Number.isInteger(year) || year < 2000 || year > 2200) throw new AppError('CALENDAR_YEAR_INVALID', 400, `年度「${year}」不正確`, `"${year}" is not a year`);
    const k = this.db.kysely;
    const have = await k.selectFrom('calendar_tasks').select('task_key').where('year', '=', year).execute();
    const stored = new Set(have.map((r) => r.task_key));
    const missing = PLAN_TASKS.filter((t) => !stored.has(t.key));
    if (missing.length === 0) return;
    const window = (await this.units.window()).name;
    const now = new Date().toISOString();
    await k.transaction().execute(async (trx) => {
      for (const t of missing) {
        await trx
          .insertInto('calendar_tasks')
          .values({
            id: randomUUID(),
            year,
            task_key: t.key,
            title: t.title,
            title_en: t.titleEn,
            description: t.description,
            owner_label: t.ownerLabel,
            owner_units_json: JSON.stringify(t.ownerUnits.map((u) => (u === '@window' ? window : u))),
            starts_on: `${year}-${t.start}`,
            due_on: `${t.deadlineNextYear ? year + 1 : year}-${t.deadline}`,
            status: 'planned',
            done_at: null,
            done_by: null,
            position: PLAN_TASKS.indexOf(t) * 10,
            updated_at: now,
          })
          .onConflict((oc) => oc.columns(['year', 'task_key']).doNothing())
          .execute();
      }
    });
  }

  /** The years that have tasks stored, newest first. */
  async years(): Promise<number[]> {
    const rows = await this.db.kysely.selectFrom('calendar_tasks').select('year').distinct().orderBy('year', 'desc').execute();
    return rows.map((r) => Number(r.year));
  }

  /**
   * Whether `year` can be shown: it has tasks, or it is this year or the next (Taipei), whose
   * tasks are made on first view. Other years answer 404 rather than being made up by a visit.
   */
  async viewable(year: number, today = taipeiDate()): Promise<boolean> {
    const current = Number(today.slice(0, 4));
    if (year === current || year === current + 1) return true;
    return (await this.years()).includes(year);
  }

  /** The year's tasks in order (deadline, then the plan's order). */
  async list(year: number): Promise<CalendarTask[]> {
    const rows = await this.db.kysely.selectFrom('calendar_tasks').selectAll().where('year', '=', year).orderBy('starts_on').orderBy('position').orderBy('due_on').execute();
    return rows.map(toTask);
  }

  /** The year's tasks with their status as of `today`, counted on the working-day calendar. */
  async view(year: number, today = taipeiDate(), cal?: WorkingCalendar): Promise<TaskView[]> {
    const wc = cal ?? (await this.calendar.calendar());
    return (await this.list(year)).map((t) => ({ ...t, ...statusOf(t, today, wc, this.config.followup.calendarRemindDays) }));
  }

  async get(id: string): Promise<CalendarTask> {
    const r = await this.db.kysely.selectFrom('calendar_tasks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('calendar_task', '行事曆工作項目', id);
    return toTask(r);
  }

  /** Changes a task's titles, dates or owner; everything checked first, nothing written on any problem. */
  async update(id: string, input: TaskInput, user: User): Promise<CalendarTask> {
    assertCan(user, 'calendar.manage');
    // Read before the transaction: SQLite has one connection, which the transaction holds.
    const known = await this.unitNames();
    return this.audit.transaction(async (trx) => {
      const before = await this.locked(trx, id);
      const next = this.validated(before.year, { ...before, ...defined(input) }, known);
      await trx
        .updateTable('calendar_tasks')
        .set({ title: next.title, title_en: next.titleEn, description: next.description, owner_label: next.ownerLabel, owner_units_json: JSON.stringify(next.ownerUnits), starts_on: next.startsOn, due_on: next.dueOn, updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
      const after = await this.locked(trx, id);
      await this.audit.record(trx, { actor: actorOf(user), action: 'calendar.task.update', entityType: 'calendar_task', entityId: id, before: snapshot(before), after: snapshot(after) });
      return after;
    });
  }

  /** Adds a task to a year (e.g. a third advisory meeting); it may later be removed. */
  async add(year: number, input: TaskInput, user: User): Promise<CalendarTask> {
    assertCan(user, 'calendar.manage');
    if (!(await this.viewable(year))) throw new AppError('CALENDAR_YEAR_INVALID', 400, `${year} 年沒有行事曆（只能新增到今年、明年或已有工作項目的年度）`, `${year} has no calendar (tasks can be added to this year, next year or a year that has tasks)`, { year: [`${year} 年沒有行事曆 / ${year} has no calendar`] });
    await this.ensureYear(year);
    const next = this.validated(year, {
      title: input.title ?? '',
      titleEn: input.titleEn ?? '',
      description: input.description ?? '',
      ownerLabel: input.ownerLabel ?? '',
      ownerUnits: input.ownerUnits ?? [],
      startsOn: input.startsOn ?? '',
      dueOn: input.dueOn ?? '',
    }, await this.unitNames());
    return this.audit.transaction(async (trx) => {
      const id = randomUUID();
      const last = await trx.selectFrom('calendar_tasks').select('position').where('year', '=', year).orderBy('position', 'desc').executeTakeFirst();
      await trx
        .insertInto('calendar_tasks')
        .values({
          id,
          year,
          task_key: `${ADDED}${id.slice(0, 8)}`,
          title: next.title,
          title_en: next.titleEn,
          description: next.description,
          owner_label: next.ownerLabel,
          owner_units_json: JSON.stringify(next.ownerUnits),
          starts_on: next.startsOn,
          due_on: next.dueOn,
          status: 'planned',
          done_at: null,
          done_by: null,
          position: (last ? Number(last.position) : 0) + 10,
          updated_at: new Date().toISOString(),
        })
        .execute();
      const task = await this.locked(trx, id);
      await this.audit.record(trx, { actor: actorOf(user), action: 'calendar.task.add', entityType: 'calendar_task', entityId: id, before: null, after: { year, key: task.key, ...snapshot(task) } });
      return task;
    });
  }

  /** Marks a task done (today, by the admin). */
  async markDone(id: string, user: User): Promise<CalendarTask> {
    return this.setDone(id, true, user);
  }

  /** Reopens a task marked done by mistake. */
  async reopen(id: string, user: User): Promise<CalendarTask> {
    return this.setDone(id, false, user);
  }

  /** Removes a task the admin added; the plan's own tasks can only be edited. */
  async remove(id: string, user: User): Promise<void> {
    assertCan(user, 'calendar.manage');
    await this.audit.transaction(async (trx) => {
      const before = await this.locked(trx, id);
      if (!before.added) throw new AppError('CALENDAR_TASK_FROM_PLAN', 409, `「${before.title}」是行動方案的工作項目，只能修改，不能刪除`, `"${before.titleEn}" is a task of the action plan: it can be edited, not removed`);
      await trx.deleteFrom('calendar_tasks').where('id', '=', id).execute();
      await this.audit.record(trx, { actor: actorOf(user), action: 'calendar.task.remove', entityType: 'calendar_task', entityId: id, before: { year: before.year, key: before.key, ...snapshot(before) }, after: null });
    });
  }

  private async setDone(id: string, done: boolean, user: User): Promise<CalendarTask> {
    assertCan(user, 'calendar.manage');
    return this.audit.transaction(async (trx) => {
      const before = await this.locked(trx, id);
      if (before.done === done) return before;
      await trx
        .updateTable('calendar_tasks')
        .set({ status: done ? 'done' : 'planned', done_at: done ? taipeiDate() : null, done_by: done ? user.id : null, updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
      const after = await this.locked(trx, id);
      await this.audit.record(trx, { actor: actorOf(user), action: done ? 'calendar.task.done' : 'calendar.task.reopen', entityType: 'calendar_task', entityId: id, before: { done: before.done, doneAt: before.doneAt }, after: { done: after.done, doneAt: after.doneAt } });
      return after;
    });
  }

  private async locked(trx: Kysely<Database>, id: string): Promise<CalendarTask> {
    const r = await trx.selectFrom('calendar_tasks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('calendar_task', '行事曆工作項目', id);
    return toTask(r);
  }

  /**
   * Checks a task's fields, naming every problem by field in zh-TW and English (the form shows
   * each at its control): titles and owner given, dates real, the start in the task's year, the
   * deadline in it or the next (the year-end evaluation runs into the first quarter), start ≤
   * deadline, owner units known.
   */
  private async unitNames(): Promise<Set<string>> {
    return new Set((await this.units.list()).map((u) => u.name));
  }

  private validated(year: number, v: Required<TaskInput>, known: Set<string>): Required<TaskInput> {
    const errors: Record<string, string[]> = {};
    const add = (field: string, zh: string, en: string) => (errors[field] ??= []).push(`${zh} / ${en}`);
    const out = {
      title: v.title.trim(),
      titleEn: v.titleEn.trim(),
      description: v.description.trim(),
      ownerLabel: v.ownerLabel.trim(),
      ownerUnits: [...new Set(v.ownerUnits.map((u) => u.trim()).filter(Boolean))],
      startsOn: v.startsOn.trim(),
      dueOn: v.dueOn.trim(),
    };
    if (!out.title) add('title', '請填寫工作項目名稱', 'Enter the task’s name');
    else if (out.title.length > 200) add('title', '名稱請勿超過 200 字', 'The name must be at most 200 characters');
    if (!out.titleEn) add('titleEn', '請填寫英文名稱', 'Enter the task’s English name');
    else if (out.titleEn.length > 200) add('titleEn', '英文名稱請勿超過 200 字', 'The English name must be at most 200 characters');
    if (out.description.length > 2000) add('description', '說明請勿超過 2000 字', 'The description must be at most 2000 characters');
    if (!out.ownerLabel) add('ownerLabel', '請填寫主／協辦單位（例如：主計資訊處／各單位）', 'Enter who is in charge (e.g. 主計資訊處／各單位)');
    else if (out.ownerLabel.length > 100) add('ownerLabel', '主／協辦單位請勿超過 100 字', 'Who is in charge must be at most 100 characters');
    const startOk = isIsoDay(out.startsOn);
    const dueOk = isIsoDay(out.dueOn);
    if (!out.startsOn) add('startsOn', '請填寫開始日期（YYYY-MM-DD）', 'Enter the start date (YYYY-MM-DD)');
    else if (!startOk) add('startsOn', `開始日期「${out.startsOn}」不是有效日期，請寫成 YYYY-MM-DD（例如 ${year}-04-01）`, `The start date "${out.startsOn}" is not a date: write it as YYYY-MM-DD (e.g. ${year}-04-01)`);
    else if (Number(out.startsOn.slice(0, 4)) !== year) add('startsOn', `開始日期須在 ${year} 年內`, `The start date must be in ${year}`);
    if (!out.dueOn) add('dueOn', '請填寫截止日期（YYYY-MM-DD）', 'Enter the deadline (YYYY-MM-DD)');
    else if (!dueOk) add('dueOn', `截止日期「${out.dueOn}」不是有效日期，請寫成 YYYY-MM-DD（例如 ${year}-05-31）`, `The deadline "${out.dueOn}" is not a date: write it as YYYY-MM-DD (e.g. ${year}-05-31)`);
    else if (Number(out.dueOn.slice(0, 4)) !== year && Number(out.dueOn.slice(0, 4)) !== year + 1) add('dueOn', `截止日期須在 ${year} 年或 ${year + 1} 年內`, `The deadline must be in ${year} or ${year + 1}`);
    if (startOk && dueOk && out.startsOn > out.dueOn) add('dueOn', `截止日期（${out.dueOn}）不可早於開始日期（${out.startsOn}）`, `The deadline (${out.dueOn}) cannot be before the start date (${out.startsOn})`);
    if (out.ownerUnits.length > 0) {
      const unknown = out.ownerUnits.filter((u) => !known.has(u));
      if (unknown.length > 0) add('ownerUnits', `沒有這些單位：${unknown.join('、')}`, `No such unit: ${unknown.join(', ')}`);
    }
    if (Object.keys(errors).length > 0) throw invalid(errors);
    return out;
  }
}

/** The fields given (undefined ones left as they were). */
function defined(input: TaskInput): Partial<Required<TaskInput>> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/**
 * A task's status on `today`: done; late (deadline passed); due soon (within `remindDays`
 * working days of the deadline — when its owners are reminded); in progress (started); planned.
 */
export function statusOf(t: Pick<CalendarTask, 'done' | 'startsOn' | 'dueOn'>, today: string, cal: WorkingCalendar, remindDays: number): { status: TaskStatus; workingDaysLeft: number } {
  const workingDaysLeft = cal.workingDaysBetween(today, t.dueOn);
  if (t.done) return { status: 'done', workingDaysLeft };
  if (today > t.dueOn) return { status: 'late', workingDaysLeft };
  if (workingDaysLeft <= remindDays) return { status: 'due_soon', workingDaysLeft };
  if (today >= t.startsOn) return { status: 'in_progress', workingDaysLeft };
  return { status: 'planned', workingDaysLeft };
}
