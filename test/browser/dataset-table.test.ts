import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPendingVersions } from '../../src/modules/datastore/datastore.service.ts';
import { datasetInput } from '../factories/dataset.ts';
import { type Portal, seriousViolations, skipBrowser, startPortal } from '../helpers/browser.ts';

const SCREENSHOTS = process.env.KAIFANG_SCREENSHOTS;
const ITEMS = ['總指數', '食物類', '居住類'];
const MONTHS = Array.from({ length: 30 }, (_, i) => `${113 + Math.floor(i / 12)}年${(i % 12) + 1}月`);
/** 民國 months (the loader makes them ISO dates) by 項目: 90 rows, a time series. */
const SERIES_CSV = stringify([['年月', '項目', '指數'], ...MONTHS.flatMap((m, i) => ITEMS.map((item, k) => [m, item, (98 + i * 0.3 + k * 2 + Math.sin(i / 3)).toFixed(2)]))]);
const LIST_CSV = stringify([['名稱', '數量'], ...Array.from({ length: 25 }, (_, i) => [`品項${String(i + 1).padStart(2, '0')}`, String((i + 1) * 1000)])]);

/** The dataset page with a chart and two previews, in a real browser: accessible in both languages, sortable and paged by links with JavaScript off. */
describe.skipIf(skipBrowser)('the dataset page’s preview and chart in a real browser', () => {
  let portal: Portal | undefined;
  let name = '';

  beforeAll(async () => {
    portal = await startPortal(async (env) => {
      const s = env.services;
      const { dataset } = await s.catalogue.save(
        datasetInput({
          title: '消費者物價指數（測試）',
          fields: [{ name: '指數', title: '指數', description: '2021年=100' }],
          resources: [
            { name: '物價指數（CSV）', description: '物價指數', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/a.csv' },
            { name: '品項清單（CSV）', description: '品項清單', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/b.csv' },
          ],
        }),
        { state: 'published' },
      );
      name = dataset.name;
      for (const [r, csv] of [[dataset.resources[0].resourceId, SERIES_CSV], [dataset.resources[1].resourceId, LIST_CSV]] as const) {
        const v = await s.datastore.addVersion({ resourceId: r, source: Readable.from([Buffer.from(csv)]), fileName: 'data.csv', format: 'CSV', uploadedBy: 'test' });
        await s.datastore.load(v.id);
      }
      await s.db.kysely.transaction().execute((trx) => publishPendingVersions(trx, dataset.id, new Date().toISOString()));
    });
  });
  afterAll(async () => portal?.close());

  it('shows the chart with Chinese labels and the previews; axe-clean in both languages, the chart’s table open too', async () => {
    if (!portal) throw new Error('no portal');
    const context = await portal.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    for (const lang of ['zh-TW', 'en']) {
      await page.goto(`${portal.base}/datasets/${name}?lang=${lang}`);
      const chart = page.getByRole('img', { name: lang === 'en' ? /^Line chart of 指數 from 2024-01 to 2026-06, 3 lines/ : /^折線圖：指數，2024-01 至 2026-06，共 3 條線/ });
      await expect(chart.count()).resolves.toBe(1);
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(500);
      expect(box?.height).toBeGreaterThan(200);
      for (const item of ITEMS) expect(await chart.locator('text', { hasText: item }).count()).toBe(1);
      expect(await page.locator('table.preview caption').allTextContents()).toEqual(lang === 'en' ? ['First 20 of 90 rows', 'First 20 of 25 rows'] : ['前 20 筆，共 90 筆', '前 20 筆，共 25 筆']);
      expect(await seriousViolations(page)).toEqual([]);
      if (SCREENSHOTS) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.locator('.resource-table').first().screenshot({ path: path.join(SCREENSHOTS, `dataset-chart-${lang}.png`) });
        await page.screenshot({ path: path.join(SCREENSHOTS, `dataset-page-${lang}.png`), fullPage: true });
      }
      await page.locator('details.chart-data summary').click();
      expect(await page.locator('details.chart-data table tbody tr').count()).toBe(30);
      expect(await seriousViolations(page)).toEqual([]);
    }
    await context.close();
  });

  it('sorts and pages by following links with JavaScript off; the other preview stays where it was', async () => {
    if (!portal) throw new Error('no portal');
    const context = await portal.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${portal.base}/datasets/${name}`);
    const first = page.locator('table.preview').first();
    const firstIndex = () => first.locator('tbody tr').first().locator('td').nth(2).textContent();

    await first.getByRole('link', { name: /^指數\s*：按此遞增排序/ }).click();
    expect(page.url()).toContain('dir=asc');
    expect(await first.locator('th[aria-sort="ascending"]').textContent()).toMatch(/^指數/);
    const lowest = Number(await firstIndex());
    await first.getByRole('link', { name: /^指數\s*：按此遞減排序/ }).click();
    expect(page.url()).toContain('dir=desc');
    const highest = Number(await firstIndex());
    expect(highest).toBeGreaterThan(lowest);
    expect(await first.locator('caption').textContent()).toBe('前 20 筆，共 90 筆，依「指數」遞減排序');

    await page.getByRole('navigation', { name: '「物價指數（CSV）」預覽分頁' }).getByRole('link', { name: '下一頁' }).click();
    expect(new URL(page.url()).hash).toMatch(/^#preview-/);
    expect(await first.locator('caption').textContent()).toBe('第 21 至 40 筆，共 90 筆，依「指數」遞減排序');
    expect(await page.locator('table.preview caption').nth(1).textContent()).toBe('前 20 筆，共 25 筆');
    expect(Number(await firstIndex())).toBeLessThanOrEqual(highest);

    await page.getByRole('navigation', { name: '「品項清單（CSV）」預覽分頁' }).getByRole('link', { name: '下一頁' }).click();
    expect(await page.locator('table.preview caption').nth(1).textContent()).toBe('第 21 至 25 筆，共 25 筆');
    // Each preview's links name their resource, so the first preview is back at its first page, unsorted.
    expect(await first.locator('caption').textContent()).toBe('前 20 筆，共 90 筆');
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'dataset-paged-nojs.png'), fullPage: true });
    await context.close();
  });
});
