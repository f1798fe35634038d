import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInput } from '../factories/dataset.ts';
import { type Portal, seriousViolations, skipBrowser, startPortal } from '../helpers/browser.ts';

/** Set KAIFANG_SCREENSHOTS=<dir> to keep full-page screenshots of every page visited. */
const SCREENSHOTS = process.env.KAIFANG_SCREENSHOTS;

describe.skipIf(skipBrowser)('discontinued and on-application datasets in a real browser', () => {
  let portal: Portal | undefined;
  let context: BrowserContext;

  const shot = async (page: Page, name: string) => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    portal = await startPortal(async (e) => {
      const { users, config, catalogue, discontinuation } = e.services;
      const admin = await users.findByEmail(config.adminEmail);
      if (!admin) throw new Error('no admin');
      const by = { id: admin.id, label: admin.email };
      await users.create({ email: 'c@portal.test', name: '王小明', unit: 'statistics', role: 'contact' }, by);
      await users.create({ email: 'h@portal.test', name: '陳主計長', unit: 'dgbas', role: 'head' }, by);
      const contact = await users.findByEmail('c@portal.test');
      const head = await users.findByEmail('h@portal.test');
      if (!contact || !head) throw new Error('users missing');
      await catalogue.save(datasetInput({ name: 'old-survey', identifier: 'A41000000G-900401', title: '已停辦調查統計表' }), { state: 'published' });
      await catalogue.save(datasetInput({ name: 'microdata', identifier: 'A41000000G-900402', title: '家庭收支調查個別資料', cost: '付費', costUrl: 'https://www.dgbas.gov.tw/fee', costLaw: '規費法第10條' }), { state: 'published' });
      const meeting = { meetingDate: '2026-11-20', resolution: '經資料開放諮詢小組第3次會議決議同意。' };
      await discontinuation.approve(head, (await discontinuation.propose(contact, 'old-survey', { kind: 'stop', reasons: '調查已停辦，資料不再更新。', ...meeting })).id);
      await discontinuation.approve(
        head,
        (await discontinuation.propose(contact, 'microdata', { kind: 'to_on_application', reasons: '含個人資料，改以申請方式提供。', applicationTerms: '填具資料申請書並簽署切結書，經審核後提供。', revocable: true, ...meeting })).id,
      );
    });
    context = await portal.browser.newContext({ bypassCSP: true, locale: 'zh-TW', viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    await portal?.close();
  });

  it('shows the notices, the notice on a discontinued dataset, how to apply, and the 410 and 403 pages, accessibly in both languages', async () => {
    const base = portal?.base ?? '';
    const page = await context.newPage();
    for (const lang of ['zh', 'en'] as const) {
      const q = lang === 'en' ? '?lang=en' : '';
      const visits: [string, string, number][] = [
        ['discontinued', `/discontinued${q}`, 200],
        ['dataset-discontinued', `/datasets/old-survey${q}`, 200],
        ['dataset-on-application', `/datasets/microdata${q}`, 200],
        ['download-gone', `/datasets/old-survey/resources/A41000000G-900401-001/download${q}`, 410],
        ['download-on-application', `/datasets/microdata/resources/A41000000G-900402-001/download${q}`, 403],
        ['search-discontinued', `/datasets?state=discontinued${lang === 'en' ? '&lang=en' : ''}`, 200],
      ];
      for (const [name, url, status] of visits) {
        const r = await page.goto(`${base}${url}`);
        expect(r?.status(), url).toBe(status);
        expect(await page.locator('h1').count(), url).toBe(1);
        expect(await seriousViolations(page), url).toEqual([]);
        await shot(page, `${name}-${lang}`);
      }
    }
    // From the footer to the notices, and from a notice to the dataset (back in zh-TW: the English visits set the cookie).
    await page.goto(`${base}/?lang=zh-TW`);
    await Promise.all([page.waitForURL(/\/discontinued$/), page.getByRole('link', { name: '停止提供公告' }).click()]);
    await Promise.all([page.waitForURL(/\/datasets\/old-survey$/), page.getByRole('link', { name: '已停辦調查統計表' }).click()]);
    expect(await page.locator('.notice-box').textContent()).toContain('調查已停辦');
    await page.close();
  });
});
