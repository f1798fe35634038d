import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';

/* Whatever arrives, the server answers with a client error or a result — never a 500 or a crash. */

const JUNK = ['', ' ', '-1', '0', '1e20', 'NaN', '9'.repeat(400), 'x'.repeat(5000), '\u0000', '%', '%%', "'; drop table datasets; --", '"', '(', '*:*', '[1,2', '{"a":1}', 'null', '🙂物價', '../../etc/passwd', '<script>alert(1)</script>'];
// Already percent-encoded: a lone surrogate (invalid UTF-8) and a raw NUL byte.
const RAW = ['%ED%A0%80', '%00', '%C0%AF'];

const ROUTES: [string, string[]][] = [
  ['/api/v1/datasets', ['q', 'limit', 'offset', 'sort', 'unit', 'keyword', 'format']],
  ['/api/3/action/package_search', ['q', 'fq', 'rows', 'start', 'sort', 'facet.field', 'facet.limit', 'facet.mincount', 'fq_list']],
  ['/api/3/action/package_show', ['id']],
  ['/api/3/action/package_list', ['limit', 'offset']],
  ['/api/3/action/organization_list', ['all_fields', 'sort', 'limit']],
  ['/api/3/action/organization_show', ['id', 'include_datasets']],
  ['/api/3/action/tag_list', ['query']],
  ['/datasets', ['q', 'page', 'sort', 'unit', 'category', 'provision']],
  ['/', ['lang']],
];

describe.each(engines)('robustness on %s', (engine) => {
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const t = await makeApp(engine);
    app = t.app;
    cleanup = t.cleanup;
    await t.services.catalogue.save(datasetInput({ title: '消費者物價指數' }), { state: 'published' });
  });
  afterAll(async () => cleanup());

  it('answers every junk query parameter with a result or a 4xx in the right shape', async () => {
    for (const [path, params] of ROUTES) {
      for (const p of params) {
        for (const v of [...JUNK.map(encodeURIComponent), ...RAW]) {
          const res = await app.inject({ method: 'GET', url: `${path}?${encodeURIComponent(p)}=${v}` });
          expect(res.statusCode, `${path}?${p}=${v.slice(0, 20)}`).toBeLessThan(500);
          if (path.startsWith('/api/3/')) expect(res.json<{ success: boolean }>(), `${path}?${p}`).toHaveProperty('success');
          else if (path.startsWith('/api/') && res.statusCode >= 400) expect(res.json<{ error: { code: string } }>().error.code, `${path}?${p}`).toBeTruthy();
        }
      }
    }
  });

  it('answers junk paths and bodies without a 500', async () => {
    const nul = await app.inject({ method: 'GET', url: '/api/v1/datasets/%00' });
    expect(nul.statusCode).toBe(400);
    expect(nul.json<{ error: { message: string } }>().error.message).toContain('NUL');
    for (const url of ['/datasets/%00', '/units/%E0%A4%A', '/api/v1/datasets/' + 'x'.repeat(300), '/api/v1/units/%2e%2e', '/demo/files/..%2F..%2Fpackage.json', '/api/3/action/%00']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(500);
    }
    for (const payload of ['{', '[]', '"x"', '{"rows": "ten"}', '{"q": "\\u0000"}']) {
      const res = await app.inject({ method: 'POST', url: '/api/3/action/package_search', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, payload).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, payload).toBeLessThan(500);
      expect(res.json<{ success: boolean }>().success, payload).toBe(false);
    }
    for (const payload of ['null', '{"id": {"$ne": 1}}', '{"fq": ["organization:statistics"]}']) {
      const res = await app.inject({ method: 'POST', url: '/api/3/action/package_search', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode, payload).toBeLessThan(500);
    }
    const huge = await app.inject({ method: 'POST', url: '/api/3/action/package_search', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ q: '物'.repeat(200_000) }) });
    expect(huge.statusCode).toBeLessThan(500);
  });
});
