import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInput } from '../factories/dataset.ts';
import type { TestEnv } from '../helpers/env.ts';
import { pageChecker, type Portal, signIn as signInAt, skipBrowser, startPortal } from '../helpers/browser.ts';

/** Screenshots of every page visited (KAIFANG_SCREENSHOTS moves them). */
const SHOTS = process.env.KAIFANG_SCREENSHOTS ?? '/tmp/shots-q';
const PASSWORD = 'clerk-password-12345';
const CONTACT = 'chen@stat.example';
const REVIEWER = 'lee@stat.example';
const TITLE = '補助款核發名冊';

/** The letter values of the national ID (A=10 … Z=33, as the Ministry of the Interior assigns them). */
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
/** A national ID number with a valid check digit, from a letter and eight digits. */
function validId(letter: string, digits: string): string {
  const v = LETTERS.indexOf(letter) + 10;
  const weights = [8, 7, 6, 5, 4, 3, 2, 1];
  const sum = Math.floor(v / 10) + (v % 10) * 9 + [...digits].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return `${letter}${digits}${(10 - (sum % 10)) % 10}`;
}

/**
 * Issue 5's "where people see it" in chromium: a contact uploads a CSV with valid 身分證號 and sees
 * personal_data fail on the status page; the reviewer sees the blocker, is refused the approval,
 * overrides with a reason and approves; the public page shows the badge; the unit and agency
 * reports draw their charts. axe-core runs on every page on the way.
 */
