import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { addDays, daysBetween, isIsoDay, taipeiDate } from '../../time.ts';
import type { CalendarService } from '../calendar/calendar.service.ts';
import type { WorkingCalendar } from '../calendar/working-days.ts';
import { parseFrequency } from '../catalogue/national.ts';
import { loadSchedule } from '../inventory/schedule.ts';
import type { ScheduleEntry } from '../inventory/inventory.types.ts';
import type { NotificationService } from '../notifications/notifications.service.ts';
import type { Message } from '../notifications/notifications.templates.ts';
import { assertCan, can, type Actor } from '../policy/policy.ts';
import { lastUpdateOf, timeliness } from '../quality/checks/dataset.ts';
import { toTask } from '../calendar/tasks.service.ts';
import type { Unit, UnitsService } from '../units/units.service.ts';
import { usersWithRole } from '../users/recipients.ts';
import type { Role } from '../users/users.service.ts';
import { datasetLate, datasetReminder, itemLate, itemReminder, taskLate, taskReminder } from './followup.messages.ts';

export const FOLLOWUP_KINDS = ['dataset_update', 'schedule_item', 'calendar_task'] as const;
export type FollowupKind = (typeof FOLLOWUP_KINDS)[number];
export const STAGES = ['reminder', 'overdue', 'escalated'] as const;
export type Stage = (typeof STAGES)[number];

/** What one run as of a day did (`sent`: notifications this run created, 0 when the day had run already). */
export interface DailySummary {
  asOf: string;
  sent: number;
  /** Ledger rows written by this run, by stage … */
  reminders: number;
  overdue: number;
  escalated: number;
  /** … and by kind. */
  byKind: Record<FollowupKind, number>;
  /** Followed this day: published continuing datasets, approved open items not opened, calendar tasks not done. */
  datasets: number;
  items: number;
  tasks: number;
  /** Of those, late on the day. */
  late: { datasets: number; items: number; tasks: number };
  /** Follow-ups due this day that an earlier run (or another instance) had already sent. */
  already: number;
  /** Stopped early (`limit`): the rest is sent by the next run. */
  partial: boolean;
}

/** The dates that decide a subject's stage: reminders from `remindFrom` to `due`; overdue from `overdueFrom`; escalated from `escalateFrom`. */
export interface StageDates {
  remindFrom: string | null;
  due: string;
  overdueFrom: string;
  escalateFrom: string | null;
}

/**
 * Escalation `escalateDays` working days after the due date, but never on the day the lateness is
 * first told (a long grace or a short escalation would otherwise skip the reviewers' notice).
 */
const escalationDay = (overdueFrom: string, byWorkingDays: string): string => {
  const earliest = addDays(overdueFrom, 1);
  return earliest > byWorkingDays ? earliest : byWorkingDays;
};

/** A real calendar date written YYYY-MM-DD, or AppError BAD_DATE naming what was given. */
export function checkAsOf(value: string): string {
  const v = value.trim();
  if (!isIsoDay(v)) {
    throw new AppError('BAD_DATE', 400, `日期「${value}」格式錯誤，請寫成 YYYY-MM-DD（例如 2026-03-31）`, `the date "${value}" is not a date written YYYY-MM-DD (e.g. 2026-03-31)`, { asOf: [`須為 YYYY-MM-DD / must be YYYY-MM-DD`] });
  }
  return v;
}

/**
 * The one stage due on `asOf` — the latest that applies, so a subject first seen late gets its
 * overdue notice (or escalation) and never a reminder after its due date; null when nothing is due.
 */
export function selectStage(asOf: string, d: StageDates): Stage | null {
  if (d.escalateFrom !== null && asOf >= d.escalateFrom) return 'escalated';
  if (asOf >= d.overdueFrom) return 'overdue';
  if (d.remindFrom !== null && asOf >= d.remindFrom && asOf <= d.due) return 'reminder';
  return null;
}

/** A published continuing dataset with its next due date (the quality engine's timeliness rule). */
export interface DatasetDue {
  id: string;
  name: string;
  title: string;
  unitId: string;
  unit: string;
  frequency: string;
  lastUpdate: string;
  due: string;
  /** Past due + grace (timeliness fails). */
  late: boolean;
  daysLate: number;
  workingDaysLate: number;
}

