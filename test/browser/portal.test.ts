import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoCatalogue } from '../../src/modules/demo/demo.service.ts';
import { type Portal, seriousViolations, skipBrowser, startPortal } from '../helpers/browser.ts';

/** Set KAIFANG_SCREENSHOTS=<dir> to keep full-page screenshots of every page visited. */
const SCREENSHOTS = process.env.KAIFANG_SCREENSHOTS;

describe.skipIf(skipBrowser)('the portal in a real browser', () => {
  let browser: Browser;
  let context: BrowserContext;
  let base: string;

  const shot = async (page: Page, name: string) => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  let portal: Portal | undefined;

  beforeAll(async () => {
    portal = await startPortal(async (e) => {
      // The demo catalogue (示範資料) is what a fresh install shows; its files are served by this server.
      expect(await loadDemoCatalogue(e.services)).toBeGreaterThanOrEqual(30);
    });
    ({ browser, base } = portal);
    // axe is injected by evaluation; our pages forbid scripts by CSP, which the test bypasses.
    context = await browser.newContext({ bypassCSP: true, acceptDownloads: true, locale: 'zh-TW', viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    await portal?.close();
  });

  it('goes home → searches 物價 → opens a dataset → downloads a resource, with no serious accessibility violation', async () => {
    const page = await context.newPage();
    const home = await page.goto(`${base}/`);
    expect(home?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hant-TW');
    expect(await page.locator('h1').count()).toBe(1);
    await shot(page, 'home-zh');
    // The first Tab reaches the skip link, and it becomes visible.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    expect((await page.locator('.skip-link').boundingBox())?.y ?? -1).toBeGreaterThanOrEqual(0);
    expect(await seriousViolations(page), 'home').toEqual([]);

    await page.getByLabel('搜尋資料集').fill('物價');
    await Promise.all([page.waitForURL(/\/datasets\?q=/), page.getByRole('button', { name: '搜尋' }).click()]);
    const results = page.locator('.dataset-item h3 a');
    expect(await results.count()).toBeGreaterThan(0);
    expect(await results.first().textContent()).toContain('物價');
    expect(await seriousViolations(page), 'search results').toEqual([]);
    await shot(page, 'search-zh');

    await Promise.all([page.waitForURL(/\/datasets\/[^?]+$/), results.first().click()]);
    expect(await page.locator('h1').count()).toBe(1);
    const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '{}') as { '@type'?: string };
    expect(ld['@type']).toBe('Dataset');
    expect(await seriousViolations(page), 'dataset').toEqual([]);
    await shot(page, 'dataset-zh');

    // Download links go through the portal's download route, which redirects to the file: follow one as a visitor would.
    const link = page.locator('a.download').first();
    const href = await link.getAttribute('href');
    expect(href, 'the portal download route').toMatch(/^\/datasets\/[^/]+\/resources\/[^/]+\/download$/);
    const direct = await fetch(`${base}${href ?? ''}`);
    expect(direct.status).toBe(200);
    expect(direct.url, 'a resource served by the portal').toMatch(/\/demo\/files\/[^/]+$/);
    const expected = Buffer.from(await direct.arrayBuffer());
    expect(expected.length).toBeGreaterThan(0);
    // The portal serves files as attachments, so following the link saves the file.
    const statuses = new Map<string, number>();
    page.on('response', (r) => statuses.set(r.url(), r.status()));
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), link.click()]);
    expect(download.url()).toBe(direct.url);
    expect(readFileSync(await download.path())).toEqual(expected);
    expect(statuses.get(direct.url) ?? 200).toBe(200);
    await page.close();
  });

  it('shows unit, English and error pages a reader can use', async () => {
    const page = await context.newPage();
    const unit = await page.goto(`${base}/units/statistics`);
    expect(unit?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('綜合統計處');
    expect(await seriousViolations(page), 'unit').toEqual([]);
    await shot(page, 'unit-zh');

    const missing = await page.goto(`${base}/no-such-page`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('找不到頁面');
    expect(await seriousViolations(page), '404').toEqual([]);
    await shot(page, 'notfound-zh');

    // The visible switch turns the portal English and the choice sticks through the cookie.
    await page.goto(`${base}/`);
    await Promise.all([page.waitForURL(/lang=en/), page.getByRole('link', { name: 'English' }).click()]);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await shot(page, 'home-en');
    await page.goto(`${base}/datasets?q=${encodeURIComponent('物價')}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await seriousViolations(page), 'search (en)').toEqual([]);
    await shot(page, 'search-en');
    await page.locator('.dataset-item h3 a').first().click();
    await page.waitForURL(/\/datasets\/[^?]+\?lang=en$/);
    expect(await seriousViolations(page), 'dataset (en)').toEqual([]);
    await shot(page, 'dataset-en');
    await page.goto(`${base}/units/statistics`);
    await shot(page, 'unit-en');
    const missingEn = await page.goto(`${base}/no-such-page`);
    expect(missingEn?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    await shot(page, 'notfound-en');
    const bad = await page.goto(`${base}/datasets?page=abc`);
    expect(bad?.status()).toBe(400);
    expect(await page.locator('.error-list').textContent()).toContain('page must be a whole number');
    await shot(page, 'badrequest-en');
    await page.close();
  });
});