describe.skipIf(skipBrowser)('quality in a real browser', () => {
  let env: TestEnv;
  let base: string;
  let portal: Portal | undefined;
  let newPage: () => Promise<Page>;
  let name = '';
  let rid = '';
  const ids = [validId('A', '12345678'), validId('F', '22813940'), validId('N', '20117352')];
  const csv = `編號,姓名,身分證號,補助金額\n1,王大明,${ids[0]},12000\n2,林小華,${ids[1]},8000\n3,陳志強,${ids[2]},15000\n`;

  beforeAll(async () => {
    portal = await startPortal(async (e) => {
      await e.services.users.create({ email: CONTACT, name: '陳聯絡', unit: 'statistics', role: 'contact', password: PASSWORD });
      await e.services.users.create({ email: REVIEWER, name: '李審查', unit: 'statistics', role: 'reviewer', password: PASSWORD });
      const contact = await e.services.users.findByEmail(CONTACT);
      if (!contact) throw new Error('no contact');
      const { id } = await e.services.review.createDraft(
        contact,
        datasetInput({
          title: TITLE,
          fields: [{ name: '編號' }, { name: '姓名' }, { name: '身分證號' }, { name: '補助金額', type: 'integer' }],
          resources: [{ name: '補助款核發名冊 CSV', description: '補助款核發名冊', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/grants.csv' }],
        }),
      );
      const d = await e.services.catalogue.get(id, { includeNonPublic: true });
      name = d.name;
      rid = d.resources[0].resourceId;
    });
    ({ env, base } = portal);
    const open = portal.newPage;
    newPage = () => open();
  });
  afterAll(async () => portal?.close());

  const signIn = (page: Page, email: string, next: string, password = PASSWORD) => signInAt(page, base, email, password, next);
  const check = pageChecker(SHOTS);
  const click = async (page: Page, button: string | RegExp) => {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: button, exact: typeof button === 'string' }).click()]);
    await page.waitForLoadState('load');
  };
  const text = async (page: Page) => (await page.locator('main, body').first().innerText()).replace(/\s+/g, ' ');

  it('contact uploads IDs and sees personal_data fail → reviewer is blocked, overrides with a reason, approves → the public page shows the badge; reports draw their charts', async () => {
    const status = `/manage/datasets/${encodeURIComponent(name)}`;
    const contact = await newPage();
    await signIn(contact, CONTACT, status);
    expect(await text(contact)).toContain('尚未檢查');
    await check(contact, 'status-not-checked');

    await contact.selectOption('#upload-0-encoding', 'UTF-8');
    await contact.setInputFiles('#upload-0-file', { name: '補助款核發名冊.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await click(contact, '上傳');
    // The load, then the quality check of the new version (the server's scheduler would run them).
    expect(await env.services.jobs.runPending()).toBe(2);
    await contact.goto(`${base}${status}`);
    const checked = await text(contact);
    expect(checked).toMatch(/個人資料 personal_data 未通過 含有個人資料/);
    expect(checked).toContain('尚不能核准公開');
    // Evidence is masked: never the number itself.
    for (const id of ids) expect(checked).not.toContain(id);
    expect(checked).toMatch(/樣本「[A-Z]\d{2}\*+\d{3} /);
    await check(contact, 'status-personal-data-fail');
    await click(contact, '送審');
    expect(await text(contact)).toContain('已送審');
    expect(await env.services.jobs.runPending()).toBe(1); // the submission's check

    const reviewer = await newPage();
    await signIn(reviewer, REVIEWER, status);
    const review = await text(reviewer);
    expect(review).toContain('尚不能核准公開');
    expect(review).toContain('說明理由後核准公開（含個人資料）');
    await check(reviewer, 'review-blocked');

    // Approving while blocked: refused with the reason.
    await click(reviewer, '核准');
    expect(await text(reviewer)).toContain('含個人資料');
    expect((await env.services.catalogue.get(name, { includeNonPublic: true })).state).toBe('submitted');
    await check(reviewer, 'review-approve-refused');

    // A reason too short is refused at the field…
    const reason = reviewer.locator(`#override-reason-${rid.replace(/[^A-Za-z0-9_-]/g, '_')}`);
    await reason.fill('太短');
    await click(reviewer, '說明理由並核准此項');
    expect(await text(reviewer)).toContain('請說明核准公開的理由（至少 10 字）');
    expect(await reviewer.locator(`#override-reason-${rid.replace(/[^A-Za-z0-9_-]/g, '_')}`).getAttribute('aria-invalid')).toBe('true');
    await check(reviewer, 'override-too-short');
    // …a real one is recorded, and approval goes through.
    await reviewer.locator(`#override-reason-${rid.replace(/[^A-Za-z0-9_-]/g, '_')}`).fill('名冊依補助辦法第 8 條公告，經法制單位確認可公開');
    await click(reviewer, '說明理由並核准此項');
    const overridden = await text(reviewer);
    expect(overridden).toContain('已記錄您核准公開的決定與理由');
    expect(overridden).toContain('已由 李審查');
    expect(overridden).not.toContain('尚不能核准公開');
    await check(reviewer, 'override-recorded');
    await click(reviewer, '核准');
    expect(await text(reviewer)).toContain('已核准，資料集已公開。');

    // The public page: the badge in words, the verdicts; no evidence.
    const visitor = await newPage();
    await visitor.goto(`${base}/datasets/${encodeURIComponent(name)}`);
    const pub = await text(visitor);
    expect(pub).toMatch(/品質標章：(無|銅|銀|金|白金)/);
    expect(pub).toContain('個人資料');
    expect(pub).not.toContain('樣本');
    await check(visitor, 'public-quality');
    await visitor.goto(`${base}/datasets/${encodeURIComponent(name)}?lang=en#quality`);
    expect(await text(visitor)).toMatch(/Quality badge: (None|Bronze|Silver|Gold|Platinum)/);
    await check(visitor, 'public-quality-en');

    // The staff view of the same page, with "check again".
    await contact.goto(`${base}/datasets/${encodeURIComponent(name)}`);
    await click(contact, /^重新檢查/);
    expect(await text(contact)).toContain('已排入檢查');
    await check(contact, 'public-staff-check-again');

    // The reports.
    await reviewer.goto(`${base}/manage/quality`);
    const report = await text(reviewer);
    expect(report).toContain('單位品質報告：綜合統計處');
    expect(report).toContain('個人資料');
    expect(await reviewer.locator('svg[role="img"]').count()).toBe(2);
    await check(reviewer, 'unit-report');
    const admin = await newPage();
    await signIn(admin, env.config.adminEmail, '/manage/quality/agency', 'admin-password-for-tests');
    await admin.goto(`${base}/manage/quality/agency?lang=en`);
    expect(await text(admin)).toContain('Agency quality report');
    await check(admin, 'agency-report-en');
  });
});
