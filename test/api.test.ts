import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../src/modules/catalogue/catalogue.schemas.ts';
import type { Services } from '../src/services.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';

/* The native API under /api/v1, /healthz, and API tokens, as a programme calling them sees them. */

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, string[]> };
}
interface SearchBody {
  count: number;
  results: Dataset[];
  facets: Record<string, { value: string; count: number }[]>;
}

describe.each(engines)('native API on %s', (engine) => {
  let app: FastifyInstance;
  let services: Services;
  let cleanup: () => Promise<void>;
  let cpi: Dataset;
  let draft: Dataset;
  let published = 0;

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.json<unknown>(), headers: res.headers };
  };

  beforeAll(async () => {
    const t = await makeApp(engine);
    app = t.app;
    services = t.services;
    cleanup = t.cleanup;
    const save = async (input: Parameters<typeof datasetInput>[0]) => {
      published++;
      return (await services.catalogue.save(datasetInput(input), { state: 'published' })).dataset;
    };
    cpi = await save({ title: '消費者物價指數', unit: 'statistics', keywords: ['物價'], categoryCode: '800' });
    await save({ title: '躉售物價指數', unit: 'statistics', keywords: ['物價'], resources: [{ description: 'JSON', format: 'JSON', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/w.json' }] });
    await save({ title: '中央政府總預算', unit: 'public-budget', keywords: ['預算'], categoryCode: 'I00' });
    for (let i = 1; i <= 4; i++) await save({ title: `會計決算報告 ${i}`, unit: 'accounting', keywords: ['決算'] });
    draft = (await services.catalogue.save(datasetInput({ title: '草稿物價' }), { state: 'draft' })).dataset;
    await services.users.create({ email: 'clerk@dgbas.gov.tw', name: '林小華', unit: 'statistics', role: 'contact' });
  });
  afterAll(async () => cleanup());

  it('GET /healthz answers 200 {"status":"ok"} when the database answers', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
  });

  describe('/api/v1/datasets', () => {
    it('several values of one facet widen the search; different facets narrow it', async () => {
      const both = await get('/api/v1/datasets?unit=statistics&unit=public-budget&limit=50');
      expect((both.body as SearchBody).results.map((d) => d.title).sort()).toEqual(['中央政府總預算', '消費者物價指數', '躉售物價指數']);
      const narrowed = await get('/api/v1/datasets?unit=statistics&unit=public-budget&keyword=%E9%A0%90%E7%AE%97');
      expect((narrowed.body as SearchBody).results.map((d) => d.title)).toEqual(['中央政府總預算']);
    });

    it('an unknown sort names the allowed values', async () => {
      const r = await get('/api/v1/datasets?sort=foo&lang=en');
      expect(r.status).toBe(400);
      expect((r.body as ErrorBody).error.message).toContain('relevance, modified_desc');
      const zh = await get('/api/v1/datasets?sort=foo');
      expect((zh.body as ErrorBody).error.message).toMatch(/^參數錯誤：querystring\.sort 須為 relevance、/);
    });

    it('a malformed URL gets the error shape, not a crash', async () => {
      const r = await get('/api/v1/datasets/%E0%A4%A');
      expect(r.status).toBe(400);
      expect((r.body as ErrorBody).error.code).toBe('BAD_REQUEST');
    });

    it('searches in Chinese with facets and counts, drafts excluded', async () => {
      const r = await get(`/api/v1/datasets?q=${encodeURIComponent('物價')}`);
      expect(r.status).toBe(200);
      const body = r.body as SearchBody;
      expect(body.count).toBe(2);
      expect(body.results.map((d) => d.title).sort()).toEqual(['消費者物價指數', '躉售物價指數'].sort());
      expect(body.results.map((d) => d.id)).not.toContain(draft.id);
      expect(body.facets.unit).toEqual([{ value: 'statistics', count: 2 }]);
      expect(body.facets.format).toEqual(expect.arrayContaining([{ value: 'CSV', count: 1 }, { value: 'JSON', count: 1 }]));
      expect(body.facets.keyword).toEqual([{ value: '物價', count: 2 }]);
    });

    it('filters by facet parameters (ANDed across facets) and pages with limit and offset', async () => {
      const byUnit = (await get('/api/v1/datasets?unit=accounting')).body as SearchBody;
      expect(byUnit.count).toBe(4);
      const anded = (await get(`/api/v1/datasets?unit=statistics&format=JSON`)).body as SearchBody;
      expect(anded.results.map((d) => d.title)).toEqual(['躉售物價指數']);
      expect(((await get('/api/v1/datasets?category=I00')).body as SearchBody).results.map((d) => d.title)).toEqual(['中央政府總預算']);

      const all = ((await get('/api/v1/datasets?sort=title_asc&limit=100')).body as SearchBody).results.map((d) => d.title);
      expect(all).toHaveLength(published);
      expect(all).toEqual([...all].sort());
      const page = ((await get('/api/v1/datasets?sort=title_asc&limit=2&offset=2')).body as SearchBody).results.map((d) => d.title);
      expect(page).toEqual(all.slice(2, 4));
      const counted = (await get('/api/v1/datasets?limit=0')).body as SearchBody;
      expect(counted.count).toBe(published);
      expect(counted.results).toEqual([]);
    });

    it.each([
      ['limit=abc', 'limit'],
      ['limit=5000', 'limit'],
      ['limit=-1', 'limit'],
      ['offset=x', 'offset'],
      ['sort=foo', 'sort'],
      [`q=${'字'.repeat(201)}`, 'q'],
    ])('answers 400 naming the parameter for %s', async (qs, param) => {
      const r = await get(`/api/v1/datasets?${qs}`);
      expect(r.status).toBe(400);
      const body = r.body as ErrorBody;
      expect(body.error.code).toBe('BAD_REQUEST');
      expect(body.error.message).toContain(`querystring.${param}`);
      expect(Object.keys(body.error.details ?? {})).toEqual([`querystring.${param}`]);
    });
  });

  describe('/api/v1/datasets/:id and /api/v1/resources/:id', () => {
    it('finds a public dataset by id, name or national identifier', async () => {
      for (const id of [cpi.id, cpi.name, cpi.identifier]) {
        const r = await get(`/api/v1/datasets/${encodeURIComponent(id)}`);
        expect(r.status, id).toBe(200);
        expect(r.body).toMatchObject({ id: cpi.id, identifier: cpi.identifier, title: '消費者物價指數', state: 'published', unit: { name: 'statistics', title: '綜合統計處' } });
      }
    });

    it('answers 404 with a stable code for unknown and unpublished datasets', async () => {
      for (const id of ['no-such-dataset', draft.id]) {
        const r = await get(`/api/v1/datasets/${id}`);
        expect(r.status).toBe(404);
        expect(r.body).toEqual({ error: { code: 'DATASET_NOT_FOUND', message: `找不到資料集：${id}` } });
      }
      expect((await get('/api/v1/datasets/no-such-dataset?lang=en')).body).toEqual({ error: { code: 'DATASET_NOT_FOUND', message: 'dataset not found: no-such-dataset' } });
    });

    it('gives a resource with its dataset id, and 404 for unknown ones', async () => {
      const r = await get(`/api/v1/resources/${cpi.resources[0].resourceId}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ datasetId: cpi.id, resource: { id: cpi.resources[0].id, format: 'CSV' } });
      expect((await get('/api/v1/resources/nope')).status).toBe(404);
      expect((await get(`/api/v1/resources/${draft.resources[0].id}`)).status).toBe(404);
    });
  });

  describe('/api/v1/units', () => {
    it('lists the configured units with public dataset counts', async () => {
      const r = await get('/api/v1/units');
      expect(r.status).toBe(200);
      const units = r.body as { name: string; title: string; datasetCount: number; isWindow: boolean }[];
      expect(units.map((u) => u.name)).toEqual(expect.arrayContaining(['dgbas', 'public-budget', 'fund-budget', 'accounting', 'statistics', 'census', 'local-statistics', 'it']));
      expect(units.find((u) => u.name === 'statistics')).toMatchObject({ title: '綜合統計處', datasetCount: 2 });
      expect(units.find((u) => u.name === 'accounting')?.datasetCount).toBe(4);
      expect(units.find((u) => u.name === 'it')?.isWindow).toBe(true);
    });

    it('gives one unit by name, and 404 naming the valid ones otherwise', async () => {
      expect((await get('/api/v1/units/statistics')).body).toMatchObject({ name: 'statistics', datasetCount: 2 });
      const r = await get('/api/v1/units/nowhere');
      expect(r.status).toBe(404);
      const body = r.body as ErrorBody;
      expect(body.error.code).toBe('UNIT_NOT_FOUND');
      expect(body.error.message).toContain('statistics');
    });
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const r = await get('/api/v1/nothing-here');
    expect(r.status).toBe(404);
    expect((r.body as ErrorBody).error.code).toBe('NOT_FOUND');
  });

  describe('API tokens and /api/v1/me', () => {
    it('accepts a token as "Bearer <token>" and, for CKAN clients, raw', async () => {
      const { token } = await services.users.createToken('clerk@dgbas.gov.tw');
      const expected = { email: 'clerk@dgbas.gov.tw', name: '林小華', roles: [{ unit: 'statistics', role: 'contact' }] };
      const bearer = await get('/api/v1/me', { authorization: `Bearer ${token}` });
      expect(bearer.status).toBe(200);
      expect(bearer.body).toMatchObject(expected);
      expect(bearer.body).not.toHaveProperty('passwordHash');
      const raw = await get('/api/v1/me', { authorization: token });
      expect(raw.status).toBe(200);
      expect(raw.body).toMatchObject(expected);
    });

    it('answers 401 UNAUTHENTICATED without a token', async () => {
      const r = await get('/api/v1/me');
      expect(r.status).toBe(401);
      expect((r.body as ErrorBody).error.code).toBe('UNAUTHENTICATED');
      expect(r.headers['www-authenticate']).toContain('Bearer');
    });

    it('answers 401 for garbage, expired and revoked tokens, and for disabled users', async () => {
      const db = services.db.kysely;
      const expired = await services.users.createToken('clerk@dgbas.gov.tw', { expiresInDays: 30 });
      await db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', expired.id).execute();
      const revoked = await services.users.createToken('clerk@dgbas.gov.tw');
      await services.users.revokeToken(revoked.id);
      await services.users.create({ email: 'gone@dgbas.gov.tw', name: '離職者', unit: 'census', role: 'contact' });
      const disabled = await services.users.createToken('gone@dgbas.gov.tw');
      await db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('email', '=', 'gone@dgbas.gov.tw').execute();

      const cases: [string, string][] = [
        ['garbage', 'Bearer not-a-token'],
        ['garbage raw', 'kf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
        ['empty bearer', 'Bearer '],
        ['expired', `Bearer ${expired.token}`],
        ['revoked', `Bearer ${revoked.token}`],
        ['revoked raw', revoked.token],
        ['disabled user', `Bearer ${disabled.token}`],
      ];
      for (const [what, authorization] of cases) {
        const r = await get('/api/v1/me', { authorization });
        expect(r.status, what).toBe(401);
        expect((r.body as ErrorBody).error.code, what).toBe('UNAUTHENTICATED');
      }
      const en = await get('/api/v1/me?lang=en', { authorization: `Bearer ${revoked.token}` });
      expect((en.body as ErrorBody).error.message).toBe('The API token is invalid, expired or revoked');
      const still = await services.users.createToken('clerk@dgbas.gov.tw');
      expect((await get('/api/v1/me', { authorization: `Bearer ${still.token}` })).status).toBe(200);
    });
  });
});
