import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from './helpers/env.ts';

/* The OpenAPI document is generated from the route schemas; it must be valid and cover the API. */

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, unknown> };
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
}

describe('OpenAPI document', () => {
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    const t = await makeApp('sqlite');
    app = t.app;
    cleanup = t.cleanup;
    const res = await app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    doc = res.json<OpenApiDoc>();
  });
  afterAll(async () => cleanup());

  it('validates as OpenAPI 3', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toMatch(/^3\./);
    expect(doc.info.title).toContain('Kaifang');
  });

  it('documents the native API, the health check and the account route', () => {
    for (const path of ['/healthz', '/api/v1/datasets', '/api/v1/datasets/{id}', '/api/v1/resources/{id}', '/api/v1/units', '/api/v1/units/{name}', '/api/v1/me']) {
      expect(doc.paths[path]?.get, path).toBeDefined();
    }
    const search = doc.paths['/api/v1/datasets'].get;
    expect(search.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['q', 'unit', 'category', 'format', 'sort', 'limit', 'offset']));
    expect(doc.paths['/api/v1/me'].get.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(doc.paths['/api/v1/me'].get.responses)).toEqual(expect.arrayContaining(['200', '401']));
  });

  it('documents the CKAN read actions for GET and POST (JSON or form), and the write actions as POST with a token, not the refused deletions', () => {
    for (const action of ['package_search', 'package_show', 'package_list', 'organization_list', 'organization_show', 'tag_list', 'status_show', 'resource_show', 'current_package_list_with_resources']) {
      const item = doc.paths[`/api/3/action/${action}`];
      expect(item?.get, action).toBeDefined();
      expect(Object.keys(item.post.requestBody?.content ?? {}).sort(), action).toEqual(['application/json', 'application/x-www-form-urlencoded']);
      expect(Object.keys(item.get.responses), action).toEqual(expect.arrayContaining(['200', '404', '409']));
    }
    expect(doc.paths['/api/3/action/package_search'].get.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['q', 'fq', 'sort', 'rows', 'start', 'facet.field']));
    for (const action of ['package_create', 'package_update', 'package_patch', 'resource_create', 'resource_update']) {
      const item = doc.paths[`/api/3/action/${action}`];
      expect(item?.get, action).toBeUndefined();
      expect(item?.post.security, action).toEqual([{ bearer: [] }]);
      expect(Object.keys(item?.post.responses ?? {}), action).toEqual(expect.arrayContaining(['200', '403', '409']));
    }
    expect(doc.paths['/api/3/action/package_delete']).toBeUndefined();
    expect(doc.paths['/openapi.json']).toBeUndefined();
  });

  it('gives every operation a summary and a documented 200 body', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(op.responses['200']?.content?.['application/json']?.schema, `${method} ${path}`).toBeDefined();
      }
    }
  });

  it('serves the browsable docs at /docs', async () => {
    const res = await app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body.toLowerCase()).toContain('swagger');
  });
});
