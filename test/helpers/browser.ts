import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.ts';
import { makeEnv, type TestEnv } from './env.ts';

/** Debian's chromium, driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
/** Headless as root, and no background connections (this machine's network is closed). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Developers without Debian's chromium may skip; CI must run the browser tests.
export const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;

const AXE_SOURCE = readFileSync(path.resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');

/** A free port on 127.0.0.1, so the app can be configured with its own base URL before it listens. */
export async function freePort(): Promise<number> {
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

export interface AxeViolationSummary {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: string[];
}

/** Runs axe-core on the page (WCAG 2.1 A/AA rules) and returns its serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolationSummary[]> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResults> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.html) }));
}

export interface Portal {
  env: TestEnv;
  app: FastifyInstance;
  browser: Browser;
  /** http://127.0.0.1:<port>, also the app's KAIFANG_BASE_URL, so its links point back at it. */
  base: string;
  /** A page in a fresh context (zh-TW, 1280×900; CSP bypassed so axe can be injected), closed with the portal. */
  newPage: (opts?: BrowserContextOptions) => Promise<Page>;
  close(): Promise<void>;
}

/** Signs in through the sign-in page that `next` sends a signed-out visitor to, and waits to be back on `next`. */
export async function signIn(page: Page, base: string, email: string, password: string, next: string): Promise<void> {
  await page.goto(`${base}${next}`);
  await page.getByLabel('電子郵件').fill(email);
  await page.getByLabel('密碼').fill(password);
  await page.getByRole('button', { name: '登入' }).click();
  await page.waitForURL(`${base}${next}`);
}

/** axe on the page as it stands, then a numbered full-page screenshot in `dir` (to look at). */
export function pageChecker(dir: string): (page: Page, label: string) => Promise<void> {
  let shot = 0;
  mkdirSync(dir, { recursive: true });
  return async (page, label) => {
    expect(await seriousViolations(page), label).toEqual([]);
    await page.screenshot({ path: path.join(dir, `${String(++shot).padStart(2, '0')}-${label.replace(/[^\w-]+/g, '-')}.png`), fullPage: true });
  };
}

/** The real app listening on a free port with a fresh SQLite database, and chromium; `seed` runs before it listens. */
export async function startPortal(seed?: (env: TestEnv) => Promise<void>): Promise<Portal> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = await makeEnv('sqlite', { KAIFANG_BASE_URL: base });
  await seed?.(env);
  const app = await buildApp(env.services);
  await app.listen({ port, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  return {
    env,
    app,
    browser,
    base,
    newPage: async (opts = {}) => {
      // axe is injected by evaluation; our pages forbid scripts by CSP, which the tests bypass.
      const c = await browser.newContext({ bypassCSP: true, locale: 'zh-TW', viewport: { width: 1280, height: 900 }, ...opts });
      contexts.push(c);
      return c.newPage();
    },
    close: async () => {
      for (const c of contexts) await c.close();
      await browser.close();
      await app.close();
      await env.cleanup();
    },
  };
}
