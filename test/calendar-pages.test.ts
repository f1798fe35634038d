import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taipeiDate } from '../src/time.ts';
import type { User } from '../src/modules/users/users.service.ts';
import { pageChecker, type Portal, signIn, skipBrowser, startPortal } from './helpers/browser.ts';
import { engines, makeApp } from './helpers/env.ts';
import { markupProblems } from './helpers/markup.ts';
import { controlValue, pageText, signInSession, type Session } from './helpers/pages.ts';

const YEAR = Number(taipeiDate().slice(0, 4));
const ADMIN_PASSWORD = 'admin-password-for-tests';
const CONTACT = 'contact@cal-pages.test';
const CONTACT_PASSWORD = 'contact-password-12345';
/** Screenshots of the pages (KAIFANG_SCREENSHOTS moves them). */
const SHOTS = process.env.KAIFANG_SCREENSHOTS ?? '/tmp/shots-calendar';

/** The events of a feed parsed by an independent parser (ical.js), by UID. */
function events(ics: string) {
  const vcal = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  return new Map(
    vcal.getAllSubcomponents('vevent').map((c) => {
      const e = new ICAL.Event(c);
      const start = c.getFirstProperty('dtstart');
      const end = c.getFirstProperty('dtend');
      return [e.uid, { summary: e.summary, description: e.description, start: String(start?.getFirstValue()), end: String(end?.getFirstValue()), startType: start?.type, stamp: String(c.getFirstPropertyValue('dtstamp')) }] as const;
    }),
  );
}

