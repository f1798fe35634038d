import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInput } from '../factories/dataset.ts';
import { type Portal, seriousViolations, skipBrowser, startPortal } from '../helpers/browser.ts';

/** Set KAIFANG_SCREENSHOTS=<dir> to keep full-page screenshots of every back-office page visited. */
const SCREENSHOTS = process.env.KAIFANG_SCREENSHOTS;
const PASSWORD = 'clerk-password-12345';
const CONTACT = 'wang@stat.example';
const HEAD = 'chen@dgbas.example';
const TITLE = '已停辦調查統計表';

/**
 * Discontinuation in chromium, without the API: the unit contact proposes to stop providing a
 * published dataset (the form's errors first), the head finds the task on the dashboard, tries to
 * reject without a reason, then approves; the public page shows the notice and the download
 * answers 410. axe-core runs on every back-office page on the way.
 */
describe.skipIf(skipBrowser)('discontinuation in the back office, in a real browser', () => {
  let portal: Portal | undefined;
  let base = '';
  const contexts: BrowserContext[] = [];
  let resourceId = '';

  beforeAll(async () => {
    portal = await startPortal(async (env) => {
      const { users, catalogue } = env.services;
      await users.create({ email: CONTACT, name: '王聯絡', password: PASSWORD, unit: 'statistics', role: 'contact' });
      await users.create({ email: HEAD, name: '陳主計長', password: PASSWORD, unit: 'dgbas', role: 'head' });
      const { dataset } = await catalogue.save(datasetInput({ name: 'old-survey', identifier: 'A41000000G-900501', title: TITLE }), { state: 'published' });
      resourceId = dataset.resources[0]?.resourceId ?? '';
    });
    base = portal.base;
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await portal?.close();
  });

  const newPage = async (): Promise<Page> => {
    if (!portal) throw new Error('no portal');
    // axe is injected by evaluation; our pages forbid scripts by CSP, which the test bypasses.
    const c = await portal.browser.newContext({ bypassCSP: true, locale: 'zh-TW', viewport: { width: 1280, height: 900 } });
    contexts.push(c);
    return c.newPage();
  };
  const signIn = async (page: Page, email: string, next: string) => {
    await page.goto(`${base}${next}`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.getByLabel('電子郵件').fill(email);
    await page.getByLabel('密碼').fill(PASSWORD);
    await page.getByRole('button', { name: '登入' }).click();
    await page.waitForURL(`${base}${next}`);
  };
  const check = async (page: Page, label: string) => {
    expect(await seriousViolations(page), label).toEqual([]);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, `discontinuation-${label.replace(/\W+/g, '-')}.png`), fullPage: true });
    }
  };
  const click = async (page: Page, name: string) => {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name, exact: true }).click()]);
    await page.waitForLoadState('load');
  };

  it('the contact proposes → the head sees the task, must give a reason to reject, approves → the public sees the notice, the download is gone', async () => {
    // The contact finds the proposal form on the dataset's status page.
    const contact = await newPage();
    await signIn(contact, CONTACT, '/manage/datasets/old-survey');
    expect(await contact.locator('main').textContent()).toContain('停止提供或變更提供方式');
    await check(contact, 'status (published, contact)');
    await Promise.all([contact.waitForURL(`${base}/manage/datasets/old-survey/discontinue`), contact.getByRole('link', { name: '提出停止提供申請' }).click()]);
    await check(contact, 'proposal form');

    // Sent empty: every problem summarised, each linking to its control.
    await click(contact, '送出申請');
    const alert = contact.getByRole('alert');
    expect(await alert.textContent()).toContain('請選擇申請事項');
    expect(await alert.textContent()).toContain('會議日期為必填');
    await check(contact, 'proposal form with errors');
    await alert.getByRole('link', { name: /申請事項/ }).click();
    expect(await contact.evaluate(() => location.hash)).toBe('#d-kind-stop');
    expect(await contact.locator('#d-meetingDate').getAttribute('aria-invalid')).toBe('true');

    await contact.getByLabel('停止提供', { exact: true }).check();
    await contact.locator('#d-meetingDate').fill('2026-11-20');
    await contact.locator('#d-resolution').fill('經資料開放諮詢小組第3次會議決議同意停止提供。');
    await contact.locator('#d-reasons').fill('調查已停辦，資料不再更新。');
    await click(contact, '送出申請');
    expect(new URL(contact.url()).pathname).toBe('/manage/datasets/old-survey');
    expect(await contact.getByRole('status').textContent()).toContain('已送出停止提供申請');
    expect(await contact.locator('main').textContent()).toContain('待核定的申請');
    expect(await contact.getByRole('button', { name: '撤回申請' }).count()).toBe(1);
    await check(contact, 'status (proposed, contact)');

    // The head has the task on the dashboard, with what is asked.
    const head = await newPage();
    await signIn(head, HEAD, '/manage');
    const task = head.locator('table').first();
    expect(await task.textContent()).toContain('停止提供申請待核定');
    expect(await task.textContent()).toContain('調查已停辦，資料不再更新。');
    await check(head, 'dashboard (head, task)');
    await Promise.all([head.waitForURL(`${base}/manage/datasets/old-survey`), task.getByRole('link', { name: TITLE }).click()]);
    expect(await head.locator('main').textContent()).toContain('2026-11-20');
    await check(head, 'status (proposed, head)');

    // Rejecting needs a reason.
    await click(head, '不核定');
    expect(await head.getByRole('alert').textContent()).toContain('不核定時必須說明理由');
    await check(head, 'status with reject error');
    await head.getByRole('alert').getByRole('link').click();
    expect(await head.evaluate(() => location.hash)).toBe('#comment-disc-reject');

    // Approving publishes the notice.
    await head.locator('#comment-disc-approve').fill('同意。');
    await click(head, '核定');
    expect(await head.getByRole('status').textContent()).toContain('已核定，公告已發布');
    expect(await head.locator('.notice-box').textContent()).toContain('調查已停辦，資料不再更新。');
    await check(head, 'status (discontinued, head)');
    await head.goto(`${base}/manage/datasets/old-survey?lang=en`);
    await check(head, 'status (discontinued, en)');

    // The public: the notice on top of the dataset's page, the list of notices, and the download gone.
    const visitor = await newPage();
    await visitor.goto(`${base}/datasets/old-survey`);
    expect(await visitor.locator('.notice-box').textContent()).toContain('調查已停辦，資料不再更新。');
    await visitor.goto(`${base}/discontinued`);
    expect(await visitor.locator('main').textContent()).toContain(TITLE);
    const gone = await visitor.goto(`${base}/datasets/old-survey/resources/${resourceId}/download`);
    expect(gone?.status()).toBe(410);
  });

  it('works without JavaScript: the radio buttons and the date input post the proposal', async () => {
    if (!portal) throw new Error('no portal');
    await portal.env.services.catalogue.save(datasetInput({ name: 'nojs-survey', title: '無腳本測試表' }), { state: 'published' });
    const c = await portal.browser.newContext({ javaScriptEnabled: false, locale: 'zh-TW' });
    contexts.push(c);
    const page = await c.newPage();
    await signIn(page, CONTACT, '/manage/datasets/nojs-survey/discontinue');
    await page.getByLabel('改為依申請提供').check();
    await page.locator('#d-meetingDate').fill('2026-11-21');
    await page.locator('#d-resolution').fill('同意改為依申請提供。');
    await page.locator('#d-reasons').fill('含個人資料。');
    await page.locator('#d-applicationTerms').fill('填具申請書。');
    await click(page, '送出申請');
    expect(new URL(page.url()).pathname).toBe('/manage/datasets/nojs-survey');
    expect(await page.locator('main').textContent()).toContain('填具申請書。');
  });
});
