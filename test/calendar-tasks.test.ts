import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { PLAN_TASKS } from '../src/modules/calendar/tasks.service.ts';
import type { User } from '../src/modules/users/users.service.ts';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';

/** The AppError a promise is refused with (fails the test when it resolves or throws something else). */
async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe.each(engines)('the annual work calendar on %s', (engine) => {
  let t: TestEnv;
  let admin: User;
  let contact: User;
  /** The audit trail's newest entry (the log lists at most 50). */
  const head = async () => (await t.services.audit.log({ limit: 1 }))[0]?.seq ?? 0;
  const auditOf = async (id: string) => (await t.services.audit.log({ entityId: id })).map((e) => e.action);

  beforeAll(async () => {
    t = await makeEnv(engine);
    const found = await t.services.users.findByEmail(t.config.adminEmail);
    if (!found) throw new Error('no admin');
    admin = found;
    await t.services.users.create({ email: 'contact@cal.test', name: '聯絡人', password: 'contact-password-1', unit: 'statistics', role: 'contact' }, { id: admin.id, label: admin.email });
    const c = await t.services.users.findByEmail('contact@cal.test');
    if (!c) throw new Error('no contact');
    contact = c;
  });
  afterAll(async () => t.cleanup());

  it('makes a year’s tasks from the plan once, also when asked at the same time; unaudited (nobody decided anything)', async () => {
    const before = await head();
    await Promise.all([1, 2, 3, 4, 5].map(() => t.services.calendarTasks.ensureYear(2026)));
    await t.services.calendarTasks.ensureYear(2026);
    const tasks = await t.services.calendarTasks.list(2026);
    expect(tasks.map((x) => x.key).sort()).toEqual(PLAN_TASKS.map((p) => p.key).sort());
    expect(tasks).toHaveLength(7);
    const byKey = new Map(tasks.map((x) => [x.key, x]));
    expect(byKey.get('inventory')).toMatchObject({ startsOn: '2026-01-01', dueOn: '2026-03-31', ownerLabel: '各單位', ownerUnits: [], done: false, added: false });
    // "@window" became the configured window unit; the evaluation runs into the next year's first quarter.
    expect(byKey.get('advisory-1')).toMatchObject({ startsOn: '2026-04-01', dueOn: '2026-05-31', ownerUnits: ['it'] });
    expect(byKey.get('advisory-2')).toMatchObject({ startsOn: '2026-12-01', dueOn: '2026-12-31' });
    expect(byKey.get('evaluation')).toMatchObject({ startsOn: '2026-12-01', dueOn: '2027-03-31', ownerLabel: '主計資訊處／各單位' });
    expect(await head()).toBe(before);
    // Another year is its own set.
    await t.services.calendarTasks.ensureYear(2027);
    expect(await t.services.calendarTasks.years()).toEqual([2027, 2026]);
  });

  it('statuses in working days: due soon within the reminder days, late after the deadline, done, in progress, planned', async () => {
    const view = async (today: string) => new Map((await t.services.calendarTasks.view(2026, today)).map((x) => [x.key, x]));
    const jan = await view('2026-01-05');
    expect(jan.get('inventory')?.status).toBe('in_progress');
    expect(jan.get('advisory-1')?.status).toBe('planned');
    // 2026-03-20 (Fri) to 03-31 (Tue): 7 working days, within the default 10.
    const march = await view('2026-03-20');
    expect(march.get('inventory')).toMatchObject({ status: 'due_soon', workingDaysLeft: 7 });
    // Holidays are no working days: from 2026-02-13, the Lunar New Year week and 02-27 (補假) do not count.
    expect((await view('2026-02-13')).get('inventory')?.workingDaysLeft).toBe(26);
    const april = await view('2026-04-01');
    expect(april.get('inventory')).toMatchObject({ status: 'late', workingDaysLeft: -1 });
  });

  it('edits are validated (every problem by field, zh-TW and English, nothing written) and audited', async () => {
    const task = (await t.services.calendarTasks.list(2026)).find((x) => x.key === 'advisory-1');
    if (!task) throw new Error('no task');
    const bad = await refusal(t.services.calendarTasks.update(task.id, { title: ' ', startsOn: '2026-02-30', dueOn: '2026/05/31', ownerUnits: ['nowhere'] }, admin));
    expect(bad.status).toBe(400);
    expect(bad.details?.title?.[0]).toBe('請填寫工作項目名稱 / Enter the task’s name');
    expect(bad.details?.startsOn?.[0]).toContain('開始日期「2026-02-30」不是有效日期');
    expect(bad.details?.startsOn?.[0]).toContain('The start date "2026-02-30" is not a date');
    expect(bad.details?.dueOn?.[0]).toContain('2026/05/31');
    expect(bad.details?.ownerUnits?.[0]).toBe('沒有這些單位：nowhere / No such unit: nowhere');
    const order = await refusal(t.services.calendarTasks.update(task.id, { startsOn: '2026-06-10', dueOn: '2026-06-01' }, admin));
    expect(order.details?.dueOn?.[0]).toBe('截止日期（2026-06-01）不可早於開始日期（2026-06-10） / The deadline (2026-06-01) cannot be before the start date (2026-06-10)');
    const outside = await refusal(t.services.calendarTasks.update(task.id, { startsOn: '2025-12-01' }, admin));
    expect(outside.details?.startsOn?.[0]).toBe('開始日期須在 2026 年內 / The start date must be in 2026');
    expect(await t.services.calendarTasks.get(task.id)).toEqual(task);
    expect(await auditOf(task.id)).toEqual([]);

    const saved = await t.services.calendarTasks.update(task.id, { dueOn: '2026-04-30', ownerUnits: ['it', 'statistics'] }, admin);
    expect(saved).toMatchObject({ startsOn: '2026-04-01', dueOn: '2026-04-30', ownerUnits: ['it', 'statistics'], title: task.title });
    const [entry] = await t.services.audit.log({ entityId: task.id });
    expect(entry).toMatchObject({ action: 'calendar.task.update', actorLabel: admin.email, before: { dueOn: '2026-05-31', ownerUnits: ['it'] }, after: { dueOn: '2026-04-30', ownerUnits: ['it', 'statistics'] } });
  });

  it('a task is added (a third advisory meeting), marked done, reopened and removed, each audited; the plan’s own tasks are not removed', async () => {
    const added = await t.services.calendarTasks.add(2026, { title: '召開諮詢小組會議（臨時會）', titleEn: 'Advisory group meeting (extra)', ownerLabel: '主計資訊處', ownerUnits: ['it'], startsOn: '2026-09-01', dueOn: '2026-09-30' }, admin);
    expect(added).toMatchObject({ year: 2026, added: true, done: false });
    expect(added.key).toMatch(/^added-/);
    expect((await t.services.calendarTasks.list(2026)).map((x) => x.id)).toContain(added.id);
    const missing = await refusal(t.services.calendarTasks.add(2026, { title: '', titleEn: '', ownerLabel: '', startsOn: '', dueOn: '' }, admin));
    expect(Object.keys(missing.details ?? {}).sort()).toEqual(['dueOn', 'ownerLabel', 'startsOn', 'title', 'titleEn']);
    expect(missing.details?.startsOn?.[0]).toBe('請填寫開始日期（YYYY-MM-DD） / Enter the start date (YYYY-MM-DD)');
    const farAway = await refusal(t.services.calendarTasks.add(2100, { title: 'x', titleEn: 'x', ownerLabel: 'x', startsOn: '2100-01-01', dueOn: '2100-01-02' }, admin));
    expect(farAway.code).toBe('CALENDAR_YEAR_INVALID');

    const done = await t.services.calendarTasks.markDone(added.id, admin);
    expect(done.done).toBe(true);
    expect(done.doneAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await t.services.calendarTasks.view(2026, '2026-12-31')).find((x) => x.id === added.id)?.status).toBe('done');
    await t.services.calendarTasks.markDone(added.id, admin); // twice: nothing more to record
    expect((await t.services.calendarTasks.reopen(added.id, admin)).done).toBe(false);

    const inventory = (await t.services.calendarTasks.list(2026)).find((x) => x.key === 'inventory');
    if (!inventory) throw new Error('no inventory task');
    const planTask = await refusal(t.services.calendarTasks.remove(inventory.id, admin));
    expect(planTask).toMatchObject({ status: 409, code: 'CALENDAR_TASK_FROM_PLAN' });
    await t.services.calendarTasks.remove(added.id, admin);
    expect((await t.services.calendarTasks.list(2026)).map((x) => x.id)).not.toContain(added.id);
    expect((await auditOf(added.id)).sort()).toEqual(['calendar.task.add', 'calendar.task.done', 'calendar.task.remove', 'calendar.task.reopen']);
  });

  it('only who may manage the calendar (the admin) changes it; nothing is written for anyone else', async () => {
    const task = (await t.services.calendarTasks.list(2026)).find((x) => x.key === 'inventory');
    if (!task) throw new Error('no task');
    const before = await head();
    for (const p of [
      t.services.calendarTasks.update(task.id, { dueOn: '2026-03-20' }, contact),
      t.services.calendarTasks.add(2026, { title: 'x', titleEn: 'x', ownerLabel: 'x', startsOn: '2026-05-01', dueOn: '2026-05-02' }, contact),
      t.services.calendarTasks.markDone(task.id, contact),
      t.services.calendarTasks.reopen(task.id, contact),
      t.services.calendarTasks.remove(task.id, contact),
    ]) {
      expect((await refusal(p)).status).toBe(403);
    }
    expect(await t.services.calendarTasks.get(task.id)).toEqual(task);
    expect(await head()).toBe(before);
  });
});