describe.each(engines)('the annual calendar pages on %s', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  let admin: Session;
  let contact: Session;
  let adminUser: User;

  beforeAll(async () => {
    t = await makeApp(engine);
    const found = await t.services.users.findByEmail(t.config.adminEmail);
    if (!found) throw new Error('no admin');
    adminUser = found;
    await t.services.users.create({ email: CONTACT, name: '聯絡人', password: CONTACT_PASSWORD, unit: 'statistics', role: 'contact' }, { id: found.id, label: found.email });
    admin = await signInSession(t.app, t.config.adminEmail, ADMIN_PASSWORD);
    contact = await signInSession(t.app, CONTACT, CONTACT_PASSWORD);
  });
  afterAll(async () => t.cleanup());

  const get = (url: string, s?: Session) => t.app.inject({ method: 'GET', url, headers: s ? { cookie: s.cookie } : {} });
  const post = (url: string, s: Session, fields: Record<string, string | string[]>) => {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...fields, _csrf: s.csrf })) for (const x of typeof v === 'string' ? [v] : v) form.append(k, x);
    return t.app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
  };
  const taskId = async (key: string) => {
    const task = (await t.services.calendarTasks.list(YEAR)).find((x) => x.key === key);
    if (!task) throw new Error(`no task ${key}`);
    return task.id;
  };

  it('the public year page: the chart and the table, links to the .ics and other years, in zh-TW and English; unknown years are 404', async () => {
    const bare = await get('/calendar');
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe(`/calendar/${YEAR}`);

    const res = await get(`/calendar/${YEAR}`);
    expect(res.statusCode).toBe(200);
    expect(markupProblems(res.body)).toEqual([]);
    const text = pageText(res.body);
    expect(text).toContain(`${YEAR} 年度行事曆`);
    expect(res.body).toContain('<div class="gantt" aria-hidden="true">');
    expect(res.body).toContain(`<caption>${YEAR} 年度工作項目：主／協辦單位、期間與狀態</caption>`);
    expect(res.body.match(/<th scope="row">/g)).toHaveLength(7);
    expect(text).toContain('年度資料盤點 各單位');
    expect(res.body).toContain(`href="/calendar/${YEAR}.ics"`);
    expect(res.body).toContain(`href="/calendar/${YEAR + 1}"`);
    // The public is not offered the back office.
    expect(res.body).not.toContain('/manage/calendar');
    expect((await get(`/calendar/${YEAR}`, admin)).body).toContain(`/manage/calendar?year=${YEAR}`);

    const en = await get(`/calendar/${YEAR}?lang=en`);
    expect(en.statusCode).toBe(200);
    expect(markupProblems(en.body)).toEqual([]);
    expect(pageText(en.body)).toContain(`Annual work calendar ${YEAR}`);
    expect(pageText(en.body)).toContain('Annual data inventory');
    expect(en.body).toContain('<td lang="zh-Hant-TW">各單位</td>');

    for (const url of ['/calendar/1999', '/calendar/abcd', `/calendar/${YEAR + 5}`, '/calendar/1999.ics']) expect((await get(url)).statusCode, url).toBe(404);
    expect(await t.services.calendarTasks.years()).not.toContain(1999);
  });

  it('the API gives the same tasks as JSON, with status; documented; unknown years 404, malformed 400', async () => {
    const res = await get(`/api/v1/calendar/${YEAR}`);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ year: number; asOf: string; ics: string; tasks: { key: string; status: string; workingDaysLeft: number; ownerUnits: string[] }[] }>();
    expect(body).toMatchObject({ year: YEAR, asOf: taipeiDate(), ics: `http://portal.test/calendar/${YEAR}.ics` });
    expect(body.tasks.map((x) => x.key).sort()).toEqual(['advisory-1', 'advisory-2', 'datasets', 'evaluation', 'inventory', 'plan-review', 'prior-year-review']);
    expect(body.tasks.find((x) => x.key === 'advisory-1')?.ownerUnits).toEqual(['it']);
    expect((await get('/api/v1/calendar/1999')).statusCode).toBe(404);
    expect((await get('/api/v1/calendar/20x6')).statusCode).toBe(400);
    const doc = (await get('/openapi.json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toContain('/api/v1/calendar/{year}');
  });

  it('the .ics: text/calendar, CRLF only, folded at 75 octets without splitting a character, parsed back with the tasks; UIDs and bytes stable across requests', async () => {
    // A title and description that need escaping, and a long Chinese description that needs folding.
    const id = await taskId('advisory-2');
    await t.services.calendarTasks.update(id, { title: '召開諮詢小組會議;年終檢視, 含\\反斜線', description: `第一行\n第二行：${'資料開放推動成果與民間需求回應情形'.repeat(4)}` }, adminUser);

    const res = await get(`/calendar/${YEAR}.ics`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const bytes = res.rawPayload;
    // Every line ends in CRLF; no bare CR or LF anywhere.
    const text = bytes.toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.slice(0, -2).split('\r\n');
    let folded = 0;
    for (const line of lines) {
      const raw = Buffer.from(line, 'utf8');
      expect(raw.length, line).toBeLessThanOrEqual(75);
      // Each physical line is whole UTF-8 on its own (the fold fell between characters).
      expect(new TextDecoder('utf-8', { fatal: true }).decode(raw)).toBe(line);
      if (line.startsWith(' ')) folded++;
    }
    expect(folded).toBeGreaterThan(3);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    // Escaped as RFC 5545 says (, ; \ and newlines), read after unfolding.
    expect(text.replace(/\r\n /g, '')).toContain('SUMMARY:召開諮詢小組會議\\;年終檢視\\, 含\\\\反斜線\r\n');

    const parsed = events(text);
    expect(parsed.size).toBe(7);
    const inventory = parsed.get(`${YEAR}-inventory@portal.test`);
    expect(inventory).toMatchObject({ summary: '年度資料盤點', start: `${YEAR}-01-01`, end: `${YEAR}-04-01`, startType: 'date' });
    expect(inventory?.description).toContain('Annual data inventory');
    expect(inventory?.description).toContain(`截止日 Deadline：${YEAR}-03-31`);
    expect(parsed.get(`${YEAR}-evaluation@portal.test`)).toMatchObject({ start: `${YEAR}-12-01`, end: `${YEAR + 1}-04-01` });
    const meeting = parsed.get(`${YEAR}-advisory-2@portal.test`);
    expect(meeting?.summary).toBe('召開諮詢小組會議;年終檢視, 含\\反斜線');
    expect(meeting?.description).toContain('第一行\n第二行：');
    expect(meeting?.description).toContain('資料開放推動成果與民間需求回應情形'.repeat(4));

    // Asked again: the same bytes (DTSTAMP is each task's last change), so the UIDs are the same.
    const again = await get(`/calendar/${YEAR}.ics`);
    expect(again.body).toBe(res.body);
    const etag = String(res.headers.etag);
    const unchanged = await t.app.inject({ method: 'GET', url: `/calendar/${YEAR}.ics`, headers: { 'if-none-match': etag } });
    expect(unchanged.statusCode).toBe(304);
    // Marking a task done changes its event, not its UID.
    await t.services.calendarTasks.markDone(await taskId('inventory'), adminUser);
    const after = events((await get(`/calendar/${YEAR}.ics`)).body);
    expect([...after.keys()].sort()).toEqual([...parsed.keys()].sort());
    expect(after.get(`${YEAR}-inventory@portal.test`)?.summary).toBe('年度資料盤點（已完成）');
    expect((await t.app.inject({ method: 'GET', url: `/calendar/${YEAR}.ics`, headers: { 'if-none-match': etag } })).statusCode).toBe(200);
  });

  it('the admin edits a task: a refused form keeps the input, names each problem at its field; a good one is saved, audited and shown', async () => {
    const id = await taskId('advisory-1');
    const page = await get(`/manage/calendar?year=${YEAR}`, admin);
    expect(page.statusCode).toBe(200);
    expect(markupProblems(page.body)).toEqual([]);
    expect(controlValue(page.body, `t-${id}-dueOn`)).toBe(`${YEAR}-05-31`);
    expect(pageText(page.body)).toContain('已載入的政府行政機關辦公日曆表');

    const bad = await post(`/manage/calendar/tasks/${id}`, admin, { title: '召開諮詢小組會議', titleEn: 'Advisory group meeting', ownerLabel: '主計資訊處', ownerUnits: 'it', startsOn: `${YEAR}-06-10`, dueOn: `${YEAR}-06-01`, description: '' });
    expect(bad.statusCode).toBe(400);
    expect(markupProblems(bad.body)).toEqual([]);
    expect(bad.body).toContain('class="error-summary"');
    expect(bad.body).toContain(`href="#t-${id}-dueOn"`);
    expect(pageText(bad.body)).toContain(`截止日期（${YEAR}-06-01）不可早於開始日期（${YEAR}-06-10）`);
    expect(bad.body).toMatch(new RegExp(`id="t-${id}-dueOn"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="t-${id}-dueOn"`));
    expect(controlValue(bad.body, `t-${id}-startsOn`)).toBe(`${YEAR}-06-10`);
    expect((await t.services.calendarTasks.get(id)).dueOn).toBe(`${YEAR}-05-31`);

    const badEn = await post(`/manage/calendar/tasks/${id}?lang=en`, admin, { title: '', titleEn: 'x', ownerLabel: 'x', startsOn: `${YEAR}-04-01`, dueOn: `${YEAR}-04-31` });
    expect(badEn.statusCode).toBe(400);
    expect(pageText(badEn.body)).toContain('Enter the task’s name');
    expect(pageText(badEn.body)).toContain(`The deadline "${YEAR}-04-31" is not a date`);

    const ok = await post(`/manage/calendar/tasks/${id}`, admin, { title: '召開諮詢小組會議（審議清單）', titleEn: 'Advisory group meeting (list review)', ownerLabel: '主計資訊處', ownerUnits: ['it', 'statistics'], startsOn: `${YEAR}-04-15`, dueOn: `${YEAR}-05-15`, description: '審議年度盤點清單' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/manage/calendar?year=${YEAR}&done=saved`);
    expect(await t.services.calendarTasks.get(id)).toMatchObject({ title: '召開諮詢小組會議（審議清單）', ownerUnits: ['it', 'statistics'], startsOn: `${YEAR}-04-15`, dueOn: `${YEAR}-05-15` });
    expect((await t.services.audit.log({ entityId: id }))[0]).toMatchObject({ action: 'calendar.task.update', actorLabel: t.config.adminEmail });
    expect(pageText((await get(`/calendar/${YEAR}`)).body)).toContain(`召開諮詢小組會議（審議清單） 審議年度盤點清單 主計資訊處 ${YEAR}-04-15 ${YEAR}-05-15`);

    // Add a third meeting, mark it done, remove it.
    const added = await post('/manage/calendar/tasks', admin, { year: String(YEAR), title: '召開諮詢小組會議（臨時會）', titleEn: 'Advisory group meeting (extra)', ownerLabel: '主計資訊處', startsOn: `${YEAR}-09-01`, dueOn: `${YEAR}-09-30` });
    expect(added.statusCode).toBe(303);
    const extra = (await t.services.calendarTasks.list(YEAR)).find((x) => x.added);
    if (!extra) throw new Error('not added');
    expect((await post(`/manage/calendar/tasks/${extra.id}/done`, admin, {})).statusCode).toBe(303);
    expect((await t.services.calendarTasks.get(extra.id)).done).toBe(true);
    expect((await post(`/manage/calendar/tasks/${extra.id}/reopen`, admin, {})).statusCode).toBe(303);
    expect((await post(`/manage/calendar/tasks/${extra.id}/remove`, admin, {})).headers.location).toBe(`/manage/calendar?year=${YEAR}&done=removed`);
    expect((await t.services.calendarTasks.list(YEAR)).some((x) => x.id === extra.id)).toBe(false);
    const missing = await post('/manage/calendar/tasks', admin, { year: String(YEAR), title: '', titleEn: '', ownerLabel: '', startsOn: '', dueOn: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#new-title"');
  });

  it('the admin loads a year’s working days from the form: bad JSON and bad entries are named and change nothing; a good file replaces the year, audited', async () => {
    const shipped = JSON.parse(readFileSync(new URL('../src/modules/calendar/years/2026.json', import.meta.url), 'utf8')) as { holidays: { date: string; name: string }[] };
    const notJson = await post('/manage/calendar/working-days', admin, { year: String(YEAR), json: '{"year": 2026,' });
    expect(notJson.statusCode).toBe(400);
    expect(markupProblems(notJson.body)).toEqual([]);
    expect(pageText(notJson.body)).toContain('不是有效的 JSON');
    expect(notJson.body).toContain('href="#wd-json"');
    expect(controlValue(notJson.body, 'wd-json')).toBe('{"year": 2026,');

    const badEntries = await post('/manage/calendar/working-days?lang=en', admin, { year: String(YEAR), json: JSON.stringify({ ...shipped, holidays: [{ date: '2026-13-01', name: '' }, { date: '2026-03-07', name: '週六' }] }) });
    expect(badEntries.statusCode).toBe(400);
    expect(pageText(badEntries.body)).toContain('holidays entry 1: date "2026-13-01" must be YYYY-MM-DD');
    expect(pageText(badEntries.body)).toContain('holidays entry 2: 2026-03-07 is a weekend day');
    expect((await t.services.calendar.years()).find((y) => y.year === 2026)?.holidays).toHaveLength(16);

    const typhoon = { ...shipped, holidays: [...shipped.holidays, { date: '2026-07-29', name: '颱風停止上班（測試）' }] };
    const ok = await post('/manage/calendar/working-days', admin, { year: String(YEAR), json: JSON.stringify(typhoon) });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/manage/calendar?year=${YEAR}&done=loaded`);
    expect((await t.services.calendar.calendar()).isWorkingDay('2026-07-29')).toBe(false);
    expect((await t.services.audit.log({ entityId: '2026' }))[0]).toMatchObject({ action: 'calendar.load', actorLabel: t.config.adminEmail, after: { holidays: 17 } });
    expect(pageText((await get(`/manage/calendar?year=${YEAR}&done=loaded`, admin)).body)).toContain('辦公日曆表已載入');
    expect((await post('/manage/calendar/working-days', contact, { json: JSON.stringify(typhoon) })).statusCode).toBe(403);
  });

  it('refuses everyone but the admin: the page and every form', async () => {
    const id = await taskId('inventory');
    expect((await get('/manage/calendar', contact)).statusCode).toBe(403);
    const anon = await get('/manage/calendar');
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toMatch(/^\/signin\?next=/);
    const before = (await t.services.audit.log({ limit: 1 }))[0]?.seq;
    for (const [url, fields] of [
      [`/manage/calendar/tasks/${id}`, { title: 'x', titleEn: 'x', ownerLabel: 'x', startsOn: `${YEAR}-01-01`, dueOn: `${YEAR}-01-02` }],
      ['/manage/calendar/tasks', { year: String(YEAR), title: 'x', titleEn: 'x', ownerLabel: 'x', startsOn: `${YEAR}-01-01`, dueOn: `${YEAR}-01-02` }],
      [`/manage/calendar/tasks/${id}/done`, {}],
      [`/manage/calendar/tasks/${id}/reopen`, {}],
      [`/manage/calendar/tasks/${id}/remove`, {}],
    ] as const) {
      expect((await post(url, contact, fields)).statusCode, url).toBe(403);
    }
    expect((await t.services.audit.log({ limit: 1 }))[0]?.seq).toBe(before);
  });
});

describe.skipIf(skipBrowser)('the annual calendar in a real browser', () => {
  let portal: Portal | undefined;
  let newPage: () => Promise<Page>;
  let base = '';
  const check = pageChecker(SHOTS);

  beforeAll(async () => {
    portal = await startPortal();
    base = portal.base;
    const open = portal.newPage;
    newPage = () => open();
  });
  afterAll(async () => portal?.close());

  it('the year page (zh-TW and English) and the admin page with a refused form pass axe', async () => {
    const page = await newPage();
    await page.goto(`${base}/calendar/${YEAR}`);
    expect(await page.locator('.gantt-bar').count()).toBe(7);
    await check(page, 'calendar-year');
    await page.goto(`${base}/calendar/${YEAR}?lang=en`);
    await check(page, 'calendar-year-en');

    const adminPage = await newPage();
    await signIn(adminPage, base, 'admin@kaifang.local', ADMIN_PASSWORD, '/manage/calendar');
    await check(adminPage, 'manage-calendar');
    await adminPage.locator('#new-title').fill('召開諮詢小組會議（臨時會）');
    await adminPage.locator('#new-startsOn').fill(`${YEAR}-09-30`);
    await adminPage.locator('#new-dueOn').fill(`${YEAR}-09-01`);
    await Promise.all([adminPage.waitForLoadState('load'), adminPage.getByRole('button', { name: '新增', exact: true }).click()]);
    await adminPage.waitForLoadState('load');
    expect(await adminPage.locator('.error-summary li').count()).toBe(3);
    await check(adminPage, 'manage-calendar-refused');
  });
});
