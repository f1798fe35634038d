import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetInput } from '../src/modules/catalogue/catalogue.schemas.ts';
import { type DailySummary } from '../src/modules/followup/followup.service.ts';
import { addDays } from '../src/time.ts';
import type { ApprovedItem } from '../src/modules/inventory/inventory.types.ts';
import { MailSender } from '../src/modules/notifications/mail.sender.ts';
import { datasetInput } from './factories/dataset.ts';
import { kaifang } from './helpers/cli.ts';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';

/**
 * Issue 6, "done when": the daily run over a simulated quarter (2026-01-02 → 2026-03-31, every day,
 * each day run twice; two days through `kaifang jobs run-daily --json`) sends each expected reminder
 * and escalation exactly once, to the right people, on the right day — working days counted across
 * the Spring Festival (2026-02-16…20 off, and 02-27 for 228), as the shipped 2026 calendar says.
 * Defaults: updates reminded 5 working days ahead, schedule and calendar 10, escalation after 10
 * working days late, grace 1 day.
 */

interface Mail {
  day: string;
  to: string;
  subject: string;
  text: string;
}

const CLI_DAYS = new Set(['2026-02-12', '2026-03-04']);

describe.each(engines)('a quarter of daily runs (%s)', (engine) => {
  let smtp: TestSmtp;
  let t: TestEnv;
  const mails: Mail[] = [];
  const cliSummaries: { day: string; first: DailySummary; second: DailySummary }[] = [];
  const summaries = new Map<string, DailySummary[]>();
  let admin = '';

  const A = '每月未更新的物價統計';
  const B = '每月按時更新的薪資統計';
  const X = '二月開放的人力資源調查';
  const Y = '三月開放的家庭收支調查';
  const T = '年度資料盤點（測試）';

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await makeEnv(engine, { SMTP_URL: smtp.url, KAIFANG_MAIL_FROM: 'Kaifang <open@portal.test>' });
    const { users, catalogue, db } = t.services;
    admin = t.config.adminEmail;
    await users.create({ email: 'contact@stat.test', name: '王承辦', unit: 'statistics', role: 'contact' });
    await users.create({ email: 'reviewer@stat.test', name: '李科長', unit: 'statistics', role: 'reviewer' });
    await users.create({ email: 'cio@dgbas.test', name: 'CIO', unit: 'dgbas', role: 'cio' });
    await users.create({ email: 'contact@acct.test', name: '陳承辦', unit: 'accounting', role: 'contact' });
    await db.kysely.updateTable('users').set({ lang: 'en' }).where('email', '=', 'cio@dgbas.test').execute();

    // A: monthly, last updated 2026-01-10, never again → due 02-10.
    await catalogue.save(datasetInput({ title: A, identifier: 'A41000000G-900001', modified: '2026-01-10 09:00:00' }), { state: 'published' });
    // B: monthly, updated 2026-01-05 → due 02-05; updated in time twice below.
    await catalogue.save(datasetInput({ title: B, identifier: 'A41000000G-900002', modified: '2026-01-05 09:00:00' }), { state: 'published' });
    // Y's dataset: a draft linked to the schedule item, published in time below.
    const yDataset = await catalogue.save(datasetInput({ title: Y, identifier: 'A41000000G-900003', modified: '2026-03-10 09:00:00' }), { state: 'draft' });

    // The approved 2026 list (as the CIO's approval would write it): X due 02-11, Y due 03-20.
    const unit = await t.services.units.get('statistics');
    const ts = new Date().toISOString();
    const invId = randomUUID();
    await db.kysely.insertInto('inventories').values({ id: invId, unit_id: unit.id, year: 2026, state: 'approved', comment: null, submitted_at: ts, submitted_by: null, created_at: ts, updated_at: ts }).execute();
    const item = (id: string, position: number, name: string, plannedDate: string): ApprovedItem => ({
      id, itemKey: `K-${position}`, unit: 'statistics', unitTitle: unit.title, position, name, source: 'survey', systemName: null, description: null, ownerUnit: null,
      classification: 'open', legalBasis: null, reason: null, sensitivity: 'low', genderFlag: false, plannedDate, updateFrequency: '每1月',
    });
    const items = [item(randomUUID(), 1, X, '2026-02-11'), item(randomUUID(), 2, Y, '2026-03-20')];
    for (const [i, it] of items.entries()) {
      await db.kysely
        .insertInto('inventory_items')
        .values({ id: it.id, inventory_id: invId, unit_id: unit.id, year: 2026, item_key: it.itemKey, position: it.position, name: it.name, source: it.source, system_name: null, description: null, owner_unit: null, classification: 'open', legal_basis: null, reason: null, sensitivity: 'low', gender_flag: 0, priority: 0, planned_date: it.plannedDate, update_frequency: '每1月', dataset_id: i === 1 ? yDataset.dataset.id : null, notes: null, created_at: ts, updated_at: ts, updated_by: null })
        .execute();
    }
    await db.kysely.insertInto('inventory_approvals').values({ id: randomUUID(), year: 2026, revision: 1, approved_at: ts, approved_by: 'cio', compiled_by: 'admin', items_json: JSON.stringify(items), diff_json: '{}', dataset_id: null }).execute();

    // The plan's own tasks of 2026 (the daily run makes them if missing) are done: T below is the one followed.
    await t.services.calendarTasks.ensureYear(2026);
    await db.kysely.updateTable('calendar_tasks').set({ status: 'done' }).execute();
    // T: an annual-calendar task of the statistics unit, due 03-13, never marked done.
    await db.kysely
      .insertInto('calendar_tasks')
      .values({ id: randomUUID(), year: 2026, task_key: 'inventory-test', title: T, title_en: 'Annual inventory (test)', description: null, owner_label: '綜合統計處', owner_units_json: '["statistics"]', starts_on: '2026-01-05', due_on: '2026-03-13', status: 'planned', done_at: null, done_by: null, position: 1, updated_at: ts })
      .execute();

    const saveAgain = async (title: string, identifier: string, modified: string, state: 'published') => {
      const input: DatasetInput = datasetInput({ title, identifier, modified });
      await catalogue.save(input, { state });
    };
    const events: Record<string, () => Promise<void>> = {
      // B updated before each due date: 02-04 (due 02-05) and 03-03 (due 03-04).
      '2026-02-04': () => saveAgain(B, 'A41000000G-900002', '2026-02-04 10:00:00', 'published'),
      '2026-03-03': () => saveAgain(B, 'A41000000G-900002', '2026-03-03 10:00:00', 'published'),
      // Y's dataset published (opened) before its planned date.
      '2026-03-10': () => saveAgain(Y, 'A41000000G-900003', '2026-03-10 09:00:00', 'published'),
    };

    const cliEnv = { KAIFANG_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests', KAIFANG_BASE_URL: 'http://portal.test' };
    const sender = new MailSender(t.services.db, t.config.mail);
    for (let day = '2026-01-02'; day <= '2026-03-31'; day = addDays(day, 1)) {
      await events[day]?.();
      if (CLI_DAYS.has(day)) {
        const runs = [];
        for (let i = 0; i < 2; i++) {
          const r = await kaifang(['jobs', 'run-daily', '--as-of', day, '--json'], cliEnv);
          expect(r.code, r.stderr).toBe(0);
          runs.push(JSON.parse(r.stdout) as DailySummary);
        }
        cliSummaries.push({ day, first: runs[0], second: runs[1] });
      } else {
        summaries.set(day, [await t.services.followup.runDaily(day), await t.services.followup.runDaily(day)]);
      }
      const before = smtp.received.length;
      await sender.sendPending();
      for (const m of smtp.received.slice(before)) for (const to of m.to) mails.push({ day, to, subject: m.subject, text: m.text });
    }
    await sender.stop();
  }, 600_000);

  afterAll(async () => {
    await t?.cleanup();
    await smtp?.close();
  });

  it('sends each expected reminder and escalation exactly once, to the right people, on the right day', () => {
    const expected: [day: string, to: string, subject: string][] = [
      ['2026-01-28', 'contact@stat.test', `開放期程提醒：${X}（2026-02-11 前開放）`],
      ['2026-01-29', 'contact@stat.test', `更新提醒：${B}（2026-02-05 前）`],
      ['2026-02-03', 'contact@stat.test', `更新提醒：${A}（2026-02-10 前）`],
      ['2026-02-12', 'reviewer@stat.test', `逾期未更新：${A}`],
      ['2026-02-12', 'reviewer@stat.test', `開放逾期：${X}`],
      ['2026-02-12', admin, `開放逾期：${X}`],
      ['2026-02-24', 'contact@stat.test', `更新提醒：${B}（2026-03-04 前）`],
      ['2026-02-26', 'contact@stat.test', `年度行事曆提醒：${T}（2026-03-13 截止）`],
      ['2026-03-04', admin, `逾期跟催（陳報資料開放窗口）：${A}`],
      ['2026-03-05', admin, `開放逾期（陳報資訊長）：${X}`],
      ['2026-03-05', 'cio@dgbas.test', `Opening late, escalated: ${X}`],
      ['2026-03-06', 'contact@stat.test', `開放期程提醒：${Y}（2026-03-20 前開放）`],
      ['2026-03-14', admin, `年度工作逾期：${T}`],
      ['2026-03-27', 'contact@stat.test', `更新提醒：${B}（2026-04-03 前）`],
    ];
    const got = mails.map((m) => [m.day, m.to, m.subject]).sort((a, b) => a.join('|').localeCompare(b.join('|')));
    expect(got).toEqual([...expected].sort((a, b) => a.join('|').localeCompare(b.join('|'))));
  });

  it('counts working days across the Spring Festival: A escalates on 03-04, not on 02-24 (ten weekdays), nor B or Y ever late', () => {
    const escalation = mails.filter((m) => m.subject.includes(A) && m.subject.includes('陳報'));
    expect(escalation.map((m) => m.day)).toEqual(['2026-03-04']);
    expect(mails.filter((m) => m.day === '2026-02-24' && m.subject.includes(A))).toEqual([]);
    expect(mails.filter((m) => (m.subject.includes(B) || m.subject.includes(Y)) && !/提醒/.test(m.subject))).toEqual([]);
    expect(mails.some((m) => m.to === 'contact@acct.test')).toBe(false);
    // The mail names the dates and links to the page to act on.
    const overdue = mails.find((m) => m.subject === `逾期未更新：${A}`);
    expect(overdue?.text).toContain('2026-02-10');
    expect(overdue?.text).toMatch(/http:\/\/portal\.test\/manage\/datasets\/\S+/);
    const cio = mails.find((m) => m.to === 'cio@dgbas.test');
    expect(cio?.text).toContain('http://portal.test/manage/schedule?year=2026&unit=statistics');
    expect(cio?.text).toContain('working days');
  });

  it('a repeated day sends nothing: the second run of every day reports sent 0, through the service and the CLI', () => {
    for (const [day, [first, second]] of summaries) {
      expect(second.sent, day).toBe(0);
      expect(second.already, day).toBe(first.reminders + first.overdue + first.escalated + first.already);
    }
    const feb12 = cliSummaries.find((c) => c.day === '2026-02-12');
    expect(feb12?.first).toMatchObject({ asOf: '2026-02-12', sent: 3, overdue: 2, reminders: 0, escalated: 0, byKind: { dataset_update: 1, schedule_item: 1, calendar_task: 0 } });
    expect(feb12?.second.sent).toBe(0);
    const mar4 = cliSummaries.find((c) => c.day === '2026-03-04');
    expect(mar4?.first).toMatchObject({ sent: 1, escalated: 1 });
    expect(mar4?.second.sent).toBe(0);
  });

  it('records each day once, with its runs and the day’s totals', async () => {
    const day = await t.services.followup.dayRun('2026-02-12');
    expect(day).toMatchObject({ runs: 2, summary: { sent: 3, overdue: 2 } });
    expect(day?.finishedAt).not.toBeNull();
    const rows = await t.services.db.kysely.selectFrom('daily_runs').select('as_of').execute();
    expect(rows).toHaveLength(89);
    const ledger = await t.services.db.kysely.selectFrom('followups').select(['kind', 'stage']).execute();
    expect(ledger).toHaveLength(12);
  });
});