export interface LedgerEntry {
  stage: Stage;
  asOf: string;
  sent: number;
}

export interface OverdueDataset extends Omit<DatasetDue, 'late' | 'unitId'> {
  followups: LedgerEntry[];
}

export interface OverdueItem {
  id: string;
  name: string;
  year: number;
  unit: string;
  plannedDate: string;
  daysLate: number;
  workingDaysLate: number;
  datasetName: string | null;
  followups: LedgerEntry[];
}

export interface OverdueUnit {
  unit: string;
  title: string;
  titleEn: string;
  datasets: OverdueDataset[];
  items: OverdueItem[];
}

export interface OverdueReport {
  asOf: string;
  units: OverdueUnit[];
}

interface Candidate {
  kind: FollowupKind;
  subjectId: string;
  unitId: string | null;
  due: string;
  stage: Stage;
  recipients: () => Promise<string[]>;
  message: Message;
  link: string;
}

const emptySummary = (asOf: string): DailySummary => ({
  asOf,
  sent: 0,
  reminders: 0,
  overdue: 0,
  escalated: 0,
  byKind: { dataset_update: 0, schedule_item: 0, calendar_task: 0 },
  datasets: 0,
  items: 0,
  tasks: 0,
  late: { datasets: 0, items: 0, tasks: 0 },
  already: 0,
  partial: false,
});

const STAGE_COUNTER: Record<Stage, 'reminders' | 'overdue' | 'escalated'> = { reminder: 'reminders', overdue: 'overdue', escalated: 'escalated' };

/**
 * The daily run (docs/inventory-design.md, "Daily run"): reminders and escalations for published
 * continuing datasets (跟催), the approved opening schedule and the annual calendar, each written
 * once to the ledger `followups` together with its notifications; and the overdue report.
 */
