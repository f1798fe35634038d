import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, DatasetInput } from '../src/modules/catalogue/catalogue.schemas.ts';
import type { Services } from '../src/services.ts';
import { datasetInput } from './factories/dataset.ts';
import { ALL, HOSTILE, HOSTILE_EMAIL, hostileInput } from './factories/hostile.ts';
import { engines, makeApp } from './helpers/env.ts';
import { decode, markupProblems } from './helpers/markup.ts';

/**
 * XSS sweep (issue 3, "Security tests"): hostile strings in every text field of a dataset, in unit
 * titles and in a user's name, rendered on every page that can show them. There is no HTML parser
 * among our dependencies, so `markupProblems` below is a strict tokenizer for what
 * preact-render-to-string emits: every `<` must open a well-formed tag, and text or attribute
 * values that escaped their context would show up as an unknown tag, an `on…` attribute, a comment
 * or a stray `<`.
 */
const EVIL_USER = { email: 'evil@stat.example', password: 'evil-password-12345', name: `惡意 ${ALL}` };
const ADMIN = { email: 'admin@kaifang.local', password: 'admin-password-for-tests' };

/** What a reader sees: tags (and the JSON-LD) removed, entities decoded once. */
const text = (html: string): string => decode(html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ''));

function jsonLd(html: string): Record<string, unknown> {
  const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no JSON-LD on the page');
  return JSON.parse(m[1]) as Record<string, unknown>;
}

/** Every text value a hostile dataset carries, as the API gives it back. */
const textValues = (d: Dataset): string[] => [
  d.title, d.titleEn ?? '', d.description, d.fieldDescription, d.costLaw ?? '', d.organizationName ?? '', d.publisherName, d.publisherContactName ?? '',
  d.spatial ?? '', d.notes ?? '', d.publisherContactEmail ?? '', d.organizationContactEmail ?? '', ...d.keywords, ...d.fields.flatMap((f) => [f.name, f.title ?? '', f.description ?? '', f.type ?? '', ...(f.codes ?? []).flatMap((c) => [c.code, c.meaning])]),
  ...d.resources.flatMap((r) => [r.name, r.description]),
];

