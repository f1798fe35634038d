import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEnv } from '../helpers/env.ts';
import { type Portal, seriousViolations, skipBrowser, startPortal } from '../helpers/browser.ts';

describe.skipIf(skipBrowser)('sign-in and user management in a real browser', () => {
  let env: TestEnv;
  let browser: Browser;
  let base: string;

  let portal: Portal | undefined;

  beforeAll(async () => {
    portal = await startPortal(async (e) => {
      await e.services.users.create({ email: 'chen@stat.example', name: '陳聯絡', password: 'contact-password-123', unit: 'statistics', role: 'contact' });
    });
    ({ env, browser, base } = portal);
  });

  afterAll(async () => portal?.close());

  it('works without JavaScript: sign in, return to the page asked for, add a role, sign out', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-TW' });
    const page = await context.newPage();
    await page.goto(`${base}/admin/users`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.getByLabel('電子郵件').fill('admin@kaifang.local');
    await page.getByLabel('密碼').fill('wrong-password-here');
    await page.getByRole('button', { name: '登入' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('電子郵件或密碼錯誤');
    await page.getByLabel('密碼').fill('admin-password-for-tests');
    await page.getByRole('button', { name: '登入' }).click();
    await page.waitForURL(`${base}/admin/users`);
    expect(await page.locator('header').textContent()).toContain('已登入 系統管理者 Administrator');

    await page.locator('#role-email').selectOption('chen@stat.example');
    await page.locator('#role-unit').selectOption('census');
    await page.locator('#role-role').selectOption('reviewer');
    await page.getByRole('button', { name: '新增角色' }).click();
    await page.waitForURL(`${base}/admin/users`);
    expect((await env.services.users.findByEmail('chen@stat.example'))?.roles).toContainEqual({ unit: 'census', role: 'reviewer' });

    await page.locator('header').getByRole('button', { name: '登出' }).click();
    await page.waitForURL(`${base}/`);
    expect(await page.locator('header').textContent()).toContain('登入');
    await page.goto(`${base}/admin/users`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await context.close();
  });

  it('the sign-in, account and user pages have no serious accessibility violation', async () => {
    const context = await browser.newContext({ bypassCSP: true, locale: 'zh-TW' });
    const page = await context.newPage();
    await page.goto(`${base}/signin`);
    expect(await seriousViolations(page), 'signin').toEqual([]);
    await page.getByLabel('電子郵件').fill('nobody@example.com');
    await page.getByLabel('密碼').fill('x');
    await page.getByRole('button', { name: '登入' }).click();
    await page.waitForLoadState();
    expect(await seriousViolations(page), 'signin error').toEqual([]);
    await page.getByLabel('電子郵件').fill('admin@kaifang.local');
    await page.getByLabel('密碼').fill('admin-password-for-tests');
    await page.getByRole('button', { name: '登入' }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/account`);
    expect(await seriousViolations(page), 'account').toEqual([]);
    await page.goto(`${base}/admin/users?lang=en`);
    expect(await seriousViolations(page), 'admin users (en)').toEqual([]);
    await context.close();
  });
});
