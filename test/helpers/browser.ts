import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
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
  close(): Promise<void>;
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
  return {
    env,
    app,
    browser,
    base,
    close: async () => {
      await browser.close();
      await app.close();
      await env.cleanup();
    },
  };
}
