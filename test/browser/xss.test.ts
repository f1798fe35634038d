import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/modules/catalogue/catalogue.schemas.ts';
import { ALL, hostileInput } from '../factories/hostile.ts';
import { type Portal, skipBrowser, startPortal } from '../helpers/browser.ts';

/**
 * The XSS sweep in a real browser: hostile metadata and a hostile user name on the dataset,
 * search and account pages. The page's Content-Security-Policy would block inline script anyway,
 * so it is bypassed here: only escaping stands between the data and the page.
 */
describe.skipIf(skipBrowser)('hostile metadata in a real browser', () => {
  let browser: Browser;
  let base: string;
  let d: Dataset;

  let portal: Portal | undefined;

  beforeAll(async () => {
    portal = await startPortal(async (e) => {
      d = (await e.services.catalogue.save(hostileInput(ALL), { state: 'published' })).dataset;
      await e.services.users.create({ email: 'evil@stat.example', name: `惡意 ${ALL}`, password: 'evil-password-12345', unit: 'statistics', role: 'contact' });
    });
    ({ browser, base } = portal);
  });

  afterAll(async () => portal?.close());

  it('fires no dialog, adds no script, image or event handler, and shows the text as written', async () => {
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true, locale: 'zh-TW' });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // Sign in as the user with the hostile name, so the header shows it too.
    await page.goto(`${base}/signin`);
    await page.getByLabel('電子郵件').fill('evil@stat.example');
    await page.getByLabel('密碼').fill('evil-password-12345');
    await page.getByRole('button', { name: '登入' }).click();
    await page.waitForURL(`${base}/`);

    const urls = [
      `/datasets/${d.name}`,
      `/datasets/${d.name}?lang=en`,
      `/datasets?q=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`,
      `/datasets?keyword=${encodeURIComponent(d.keywords[1])}`,
      '/account',
      `/no/such/${encodeURIComponent('<script>alert(1)</script>')}`,
    ];
    for (const url of urls) {
      await page.goto(`${base}${url}`);
      // Move over every link and cell, in case an onmouseover slipped through.
      for (const el of await page.locator('main a, main td, main p, header a').all()) await el.hover({ timeout: 1000 }).catch(() => undefined);
      const dom = await page.evaluate(() => ({
        scripts: Array.from(document.querySelectorAll('script'), (s) => s.type),
        images: document.querySelectorAll('img, iframe, svg, object, embed').length,
        handlers: Array.from(document.querySelectorAll('*')).flatMap((el) => Array.from(el.attributes).filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName}.${a.name}`)),
        scriptHrefs: Array.from(document.querySelectorAll('a[href]'), (a) => (a as HTMLAnchorElement).href).filter((h) => /^(javascript|data):/i.test(h)),
      }));
      expect(dom.images, url).toBe(0);
      expect(dom.handlers, url).toEqual([]);
      expect(dom.scriptHrefs, url).toEqual([]);
      expect(dom.scripts.every((t) => t === 'application/ld+json'), url).toBe(true);
    }
    // ?lang=en above was remembered in a cookie; come back to zh-TW explicitly.
    await page.goto(`${base}/datasets/${d.name}?lang=zh-TW`);
    expect(await page.locator('h1').textContent()).toContain(d.title);
    expect(await page.locator('header').textContent()).toContain(`已登入 惡意 ${ALL}`);
    const ld = await page.locator('script[type="application/ld+json"]').textContent();
    expect((JSON.parse(ld ?? '{}') as { name?: string }).name).toBe(d.title);
    expect(dialogs).toEqual([]);
    await context.close();
  });
});
