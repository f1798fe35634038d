import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../src/modules/catalogue/catalogue.schemas.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';

const decode = (s: string): string =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Visible text of a page, tags stripped (enough to assert what a reader sees). */
const text = (html: string): string => decode(html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/** Every link on a page as [href, visible text]. */
function links(html: string): [string, string][] {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => [decode(m[1]), text(m[2]).trim()]);
}

const count = (html: string, re: RegExp): number => [...html.matchAll(re)].length;

function jsonLd(html: string): Record<string, unknown> {
  const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no JSON-LD on the page');
  return JSON.parse(m[1]) as Record<string, unknown>;
}

describe.each(engines)('public pages on %s', (engine) => {
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;
  let cpi: Dataset;
  let demo: Dataset;

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    const t = await makeApp(engine);
    app = t.app;
    cleanup = t.cleanup;
    const save = async (over: Parameters<typeof datasetInput>[0]) => (await t.services.catalogue.save(datasetInput(over), { state: 'published' })).dataset;
    cpi = await save({
      title: '消費者物價指數',
      titleEn: 'Consumer Price Index',
      unit: 'statistics',
      categoryCode: '800',
      description: '消費者物價指數（CPI）按月編製，基期為民國110年。',
      keywords: ['物價', 'CPI'],
      modified: '2024-05-06 16:00:00',
      fields: [
        { name: 'TIME_PERIOD', title: '統計期', description: '西元年月', type: 'text' },
        { name: 'Item', title: '項目', codes: [{ code: '1', meaning: '總指數' }, { code: '2', meaning: '食物類' }] },
      ],
      resources: [
        { description: '消費者物價指數 CSV', format: 'CSV', encoding: 'UTF-8', downloadUrl: '/demo/files/cpi.csv' },
        { description: '消費者物價指數 XML', format: 'XML', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/cpi.xml' },
      ],
    });
    await save({ title: '中央政府總預算歲出機關別預算表', unit: 'public-budget', categoryCode: 'I00', keywords: ['預算'], updateFrequency: '每1年' });
    demo = await save({ title: '示範用躉售物價指數', unit: 'statistics', isDemo: true, keywords: ['物價'] });
    await save({ title: '草稿：不應公開的物價資料' }).then(async (d) => t.services.catalogue.save(datasetInput({ identifier: d.identifier, title: '草稿：不應公開的物價資料' }), { state: 'draft' }));
  });
  afterAll(async () => cleanup());

  it('renders the home page with one h1, a labelled search box, counts by unit and the latest datasets', async () => {
    const r = await get('/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = r.body;
    expect(html.startsWith('<!doctype html><html lang="zh-Hant-TW">')).toBe(true);
    expect(count(html, /<h1\b/g)).toBe(1);
    expect(html).toMatch(/<label for="home-q">搜尋資料集<\/label>/);
    expect(html).toMatch(/<input type="search" id="home-q" name="q"/);
    expect(html).toContain('class="skip-link" href="#main"');
    expect(html).toMatch(/<main id="main"/);
    // Counts by unit: 綜合統計處 has two public datasets (the draft is not counted).
    expect(text(html)).toMatch(/綜合統計處 2 /);
    expect(text(html)).toMatch(/公務預算處 1 /);
    expect(text(html)).toContain('消費者物價指數');
    expect(text(html)).not.toContain('草稿');
    const hrefs = links(html).map(([h]) => h);
    expect(hrefs).toContain('/docs');
    expect(hrefs).toContain('/api/3/action/package_search');
    expect(hrefs).toContain(`/datasets/${cpi.name}`);
  });

  it('answers a malformed page URL with an HTML 400 page, not JSON', async () => {
    const res = await get('/datasets/%E0%A4%A');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('請求格式錯誤');
  });

  it('takes a repeated ?lang= as its first value instead of refusing the page', async () => {
    const res = await get('/?lang=en&lang=en');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="en"');
    expect((await get('/api/v1/datasets?lang=en&lang=zh-TW')).statusCode).toBe(200);
  });

  it('serves the stylesheet with caching headers', async () => {
    const home = await get('/');
    const href = decode(/<link rel="stylesheet" href="([^"]+)"/.exec(home.body)?.[1] ?? '');
    expect(href).toMatch(/^\/assets\/site\.css\?v=[0-9a-f]+$/);
    const css = await get(href);
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toContain('immutable');
    expect(css.body).toContain(':focus-visible');
    const again = await get(href, { 'if-none-match': String(css.headers.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('finds 物價 in titles, ranks the title match, and leaves out other and unpublished datasets', async () => {
    const r = await get(`/datasets?q=${encodeURIComponent('物價')}`);
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(count(r.body, /<h1\b/g)).toBe(1);
    expect(t).toContain('「物價」的搜尋結果');
    expect(t).toContain('消費者物價指數');
    expect(t).toContain('示範用躉售物價指數');
    expect(t).not.toContain('中央政府總預算');
    expect(t).not.toContain('草稿');
    expect(t).toContain('共 2 筆');
    // The search box keeps the query.
    expect(r.body).toMatch(/<input type="search" id="search-q" name="q" value="物價"/);
  });

  it('offers facets with counts whose links toggle the filter, and removes active filters', async () => {
    const all = await get('/datasets');
    const unitLink = links(all.body).find(([h, label]) => h === '/datasets?unit=public-budget' && label.startsWith('公務預算處'));
    expect(unitLink, 'facet link for 公務預算處').toBeDefined();
    expect(text(all.body)).toMatch(/服務分類 .*公共資訊 1/);
    expect(text(all.body)).toMatch(/提供方式 開放資料 3/);

    const filtered = await get(unitLink?.[0] ?? '');
    const t = text(filtered.body);
    expect(t).toContain('中央政府總預算歲出機關別預算表');
    expect(t).not.toContain('消費者物價指數');
    expect(t).toContain('共 1 筆');
    // The active filter shows as removable, and removing it goes back to everything.
    const remove = links(filtered.body).find(([, label]) => label.includes('移除篩選：提供單位：公務預算處'));
    expect(remove?.[0]).toBe('/datasets');

    // Filters combine with the query and sort; category shows its Chinese name.
    const combined = await get(`/datasets?q=${encodeURIComponent('物價')}&keyword=CPI&sort=title_asc`);
    expect(text(combined.body)).toContain('共 1 筆');
    expect(text(combined.body)).toContain('關鍵字：CPI');
    const byCategory = await get('/datasets?category=I00');
    expect(text(byCategory.body)).toContain('服務分類：公共資訊');
  });

  it('pages results 20 at a time with working page links', async () => {
    const { app: app2, services, cleanup: done } = await makeApp(engine);
    try {
      for (let i = 1; i <= 25; i++) await services.catalogue.save(datasetInput({ title: `薪資統計表 第${i}號` }), { state: 'published' });
      const first = await app2.inject(`/datasets?q=${encodeURIComponent('薪資')}`);
      expect(count(first.body, /class="dataset-item"/g)).toBe(20);
      expect(text(first.body)).toContain('第 1–20 筆，共 25 筆');
      const next = links(first.body).find(([, label]) => label === '下一頁');
      expect(next?.[0]).toBe(`/datasets?q=${encodeURIComponent('薪資')}&page=2`);
      const second = await app2.inject(next?.[0] ?? '');
      expect(count(second.body, /class="dataset-item"/g)).toBe(5);
      expect(text(second.body)).toContain('第 21–25 筆，共 25 筆');
      expect(links(second.body).find(([, label]) => label === '上一頁')?.[0]).toBe(`/datasets?q=${encodeURIComponent('薪資')}`);
      // A page past the end says so and links back to the first page.
      const beyond = await app2.inject('/datasets?page=99');
      expect(beyond.statusCode).toBe(200);
      expect(text(beyond.body)).toContain('此頁沒有資料');
      expect(links(beyond.body).some(([h, label]) => h === '/datasets' && label === '回到第 1 頁')).toBe(true);
    } finally {
      await done();
    }
  });

  it('switches to English with a visible link, remembers it in a cookie, and keeps it in links', async () => {
    const zh = await get('/');
    const sw = links(zh.body).find(([, label]) => label === 'English');
    expect(sw?.[0]).toBe('/?lang=en');
    const en = await get(sw?.[0] ?? '');
    expect(en.body.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(en.headers['set-cookie']).toMatch(/^lang=en; Path=\/; Max-Age=\d+; SameSite=Lax/);
    expect(text(en.body)).toContain('Search datasets');
    expect(text(en.body)).toContain('Department of Statistics');
    expect(links(en.body).some(([h]) => h === '/datasets?lang=en')).toBe(true);
    expect(links(en.body).find(([, label]) => label === '中文')?.[0]).toBe('/?lang=zh-TW');

    const byCookie = await get(`/datasets/${cpi.name}`, { cookie: 'lang=en' });
    expect(byCookie.body).toContain('<html lang="en">');
    expect(text(byCookie.body)).toContain('Consumer Price Index');
    expect(text(byCookie.body)).toContain('Every month');
    expect(text(byCookie.body)).toContain('The Open Data is made available to the public under the Open Government Data License');
  });

  it('shows every national field, the field table, resources and the licence attribution on the dataset page', async () => {
    for (const ref of [cpi.id, cpi.name, cpi.identifier]) expect((await get(`/datasets/${encodeURIComponent(ref)}`)).statusCode).toBe(200);
    const r = await get(`/datasets/${cpi.name}`);
    const html = r.body;
    const t = text(html);
    expect(count(html, /<h1\b/g)).toBe(1);
    for (const label of ['分類編號', '資料集編號', '主要欄位說明', '授權方式', '計費方式', '提供機關聯絡人電話', '更新頻率', '最後更新時間', '資料集語系']) {
      expect(t, label).toContain(label);
    }
    for (const en of ['categoryCode', 'accrualPeriodicity', 'publisherContactEmail', 'license']) expect(t).toContain(en);
    expect(t).toContain('800 投資理財');
    expect(t).toContain('王小明 先生');
    // Field table with code meanings.
    expect(t).toMatch(/TIME_PERIOD 統計期 西元年月 text/);
    expect(t).toMatch(/1 = 總指數/);
    // Resources: download links through the portal's download route (which redirects to the file), with meaningful text.
    const dl = links(html).filter(([, label]) => label.startsWith('下載'));
    expect(dl).toEqual([
      ['/datasets/a41000000g-000001/resources/A41000000G-000001-001/download', '下載 CSV 檔案 ：消費者物價指數 CSV'],
      ['/datasets/a41000000g-000001/resources/A41000000G-000001-002/download', '下載 XML 檔案 ：消費者物價指數 XML'],
    ]);
    const redirect = await get(dl[0][0]);
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('http://portal.test/demo/files/cpi.csv');
    // OGDL attribution: 提供機關 + 年份 + 資料名稱 + statement + licence URL.
    expect(t).toContain('行政院主計總處 2024 消費者物價指數。此開放資料依政府資料開放授權條款 (Open Government Data License) 進行公眾釋出');
    expect(t).toContain('https://data.gov.tw/license');
    // Keywords link to search.
    expect(links(html).some(([h, label]) => h === `/datasets?keyword=${encodeURIComponent('物價')}` && label === '物價')).toBe(true);
  });

  it('embeds schema.org Dataset JSON-LD that parses', async () => {
    const ld = jsonLd((await get(`/datasets/${cpi.name}`)).body);
    expect(ld['@context']).toBe('https://schema.org');
    expect(ld['@type']).toBe('Dataset');
    expect(ld.name).toBe('消費者物價指數');
    expect(ld.identifier).toBe(cpi.identifier);
    expect(ld.keywords).toEqual(['物價', 'CPI']);
    expect(ld.license).toBe('https://data.gov.tw/license');
    expect(ld.dateModified).toBe('2024-05-06T16:00:00+08:00');
    expect(ld.publisher).toMatchObject({ '@type': 'GovernmentOrganization', name: '行政院主計總處' });
    expect(ld.distribution).toEqual([
      expect.objectContaining({ '@type': 'DataDownload', encodingFormat: 'text/csv', contentUrl: 'http://portal.test/demo/files/cpi.csv' }),
      expect.objectContaining({ encodingFormat: 'application/xml', contentUrl: 'https://example.gov.tw/cpi.xml' }),
    ]);
  });

  it('keeps hostile text inside the JSON-LD and the page escaped', async () => {
    const { app: app2, services, cleanup: done } = await makeApp(engine);
    try {
      const evil = '價格</script><script>alert(1)</script><!--';
      const d = (await services.catalogue.save(datasetInput({ title: evil, description: '<img src=x onerror=alert(1)>' }), { state: 'published' })).dataset;
      const html = (await app2.inject(`/datasets/${d.name}`)).body;
      expect(html).not.toContain('<script>alert(1)');
      expect(html).not.toContain('<img src=x');
      expect(count(html, /<\/script>/g)).toBe(1);
      expect(jsonLd(html).name).toBe(evil);
    } finally {
      await done();
    }
  });

  it('labels demo data with a visible banner only where demo datasets are shown', async () => {
    const banner = '示範資料 Demo data';
    expect((await get(`/datasets/${demo.name}`)).body).toContain(banner);
    expect((await get(`/datasets/${cpi.name}`)).body).not.toContain(banner);
    expect((await get(`/datasets?q=${encodeURIComponent('物價')}`)).body).toContain(banner);
    expect((await get(`/datasets?q=${encodeURIComponent('預算')}`)).body).not.toContain(banner);
    expect((await get('/')).body).toContain(banner);
    expect((await get('/units/statistics')).body).toContain(banner);
    expect((await get('/units/public-budget')).body).not.toContain(banner);
    // Each demo dataset in a list carries its own badge.
    const search = await get(`/datasets?q=${encodeURIComponent('物價')}`);
    expect(count(search.body, /class="badge badge-demo"/g)).toBe(1);
  });

  it('shows a unit with its count and datasets, and lists all units', async () => {
    const r = await get('/units/statistics');
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(count(r.body, /<h1\b/g)).toBe(1);
    expect(r.body).toMatch(/<h1>綜合統計處<\/h1>/);
    expect(t).toContain('本單位共公開 2 筆資料集');
    expect(t).toContain('消費者物價指數');
    expect(t).not.toContain('中央政府總預算');
    // Searching within the unit keeps to the unit.
    const within = await get(`/units/statistics?q=${encodeURIComponent('躉售')}`);
    expect(text(within.body)).toContain('共 1 筆');
    expect(text(within.body)).toContain('本單位共公開 2 筆資料集');

    const list = await get('/units');
    expect(list.statusCode).toBe(200);
    expect(links(list.body).some(([h, label]) => h === '/units/public-budget' && label.includes('公務預算處') && label.includes('1 筆資料集'))).toBe(true);
  });

  it('answers unknown pages, datasets and units with an HTML 404 in the visitor’s language; JSON under /api', async () => {
    const page = await get('/no/such/page');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(count(page.body, /<h1\b/g)).toBe(1);
    expect(text(page.body)).toContain('找不到頁面');

    const ds = await get('/datasets/A41000000G-999999');
    expect(ds.statusCode).toBe(404);
    expect(text(ds.body)).toContain('找不到資料集：A41000000G-999999');
    const dsEn = await get('/datasets/A41000000G-999999?lang=en');
    expect(dsEn.body).toContain('<html lang="en">');
    expect(text(dsEn.body)).toContain('Page not found');
    expect(text(dsEn.body)).toContain('dataset not found: A41000000G-999999');

    expect((await get('/units/nobody')).statusCode).toBe(404);
    const slash = await get('/datasets/?q=x');
    expect(slash.statusCode).toBe(301);
    expect(slash.headers.location).toBe('/datasets?q=x');
    const api = await get('/api/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers malformed parameters with a 400 page naming each parameter and why', async () => {
    const r = await get('/datasets?page=abc&sort=newest');
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const t = text(r.body);
    expect(t).toContain('請求參數有誤');
    expect(t).toContain('page 必須是 1 以上的整數（收到「abc」）');
    expect(t).toContain('sort 必須是 relevance、modified_desc、modified_asc、title_asc、title_desc 之一（收到「newest」）');

    const en = await get('/datasets?page=0&lang=en');
    expect(en.statusCode).toBe(400);
    expect(text(en.body)).toContain('page must be a whole number from 1 (got "0")');

    for (const url of ['/datasets?category=999', '/datasets?provision=free', '/datasets?page=-1', '/units/statistics?page=x', `/datasets?q=${'長'.repeat(300)}`, '/datasets?q=a&q=b']) {
      const bad = await get(url);
      expect(bad.statusCode, url).toBe(400);
      expect(bad.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(count(bad.body, /<h1\b/g), url).toBe(1);
    }
    expect(text((await get('/datasets?category=999')).body)).toContain('category「999」不是服務分類代碼');
  });
});
