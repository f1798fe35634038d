import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEnv } from '../helpers/env.ts';
import { type Portal, seriousViolations, skipBrowser, startPortal } from '../helpers/browser.ts';

/** Set KAIFANG_SCREENSHOTS=<dir> to keep full-page screenshots of every back-office page visited. */
const SCREENSHOTS = process.env.KAIFANG_SCREENSHOTS;
const PASSWORD = 'clerk-password-12345';
const CONTACT = 'chen@stat.example';
const REVIEWER = 'lee@stat.example';
const TITLE = '家庭收支調查報告';

/**
 * The new-user story in chromium: the admin gives a new contact and a new reviewer their
 * roles, the contact creates a dataset with a resource URL and submits it, the reviewer returns it
 * with a comment, the contact fixes and resubmits, the reviewer approves, the public finds it.
 * axe-core runs on every back-office page on the way.
 */
describe.skipIf(skipBrowser)('the back office in a real browser', () => {
  let env: TestEnv;
  let browser: Browser;
  let base: string;
  let portal: Portal | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // No accounts besides the admin: the story creates them through the back office.
    portal = await startPortal();
    ({ env, browser, base } = portal);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await portal?.close();
  });

  const newPage = async (): Promise<Page> => {
    // axe is injected by evaluation; our pages forbid scripts by CSP, which the test bypasses.
    const c = await browser.newContext({ bypassCSP: true, locale: 'zh-TW', viewport: { width: 1280, height: 900 } });
    contexts.push(c);
    return c.newPage();
  };
  const signIn = async (page: Page, email: string, password: string, next: string) => {
    await page.goto(`${base}${next}`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.getByLabel('電子郵件').fill(email);
    await page.getByLabel('密碼').fill(password);
    await page.getByRole('button', { name: '登入' }).click();
    await page.waitForURL(`${base}${next}`);
  };
  /** axe on the page as it stands (and a screenshot when asked for). */
  const check = async (page: Page, label: string) => {
    expect(await seriousViolations(page), label).toEqual([]);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, `manage-${label.replace(/\W+/g, '-')}.png`), fullPage: true });
    }
  };
  const click = async (page: Page, name: string) => {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name, exact: true }).click()]);
    await page.waitForLoadState('load');
  };

  it('admin creates the accounts → contact creates and submits → reviewer returns → contact fixes and resubmits → reviewer approves → the public finds it', async () => {
    // The admin creates the contact and the reviewer of 綜合統計處. No mail server is configured
    // here, so the page shows each one-time link for the admin to pass on.
    const admin = await newPage();
    await signIn(admin, 'admin@kaifang.local', 'admin-password-for-tests', '/admin/users');
    const links: Record<string, string> = {};
    for (const [email, name, role] of [[CONTACT, '陳聯絡', 'contact'], [REVIEWER, '李審查', 'reviewer']] as const) {
      await admin.locator('#new-email').fill(email);
      await admin.locator('#new-name').fill(name);
      await admin.locator('#new-unit').selectOption('statistics');
      await admin.locator('#new-role').selectOption(role);
      await click(admin, '建立帳號並寄出邀請');
      expect(await admin.getByRole('status').textContent()).toContain(`已建立帳號 ${email}`);
      links[email] = (await admin.locator('code.one-time-link').textContent()) ?? '';
    }
    await check(admin, 'users (after creating two accounts)');
    expect((await env.services.users.findByEmail(CONTACT))?.roles).toEqual([{ unit: 'statistics', role: 'contact' }]);
    expect((await env.services.users.findByEmail(REVIEWER))?.roles).toEqual([{ unit: 'statistics', role: 'reviewer' }]);

    // Each new user opens their link and chooses a password; that signs them in.
    const setPassword = async (page: Page, email: string) => {
      await page.goto(links[email]);
      await check(page, `set password ${email}`);
      await page.getByLabel('新密碼', { exact: true }).fill(PASSWORD);
      await page.getByLabel('再輸入一次新密碼').fill(PASSWORD);
      await click(page, '設定密碼並登入');
      expect(new URL(page.url()).pathname, await page.locator('main').textContent() ?? '').toBe('/account');
    };

    // The contact sets a password and finds the back office from the header.
    const contact = await newPage();
    await setPassword(contact, CONTACT);
    await Promise.all([contact.waitForURL(`${base}/manage`), contact.getByRole('link', { name: '管理', exact: true }).click()]);
    await check(contact, 'dashboard (contact, empty)');
    await contact.getByRole('link', { name: '新增資料集' }).click();
    await contact.waitForURL(`${base}/manage/datasets/new`);
    await check(contact, 'editor (new)');

    // Saving an empty form: errors summarised at the top, each linking to its field.
    await click(contact, '儲存');
    expect(await contact.getByRole('alert').textContent()).toContain('資料集名稱');
    await check(contact, 'editor with errors');
    await contact.getByRole('alert').getByRole('link', { name: /資料集名稱/ }).click();
    expect(await contact.evaluate(() => location.hash)).toBe('#f-title');

    await contact.locator('#f-title').fill(TITLE);
    await contact.locator('#f-description').fill('家庭收支調查之年度統計結果。');
    await contact.locator('#f-categoryCode').selectOption('800');
    await contact.locator('#f-updateFrequency').fill('每1年');
    await contact.locator('#f-fieldDescription').fill('year(年度，西元年)、income(可支配所得)');
    await contact.locator('#f-keywords').fill('家庭收支、所得');
    await contact.locator('#f-publisherContactName').fill('陳聯絡 先生');
    await contact.locator('#f-publisherContactEmail').fill('chen@stat.example');
    await contact.locator('#f-resources-0-description').fill('家庭收支 CSV');
    await contact.locator('#f-resources-0-format').fill('CSV');
    await contact.locator('#f-resources-0-downloadUrl').fill('https://example.gov.tw/fies.csv');
    // One more resource block, without JavaScript's help: the form comes back with the values kept.
    await click(contact, '新增資源欄位');
    expect(await contact.locator('#f-resources-1-downloadUrl').count()).toBe(1);
    expect(await contact.locator('#f-title').inputValue()).toBe(TITLE);
    await contact.locator('#f-resources-1-description').fill('家庭收支 API');
    await contact.locator('#f-resources-1-format').fill('JSON');
    await contact.locator('#f-resources-1-accessUrl').fill('https://example.gov.tw/api/fies');
    await click(contact, '儲存');
    expect(new URL(contact.url()).pathname).toMatch(/^\/manage\/datasets\/a41000000g-\d{6}$/);
    const statusPath = new URL(contact.url()).pathname;
    expect(await contact.getByRole('status').textContent()).toContain('已建立資料集草稿');
    await check(contact, 'status (draft)');
    await contact.locator('#comment-submit').fill('第一次送審');
    await click(contact, '送審');
    expect(await contact.getByRole('status').textContent()).toContain('已送審');

    // The reviewer sees the task, reads the submission, returns it: first without a comment.
    const reviewer = await newPage();
    await setPassword(reviewer, REVIEWER);
    await reviewer.goto(`${base}/manage`);
    expect(await reviewer.locator('main').textContent()).toContain('待您審查');
    await check(reviewer, 'dashboard (reviewer, task)');
    await reviewer.getByRole('link', { name: TITLE }).first().click();
    await reviewer.waitForURL(`${base}${statusPath}`);
    expect(await reviewer.locator('table.diff').textContent()).toContain('https://example.gov.tw/fies.csv');
    await check(reviewer, 'status (submitted, reviewer)');
    await click(reviewer, '退回修改');
    expect(await reviewer.getByRole('alert').textContent()).toContain('退回時必須說明需要修改之處');
    await check(reviewer, 'status with return error');
    await reviewer.locator('#comment-return').fill('請補上英文名稱。');
    await click(reviewer, '退回修改');
    expect(await reviewer.getByRole('status').textContent()).toContain('已退回');

    // The contact sees it returned with the comment, fixes it and resubmits.
    await contact.goto(`${base}/manage`);
    expect(await contact.locator('main').textContent()).toContain('請補上英文名稱。');
    await check(contact, 'dashboard (contact, returned)');
    await contact.getByRole('link', { name: TITLE }).first().click();
    await contact.getByRole('link', { name: '編修此資料集' }).click();
    await contact.waitForURL(`${base}${statusPath}/edit`);
    await check(contact, 'editor (edit)');
    expect(await contact.locator('#f-resources-1-accessUrl').inputValue()).toBe('https://example.gov.tw/api/fies');
    await contact.locator('#f-titleEn').fill('Survey of Family Income and Expenditure');
    await click(contact, '儲存');
    expect(await contact.getByRole('status').textContent()).toContain('已儲存');
    await click(contact, '送審');

    // The reviewer approves; the public search finds it.
    await reviewer.goto(`${base}/manage`);
    await reviewer.getByRole('link', { name: TITLE }).first().click();
    expect(await reviewer.locator('table.diff').textContent()).toContain('Survey of Family Income and Expenditure');
    await click(reviewer, '核准');
    expect(await reviewer.getByRole('status').textContent()).toContain('已核准');
    await check(reviewer, 'status (published)');
    await reviewer.goto(`${base}/manage?lang=en`);
    await check(reviewer, 'dashboard (en)');

    const visitor = await newPage();
    await visitor.goto(`${base}/datasets?q=${encodeURIComponent('家庭收支')}`);
    await visitor.getByRole('link', { name: TITLE }).click();
    expect(await visitor.locator('h1').textContent()).toContain(TITLE);
    expect(await visitor.locator('main').textContent()).toContain('開啟 JSON 連結：家庭收支 API');
    // CKAN clients find it too.
    const ckan = await visitor.request.get(`${base}/api/3/action/package_search?q=${encodeURIComponent('家庭收支')}`);
    const found = (await ckan.json()) as { success: boolean; result: { count: number; results: { title: string }[] } };
    expect(found.success).toBe(true);
    expect(found.result.results.map((r) => r.title)).toContain(TITLE);

    // An edit of the published dataset is a working copy: the public keeps the approved title until the reviewer approves the change.
    await contact.goto(`${base}${statusPath}/edit`);
    await contact.locator('#f-title').fill(`${TITLE}（修正版）`);
    await click(contact, '儲存');
    expect(await contact.getByRole('status').textContent()).toContain('已儲存');
    await click(contact, '送審');
    expect(await contact.getByRole('status').textContent(), await contact.locator('main').textContent() ?? '').toContain('已送審');
    const publicPath = new URL(visitor.url()).pathname;
    await visitor.reload();
    expect((await visitor.locator('h1').textContent())?.trim()).toBe(TITLE);
    // (The reviewer chose English above; the choice is remembered, so ask for Chinese again.)
    await reviewer.goto(`${base}${statusPath}?lang=zh-TW`);
    expect(await reviewer.locator('table.diff').textContent()).toContain(`${TITLE}（修正版）`);
    await check(reviewer, 'status (working copy submitted)');
    await click(reviewer, '核准');
    await visitor.goto(`${base}${publicPath}`);
    expect((await visitor.locator('h1').textContent())?.trim()).toBe(`${TITLE}（修正版）`);
  });
  it('works without JavaScript: another resource block, and Enter in a field saves (not "新增資源欄位")', async () => {
    const c = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-TW' });
    contexts.push(c);
    const page = await c.newPage();
    await signIn(page, CONTACT, PASSWORD, '/manage/datasets/new');
    await page.locator('#f-title').fill('無腳本資料集');
    await click(page, '新增資源欄位');
    expect(await page.locator('#f-resources-1-description').count()).toBe(1);
    expect(await page.locator('#f-title').inputValue()).toBe('無腳本資料集');
    await page.locator('#f-description').fill('不需 JavaScript 也能建立。');
    await page.locator('#f-categoryCode').selectOption('I00');
    await page.locator('#f-fieldDescription').fill('a(甲)');
    await page.locator('#f-resources-0-description').fill('CSV 檔');
    await page.locator('#f-resources-0-format').fill('CSV');
    await page.locator('#f-resources-0-downloadUrl').fill('https://example.gov.tw/nojs.csv');
    await page.locator('#f-updateFrequency').fill('不定期');
    await Promise.all([page.waitForURL(/\/manage\/datasets\/a41000000g-\d{6}\?done=created$/), page.locator('#f-updateFrequency').press('Enter')]);
    expect(await page.locator('h1').textContent()).toBe('無腳本資料集');
  });
});
