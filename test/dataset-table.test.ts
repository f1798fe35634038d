import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPendingVersions } from '../src/modules/datastore/datastore.service.ts';
import { loadDemoCatalogue } from '../src/modules/demo/demo.service.ts';
import type { Services } from '../src/services.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';
import { markupProblems } from './helpers/markup.ts';
import { pageText } from './helpers/pages.ts';
import { splitSvg, svgProblems } from './helpers/svg.ts';

/** A column name and a category value that would be markup if the page or the SVG did not escape them. */
const EVIL_COLUMN = `備註"><img src=x onerror=alert(1)>'&`;
const EVIL_ITEM = '<script>alert(1)</script>類';
const ITEMS = ['總指數', '食物類', EVIL_ITEM];
const MONTHS = Array.from({ length: 30 }, (_, i) => `${2022 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
/** 指數 of month i and item k: grows with time, thousands (so separators show). */
const indexOf = (i: number, k: number) => 1000 + i * 1.5 + k * 100;

/** A monthly series by 項目 (90 rows), in the file's order: month by month, items in order. */
const SERIES_CSV = stringify([['年月', '項目', '指數', EVIL_COLUMN], ...MONTHS.flatMap((m, i) => ITEMS.map((item, k) => [m, item, indexOf(i, k).toFixed(1), '甲']))]);
/** A list without dates: 25 rows, no chart. */
const LIST_CSV = stringify([['名稱', '數量'], ...Array.from({ length: 25 }, (_, i) => [`品項${String(i + 1).padStart(2, '0')}`, String(i + 1)])]);

async function addTable(s: Services, resourceId: string, csv: string, fileName: string, load = true): Promise<void> {
  const v = await s.datastore.addVersion({ resourceId, source: Readable.from([Buffer.from(csv, 'utf8')]), fileName, format: 'CSV', uploadedBy: 'test' });
  if (load) await s.datastore.load(v.id);
}

describe.each(engines)('the dataset page: versions, sortable paged preview and chart, on %s', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  let name = '';
  let rid1 = '';
  let rid2 = '';
  const get = async (query = '') => {
    const res = await t.app.inject({ method: 'GET', url: `/datasets/${name}${query}` });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  /** The captions of the page's previews, in resource order. */
  const captions = (html: string) => [...html.matchAll(/<table class="data preview"><caption>([\s\S]*?)<\/caption>/g)].map((m) => pageText(m[1]).trim());
  /** The first preview's first data row as text. */
  const firstRow = (html: string) => pageText(/<table class="data preview">[\s\S]*?<tbody><tr>([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '').trim();

  beforeAll(async () => {
    t = await makeApp(engine);
    const s = t.services;
    const { dataset } = await s.catalogue.save(
      datasetInput({
        title: '物價指數示例',
        fields: [
          { name: '年月', title: '統計期' },
          { name: '指數', title: '指數', description: '2021年=100' },
        ],
        resources: [
          { name: '物價指數（CSV）', description: '物價指數', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/a.csv' },
          { name: '品項清單（CSV）', description: '品項清單', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/b.csv' },
        ],
      }),
      { state: 'published' },
    );
    name = dataset.name;
    rid1 = dataset.resources[0].resourceId;
    rid2 = dataset.resources[1].resourceId;
    // Five earlier versions (not loaded) and the sixth, loaded: the page lists five, then all six.
    for (let i = 1; i <= 5; i++) await addTable(s, rid1, SERIES_CSV.replace(/甲/g, `乙${i}`), `物價-${i}.csv`, false);
    await addTable(s, rid1, SERIES_CSV, '物價-6.csv');
    await addTable(s, rid2, LIST_CSV, '品項.csv');
    await s.db.kysely.transaction().execute((trx) => publishPendingVersions(trx, dataset.id, new Date().toISOString()));
  });
  afterAll(async () => t?.cleanup());

  it('shows the first 20 rows with the dictionary’s or the dataset’s titles, numbers formatted and right-aligned', async () => {
    const html = await get();
    expect(captions(html)).toEqual(['前 20 筆，共 90 筆', '前 20 筆，共 25 筆']);
    expect(firstRow(html)).toBe('2022-01 總指數 1,000 甲');
    // 年月 and 指數 take the dataset's field titles; the file's names are shown beneath.
    expect(html).toMatch(/<th scope="col"><a href="[^"]*" class="sort-link"><span>統計期<\/span>/);
    expect(html).toContain('<code class="field-name">年月</code>');
    expect(html).toContain('<td class="num">1,000</td>');
    expect(pageText(html)).toContain('第 1 頁，共 5 頁');
  });

  it('sorts by a column, ascending and descending, with aria-sort on its header; the pager keeps the order', async () => {
    const desc = await get(`?r=${rid1}&sort=${encodeURIComponent('指數')}&dir=desc`);
    expect(firstRow(desc)).toBe(`2024-06 ${EVIL_ITEM} ${indexOf(29, 2).toLocaleString('en')} 甲`);
    expect(desc).toMatch(/<th scope="col" class="num" aria-sort="descending">/);
    expect(captions(desc)[0]).toBe('前 20 筆，共 90 筆，依「指數」遞減排序');
    expect(desc).toContain(`href="/datasets/${name}?r=${rid1}&amp;sort=%E6%8C%87%E6%95%B8&amp;dir=desc&amp;page=2#preview-${rid1}"`);
    // The sorted header's link turns the order round.
    expect(desc).toContain(`href="/datasets/${name}?r=${rid1}&amp;sort=%E6%8C%87%E6%95%B8&amp;dir=asc#preview-${rid1}"`);
    const asc = await get(`?r=${rid1}&sort=${encodeURIComponent('指數')}&dir=asc`);
    expect(firstRow(asc)).toBe('2022-01 總指數 1,000 甲');
    expect(asc).toMatch(/aria-sort="ascending"/);
    // Text sorts too, and a hostile column name is a sort key like any other.
    const byItem = await get(`?r=${rid1}&sort=${encodeURIComponent('項目')}&dir=desc&page=1`);
    expect(firstRow(byItem)).toMatch(/^2022-01 (食物類|總指數|<script>alert\(1\)<\/script>類) 1,/);
    const byEvil = await get(`?r=${rid1}&sort=${encodeURIComponent(EVIL_COLUMN)}&dir=desc`);
    expect(byEvil).toMatch(/aria-sort="descending"/);
  });

  it('pages within bounds: past the end shows the last page, nonsense the first', async () => {
    expect(captions(await get(`?r=${rid1}&page=5`))[0]).toBe('第 81 至 90 筆，共 90 筆');
    expect(captions(await get(`?r=${rid1}&page=999999`))[0]).toBe('第 81 至 90 筆，共 90 筆');
    for (const p of ['0', '-1', 'abc', '1e3', '']) expect(captions(await get(`?r=${rid1}&page=${p}`))[0]).toBe('前 20 筆，共 90 筆');
    const last = await get(`?r=${rid1}&page=5`);
    expect(pageText(last)).toContain('第 5 頁，共 5 頁');
    const nav = /<nav class="pager preview-pager" aria-label="「物價指數（CSV）」預覽分頁">([\s\S]*?)<\/nav>/.exec(last)?.[1] ?? '';
    expect(nav).toContain('rel="prev"');
    expect(nav).not.toContain('rel="next"');
  });

  it('ignores an unknown sort column or direction (no error, no aria-sort)', async () => {
    const html = await get(`?r=${rid1}&sort=${encodeURIComponent('沒有這欄')}&dir=desc`);
    expect(firstRow(html)).toBe('2022-01 總指數 1,000 甲');
    expect(html).not.toContain('aria-sort');
    expect(firstRow(await get(`?r=${rid1}&sort=${encodeURIComponent('指數')}&dir=sideways`))).toBe('2022-01 總指數 1,000 甲');
    expect((await t.app.inject({ method: 'GET', url: `/datasets/${name}?r=${rid1}&sort=${'x'.repeat(600)}` })).statusCode).toBe(400);
  });

  it('moves only the preview its parameters name', async () => {
    expect(captions(await get(`?r=${rid2}&page=2`))).toEqual(['前 20 筆，共 90 筆', '第 21 至 25 筆，共 25 筆']);
    expect(captions(await get(`?r=${rid1}&page=2&sort=${encodeURIComponent('數量')}`))).toEqual(['第 21 至 40 筆，共 90 筆', '前 20 筆，共 25 筆']);
  });

  it('lists the public versions newest first: five, then all behind a details element, with the original and machine links', async () => {
    const html = await get();
    const text = pageText(html);
    expect(text).toContain('第 6 版，上傳於');
    expect(text).toContain('全部 6 個版本');
    const firstTable = /<table class="data versions">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    expect([...firstTable.matchAll(/<th scope="row">(.*?)<\/th>/g)].map((m) => m[1])).toEqual(['第 6 版', '第 5 版', '第 4 版', '第 3 版', '第 2 版']);
    expect(html).toContain(`href="/api/v1/resources/${rid1}/file?version=1"`);
    expect(html).toContain(`href="/api/v1/resources/${rid1}/data.csv?version=6"`);
    expect(html).toContain(`href="/api/v1/resources/${rid1}/data.xlsx?version=6"`);
    // Versions never loaded offer their file, not tables.
    expect(html).not.toContain(`data.csv?version=5`);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid1}/file?version=1` })).statusCode).toBe(200);
  });

  it('draws the time series as an SVG image described by its data table; the list gets no chart', async () => {
    const html = await get();
    const { html: rest, svgs } = splitSvg(html);
    expect(svgs).toHaveLength(1);
    const svg = svgs[0];
    expect(svg).toMatch(new RegExp(`^<svg role="img" aria-label="折線圖：指數，2022-01 至 2024-06，共 3 條線。`));
    // Its description is a short note pointing at the table of its numbers (in a details element).
    const describedBy = /aria-describedby="([^"]+)"/.exec(svg)?.[1];
    expect(describedBy).toBe(`chart-note-${rid1}`);
    const note = new RegExp(`<p class="chart-note" id="${describedBy}">([\\s\\S]*?)</p>`).exec(rest)?.[1] ?? '';
    expect(pageText(note).trim()).toBe('圖表的數值列於下方「 圖表數值（表格） 」。');
    expect(note).toContain(`href="#chart-data-${rid1}"`);
    expect(rest).toContain(`<details class="chart-data" id="chart-data-${rid1}">`);
    for (const item of ['總指數', '食物類']) expect(svg).toContain(`>${item}</text>`);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;類');
    // The chart's table: one row per month, one column per line.
    const chartTable = new RegExp(`<details class="chart-data" id="chart-data-${rid1}">([\\s\\S]*?)</table>`).exec(rest)?.[1] ?? '';
    expect(chartTable.match(/<tr>/g)).toHaveLength(31);
    expect(pageText(chartTable)).toContain('2024-06 1,043.5 1,143.5 1,243.5');
  });

  it('keeps hostile column names and values as text, in the page and in the SVG', async () => {
    for (const q of ['', '?lang=en', `?r=${rid1}&sort=${encodeURIComponent(EVIL_COLUMN)}&dir=asc`]) {
      const { html, svgs } = splitSvg(await get(q));
      expect(markupProblems(html)).toEqual([]);
      for (const svg of svgs) expect(svgProblems(svg)).toEqual([]);
      expect(pageText(html)).toContain(EVIL_COLUMN);
    }
  });

  it('speaks English with ?lang=en', async () => {
    const html = await get(`?lang=en&r=${rid1}&sort=${encodeURIComponent('指數')}&dir=desc&page=2`);
    expect(captions(html)).toEqual(['Rows 21–40 of 90, sorted by 指數 (descending)', 'First 20 of 25 rows']);
    const text = pageText(html);
    expect(text).toContain('Page 2 of 5');
    expect(text).toContain('All 6 versions');
    expect(text).toContain('Version 6, uploaded');
    expect(splitSvg(html).svgs[0]).toMatch(/aria-label="Line chart of 指數 from 2022-01 to 2024-06, 3 lines\./);
    expect(html).toContain(`href="/datasets/${name}?r=${rid1}&amp;sort=%E6%8C%87%E6%95%B8&amp;dir=desc&amp;page=3&amp;lang=en#preview-${rid1}"`);
  });

  it('reads at most 2,000 rows for a chart: the latest, and only for the lines it draws', async () => {
    // 10 stations × 400 months: 4,000 rows; the chart draws 6 stations, read again on their own.
    const months = Array.from({ length: 400 }, (_, i) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
    const csv = stringify([['年月', '測站', '雨量'], ...months.flatMap((m, i) => Array.from({ length: 10 }, (_, k) => [m, `測站${k}`, String(100 + k + (i % 12))]))]);
    const { dataset } = await t.services.catalogue.save(datasetInput({ title: '雨量' }), { state: 'published' });
    await addTable(t.services, dataset.resources[0].resourceId, csv, 'rain.csv');
    await t.services.db.kysely.transaction().execute((trx) => publishPendingVersions(trx, dataset.id, new Date().toISOString()));
    const res = await t.app.inject({ method: 'GET', url: `/datasets/${dataset.name}` });
    const svg = splitSvg(res.body).svgs[0] ?? '';
    // 2,000 rows of 6 stations: 333 whole months and 2 rows of the month before, which is left out.
    expect(svg).toMatch(/^<svg role="img" aria-label="折線圖：雨量，2005-08 至 2033-04，共 6 條線（10 條中的前 6 條）/);
    const text = pageText(res.body);
    expect(text).toContain('圖表最多讀取最近的 2,000 筆資料，較早的期間未畫出。共 10 條線，圖上畫出前 6 條，其餘見資料預覽及下載。');
  });

  it('shows no tables of a dataset provided on application', async () => {
    const { dataset } = await t.services.catalogue.save(datasetInput({ title: '依申請提供的表', provisionType: 'on_application', cost: '付費', costUrl: 'https://example.gov.tw/fee', costLaw: '規費法', applicationTerms: '填具申請書' }), { state: 'published' });
    await addTable(t.services, dataset.resources[0].resourceId, SERIES_CSV, 'a.csv');
    await t.services.db.kysely.transaction().execute((trx) => publishPendingVersions(trx, dataset.id, new Date().toISOString()));
    const res = await t.app.inject({ method: 'GET', url: `/datasets/${dataset.name}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<svg');
    expect(res.body).not.toContain('table class="data preview"');
  });
});

describe.each(engines)('the demo catalogue’s tables on %s', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  beforeAll(async () => {
    t = await makeApp(engine, { KAIFANG_DEMO: '1' });
    await loadDemoCatalogue(t.services);
  });
  afterAll(async () => t?.cleanup());

  it('loads every open demo CSV as a published table; the CPI page charts six of its eight 項目 by month', async () => {
    const versions = await t.services.db.kysely.selectFrom('resource_versions').select(['datastore_state', 'published_at']).execute();
    expect(versions.length).toBeGreaterThanOrEqual(30);
    expect(versions.every((v) => v.datastore_state === 'ready' && v.published_at !== null)).toBe(true);
    const res = await t.app.inject({ method: 'GET', url: '/datasets/demo-cpi' });
    expect(res.statusCode).toBe(200);
    const { html, svgs } = splitSvg(res.body);
    expect(svgs).toHaveLength(1);
    expect(svgs[0]).toMatch(/^<svg role="img" aria-label="折線圖：指數（依統計期）|^<svg role="img" aria-label="折線圖：指數，2015-01 至 /);
    for (const item of ['總指數', '食物類', '醫藥保健類']) expect(svgs[0]).toContain(`>${item}</text>`);
    expect(pageText(html)).toContain('共 8 條線，圖上畫出前 6 條');
    expect(markupProblems(html)).toEqual([]);
    expect(svgProblems(svgs[0])).toEqual([]);
  });
});