export class FollowupService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly units: UnitsService,
    private readonly calendar: CalendarService,
    private readonly notifications: NotificationService,
    /** The annual calendar's tasks of the run's year are made from the plan if nobody has opened that year yet. */
    private readonly tasks?: { ensureYear(year: number): Promise<void> },
  ) {}

  private get k(): Kysely<Database> {
    return this.db.kysely;
  }

  /**
   * Runs the day's follow-up as of `asOf` (YYYY-MM-DD). Idempotent: a follow-up already in the
   * ledger is not sent again (another run of the day, another instance at the same time, a run
   * after a crash). `limit` stops after that many new follow-ups (batches; the next run sends the rest);
   * `kinds` runs some sources only.
   */
  async runDaily(asOfInput: string, opts: { limit?: number; kinds?: readonly FollowupKind[] } = {}): Promise<DailySummary> {
    const asOf = checkAsOf(asOfInput);
    const startedAt = new Date().toISOString();
    await this.recordStart(asOf, startedAt);
    const cal = await this.calendar.calendar();
    const summary = emptySummary(asOf);
    const kinds = new Set(opts.kinds ?? FOLLOWUP_KINDS);
    const units = await this.units.list({ includeExternal: true });
    const candidates: Candidate[] = [];
    if (kinds.has('dataset_update')) candidates.push(...(await this.datasetCandidates(asOf, cal, units, summary)));
    if (kinds.has('schedule_item')) candidates.push(...(await this.itemCandidates(asOf, cal, units, summary)));
    if (kinds.has('calendar_task') && this.tasks) await this.tasks.ensureYear(Number(asOf.slice(0, 4)));
    if (kinds.has('calendar_task')) candidates.push(...(await this.taskCandidates(asOf, cal, units, summary)));

    let written = 0;
    for (const c of candidates) {
      if (opts.limit !== undefined && written >= opts.limit) {
        summary.partial = true;
        break;
      }
      const sent = await this.deliver(c, asOf);
      if (sent === null) {
        summary.already++;
        continue;
      }
      written++;
      summary.sent += sent;
      summary[STAGE_COUNTER[c.stage]]++;
      summary.byKind[c.kind]++;
    }
    await this.recordFinish(asOf, summary);
    return summary;
  }

  /**
   * The server's daily tick: runs the day (Taipei) once it is `dailyRunHour` or later there and
   * the day has not run to its end yet (a run cut short is run again); null when there is nothing to do.
   */
  async runIfDue(now: Date = new Date()): Promise<DailySummary | null> {
    const taipeiHour = new Date(now.getTime() + 8 * 3_600_000).getUTCHours();
    if (taipeiHour < this.config.followup.dailyRunHour) return null;
    const asOf = taipeiDate(now);
    const done = await this.k.selectFrom('daily_runs').select('as_of').where('as_of', '=', asOf).where('finished_at', 'is not', null).executeTakeFirst();
    if (done) return null;
    return this.runDaily(asOf);
  }

  /** The recorded summary of a day (the day's totals over its runs), or undefined when it has not run. */
  async dayRun(asOf: string): Promise<{ runs: number; startedAt: string; finishedAt: string | null; summary: DailySummary | null } | undefined> {
    const r = await this.k.selectFrom('daily_runs').selectAll().where('as_of', '=', asOf).executeTakeFirst();
    return r ? { runs: Number(r.runs), startedAt: r.started_at, finishedAt: r.finished_at, summary: r.summary_json ? (JSON.parse(r.summary_json) as DailySummary) : null } : undefined;
  }

  /**
   * Late datasets and schedule items on `asOf`, by unit, with the follow-ups sent so far: every
   * unit for the window, the head and the CIO; their own unit for contacts and reviewers.
   */
  async overdue(asOfInput: string, actor: Actor | null | undefined): Promise<OverdueReport> {
    const asOf = checkAsOf(asOfInput);
    const all = await this.readableUnits(actor);
    const readable = new Set(all.map((u) => u.name));
    const cal = await this.calendar.calendar();
    const datasets = (await this.followedDatasets(asOf, cal)).filter((d) => d.late && readable.has(d.unit));
    const items = (await loadSchedule(this.k, cal, { asOf, dueSoon: this.config.followup.scheduleRemindDays })).filter(
      (e): e is ScheduleEntry & { plannedDate: string } => e.status === 'late' && e.plannedDate !== null && readable.has(e.unit),
    );
    const ledger = await this.ledgerOf([...datasets.map((d) => d.id), ...items.map((i) => i.id)]);
    const entries = (kind: FollowupKind, id: string, due: string) => ledger.get(`${kind}|${id}|${due}`) ?? [];
    return {
      asOf,
      units: all.map((u) => ({
        unit: u.name,
        title: u.title,
        titleEn: u.titleEn,
        datasets: datasets
          .filter((d) => d.unit === u.name)
          .sort((a, b) => b.daysLate - a.daysLate || a.title.localeCompare(b.title))
          .map(({ late: _late, unitId: _unitId, ...d }) => ({ ...d, followups: entries('dataset_update', d.id, d.due) })),
        items: items
          .filter((i) => i.unit === u.name)
          .map((i) => ({
            id: i.id,
            name: i.name,
            year: i.year,
            unit: i.unit,
            plannedDate: i.plannedDate,
            daysLate: daysBetween(i.plannedDate, asOf),
            workingDaysLate: cal.workingDaysBetween(i.plannedDate, asOf),
            datasetName: i.datasetName,
            followups: entries('schedule_item', i.id, i.plannedDate),
          }))
          .sort((a, b) => b.daysLate - a.daysLate || a.name.localeCompare(b.name)),
      })),
    };
  }

  /** The units whose follow-up `actor` may read (followup.read); FORBIDDEN when none. */
  async readableUnits(actor: Actor | null | undefined): Promise<Unit[]> {
    const all = (await this.units.list()).filter((u) => can(actor, 'followup.read', { unit: u.name }));
    if (all.length === 0) assertCan(actor, 'followup.read', {});
    return all;
  }

  /* ---- The sources ---- */

  /**
   * Every published continuing dataset (更新頻率 every n minutes … years; not 不定期 or 即時; demo
   * datasets left out) with its next due date: the last update as the quality engine takes it
   * (the newest of the dataset's and its resources' 最後更新時間, else when it was last saved).
   */
  async followedDatasets(asOf: string, cal: WorkingCalendar): Promise<DatasetDue[]> {
    const rows = await this.k
      .selectFrom('datasets as d')
      .innerJoin('units as u', 'u.id', 'd.unit_id')
      .select(['d.id', 'd.name', 'd.title', 'd.unit_id', 'u.name as unit', 'd.update_frequency', 'd.modified', 'd.updated_at'])
      .where('d.state', '=', 'published')
      .where('d.is_demo', '=', 0)
      .orderBy('d.seq')
      .execute();
    const periodic = rows.filter((r) => parseFrequency(r.update_frequency)?.kind === 'interval');
    const modified = new Map<string, string[]>();
    for (let i = 0; i < periodic.length; i += 500) {
      const res = await this.k
        .selectFrom('resources')
        .select(['dataset_id', 'modified'])
        .where('dataset_id', 'in', periodic.slice(i, i + 500).map((r) => r.id))
        .where('modified', 'is not', null)
        .execute();
      for (const r of res) if (r.modified) modified.set(r.dataset_id, [...(modified.get(r.dataset_id) ?? []), r.modified]);
    }
    const grace = this.config.quality.graceDays;
    return periodic.flatMap((r): DatasetDue[] => {
      const lastUpdate = lastUpdateOf([r.modified, ...(modified.get(r.id) ?? [])], r.updated_at);
      const t = timeliness({ frequency: r.update_frequency, lastUpdate, asOf, graceDays: grace });
      const due = t.data?.due;
      if (typeof due !== 'string') return [];
      return [
        {
          id: r.id,
          name: r.name,
          title: r.title,
          unitId: r.unit_id,
          unit: r.unit,
          frequency: r.update_frequency,
          lastUpdate: lastUpdate.slice(0, 10),
          due,
          late: t.result === 'fail',
          daysLate: Math.max(0, daysBetween(due, asOf)),
          workingDaysLate: Math.max(0, cal.workingDaysBetween(due, asOf)),
        },
      ];
    });
  }

  private async datasetCandidates(asOf: string, cal: WorkingCalendar, units: Unit[], summary: DailySummary): Promise<Candidate[]> {
    const f = this.config.followup;
    const grace = this.config.quality.graceDays;
    const datasets = await this.followedDatasets(asOf, cal);
    summary.datasets = datasets.length;
    summary.late.datasets = datasets.filter((d) => d.late).length;
    const byName = new Map(units.map((u) => [u.name, u]));
    return datasets.flatMap((d): Candidate[] => {
      const overdueFrom = addDays(d.due, grace + 1);
      const stage = selectStage(asOf, { remindFrom: cal.addWorkingDays(d.due, -f.updateRemindDays), due: d.due, overdueFrom, escalateFrom: escalationDay(overdueFrom, cal.addWorkingDays(d.due, f.escalateDays)) });
      if (!stage) return [];
      const u = byName.get(d.unit);
      const subject = { title: d.title, unit: { zh: u?.title ?? d.unit, en: u?.titleEn || u?.title || d.unit }, link: `${this.config.baseUrl}/manage/datasets/${encodeURIComponent(d.name)}` };
      const common = { ...subject, due: d.due, frequency: d.frequency, lastUpdate: d.lastUpdate };
      const message =
        stage === 'reminder'
          ? datasetReminder({ ...common, workingDaysLeft: cal.workingDaysBetween(asOf, d.due) })
          : datasetLate({ ...common, daysLate: daysBetween(d.due, asOf), workingDaysLate: cal.workingDaysBetween(d.due, asOf), escalated: stage === 'escalated' });
      const roles: Record<Stage, [Role, string | undefined][]> = {
        reminder: [['contact', d.unit]],
        overdue: [['reviewer', d.unit]],
        escalated: [['admin', undefined]],
      };
      return [{ kind: 'dataset_update', subjectId: d.id, unitId: d.unitId, due: d.due, stage, message, link: subject.link, recipients: () => this.holders(roles[stage]) }];
    });
  }

  private async itemCandidates(asOf: string, cal: WorkingCalendar, units: Unit[], summary: DailySummary): Promise<Candidate[]> {
    const f = this.config.followup;
    const entries = (await loadSchedule(this.k, cal, { asOf, dueSoon: f.scheduleRemindDays })).filter((e): e is ScheduleEntry & { plannedDate: string } => e.status !== 'opened' && e.plannedDate !== null);
    summary.items = entries.length;
    summary.late.items = entries.filter((e) => e.status === 'late').length;
    const byName = new Map(units.map((u) => [u.name, u]));
    return entries.flatMap((e): Candidate[] => {
      const overdueFrom = addDays(e.plannedDate, 1);
      const stage = selectStage(asOf, { remindFrom: cal.addWorkingDays(e.plannedDate, -f.scheduleRemindDays), due: e.plannedDate, overdueFrom, escalateFrom: escalationDay(overdueFrom, cal.addWorkingDays(e.plannedDate, f.escalateDays)) });
      if (!stage) return [];
      const u = byName.get(e.unit);
      const link = `${this.config.baseUrl}/manage/schedule?year=${e.year}&unit=${encodeURIComponent(e.unit)}`;
      const subject = { title: e.name, unit: { zh: u?.title ?? e.unitTitle, en: u?.titleEn || e.unitTitle }, link };
      const message =
        stage === 'reminder'
          ? itemReminder({ ...subject, plannedDate: e.plannedDate, workingDaysLeft: cal.workingDaysBetween(asOf, e.plannedDate) })
          : itemLate({ ...subject, plannedDate: e.plannedDate, daysLate: daysBetween(e.plannedDate, asOf), workingDaysLate: cal.workingDaysBetween(e.plannedDate, asOf), escalated: stage === 'escalated' });
      const roles: Record<Stage, [Role, string | undefined][]> = {
        reminder: [['contact', e.unit]],
        overdue: [['reviewer', e.unit], ['admin', undefined]],
        escalated: [['admin', undefined], ['cio', undefined]],
      };
      return [{ kind: 'schedule_item', subjectId: e.id, unitId: u?.id ?? null, due: e.plannedDate, stage, message, link, recipients: () => this.holders(roles[stage]) }];
    });
  }

  private async taskCandidates(asOf: string, cal: WorkingCalendar, units: Unit[], summary: DailySummary): Promise<Candidate[]> {
    const f = this.config.followup;
    const tasks = await this.k.selectFrom('calendar_tasks').selectAll().where('status', '!=', 'done').orderBy('due_on').orderBy('position').execute();
    summary.tasks = tasks.length;
    summary.late.tasks = tasks.filter((t) => t.due_on < asOf).length;
    const windowUnit = units.find((u) => u.name === this.config.units.find((c) => c.isWindow)?.name);
    return tasks.flatMap((t): Candidate[] => {
      const stage = selectStage(asOf, { remindFrom: cal.addWorkingDays(t.due_on, -f.calendarRemindDays), due: t.due_on, overdueFrom: addDays(t.due_on, 1), escalateFrom: null });
      if (!stage) return [];
      // Written by CalendarTasksService only: [] is every unit.
      const owners = toTask(t).ownerUnits;
      const link = `${this.config.baseUrl}/calendar/${t.year}`;
      const subject = { title: t.title, titleEn: t.title_en, unit: { zh: t.owner_label, en: t.owner_label }, link };
      const message =
        stage === 'reminder'
          ? taskReminder({ ...subject, dueOn: t.due_on, workingDaysLeft: cal.workingDaysBetween(asOf, t.due_on), owner: t.owner_label })
          : taskLate({ ...subject, dueOn: t.due_on, daysLate: daysBetween(t.due_on, asOf), owner: t.owner_label });
      // Reminders go to the owner units' contacts ([]: every unit's), and to the window for tasks it owns; lateness to the window.
      const reminderRoles: [Role, string | undefined][] =
        owners.length === 0 ? [['contact', undefined]] : owners.flatMap((o): [Role, string | undefined][] => (o === windowUnit?.name ? [['admin', undefined], ['contact', o]] : [['contact', o]]));
      const roles = stage === 'reminder' ? reminderRoles : ([['admin', undefined]] as [Role, string | undefined][]);
      const unitId = owners.length === 1 ? (units.find((u) => u.name === owners[0])?.id ?? null) : null;
      return [{ kind: 'calendar_task', subjectId: t.id, unitId, due: t.due_on, stage, message, link, recipients: () => this.holders(roles) }];
    });
  }

  /* ---- The ledger ---- */

  /** Role holders within one run (recordStart starts a new one, so role changes count on the next run). */
  private holderCache = new Map<string, Promise<string[]>>();

  /** The enabled holders of the roles; nobody (a unit without a contact or reviewer) → the window, so a follow-up never goes unread. */
  private async holders(roles: [Role, string | undefined][]): Promise<string[]> {
    const ids = new Set<string>();
    for (const [role, unit] of roles) {
      const key = `${role}|${unit ?? ''}`;
      let p = this.holderCache.get(key);
      if (!p) this.holderCache.set(key, (p = usersWithRole(this.k, role, unit === undefined ? {} : { unit })));
      for (const id of await p) ids.add(id);
    }
    if (ids.size === 0 && !roles.some(([r]) => r === 'admin')) return this.holders([['admin', undefined]]);
    return [...ids].sort();
  }

  /**
   * Writes the ledger row and its notifications in one transaction; null when the row was there
   * already (this run repeated, or another instance got there first): nothing is sent twice.
   */
  private async deliver(c: Candidate, asOf: string): Promise<number | null> {
    const seen = await this.k.selectFrom('followups').select('id').where('kind', '=', c.kind).where('subject_id', '=', c.subjectId).where('due_date', '=', c.due).where('stage', '=', c.stage).executeTakeFirst();
    if (seen) return null;
    const userIds = await c.recipients();
    return this.k.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('followups')
        .values({ id: randomUUID(), kind: c.kind, subject_id: c.subjectId, unit_id: c.unitId, due_date: c.due, stage: c.stage, as_of: asOf, recipients_json: JSON.stringify(userIds), sent: userIds.length, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['kind', 'subject_id', 'due_date', 'stage']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return null;
      await this.notifications.notify(trx, { userIds, kind: `followup.${c.kind}.${c.stage}`, message: c.message, link: c.link });
      return userIds.length;
    });
  }

  /** Ledger entries of the subjects, by `kind|subject|due`, oldest first. */
  private async ledgerOf(subjectIds: string[]): Promise<Map<string, LedgerEntry[]>> {
    const out = new Map<string, LedgerEntry[]>();
    for (let i = 0; i < subjectIds.length; i += 500) {
      const rows = await this.k.selectFrom('followups').select(['kind', 'subject_id', 'due_date', 'stage', 'as_of', 'sent']).where('subject_id', 'in', subjectIds.slice(i, i + 500)).orderBy('as_of').orderBy('created_at').execute();
      for (const r of rows) {
        const key = `${r.kind}|${r.subject_id}|${r.due_date}`;
        out.set(key, [...(out.get(key) ?? []), { stage: r.stage as Stage, asOf: r.as_of, sent: Number(r.sent) }]);
      }
    }
    return out;
  }

  private async recordStart(asOf: string, startedAt: string): Promise<void> {
    this.holderCache = new Map();
    const inserted = await this.k.insertInto('daily_runs').values({ as_of: asOf, started_at: startedAt, finished_at: null, runs: 1, summary_json: null }).onConflict((oc) => oc.column('as_of').doNothing()).returning('as_of').executeTakeFirst();
    if (!inserted) await this.k.updateTable('daily_runs').set((eb) => ({ runs: eb('runs', '+', 1), started_at: startedAt })).where('as_of', '=', asOf).execute();
  }

  /** The day's totals over its runs (a repeat adds nothing sent); the followed counts are the latest run's. */
  private async recordFinish(asOf: string, s: DailySummary): Promise<void> {
    const before = await this.dayRun(asOf);
    const p = before?.summary;
    const day: DailySummary = p
      ? {
          ...s,
          sent: p.sent + s.sent,
          reminders: p.reminders + s.reminders,
          overdue: p.overdue + s.overdue,
          escalated: p.escalated + s.escalated,
          byKind: { dataset_update: p.byKind.dataset_update + s.byKind.dataset_update, schedule_item: p.byKind.schedule_item + s.byKind.schedule_item, calendar_task: p.byKind.calendar_task + s.byKind.calendar_task },
        }
      : s;
    await this.k
      .updateTable('daily_runs')
      .set({ finished_at: s.partial ? null : new Date().toISOString(), summary_json: JSON.stringify(day) })
      .where('as_of', '=', asOf)
      .execute();
  }
}
