import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { makeEnv, type TestEnv } from '../helpers/env.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE_SOURCE = readFileSync(path.resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');
const skip = !existsSync(CHROMIUM) && !process.env.CI;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function seriousViolations(page: Page): Promise<{ id: string; nodes: string[] }[]> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResults> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
  });
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 5).map((n) => n.html) }));
}

describe.skipIf(skip)('sign-in and user management in a real browser', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = await makeEnv('sqlite', { KAIFANG_BASE_URL: base });
    await env.services.users.create({ email: 'chen@stat.example', name: '陳聯絡', password: 'contact-password-123', unit: 'statistics', role: 'contact' });
    app = await buildApp(env.services);
    await app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await env?.cleanup();
  });

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

    await page.getByLabel('電子郵件', { exact: true }).selectOption('chen@stat.example');
    await page.getByLabel('單位', { exact: true }).selectOption('census');
    await page.getByLabel('角色', { exact: true }).selectOption('reviewer');
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