describe.each(engines)('XSS: hostile text stays text on %s', (engine) => {
  let app: FastifyInstance;
  let services: Services;
  let cleanup: () => Promise<void>;
  let dir: string;
  /** One dataset per hostile string, plus one with all of them. */
  const datasets: Dataset[] = [];
  let all: Dataset;
  let external: Dataset;
  /** 主要欄位說明 given only as free national text (no field list). */
  let freeText: Dataset;
  let externalUnit: string;

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const expectClean = (res: LightMyRequestResponse, label: string) => {
    expect(res.headers['content-type'], label).toBe('text/html; charset=utf-8');
    expect(markupProblems(res.body), label).toEqual([]);
  };

  beforeAll(async () => {
    // Unit titles come from the units file: the agency (in every page's header) and a unit.
    dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-xss-'));
    const unitsFile = path.join(dir, 'units.json');
    writeFileSync(
      unitsFile,
      JSON.stringify([
        { name: 'dgbas', title: `機關 ${ALL}`, titleEn: `Agency ${ALL}`, kind: 'agency' },
        { name: 'statistics', title: `綜合統計處 ${ALL}`, titleEn: `Statistics ${ALL}` },
        { name: 'it', title: '主計資訊處', titleEn: 'IT', isWindow: true },
      ]),
    );
    const t = await makeApp(engine, { KAIFANG_UNITS_FILE: unitsFile });
    app = t.app;
    services = t.services;
    cleanup = t.cleanup;
    for (const v of HOSTILE) datasets.push((await services.catalogue.save(hostileInput(v), { state: 'published' })).dataset);
    all = (await services.catalogue.save(hostileInput(ALL), { state: 'published' })).dataset;
    freeText = (await services.catalogue.save(hostileInput(ALL, { fields: undefined, fieldDescription: `欄位 ${ALL} 止` }), { state: 'published' })).dataset;
    const unit = await services.units.ensureExternalUnit(`外部機關 ${ALL}`, null);
    externalUnit = unit.name;
    external = (await services.catalogue.save(hostileInput('外部', { unit: unit.name }), { state: 'published' })).dataset;
    await services.users.create({ ...EVIL_USER, unit: 'statistics', role: 'contact' });
  });
  afterAll(async () => {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores and returns every hostile value unchanged through /api/v1 and the CKAN API (JSON data, not markup)', async () => {
    for (const [i, v] of HOSTILE.entries()) {
      const d = datasets[i];
      const v1 = await get(`/api/v1/datasets/${d.name}`);
      expect(v1.headers['content-type']).toMatch(/^application\/json/);
      const body = v1.json<Dataset>();
      expect(body.title).toBe(`標題 ${v} 止`);
      expect(body.description).toBe(`描述 ${v} 止`);
      // A keyword that is only white space (U+2028 U+2029) is dropped; every other one is kept as is.
      expect(body.keywords).toEqual(v.trim() ? [`kw ${v} 止`, v] : [`kw ${v} 止`]);
      expect(body.fields[0]).toEqual({ name: `f ${v} 止`, title: `名稱 ${v} 止`, description: `說明 ${v} 止`, type: `型別 ${v} 止`, codes: [{ code: `c ${v} 止`, meaning: `意義 ${v} 止` }] });
      // With fields given, 主要欄位說明 is their national text form.
      expect(body.fieldDescription).toContain(`意義 ${v} 止`);
      expect(body.notes).toBe(`備註 ${v} 止`);
      expect(body.publisherName).toBe(`機關 ${v} 止`);
      expect(body.costLaw).toBe(`法令 ${v} 止`);
      expect(body.spatial).toBe(`範圍 ${v} 止`);
      expect(body.publisherContactName).toBe(`聯絡 ${v} 止`);
      expect(body.publisherContactEmail).toBe(HOSTILE_EMAIL);
      expect(body.organizationContactEmail).toBe(HOSTILE_EMAIL);
      expect(body.resources[0]).toMatchObject({ name: `資源 ${v} 止`, description: `資源描述 ${v} 止`, encoding: `UTF-8 ${v.toUpperCase()} 止` });
      expect(body.unit.title).toBe(`綜合統計處 ${ALL}`);

      const ckan = await get(`/api/3/action/package_show?id=${d.name}`);
      expect(ckan.headers['content-type']).toMatch(/^application\/json/);
      const pkg = ckan.json<{ result: Record<string, unknown> }>().result;
      expect(pkg.title).toBe(`標題 ${v} 止`);
      expect(pkg.notes).toBe(`描述 ${v} 止`);
    }
    const search = await get(`/api/3/action/package_search?q=${encodeURIComponent('標題')}&rows=50`);
    expect(search.json<{ result: { results: { title: string }[] } }>().result.results.map((r) => r.title)).toContain(`標題 ${ALL} 止`);
  });

  it('refuses javascript: and other non-http URLs in every URL field, naming the field', async () => {
    const bad = 'javascript:alert(1)';
    const cases: [Partial<DatasetInput>, string][] = [
      [{ landingPage: bad }, 'landingPage'],
      [{ licenseUrl: bad }, 'licenseUrl'],
      [{ costUrl: bad }, 'costUrl'],
      [{ licenseUrl: ' JavaScript:alert(1)' }, 'licenseUrl'],
      [{ landingPage: 'data:text/html,<script>alert(1)</script>' }, 'landingPage'],
      [{ resources: [{ description: 'r', format: 'CSV', encoding: 'UTF-8', downloadUrl: bad }] }, 'resources[0].downloadUrl'],
      [{ resources: [{ description: 'r', format: 'CSV', encoding: 'UTF-8', accessUrl: bad }] }, 'resources[0].accessUrl'],
      [{ resources: [{ description: 'r', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://x.gov.tw/a', metadataSourceUrl: bad }] }, 'resources[0].metadataSourceUrl'],
    ];
    for (const [over, field] of cases) {
      const err = await services.catalogue.save(datasetInput(over), { state: 'published' }).then(
        () => undefined,
        (e: unknown) => e as { status?: number; details?: Record<string, string[]> },
      );
      expect(err?.status, field).toBe(400);
      const messages = err?.details?.[field] ?? [];
      expect(messages.join(' '), field).toMatch(/網址|URL/);
    }
  });

  it('renders each dataset page (zh-TW and English) with every value escaped and the JSON-LD round-tripping it', async () => {
    for (const d of [...datasets, all, external, freeText]) {
      for (const lang of ['zh-TW', 'en']) {
        const res = await get(`/datasets/${d.name}?lang=${lang}`);
        expect(res.statusCode).toBe(200);
        expectClean(res, `${d.title} (${lang})`);
        const visible = text(res.body);
        for (const value of textValues(d)) expect(visible, value).toContain(value);
        expect(visible).toContain(lang === 'en' ? d.unit.titleEn : d.unit.title);
        const ld = jsonLd(res.body);
        expect(ld.name).toBe(d.title);
        expect(ld.alternateName).toBe(d.titleEn);
        expect(ld.description).toBe(d.description);
        expect(ld.keywords).toEqual(d.keywords);
        expect(ld.spatialCoverage).toBe(d.spatial);
        expect(ld.publisher).toMatchObject({ contactPoint: { email: HOSTILE_EMAIL } });
        expect(ld.publisher).toMatchObject({ name: d.publisherName, department: { name: d.unit.title, alternateName: d.unit.titleEn } });
        expect((ld.distribution as { name: string; description: string }[]).map((x) => x.description)).toEqual(d.resources.map((r) => r.description));
        // Every link points at http(s), a page of ours, or an anchor.
        for (const [, href] of res.body.matchAll(/\bhref="([^"]*)"/g)) expect(decode(href), href).toMatch(/^(https?:\/\/|\/|#)/);
      }
    }
    expect(freeText.fieldDescription).toContain(`欄位 ${ALL} 止`);
    // The JSON-LD escapes <, > and & as \u sequences: no </script> and no <!-- can appear inside it.
    const raw = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec((await get(`/datasets/${all.name}`)).body)?.[1] ?? '';
    expect(raw).toContain('\\u003c/script\\u003e');
    expect(raw).not.toMatch(/[<>]/);
    expect(raw).toContain('\\u2028\\u2029');
  });

  it('shows the already-escaped &lt;script&gt; literally (escaped once, never decoded twice)', async () => {
    const d = datasets[HOSTILE.indexOf('&lt;script&gt;')];
    const html = (await get(`/datasets/${d.name}`)).body;
    expect(html).toContain('描述 &amp;lt;script&amp;gt; 止');
    expect(html).not.toContain('描述 &lt;script&gt;');
    expect(html).not.toContain('描述 <script>');
    expect(jsonLd(html).description).toBe('描述 &lt;script&gt; 止');
  });

  it('renders home, search (hostile q and keyword facet), units and the unit pages escaped', async () => {
    const pages = [
      '/',
      '/?lang=en',
      '/datasets',
      `/datasets?q=${encodeURIComponent(ALL.slice(0, 190))}`,
      `/datasets?q=${encodeURIComponent('<script>alert(1)</script>')}&lang=en`,
      `/datasets?keyword=${encodeURIComponent(ALL)}`,
      `/datasets?keyword=${encodeURIComponent(`kw ${HOSTILE[2]}`)}&keyword=${encodeURIComponent(HOSTILE[3])}`,
      `/datasets?unit=${externalUnit}`,
      `/datasets?format=${encodeURIComponent(all.resources[0].format)}`,
      '/units',
      '/units?lang=en',
      '/units/statistics',
      `/units/statistics?q=${encodeURIComponent(HOSTILE[1])}&keyword=${encodeURIComponent(HOSTILE[0])}`,
      `/units/${externalUnit}`,
    ];
    for (const url of pages) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expectClean(res, url);
    }
    // The query is echoed back in the search box and the heading, escaped.
    const q = '"><img src=x onerror=alert(1)>';
    const res = await get(`/datasets?q=${encodeURIComponent(q)}`);
    expect(res.body).toContain('name="q" value="&quot;>&lt;img src=x onerror=alert(1)>"');
    expect(text(res.body)).toContain(`「${q}」`);
    // A keyword facet with hostile text links to a URL-encoded filter and shows the text.
    const facets = await get('/datasets');
    expect(text(facets.body)).toContain(HOSTILE[0]);
    expect(facets.body).toContain(`href="/datasets?${new URLSearchParams({ keyword: HOSTILE[0] }).toString()}"`);
    const filtered = await get(`/datasets?keyword=${encodeURIComponent(HOSTILE[0])}`);
    expect(text(filtered.body)).toContain(`標題 ${HOSTILE[0]} 止`);
    // Unit titles from the units file and from an external agency.
    expect(text((await get('/units')).body)).toContain(`綜合統計處 ${ALL}`);
    expect(text((await get(`/units/${externalUnit}`)).body)).toContain(`外部機關 ${ALL}`);
    expect(text((await get('/')).body)).toContain(`機關 ${ALL}`);
  });

  it('renders 404 and 400 pages for hostile paths and parameters escaped', async () => {
    const cases: [string, number][] = [
      [`/x/${encodeURIComponent(HOSTILE[1])}`, 404],
      ['/x/<script>alert(1)</script>', 404],
      // The language switch links to the path itself: it must not become a link off the site.
      ['//evil.example/x', 404],
      ['///evil.example/x', 404],
      ['/\\evil.example/x', 404],
      [`/datasets/${encodeURIComponent(HOSTILE[2])}`, 404],
      [`/units/${encodeURIComponent(HOSTILE[3])}`, 404],
      [`/datasets?page=${encodeURIComponent(HOSTILE[0])}`, 400],
      [`/datasets?sort=${encodeURIComponent(HOSTILE[2])}&lang=en`, 400],
      [`/datasets?category=${encodeURIComponent(HOSTILE[1])}`, 400],
      [`/datasets?provision=${encodeURIComponent(HOSTILE[5])}`, 400],
      ['/datasets/%E0%A4%A', 400],
      [`/signin?next=${encodeURIComponent('javascript:alert(1)')}`, 200],
      [`/signin?next=${encodeURIComponent(HOSTILE[2])}`, 200],
    ];
    for (const [url, status] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(status);
      expectClean(res, url);
    }
    const nf = await get(`/datasets/${encodeURIComponent(HOSTILE[2])}`);
    expect(text(nf.body)).toContain(HOSTILE[2]);
    const bad = await get(`/datasets?page=${encodeURIComponent(HOSTILE[0])}`);
    expect(text(bad.body)).toContain(HOSTILE[0]);
    // The API answers the same paths in JSON.
    const api = await get(`/api/v1/datasets/${encodeURIComponent(HOSTILE[0])}`);
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
  });

  it('escapes a hostile user name in the header, the account page and the admin users page', async () => {
    const signIn = async (email: string, password: string): Promise<string> => {
      const res = await app.inject({ method: 'POST', url: '/signin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ email, password }).toString() });
      expect(res.statusCode).toBe(303);
      const raw = res.headers['set-cookie'];
      const cookie = (Array.isArray(raw) ? raw : [raw ?? '']).find((c) => c.includes('kf_session='));
      return (cookie ?? '').split(';', 1)[0];
    };
    const evil = await signIn(EVIL_USER.email, EVIL_USER.password);
    for (const url of ['/', '/account', '/account?lang=en', `/datasets/${all.name}`, '/signin']) {
      const res = await get(url, { cookie: evil });
      expect(res.statusCode, url).toBe(200);
      expectClean(res, `${url} as ${EVIL_USER.email}`);
      expect(text(res.body), url).toContain(url.includes('lang=en') ? `Signed in as ${EVIL_USER.name}` : `已登入 ${EVIL_USER.name}`);
    }
    const adminCookie = await signIn(ADMIN.email, ADMIN.password);
    for (const url of ['/admin/users', '/admin/users?lang=en']) {
      const res = await get(url, { cookie: adminCookie });
      expect(res.statusCode, url).toBe(200);
      expectClean(res, url);
      expect(text(res.body)).toContain(EVIL_USER.name);
      expect(text(res.body)).toContain(url.includes('lang=en') ? `Statistics ${ALL}` : `綜合統計處 ${ALL}`);
    }
    // The new-account form echoes what was typed when it refuses it, and the invitee's name greets
    // them on the password page.
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await get('/admin/users', { cookie: adminCookie })).body)?.[1] ?? '';
    const refused = await app.inject({
      method: 'POST',
      url: '/admin/users/create',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: adminCookie },
      payload: new URLSearchParams({ email: `x${HOSTILE[1]}`, name: HOSTILE[2], unit: HOSTILE[3], role: HOSTILE[0], _csrf: csrf }).toString(),
    });
    expect(refused.statusCode).toBe(400);
    expectClean(refused, 'refused new account');
    const { link } = await services.accounts.invite('cli', { email: 'invitee@stat.example', name: `受邀 ${ALL}`, unit: 'statistics', role: 'contact' });
    for (const lang of ['', '&lang=en']) {
      const res = await get(`${link.replace('http://portal.test', '')}${lang}`);
      expect(res.statusCode).toBe(200);
      expectClean(res, 'password page');
      expect(text(res.body)).toContain(`受邀 ${ALL}`);
    }
  });

  it('the checker itself catches injected markup (so a pass means something)', () => {
    const page = (body: string) => `<!doctype html><html><head><script type="application/ld+json">{}</script></head><body>${body}</body></html>`;
    expect(markupProblems(page('<p>ok &lt;script&gt;</p>'))).toEqual([]);
    expect(markupProblems(page('<script>alert(1)</script>'))).not.toEqual([]);
    expect(markupProblems(page('<img src=x onerror=alert(1)>'))).not.toEqual([]);
    expect(markupProblems(page('<a href="x" onmouseover="alert(1)">x</a>'))).not.toEqual([]);
    expect(markupProblems(page('<a href="javascript:alert(1)">x</a>'))).not.toEqual([]);
    expect(markupProblems(page('<!-- x -->'))).not.toEqual([]);
    expect(markupProblems(page('<a href="//evil.example/x">x</a>'))).not.toEqual([]);
    expect(markupProblems(page('a < b'))).not.toEqual([]);
    expect(markupProblems('<!doctype html><html><head><script type="application/ld+json">{"a":"</script><script>alert(1)</script>"}</script></head></html>')).not.toEqual([]);
  });
});
