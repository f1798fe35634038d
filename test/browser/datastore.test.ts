import { Readable } from 'node:stream';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPendingVersions } from '../../src/modules/datastore/datastore.service.ts';
import { datasetInput } from '../factories/dataset.ts';
import { DGBAS_CSV } from '../factories/tables.ts';
import { type Portal, seriousViolations, skipBrowser, startPortal } from '../helpers/browser.ts';

const SCREENSHOTS = process.env.KAIFANG_SCREENSHOTS;

/** A published dataset whose resource has a loaded table: the page shows the data section, accessibly, without JavaScript. */
describe.skipIf(skipBrowser)('the dataset page with a loaded table, in a real browser', () => {
  let portal: Portal | undefined;
  let name = '';
  let rid = '';

  beforeAll(async () => {
    portal = await startPortal(async (env) => {
      const { dataset } = await env.services.catalogue.save(datasetInput({ title: '家庭收支重要指標', unit: 'statistics' }), { state: 'published' });
      name = dataset.name;
      rid = dataset.resources[0].resourceId;
      const v = await env.services.datastore.addVersion({ resourceId: rid, source: Readable.from([iconv.encode(DGBAS_CSV, 'big5hkscs')]), fileName: '家庭收支.csv', format: 'CSV', encodingDeclared: 'BIG5', uploadedBy: 'test' });
      await env.services.datastore.load(v.id);
      await env.services.db.kysely.transaction().execute((trx) => publishPendingVersions(trx, dataset.id, new Date().toISOString()));
    });
  });
  afterAll(async () => portal?.close());

  it('shows the version, the downloads and the first rows; axe-clean in both languages; the CSV link downloads', async () => {
    if (!portal) throw new Error('no portal');
    const context = await portal.browser.newContext({ bypassCSP: true, javaScriptEnabled: true, acceptDownloads: true });
    const page = await context.newPage();
    for (const lang of ['zh-TW', 'en']) {
      await page.goto(`${portal.base}/datasets/${name}?lang=${lang}`);
      const caption = page.locator('table.preview caption');
      expect(await caption.textContent()).toBe(lang === 'en' ? 'First 3 of 3 rows' : '前 3 筆，共 3 筆');
      expect(await page.locator('table.preview tbody tr').first().textContent()).toBe('2024-011,234,567987,65419.99%');
      expect(await seriousViolations(page)).toEqual([]);
      if (SCREENSHOTS) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOTS, `dataset-table-${lang}.png`), fullPage: true });
      }
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV', exact: true }).first().click()]);
    expect(download.suggestedFilename()).toBe(`${rid}-v1.csv`);
    await context.close();
  });
});
