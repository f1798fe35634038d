import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInput } from './factories/dataset.ts';
import { HOSTILE } from './factories/hostile.ts';
import { pageChecker, type Portal, signIn as signInAt, skipBrowser, startPortal } from './helpers/browser.ts';
import { engines, makeApp, type TestEnv } from './helpers/env.ts';
import { markupProblems } from './helpers/markup.ts';
import { pageText, signInSession, type Session } from './helpers/pages.ts';
import { splitSvg, svgProblems } from './helpers/svg.ts';

const PASSWORD = 'followup-password-12345';
const SHOTS = process.env.KAIFANG_SCREENSHOTS ?? '/tmp/shots-followup';

/** Two late datasets (statistics, accounting) and one on time; the daily run of 2026-02-12 has told the reviewers. */
async function seed(env: TestEnv): Promise<void> {
  const { users, catalogue, followup } = env.services;
  for (const [who, unit, role] of [
    ['contact', 'statistics', 'contact'],
    ['reviewer', 'statistics', 'reviewer'],
    ['acct', 'accounting', 'contact'],
    ['cio', 'dgbas', 'cio'],
    ['advisor', 'dgbas', 'advisor'],
  ] as const) {
    await users.create({ email: `${who}@fu.test`, name: `${who} 先生`, unit, role, password: PASSWORD });
  }
  await catalogue.save(datasetInput({ title: '消費者物價指數', modified: '2026-01-10 09:00:00' }), { state: 'published' });
  await catalogue.save(datasetInput({ title: `決算 ${HOSTILE[0]}`, unit: 'accounting', modified: '2025-12-20 09:00:00' }), { state: 'published' });
  await catalogue.save(datasetInput({ title: '按時更新的統計', modified: '2026-02-20 09:00:00' }), { state: 'published' });
  await followup.runDaily('2026-02-12');
}

type Who = 'contact' | 'reviewer' | 'acct' | 'cio' | 'advisor' | 'admin';

