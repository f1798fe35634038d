import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../src/modules/catalogue/catalogue.schemas.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';

/* The CKAN Action API as a CKAN client (ckanapi, ckanr, a harvester) sees it. */

interface Envelope {
  help: string;
  success: boolean;
  result?: unknown;
  error?: { __type: string; message: string } & Record<string, unknown>;
}
interface Pkg {
  id: string;
  name: string;
  title: string;
  identifier: string;
  metadata_modified: string;
  organization: { name: string; title: string };
  tags: { name: string }[];
  resources: { id: string; resource_id: string; format: string; url: string }[];
  [k: string]: unknown;
}
interface SearchResult {
  count: number;
  sort: string;
  results: Pkg[];
  search_facets: Record<string, { title: string; items: { name: string; display_name: string; count: number }[] }>;
  facets: Record<string, Record<string, number>>;
}

const csv = (url: string) => ({ description: '資料 CSV', format: 'CSV', encoding: 'UTF-8', downloadUrl: url });

describe.each(engines)('CKAN Action API on %s', (engine) => {
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;
  let cpi: Dataset;
  let wpi: Dataset;
  let budget: Dataset;
  let income: Dataset;
  let draft: Dataset;
  let published = 0;

  /** GET with a query string built like ckanr does: lists JSON-encoded. */
  async function get(action: string, params: Record<string, unknown> = {}) {
    const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
    const res = await app.inject({ method: 'GET', url: `/api/3/action/${action}${qs ? `?${qs}` : ''}` });
    return { status: res.statusCode, body: res.json<Envelope>() };
  }
  /** POST a JSON body like ckanapi does. */
  async function post(action: string, body: unknown) {
    const res = await app.inject({ method: 'POST', url: `/api/3/action/${action}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    return { status: res.statusCode, body: res.json<Envelope>() };
  }
  async function search(params: Record<string, unknown>): Promise<SearchResult> {
    const r = await get('package_search', params);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.result as SearchResult;
  }
  const titles = (r: SearchResult) => r.results.map((p) => p.title);

  beforeAll(async () => {
    const t = await makeApp(engine);
    app = t.app;
    cleanup = t.cleanup;
    const save = async (input: Parameters<typeof datasetInput>[0], state: 'published' | 'draft' = 'published') => {
      const { dataset } = await t.services.catalogue.save(datasetInput(input), { state });
      if (state === 'published') published++;
      return dataset;
    };
    cpi = await save({
      title: '消費者物價指數',
      unit: 'statistics',
      keywords: ['物價', '物價 指數', 'CPI'],
      categoryCode: '800',
      updateFrequency: '每1月',
      landingPage: 'https://www.stat.gov.tw/cp.aspx?n=2665',
      notes: '基期為民國110年。',
      resources: [csv('https://example.gov.tw/cpi.csv'), { description: '資料 XML', format: 'XML', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/cpi.xml' }],
    });
    wpi = await save({
      title: '躉售物價指數',
      unit: 'statistics',
      keywords: ['物價'],
      categoryCode: '800',
      updateFrequency: '每1年',
      resources: [{ description: '資料 JSON', format: 'JSON', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/wpi.json' }],
    });
    budget = await save({
      title: '中央政府總預算',
      unit: 'public-budget',
      keywords: ['預算'],
      categoryCode: 'I00',
      licenseId: 'CC-BY-4.0',
      licenseUrl: 'https://creativecommons.org/licenses/by/4.0/',
      resources: [csv('https://example.gov.tw/budget.csv')],
    });
    income = await save({
      title: '家庭收支調查個別資料',
      unit: 'census',
      keywords: ['家庭收支', '所得'],
      categoryCode: '800',
      provisionType: 'on_application',
      applicationTerms: '填具申請書向國勢普查處申請。',
      resources: [{ description: '資料 ODS', format: 'ODS', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/income.ods' }],
    });
    draft = await save({ title: '草稿物價資料', unit: 'statistics', keywords: ['物價'] }, 'draft');
    for (let i = 1; i <= 12; i++) {
      await save({ title: `會計決算報告 ${String(i).padStart(2, '0')}`, unit: 'accounting', keywords: ['決算'], resources: [csv(`https://example.gov.tw/acc-${i}.csv`)] });
    }
  });
  afterAll(async () => cleanup());

  describe('package_search', () => {
    it('answers the CKAN envelope with count, results, facets and sort, 10 rows by default', async () => {
      const r = await get('package_search');
      expect(r.status).toBe(200);
      expect(r.body.help).toBe('http://portal.test/api/3/action/help_show?name=package_search');
      expect(r.body.success).toBe(true);
      const result = r.body.result as SearchResult;
      expect(Object.keys(result).sort()).toEqual(['count', 'facets', 'results', 'search_facets', 'sort']);
      expect(result.count).toBe(published);
      expect(result.results).toHaveLength(10);
      expect(result.sort).toBe('score desc, metadata_modified desc');
      expect(result.search_facets).toEqual({});
    });

    it('treats *:* and an empty q as everything, and never shows drafts', async () => {
      expect((await search({ q: '*:*' })).count).toBe(published);
      expect((await search({ q: '' })).count).toBe(published);
      const all = await search({ rows: 1000 });
      expect(all.results.map((p) => p.id)).not.toContain(draft.id);
    });

    it('finds 物價 in titles, title matches first', async () => {
      const r = await search({ q: '物價' });
      expect(titles(r).sort()).toEqual(['消費者物價指數', '躉售物價指數'].sort());
      expect((await search({ q: '物價指數' })).count).toBe(2);
      expect(titles(await search({ q: '消費者物價' }))).toEqual(['消費者物價指數']);
      expect(titles(await search({ q: 'cpi' }))).toEqual(['消費者物價指數']);
      // Solr-isms in q that mean "everything" or are just text do not break the search.
      expect((await search({ q: '物價 +dataset_type:dataset' })).count).toBe(2);
      expect((await search({ q: 'remark:"unclosed' })).count).toBe(0);
    });

    it('filters by fq terms: organization, tags (quoted too), res_format, license_id, national fields, ANDed', async () => {
      expect(titles(await search({ fq: 'organization:public-budget' }))).toEqual(['中央政府總預算']);
      expect((await search({ fq: 'organization:statistics' })).count).toBe(2);
      expect(titles(await search({ fq: 'tags:"物價 指數"' }))).toEqual(['消費者物價指數']);
      expect(titles(await search({ fq: '+organization:statistics +res_format:JSON' }))).toEqual(['躉售物價指數']);
      expect(titles(await search({ fq: 'organization:statistics AND tags:物價 res_format:csv' }))).toEqual(['消費者物價指數']);
      expect(titles(await search({ fq: 'license_id:CC-BY-4.0' }))).toEqual(['中央政府總預算']);
      expect(titles(await search({ fq: 'category_code:I00' }))).toEqual(['中央政府總預算']);
      expect(titles(await search({ fq: 'update_frequency:每1年' }))).toEqual(['躉售物價指數']);
      expect(titles(await search({ fq: 'provision_type:on_application' }))).toEqual(['家庭收支調查個別資料']);
      expect(titles(await search({ fq: `owner_org:${cpi.unit.id} tags:CPI` }))).toEqual(['消費者物價指數']);
      // What CKAN adds itself is accepted and true of every public dataset.
      expect((await search({ fq: '+dataset_type:dataset +state:active' })).count).toBe(published);
      // fq_list terms are ANDed with fq and with each other; field terms in q are filters too.
      expect(titles(await search({ fq: 'tags:物價', fq_list: ['organization:statistics', 'res_format:XML'] }))).toEqual(['消費者物價指數']);
      expect(titles(await search({ q: '指數 tags:CPI' }))).toEqual(['消費者物價指數']);
      expect((await search({ fq: 'organization:no-such-unit' })).count).toBe(0);
    });

    it('answers a Search Query Error (409) for fq it cannot honour, naming the term', async () => {
      for (const fq of ['foo:bar', 'tags:物價 OR tags:預算', '-tags:物價', '物價', 'tags:物*', 'organization:', 'tags:"物價 指數', 'license_id:[a TO b]']) {
        const r = await get('package_search', { fq });
        expect(r.status, fq).toBe(409);
        expect(r.body.success).toBe(false);
        expect(r.body.error?.__type).toBe('Search Query Error');
      }
      const r = await get('package_search', { fq: 'foo:bar', lang: 'en' });
      expect(r.body.error?.message).toContain('"foo"');
      expect(r.body.error?.message).toContain('organization');
    });

    it('counts facets, CKAN names and display names, with facet.limit and facet.mincount', async () => {
      const fields = ['organization', 'tags', 'res_format', 'license_id', 'category_code', 'update_frequency', 'provision_type'];
      const r = await search({ 'facet.field': fields, rows: 0 });
      expect(r.results).toEqual([]);
      expect(Object.keys(r.search_facets).sort()).toEqual([...fields].sort());
      const org = r.search_facets.organization;
      expect(org.title).toBe('organization');
      expect(org.items).toContainEqual({ name: 'statistics', display_name: '綜合統計處', count: 2 });
      expect(org.items[0]).toEqual({ name: 'accounting', display_name: '會計決算處', count: 12 });
      expect(r.search_facets.res_format.items).toContainEqual({ name: 'CSV', display_name: 'CSV', count: 14 });
      expect(r.search_facets.license_id.items).toContainEqual({ name: 'CC-BY-4.0', display_name: '創用CC 姓名標示 4.0', count: 1 });
      expect(r.search_facets.category_code.items).toContainEqual({ name: 'I00', display_name: '公共資訊', count: 1 });
      expect(r.search_facets.provision_type.items).toContainEqual({ name: 'on_application', display_name: '依申請提供', count: 1 });
      expect(r.facets.organization).toMatchObject({ statistics: 2, accounting: 12, 'public-budget': 1, census: 1 });

      const narrowed = await search({ q: '物價', 'facet.field': ['tags', 'organization'] });
      expect(narrowed.search_facets.tags.items).toContainEqual({ name: '物價', display_name: '物價', count: 2 });
      expect(narrowed.search_facets.organization.items).toEqual([{ name: 'statistics', display_name: '綜合統計處', count: 2 }]);

      expect((await search({ 'facet.field': ['organization'], 'facet.limit': 1 })).search_facets.organization.items).toHaveLength(1);
      const min2 = await search({ 'facet.field': ['organization', 'tags'], 'facet.mincount': 2 });
      expect(min2.search_facets.organization.items.map((i) => i.name).sort()).toEqual(['accounting', 'statistics']);
      expect(min2.search_facets.tags.items.every((i) => i.count >= 2)).toBe(true);
      expect((await search({ 'facet.field': ['organization'], facet: 'false' })).search_facets).toEqual({});
      expect((await search({ 'facet.field': ['groups'] })).search_facets.groups).toEqual({ title: 'groups', items: [] });

      const bad = await get('package_search', { 'facet.field': ['nonsense'] });
      expect(bad.status).toBe(409);
      expect(bad.body.error?.__type).toBe('Search Query Error');
    });

    it('sorts by title, name and modification time, and rejects other sorts', async () => {
      const byTitle = titles(await search({ sort: 'title_string asc', rows: 100 }));
      expect(byTitle).toEqual([...byTitle].sort());
      expect(titles(await search({ sort: 'title_string desc', rows: 100 }))).toEqual([...byTitle].reverse());
      const byName = (await search({ sort: 'name asc', rows: 100 })).results.map((p) => p.name);
      expect(byName).toEqual([...byName].sort());
      const desc = (await search({ sort: 'metadata_modified desc', rows: 100 })).results.map((p) => p.metadata_modified);
      expect(desc).toEqual([...desc].sort().reverse());
      const asc = (await search({ sort: 'metadata_modified asc', rows: 100 })).results.map((p) => p.metadata_modified);
      expect(asc).toEqual([...asc].sort());
      expect((await search({ sort: 'metadata_modified desc' })).sort).toBe('metadata_modified desc');
      const bad = await get('package_search', { sort: 'popularity desc' });
      expect(bad.status).toBe(409);
      expect(bad.body.error?.__type).toBe('Search Query Error');
    });

    it('pages with rows and start, caps rows at 1000, and rejects rows that are not natural numbers', async () => {
      const all = (await search({ sort: 'name asc', rows: 100 })).results.map((p) => p.name);
      const page1 = (await search({ sort: 'name asc', rows: 5, start: 0 })).results.map((p) => p.name);
      const page2 = (await search({ sort: 'name asc', rows: 5, start: 5 })).results.map((p) => p.name);
      expect([...page1, ...page2]).toEqual(all.slice(0, 10));
      expect((await search({ rows: 5, start: 1000 })).results).toEqual([]);
      // CKAN caps rows at ckan.search.rows_max instead of failing.
      const big = await get('package_search', { rows: '5000' });
      expect(big.status).toBe(200);
      expect((big.body.result as SearchResult).results).toHaveLength(published);
      for (const [param, value] of [['rows', 'abc'], ['rows', '-1'], ['start', 'x'], ['facet.limit', 'many']]) {
        const r = await get('package_search', { [param]: value });
        expect(r.status, `${param}=${value}`).toBe(409);
        expect(r.body.error?.__type).toBe('Validation Error');
        expect(r.body.error?.[param]).toEqual([expect.any(String)]);
      }
      const en = await get('package_search', { rows: 'abc', lang: 'en' });
      expect(en.body.error?.rows).toEqual(['Invalid integer']);
    });
  });

  describe('package dicts', () => {
    it('package_show finds a dataset by id, name or national identifier, with CKAN and national fields', async () => {
      for (const id of [cpi.id, cpi.name, cpi.identifier]) {
        const r = await get('package_show', { id });
        expect(r.status, id).toBe(200);
        expect((r.body.result as Pkg).id).toBe(cpi.id);
      }
      const p = (await get('package_show', { id: cpi.id })).body.result as Pkg;
      expect(p).toMatchObject({
        name: cpi.name,
        title: '消費者物價指數',
        notes: cpi.description,
        url: 'https://www.stat.gov.tw/cp.aspx?n=2665',
        version: null,
        state: 'active',
        private: false,
        type: 'dataset',
        license_id: 'OGDL-Taiwan-1.0',
        license_title: '政府資料開放授權條款-第1版',
        license_url: 'https://data.gov.tw/license',
        maintainer: '王小明 先生',
        maintainer_email: 'open@dgbas.gov.tw',
        author: '行政院主計總處',
        owner_org: cpi.unit.id,
        organization: { id: cpi.unit.id, name: 'statistics', title: '綜合統計處', type: 'organization', is_organization: true, state: 'active' },
        groups: [],
        num_resources: 2,
        num_tags: 3,
        identifier: cpi.identifier,
        category_code: '800',
        category_name: '投資理財',
        dataset_type: 'rawData',
        update_frequency: '每1月',
        provision_type: 'open',
        publisher_name: '行政院主計總處',
        publisher_contact_name: '王小明 先生',
        publisher_contact_phone: '02-23803542',
        publisher_contact_email: 'open@dgbas.gov.tw',
        cost: '免費',
        remarks: '基期為民國110年。',
        keywords: ['物價', '物價 指數', 'CPI'],
        field_description: cpi.fieldDescription,
        fields: cpi.fields,
      });
      expect(p.metadata_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
      expect(p.metadata_modified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
      expect(p.tags.map((t) => t.name)).toEqual(['物價', '物價 指數', 'CPI']);
      expect(p.tags[0]).toMatchObject({ name: '物價', display_name: '物價', state: 'active', vocabulary_id: null });
      expect(p.tags[0]).toHaveProperty('id', expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/));
      const extras = Object.fromEntries((p.extras as { key: string; value: string }[]).map((e) => [e.key, e.value]));
      expect(extras).toMatchObject({ identifier: cpi.identifier, category_code: '800', update_frequency: '每1月', provision_type: 'open', publisher_name: '行政院主計總處' });
      expect(JSON.parse(extras.keywords ?? '[]')).toEqual(['物價', '物價 指數', 'CPI']);
      expect(p.resources).toHaveLength(2);
      expect(p.resources[0]).toMatchObject({
        id: cpi.resources[0].id,
        package_id: cpi.id,
        url: 'https://example.gov.tw/cpi.csv',
        format: 'CSV',
        mimetype: 'text/csv',
        description: '資料 CSV',
        position: 0,
        url_type: null,
        datastore_active: false,
        state: 'active',
        resource_id: `${cpi.identifier}-001`,
        encoding: 'UTF-8',
      });
      expect(p.resources[1]).toMatchObject({ format: 'XML', position: 1, resource_id: `${cpi.identifier}-002` });
    });

    it('package_show: unknown and unpublished are Not Found (404), a missing id a Validation Error (409)', async () => {
      for (const id of ['no-such-dataset', draft.id]) {
        const r = await get('package_show', { id });
        expect(r.status).toBe(404);
        expect(r.body).toMatchObject({ success: false, help: 'http://portal.test/api/3/action/help_show?name=package_show', error: { __type: 'Not Found Error' } });
        expect(r.body.error?.message).toContain(id);
      }
      const missing = await get('package_show');
      expect(missing.status).toBe(409);
      expect(missing.body.error).toMatchObject({ __type: 'Validation Error', id: [expect.any(String)] });
    });

    it('package_list lists public names in order, with limit and offset', async () => {
      const all = (await get('package_list')).body.result as string[];
      expect(all).toHaveLength(published);
      expect(all).toEqual([...all].sort());
      expect(all).not.toContain(draft.name);
      expect((await get('package_list', { limit: '3', offset: '2' })).body.result).toEqual(all.slice(2, 5));
    });

    it('current_package_list_with_resources gives recent datasets with their resources', async () => {
      const r = (await get('current_package_list_with_resources', { limit: '3' })).body.result as Pkg[];
      expect(r).toHaveLength(3);
      expect(r.every((p) => p.resources.length > 0)).toBe(true);
      const mods = r.map((p) => p.metadata_modified);
      expect(mods).toEqual([...mods].sort().reverse());
      expect(((await get('current_package_list_with_resources')).body.result as Pkg[]).length).toBe(10);
    });

    it('resource_show finds a resource by id or national resource id', async () => {
      for (const id of [wpi.resources[0].id, wpi.resources[0].resourceId]) {
        const r = await get('resource_show', { id });
        expect(r.status).toBe(200);
        expect(r.body.result).toMatchObject({ id: wpi.resources[0].id, package_id: wpi.id, format: 'JSON', url: 'https://example.gov.tw/wpi.json', resource_id: wpi.resources[0].resourceId });
      }
      expect((await get('resource_show', { id: 'nope' })).body.error?.__type).toBe('Not Found Error');
      expect((await get('resource_show', { id: draft.resources[0].id })).status).toBe(404);
    });
  });

  describe('organizations, tags, status', () => {
    it('organization_list gives names, or dicts with package_count, sorted, paged', async () => {
      const names = (await get('organization_list', { sort: 'name asc' })).body.result as string[];
      expect(names).toEqual(expect.arrayContaining(['statistics', 'public-budget', 'census', 'accounting', 'it']));
      expect(names).toEqual([...names].sort());
      const dicts = (await get('organization_list', { all_fields: 'true', sort: 'package_count desc' })).body.result as { name: string; title: string; package_count: number; is_organization: boolean }[];
      expect(dicts[0]).toMatchObject({ name: 'accounting', title: '會計決算處', package_count: 12, is_organization: true, type: 'organization' });
      expect(dicts.find((o) => o.name === 'statistics')?.package_count).toBe(2);
      expect((await get('organization_list', { sort: 'name asc', limit: '2', offset: '1' })).body.result).toEqual(names.slice(1, 3));
      // ckanr and requests send Python's True.
      expect(((await get('organization_list', { all_fields: 'True', limit: '1' })).body.result as unknown[])[0]).toHaveProperty('package_count');
      const bad = await get('organization_list', { sort: 'size desc' });
      expect(bad.status).toBe(409);
      expect(bad.body.error).toMatchObject({ __type: 'Validation Error', sort: [expect.any(String)] });
    });

    it('organization_show by name or id, with datasets on request', async () => {
      const byName = await get('organization_show', { id: 'statistics' });
      expect(byName.status).toBe(200);
      expect(byName.body.result).toMatchObject({ id: cpi.unit.id, name: 'statistics', title: '綜合統計處', package_count: 2, is_organization: true });
      expect(byName.body.result).not.toHaveProperty('packages');
      const withSets = (await get('organization_show', { id: cpi.unit.id, include_datasets: 'true' })).body.result as { packages: Pkg[] };
      expect(withSets.packages.map((p) => p.title).sort()).toEqual(['消費者物價指數', '躉售物價指數'].sort());
      const missing = await get('organization_show', { id: 'no-such-unit' });
      expect(missing.status).toBe(404);
      expect(missing.body.error?.__type).toBe('Not Found Error');
    });

    it('tag_list lists keywords of public datasets, filtered by query', async () => {
      const all = (await get('tag_list')).body.result as string[];
      expect(all).toEqual(expect.arrayContaining(['物價', '預算', '決算', '家庭收支', 'CPI']));
      expect((await get('tag_list', { query: '物價' })).body.result).toEqual(['物價', '物價 指數']);
      expect((await get('tag_list', { query: '物價', all_fields: 'true' })).body.result).toEqual([
        expect.objectContaining({ name: '物價', display_name: '物價' }),
        expect.objectContaining({ name: '物價 指數' }),
      ]);
    });

    it('status_show describes the site', async () => {
      const r = await get('status_show');
      expect(r.body.result).toEqual({
        site_title: '開放資料平臺',
        site_url: 'http://portal.test',
        site_description: '行政院主計總處開放資料目錄 / Open data catalogue of the Directorate-General of Budget, Accounting and Statistics',
        ckan_version: '2.11.0',
        locale_default: 'zh_Hant_TW',
        extensions: [],
      });
    });

    it('help_show explains an action', async () => {
      const r = await get('help_show', { name: 'package_search' });
      expect(r.body.result).toEqual(expect.stringContaining('Search datasets'));
      expect((await get('help_show', { name: 'nope' })).status).toBe(404);
    });
  });

  describe('transports and errors', () => {
    it('answers at /api/action/<name> too, where Python ckanapi calls', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/action/package_show', payload: { id: cpi.name } });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ success: boolean; result: { title: string } }>()).toMatchObject({ success: true, result: { title: '消費者物價指數' } });
      const tags = await app.inject({ method: 'GET', url: '/api/action/tag_list?query=CPI' });
      expect(tags.json<{ result: string[] }>().result).toEqual(['CPI']);
    });

    it('tag_list?query matches regardless of case on both engines', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/3/action/tag_list?query=cpi' });
      expect(res.json<{ result: string[] }>().result).toEqual(['CPI']);
    });

    it('takes POST JSON bodies with lists as lists or as JSON strings', async () => {
      const native = await post('package_search', { q: '物價', fq: 'organization:statistics', 'facet.field': ['tags'], rows: 1 });
      expect(native.status).toBe(200);
      const nr = native.body.result as SearchResult;
      expect(nr.count).toBe(2);
      expect(nr.results).toHaveLength(1);
      expect(nr.search_facets.tags.items).toContainEqual({ name: '物價', display_name: '物價', count: 2 });
      const encoded = await post('package_search', { q: '物價', 'facet.field': '["tags"]', rows: '1' });
      expect((encoded.body.result as SearchResult).search_facets.tags.items).toEqual(nr.search_facets.tags.items);
      expect((await post('package_show', { id: budget.name })).body.result).toMatchObject({ title: '中央政府總預算' });
    });

    it('takes form-encoded POST bodies, and JSON sent as a form by old clients', async () => {
      const form = await app.inject({
        method: 'POST',
        url: '/api/3/action/package_search',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ q: '物價', 'facet.field': '["organization"]', rows: '5' }).toString(),
      });
      expect(form.statusCode).toBe(200);
      const fr = form.json<Envelope>().result as SearchResult;
      expect(fr.count).toBe(2);
      expect(fr.search_facets.organization.items[0]).toMatchObject({ name: 'statistics', count: 2 });
      const legacy = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: JSON.stringify({ id: income.name }) });
      expect(legacy.json<Envelope>().result).toMatchObject({ title: '家庭收支調查個別資料' });
      const empty = await app.inject({ method: 'POST', url: '/api/3/action/status_show' });
      expect(empty.statusCode).toBe(200);
    });

    it('answers 400 in the envelope for bad JSON, a body that is not a dict, and unknown actions', async () => {
      for (const payload of ['{"q": ', '[1, 2]', '"物價"']) {
        const r = await app.inject({ method: 'POST', url: '/api/3/action/package_search', headers: { 'content-type': 'application/json' }, payload });
        expect(r.statusCode, payload).toBe(400);
        expect(r.json<Envelope>()).toMatchObject({ success: false, help: 'http://portal.test/api/3/action/help_show?name=package_search', error: { __type: 'Bad Request' } });
      }
      for (const method of ['GET', 'POST'] as const) {
        const r = await app.inject({ method, url: '/api/3/action/package_frobnicate?lang=en' });
        expect(r.statusCode).toBe(400);
        expect(r.json<Envelope>()).toMatchObject({ success: false, error: { __type: 'Bad Request', message: 'Bad request - Action name not known: package_frobnicate' } });
      }
      const bad = await get('package_search', { 'facet.field': '["organization"' });
      expect(bad.status).toBe(409);
      expect(bad.body.error).toMatchObject({ __type: 'Validation Error', 'facet.field': [expect.any(String)] });
    });

    it('never answers 5xx to malformed input, and always in the envelope', async () => {
      const gets = [
        'package_search?start=99999999999999999999',
        'package_search?facet.field={"a":1}',
        'package_search?facet.field=[1,2]',
        'package_search?fq_list=x',
        'package_search?facet.limit=-5',
        'package_search?facet=maybe',
        `package_search?q=${encodeURIComponent('"""\\:::(((*')}`,
        `package_search?fq=${encodeURIComponent('organization:\\')}`,
        `package_search?sort=${encodeURIComponent(',,,')}`,
        'package_search?q=%00%FF',
        'package_show?id=a&id=b',
        `package_show?id=${'x'.repeat(300)}`,
        'organization_show?id=',
        'package_list?limit=-1',
        'tag_list?query=%25_%5C',
        'help_show',
      ];
      for (const url of gets) {
        const r = await app.inject({ url: `/api/3/action/${url}` });
        expect(r.statusCode, url).toBeLessThan(500);
        expect(r.json<Envelope>().help, url).toMatch(/help_show\?name=/);
      }
      const posts: [string, string][] = [
        ['application/json', '{"rows": "x"}'],
        ['application/json', '{"facet.field": {"a": 1}}'],
        ['application/json', 'null'],
        ['application/json', '{"id": null}'],
        ['text/plain', 'hello'],
        ['multipart/form-data; boundary=x', '--x--'],
      ];
      for (const [type, payload] of posts) {
        const r = await app.inject({ method: 'POST', url: '/api/3/action/package_show', headers: { 'content-type': type }, payload });
        expect(r.statusCode, payload).toBeGreaterThanOrEqual(400);
        expect(r.statusCode, payload).toBeLessThan(500);
        expect(r.json<Envelope>().success, payload).toBe(false);
      }
    });

    it('reads a repeated fq, or a list of fq in JSON, as all of its terms', async () => {
      const repeated = await app.inject({ url: `/api/3/action/package_search?fq=${encodeURIComponent('tags:物價')}&fq=${encodeURIComponent('res_format:JSON')}` });
      expect(titles(repeated.json<Envelope>().result as SearchResult)).toEqual(['躉售物價指數']);
      const listed = await post('package_search', { fq: ['tags:物價', 'res_format:JSON'] });
      expect(titles(listed.body.result as SearchResult)).toEqual(['躉售物價指數']);
    });

    it('refuses write actions without an API token, and deletion always, with an Authorization Error', async () => {
      for (const action of ['package_create', 'package_update', 'package_patch', 'package_delete', 'resource_create', 'resource_update', 'resource_delete']) {
        const r = await post(action, { name: 'x', title: 'x', owner_org: 'statistics' });
        expect(r.status, action).toBe(403);
        expect(r.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
      }
      const en = await app.inject({ method: 'POST', url: '/api/3/action/package_create?lang=en', headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(en.json<Envelope>().error?.message).toContain('API token');
      const del = await app.inject({ method: 'POST', url: '/api/3/action/package_delete?lang=en', headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(del.json<Envelope>().error?.message).toContain('discontinuation');
    });

    it('speaks zh-TW by default and English with lang=en', async () => {
      const zh = await get('package_show', { id: 'no-such-dataset' });
      expect(zh.body.error?.message).toBe('找不到資料集：no-such-dataset');
      const en = await get('package_show', { id: 'no-such-dataset', lang: 'en' });
      expect(en.body.error?.message).toBe('dataset not found: no-such-dataset');
    });
  });
});
