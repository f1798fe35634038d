import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInput } from '../../../test/factories/dataset.ts';
import { engines, makeEnv, type TestEnv } from '../../../test/helpers/env.ts';
import { openDb } from '../../db/index.ts';
import { createServices } from '../../services.ts';
import { indexTerms, parseQuery } from './tokenize.ts';

describe('tokenize', () => {
  it('indexes Han runs as bigrams and Latin runs as lower-cased words, full-width folded', () => {
    expect([...indexTerms('消費者物價指數 ＣＰＩ 2024')]).toEqual(['消費', '費者', '者物', '物價', '價指', '指數', 'cpi', '2024']);
  });
  it('turns queries into required terms and phrases', () => {
    expect(parseQuery('物價')).toEqual({ terms: ['物價'], phrases: [] });
    expect(parseQuery('消費物價 CPI')).toEqual({ terms: ['消費', '費物', '物價', 'cpi'], phrases: ['消費物價'] });
    expect(parseQuery('價')).toEqual({ terms: [], phrases: ['價'] });
  });
});

describe.each(engines)('search engine on %s', (engine) => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await makeEnv(engine);
  });
  afterAll(async () => t.cleanup());

  it('a second app instance on the same database sees changes made by the first', async () => {
    const other = openDb(t.databaseUrl);
    const s2 = createServices(t.config, other);
    try {
      expect((await s2.catalogue.search({ q: '薪資' })).count).toBe(0);
      const saved = await t.services.catalogue.save(datasetInput({ title: '受僱員工薪資統計' }), { state: 'published' });
      expect((await s2.catalogue.search({ q: '薪資' })).results.map((d) => d.id)).toEqual([saved.dataset.id]);
      // Unpublishing (back to draft) removes it from the other instance's results too.
      await t.services.catalogue.save(datasetInput({ identifier: saved.dataset.identifier, title: '受僱員工薪資統計' }), { state: 'draft' });
      expect((await s2.catalogue.search({ q: '薪資' })).count).toBe(0);
    } finally {
      await other.destroy();
    }
  });

  it('sorts by title and by last modified, pages without overlap, and finds single characters', async () => {
    for (const title of ['丙資料 失業率', '甲資料 失業率', '乙資料 失業率']) {
      await t.services.catalogue.save(datasetInput({ title }), { state: 'published' });
    }
    const byTitle = await t.services.catalogue.search({ q: '失業', sort: 'title_asc' });
    expect(byTitle.results.map((d) => d.title)).toEqual([...byTitle.results.map((d) => d.title)].sort());
    const byModified = await t.services.catalogue.search({ q: '失業', sort: 'modified_desc' });
    expect(byModified.results[0].title).toBe('乙資料 失業率');
    const page1 = await t.services.catalogue.search({ q: '失業', sort: 'title_asc', limit: 2, offset: 0 });
    const page2 = await t.services.catalogue.search({ q: '失業', sort: 'title_asc', limit: 2, offset: 2 });
    expect(page1.count).toBe(3);
    expect([...page1.results, ...page2.results].map((d) => d.title)).toEqual(byTitle.results.map((d) => d.title));
    expect((await t.services.catalogue.search({ q: '丙' })).results.map((d) => d.title)).toEqual(['丙資料 失業率']);
  });

  it('sorts "last modified" by the declared 最後更新時間 when there is one', async () => {
    await t.services.catalogue.save(datasetInput({ title: '舊的人口統計', modified: '2020-01-01 00:00:00' }), { state: 'published' });
    await t.services.catalogue.save(datasetInput({ title: '新的人口統計', modified: '2026-01-01 00:00:00' }), { state: 'published' });
    await t.services.catalogue.save(datasetInput({ title: '中間人口統計', modified: '2023-06-30 12:00:00' }), { state: 'published' });
    const r = await t.services.catalogue.search({ q: '人口', sort: 'modified_desc' });
    expect(r.results.map((d) => d.title)).toEqual(['新的人口統計', '中間人口統計', '舊的人口統計']);
  });

  it('orders the whole catalogue the same way a query would, in both directions, with corpus facets', async () => {
    const all = await t.services.catalogue.search({ sort: 'title_asc', limit: 1000, facets: ['unit'] });
    const desc = await t.services.catalogue.search({ sort: 'title_desc', limit: 1000 });
    expect(desc.results.map((d) => d.id)).toEqual([...all.results.map((d) => d.id)].reverse());
    const newest = await t.services.catalogue.search({ sort: 'modified_desc', limit: 1000 });
    const oldest = await t.services.catalogue.search({ sort: 'modified_asc', limit: 1000 });
    expect(oldest.results.map((d) => d.id)).toEqual([...newest.results.map((d) => d.id)].reverse());
    expect(all.count).toBe(all.results.length);
    expect((all.facets.unit ?? []).reduce((n, f) => n + f.count, 0)).toBe(all.count);
    // A filter that matches everything goes the other path and must agree.
    const viaFilter = await t.services.catalogue.search({ sort: 'title_asc', limit: 1000, anyOf: [['license', ['OGDL-Taiwan-1.0']]] });
    expect(viaFilter.results.map((d) => d.id)).toEqual(all.results.map((d) => d.id));
  });

  it('gives the same answers after rebuilding the whole index, here and in a fresh instance', async () => {
    const before = await t.services.catalogue.search({ q: '資料', facets: ['unit', 'keyword'], limit: 1000 });
    await t.services.catalogue.reindexAll();
    const after = await t.services.catalogue.search({ q: '資料', facets: ['unit', 'keyword'], limit: 1000 });
    expect(after).toEqual(before);
    const other = openDb(t.databaseUrl);
    try {
      expect(await createServices(t.config, other).catalogue.search({ q: '資料', facets: ['unit', 'keyword'], limit: 1000 })).toEqual(before);
    } finally {
      await other.destroy();
    }
  });

  it('finds datasets by keyword, field description and unit name', async () => {
    await t.services.catalogue.save(
      datasetInput({ title: '某項調查', keywords: ['家庭收支'], fields: [{ name: 'income', title: '可支配所得' }], unit: 'census' }),
      { state: 'published' },
    );
    expect((await t.services.catalogue.search({ q: '家庭收支' })).count).toBe(1);
    expect((await t.services.catalogue.search({ q: '可支配所得' })).count).toBe(1);
    expect((await t.services.catalogue.search({ q: '國勢普查處 調查' })).count).toBe(1);
  });
});