describe.each(engines)('the overdue follow-up page and API (%s)', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  const s = {} as Record<Who, Session>;

  beforeAll(async () => {
    t = await makeApp(engine);
    await seed(t);
    for (const who of ['contact', 'reviewer', 'acct', 'cio', 'advisor'] as const) s[who] = await signInSession(t.app, `${who}@fu.test`, PASSWORD);
    s.admin = await signInSession(t.app, t.config.adminEmail, 'admin-password-for-tests');
  });
  afterAll(async () => t?.cleanup());

  const get = (url: string, who?: Who) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: s[who].cookie } : {} });

  it('lists late datasets by unit with days late (calendar and working), the due date, the last update and the notices sent; a bar chart with its table', async () => {
    const res = await get('/manage/followup?asOf=2026-02-24', 'admin');
    expect(res.statusCode).toBe(200);
    const { html, svgs } = splitSvg(res.body);
    expect(markupProblems(html)).toEqual([]);
    expect(svgs).toHaveLength(1);
    expect(svgProblems(svgs[0])).toEqual([]);
    expect(svgs[0]).toMatch(/role="img" aria-label="長條圖：各單位逾期件數。[^"]*綜合統計處 資料集 1 筆/);
    expect(svgs[0]).toContain('aria-describedby="chart-note"');
    const text = pageText(html);
    expect(text).toContain('截至 2026-02-24：逾期未更新資料集 2 筆，逾期未開放項目 0 項。');
    expect(html).toContain('<caption>各單位逾期件數（表格）</caption>');
    // 02-10 → 02-24: 14 days, 5 working days (the Spring Festival week off); reviewer told on 02-12.
    expect(text).toMatch(/消費者物價指數 每1月 2026-01-10 2026-02-10 14 5 逾期通知 2026-02-12/);
    expect(html).toContain('<th scope="row"><a href="/manage/datasets/');
    // Hostile text in a title is text.
    expect(res.body).not.toContain(HOSTILE[0]);
    expect(text).toContain(HOSTILE[0]);
    expect(html).toContain('href="/manage/followup.csv?asOf=2026-02-24"');
  });

  it('in English', async () => {
    const res = await get('/manage/followup?asOf=2026-02-24&lang=en', 'cio');
    expect(res.statusCode).toBe(200);
    const { html } = splitSvg(res.body);
    expect(markupProblems(html)).toEqual([]);
    const text = pageText(html);
    expect(text).toContain('Overdue follow-up');
    expect(text).toContain('As of 2026-02-24: 2 late dataset updates, 0 late openings.');
    expect(text).toContain('Department of Statistics');
    expect(text).toContain('overdue notice 2026-02-12');
    expect(html).toContain('href="/manage/followup.csv?asOf=2026-02-24&amp;lang=en"');
  });

  it('shows a contact their unit only; refuses who may not read it; sends the signed-out to sign in', async () => {
    const mine = pageText(splitSvg((await get('/manage/followup?asOf=2026-02-24', 'contact')).body).html);
    expect(mine).toContain('消費者物價指數');
    expect(mine).not.toContain('決算');
    expect(mine).not.toContain('會計決算處');
    expect((await get('/manage/followup', 'advisor')).statusCode).toBe(403);
    const anon = await get('/manage/followup');
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/signin?next=%2Fmanage%2Ffollowup');
  });

  it('tells a wrong date at its field: error summary linking to it, aria-invalid, the value kept', async () => {
    const res = await get('/manage/followup?asOf=2026-02-30', 'reviewer');
    expect(res.statusCode).toBe(400);
    expect(markupProblems(res.body)).toEqual([]);
    expect(res.body).toContain('<a href="#asof">');
    expect(res.body).toMatch(/<input type="date" id="asof" name="asOf" value="2026-02-30" aria-describedby="asof-hint asof-error" aria-invalid="true"/);
    expect(pageText(res.body)).toContain('日期「2026-02-30」格式錯誤，請寫成 YYYY-MM-DD');
    expect((await get('/manage/followup?asOf=nonsense', 'advisor')).statusCode).toBe(403);
  });

  it('downloads the list as CSV (BOM, one row per late item)', async () => {
    const res = await get('/manage/followup.csv?asOf=2026-02-24', 'admin');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="followup-2026-02-24.csv"');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const rows: string[][] = parse(res.body.slice(1));
    expect(rows[0]).toEqual(['單位', '類別', '名稱', '更新頻率', '最後更新', '應更新日／預定開放日', '逾期日數', '逾期工作天', '已寄提醒與通知']);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[6], r[7]])).toEqual([
      ['會計決算處', `決算 ${HOSTILE[0]}`, '35', '20'],
      ['綜合統計處', '消費者物價指數', '14', '5'],
    ]);
    expect((await get('/manage/followup.csv', 'advisor')).statusCode).toBe(403);
  });

  it('GET /api/v1/followup/overdue answers the same, by unit, to who may read it', async () => {
    expect((await get('/api/v1/followup/overdue?asOf=2026-02-24')).statusCode).toBe(401);
    expect((await get('/api/v1/followup/overdue?asOf=2026-02-24', 'advisor')).statusCode).toBe(403);
    const bad = await get('/api/v1/followup/overdue?asOf=2026-13-01', 'admin');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_DATE' } });
    const res = await get('/api/v1/followup/overdue?asOf=2026-02-24', 'acct');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ asOf: string; units: { unit: string; datasets: { daysLate: number; workingDaysLate: number; followups: { stage: string; asOf: string }[] }[] }[] }>();
    expect(body.asOf).toBe('2026-02-24');
    expect(body.units.map((u) => u.unit)).toEqual(['accounting']);
    // Due 01-20 and first seen on 02-12, already 10 working days late: escalated straight away.
    expect(body.units[0].datasets).toMatchObject([{ daysLate: 35, workingDaysLate: 20, followups: [{ stage: 'escalated', asOf: '2026-02-12' }] }]);
  });

  it('is linked from the back office', async () => {
    const res = await get('/manage', 'reviewer');
    expect(res.body).toContain('href="/manage/followup"');
  });
});

describe.skipIf(skipBrowser)('the overdue follow-up page in a real browser', () => {
  let portal: Portal | undefined;
  let page: Page;
  const check = pageChecker(SHOTS);

  beforeAll(async () => {
    portal = await startPortal(seed);
    page = await portal.newPage();
  });
  afterAll(async () => portal?.close());

  it('passes axe in zh-TW and English, and the date form works without script', async () => {
    if (!portal) throw new Error('no portal');
    await signInAt(page, portal.base, 'reviewer@fu.test', PASSWORD, '/manage/followup');
    await page.getByLabel('基準日').fill('2026-02-24');
    await page.getByRole('button', { name: '顯示' }).click();
    await page.waitForURL(/asOf=2026-02-24/);
    expect(await page.getByRole('img', { name: /長條圖/ }).isVisible()).toBe(true);
    expect(await page.getByRole('table', { name: /逾期未更新資料集：綜合統計處/ }).textContent()).toContain('消費者物價指數');
    await check(page, 'followup-zh');
    await page.goto(`${portal.base}/manage/followup?asOf=2026-02-30`);
    await check(page, 'followup-error');
    await page.goto(`${portal.base}/manage/followup?asOf=2026-02-24&lang=en`);
    expect(await page.getByRole('heading', { name: 'Overdue follow-up', level: 1 }).isVisible()).toBe(true);
    await check(page, 'followup-en');
  });
});
