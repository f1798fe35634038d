import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { checkAsOf, selectStage, type StageDates } from '../src/modules/followup/followup.service.ts';
import type { User } from '../src/modules/users/users.service.ts';
import { datasetInput } from './factories/dataset.ts';
import { kaifang, noStackTrace } from './helpers/cli.ts';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';

describe('selectStage: the one stage due on a day', () => {
  const d: StageDates = { remindFrom: '2026-02-03', due: '2026-02-10', overdueFrom: '2026-02-12', escalateFrom: '2026-03-04' };
  it.each([
    ['2026-02-02', null],
    ['2026-02-03', 'reminder'],
    ['2026-02-10', 'reminder'],
    // After the due date, within the grace days: no reminder (pointless), not late yet.
    ['2026-02-11', null],
    ['2026-02-12', 'overdue'],
    ['2026-03-03', 'overdue'],
    ['2026-03-04', 'escalated'],
    ['2026-12-31', 'escalated'],
  ])('%s → %s', (asOf, stage) => {
    expect(selectStage(asOf, d)).toBe(stage);
  });
  it('without an escalation (calendar tasks), late stays overdue; without reminders, nothing before', () => {
    expect(selectStage('2027-01-01', { ...d, escalateFrom: null })).toBe('overdue');
    expect(selectStage('2026-02-05', { ...d, remindFrom: null })).toBe(null);
  });
  it('checkAsOf takes real dates only, with a message in both languages', () => {
    expect(checkAsOf(' 2026-02-28 ')).toBe('2026-02-28');
    for (const bad of ['2026-02-30', '2026/02/01', '115-02-01', '', 'tomorrow']) {
      const err = (() => {
        try {
          checkAsOf(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(400);
      expect((err as AppError).zh).toContain('YYYY-MM-DD');
      expect((err as AppError).en).toContain('YYYY-MM-DD');
    }
  });
});

describe.each(engines)('the daily run (%s)', (engine) => {
  let t: TestEnv;
  const who = {} as Record<'contact' | 'reviewer' | 'acctContact' | 'head' | 'cio' | 'advisor' | 'admin', User>;

  beforeAll(async () => {
    t = await makeEnv(engine);
    const { users } = t.services;
    who.contact = await users.create({ email: 'contact@stat.test', name: '王承辦', unit: 'statistics', role: 'contact' });
    who.reviewer = await users.create({ email: 'reviewer@stat.test', name: '李科長', unit: 'statistics', role: 'reviewer' });
    who.acctContact = await users.create({ email: 'contact@acct.test', name: '陳承辦', unit: 'accounting', role: 'contact' });
    who.head = await users.create({ email: 'head@dgbas.test', name: '首長', unit: 'dgbas', role: 'head' });
    who.cio = await users.create({ email: 'cio@dgbas.test', name: '資訊長', unit: 'dgbas', role: 'cio' });
    who.advisor = await users.create({ email: 'advisor@dgbas.test', name: '委員', unit: 'dgbas', role: 'advisor' });
    who.admin = (await users.findByEmail(t.config.adminEmail)) as User;
  });
  afterAll(async () => t?.cleanup());

  const k = () => t.services.db.kysely;
  beforeEach(async () => {
    for (const table of ['followups', 'daily_runs', 'calendar_tasks', 'notifications', 'outbox'] as const) await k().deleteFrom(table).execute();
    await k().updateTable('datasets').set({ state: 'draft' }).execute();
    // The daily run makes the year's plan tasks if missing; here they are done, so each test sees only its own.
    await t.services.calendarTasks.ensureYear(2026);
    await k().updateTable('calendar_tasks').set({ status: 'done' }).execute();
  });

  /** Notifications per user id, by kind. */
  const inbox = async () => (await k().selectFrom('notifications').select(['user_id', 'kind', 'title']).orderBy('kind').orderBy('user_id').execute()).map((n) => `${n.user_id === who.admin.id ? 'admin' : (Object.entries(who).find(([, u]) => u.id === n.user_id)?.[0] ?? n.user_id)} ${n.kind}`).sort();

  const publish = (title: string, modified: string, unit = 'statistics', updateFrequency = '每1月') => t.services.catalogue.save(datasetInput({ title, unit, modified, updateFrequency }), { state: 'published' });

  it('a year nobody has opened in the calendar gets the plan\'s tasks from the daily run, and its reminders', async () => {
    await k().deleteFrom('calendar_tasks').execute();
    const summary = await t.services.followup.runDaily('2026-03-20', { kinds: ['calendar_task'] });
    const keys = (await k().selectFrom('calendar_tasks').select('task_key').where('year', '=', 2026).execute()).map((r) => r.task_key);
    expect(keys).toContain('inventory');
    // 年度盤點 (due 03-31) is within ten working days of 03-20: every unit's contacts are reminded.
    expect(summary.byKind.calendar_task).toBeGreaterThan(0);
  });

  it('a dataset first seen long overdue gets its escalation only — no reminder, no overdue notice after the fact', async () => {
    // Last updated 2026-01-10, monthly → due 02-10; 10 working days late on 03-04 (Spring Festival in between).
    await publish('久未更新的統計', '2026-01-10 09:00:00');
    const s = await t.services.followup.runDaily('2026-03-20');
    expect(s).toMatchObject({ asOf: '2026-03-20', sent: 1, reminders: 0, overdue: 0, escalated: 1, byKind: { dataset_update: 1, schedule_item: 0, calendar_task: 0 }, datasets: 1, late: { datasets: 1 } });
    expect(await inbox()).toEqual(['admin followup.dataset_update.escalated']);
    const ledger = await k().selectFrom('followups').selectAll().execute();
    expect(ledger).toMatchObject([{ kind: 'dataset_update', due_date: '2026-02-10', stage: 'escalated', as_of: '2026-03-20', sent: 1 }]);
    expect(JSON.parse(ledger[0].recipients_json)).toEqual([who.admin.id]);
  });

  it('a second run of the day sends nothing, and says so', async () => {
    await publish('久未更新的統計 2', '2026-01-10 09:00:00');
    const first = await t.services.followup.runDaily('2026-02-12');
    expect(first.sent).toBe(1);
    const again = await t.services.followup.runDaily('2026-02-12');
    expect(again).toMatchObject({ sent: 0, overdue: 0, already: 1 });
    expect(await inbox()).toEqual(['reviewer followup.dataset_update.overdue']);
    expect(await t.services.followup.dayRun('2026-02-12')).toMatchObject({ runs: 2, summary: { sent: 1, overdue: 1 } });
  });

  it('a run cut short (a crash between ledger rows) is completed by the next one: nothing lost, nothing twice', async () => {
    await publish('提醒甲', '2026-01-10 09:00:00');
    await publish('提醒乙', '2026-01-10 09:00:00', 'accounting');
    await k()
      .insertInto('calendar_tasks')
      .values({ id: randomUUID(), year: 2026, task_key: 'advisory-test', title: '諮詢小組會議', title_en: 'Advisory group meeting', description: null, owner_label: '主計資訊處', owner_units_json: '["it"]', starts_on: '2026-01-05', due_on: '2026-02-13', status: 'planned', done_at: null, done_by: null, position: 1, updated_at: new Date().toISOString() })
      .execute();
    const part = await t.services.followup.runDaily('2026-02-04', { limit: 1 });
    expect(part).toMatchObject({ partial: true, reminders: 1 });
    expect((await t.services.followup.dayRun('2026-02-04'))?.finishedAt).toBeNull();
    const rest = await t.services.followup.runDaily('2026-02-04');
    expect(rest).toMatchObject({ partial: false, reminders: 2, already: 1 });
    expect((await t.services.followup.dayRun('2026-02-04'))?.finishedAt).not.toBeNull();
    // Each reminder once: the two units' contacts for their datasets; the window's task to the admins.
    expect(await inbox()).toEqual(['acctContact followup.dataset_update.reminder', 'admin followup.calendar_task.reminder', 'contact followup.dataset_update.reminder']);
  });

  it('two runs at the same time send each follow-up once', async () => {
    await publish('同時執行', '2026-01-10 09:00:00');
    await publish('同時執行 2', '2026-01-10 09:00:00', 'accounting');
    const [a, b] = await Promise.all([t.services.followup.runDaily('2026-02-12'), t.services.followup.runDaily('2026-02-12')]);
    expect(a.sent + b.sent).toBe(2);
    expect(await k().selectFrom('followups').select('id').execute()).toHaveLength(2);
    // Accounting has no reviewer: its overdue notice goes to the window rather than to nobody.
    expect(await inbox()).toEqual(['admin followup.dataset_update.overdue', 'reviewer followup.dataset_update.overdue']);
  });

  it('an update moves the due date: the new date is followed afresh; irregular and demo datasets are not followed', async () => {
    const d = await publish('按時更新', '2026-01-05 09:00:00');
    await publish('不定期', '2026-01-05 09:00:00', 'statistics', '不定期');
    await t.services.catalogue.save(datasetInput({ title: '示範', modified: '2026-01-05 09:00:00', isDemo: true }), { state: 'published' });
    expect((await t.services.followup.runDaily('2026-01-29')).reminders).toBe(1);
    await t.services.catalogue.save(datasetInput({ title: '按時更新', identifier: d.dataset.identifier, modified: '2026-02-04 09:00:00' }), { state: 'published' });
    expect(await t.services.followup.runDaily('2026-02-12')).toMatchObject({ sent: 0, late: { datasets: 0 } });
    expect(await t.services.followup.runDaily('2026-02-24')).toMatchObject({ reminders: 1 });
    expect((await k().selectFrom('followups').select('due_date').orderBy('due_date').execute()).map((r) => r.due_date)).toEqual(['2026-02-05', '2026-03-04']);
  });

  it('calendar tasks: reminders to the owners ([] = every unit’s contacts), lateness to the window; done tasks are left alone', async () => {
    const task = (key: string, owners: string, due: string, status = 'planned') => ({ id: randomUUID(), year: 2026, task_key: key, title: key, title_en: key, description: null, owner_label: '各單位', owner_units_json: owners, starts_on: '2026-01-05', due_on: due, status, done_at: null, done_by: null, position: 1, updated_at: new Date().toISOString() });
    await k().insertInto('calendar_tasks').values([task('all-units', '[]', '2026-03-13'), task('done', '[]', '2026-03-13', 'done'), task('late', '["statistics"]', '2026-03-02')]).execute();
    const s = await t.services.followup.runDaily('2026-03-03');
    expect(s).toMatchObject({ tasks: 2, reminders: 1, overdue: 1, late: { tasks: 1 } });
    expect(await inbox()).toEqual(['acctContact followup.calendar_task.reminder', 'admin followup.calendar_task.overdue', 'contact followup.calendar_task.reminder']);
  });

  it('overdue(): contacts and reviewers see their unit, the window, the head and the CIO every unit; others are refused', async () => {
    await publish('統計逾期', '2026-01-10 09:00:00');
    await publish('會計逾期', '2025-12-01 09:00:00', 'accounting');
    await t.services.followup.runDaily('2026-02-12');
    const f = t.services.followup;
    const mine = await f.overdue('2026-02-12', who.contact);
    expect(mine.units.map((u) => u.unit)).toEqual(['statistics']);
    expect(mine.units[0].datasets).toMatchObject([{ title: '統計逾期', due: '2026-02-10', lastUpdate: '2026-01-10', daysLate: 2, workingDaysLate: 2, followups: [{ stage: 'overdue', asOf: '2026-02-12', sent: 1 }] }]);
    expect((await f.overdue('2026-02-12', who.reviewer)).units.map((u) => u.unit)).toEqual(['statistics']);
    expect((await f.overdue('2026-02-12', who.acctContact)).units.map((u) => u.unit)).toEqual(['accounting']);
    for (const u of [who.admin, who.head, who.cio]) {
      const all = await f.overdue('2026-02-24', u);
      const late = all.units.filter((x) => x.datasets.length > 0);
      expect(late.map((x) => x.unit).sort()).toEqual(['accounting', 'statistics']);
      // 02-10 → 02-24: 14 calendar days, 5 working days (02-11…13, 23, 24: the Spring Festival week off).
      expect(late.find((x) => x.unit === 'statistics')?.datasets[0]).toMatchObject({ daysLate: 14, workingDaysLate: 5 });
    }
    await expect(f.overdue('2026-02-12', who.advisor)).rejects.toMatchObject({ status: 403 });
    await expect(f.overdue('2026-02-12', null)).rejects.toMatchObject({ status: 403 });
    await expect(f.overdue('2026-02-31', who.admin)).rejects.toMatchObject({ code: 'BAD_DATE' });
  });

  it('runIfDue: nothing before the run hour (Taipei), the day once after it', async () => {
    const hour = t.config.followup.dailyRunHour;
    // 2026-02-12 at (hour − 1):30 and hour:05 Taipei time, as UTC instants.
    const at = (h: number, m: number) => new Date(Date.UTC(2026, 1, 12, h - 8, m));
    expect(await t.services.followup.runIfDue(at(hour - 1, 30))).toBeNull();
    const ran = await t.services.followup.runIfDue(at(hour, 5));
    expect(ran?.asOf).toBe('2026-02-12');
    expect(await t.services.followup.runIfDue(at(hour + 3, 0))).toBeNull();
  });

  it('kaifang jobs run-daily: a bad --as-of is refused in zh-TW and English with exit 2; --json prints one object', async () => {
    const env = { KAIFANG_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests', KAIFANG_BASE_URL: 'http://portal.test' };
    const bad = await kaifang(['jobs', 'run-daily', '--as-of', '2026-02-30'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('錯誤：日期「2026-02-30」格式錯誤');
    expect(bad.stderr).toContain('Error: the date "2026-02-30" is not a date');
    noStackTrace(bad);
    await publish('命令列', '2026-01-10 09:00:00');
    const json = await kaifang(['jobs', 'run-daily', '--as-of', '2026-02-12', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ asOf: '2026-02-12', sent: 1, overdue: 1 });
    const text = await kaifang(['jobs', 'run-daily', '--as-of', '2026-02-12'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('寄出通知 notifications sent: 0');
  });
});
