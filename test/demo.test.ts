import { addDays, taipeiDate } from '../src/time.ts';
import { loadSchedule } from '../src/modules/inventory/schedule.ts';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';
import type { Dataset } from '../src/modules/catalogue/catalogue.schemas.ts';
import { normalizeDatasetInput, validateDataset } from '../src/modules/catalogue/catalogue.validation.ts';
import { parseFrequency } from '../src/modules/catalogue/national.ts';
import { DEMO_DATASETS } from '../src/modules/demo/demo.catalogue.ts';
import { renderDemoFile } from '../src/modules/demo/demo.files.ts';
import { assignUnits, planDemo } from '../src/modules/demo/demo.plan.ts';
import { loadDemoCatalogue } from '../src/modules/demo/demo.service.ts';
import { engines, makeApp, makeEnv } from './helpers/env.ts';

type App = Awaited<ReturnType<typeof makeApp>>;

const DAY = 86_400_000;

/** The demo inventory's approved list is published as a dataset too (marked demo); it is checked in its own test. */
const isInventoryList = (d: Dataset): boolean => d.title.endsWith('資料開放清單及期程');

async function allDemo(t: App): Promise<Dataset[]> {
  const r = await t.services.catalogue.search({ limit: 1000 });
  return r.results.filter((d) => d.isDemo && !isInventoryList(d));
}

describe.each(engines)('demo catalogue (示範資料) on %s', (engine) => {
  let t: App;
  let added: number;
  let demo: Dataset[];

  beforeAll(async () => {
    t = await makeApp(engine);
    added = await loadDemoCatalogue(t.services);
    demo = await allDemo(t);
  });
  afterAll(async () => t.cleanup());

  it('publishes at least 30 demo datasets spread over every configured unit', async () => {
    expect(added).toBeGreaterThanOrEqual(30);
    expect(demo).toHaveLength(added);
    expect(demo.every((d) => d.state === 'published')).toBe(true);
    const counts = new Map((await t.services.units.listWithCounts()).map((u) => [u.name, u.datasetCount]));
    for (const u of t.config.units) expect(counts.get(u.name), `unit ${u.name}`).toBeGreaterThan(0);
  });

  it('carries complete national metadata, labelled as demo data', () => {
    for (const d of demo) {
      const who = `${d.identifier} ${d.title}`;
      expect(d.identifier, who).toMatch(/^A41000000G-DEMO\d{2}$/);
      expect(d.notes, who).toContain('示範資料');
      expect(d.licenseId, who).toBe('OGDL-Taiwan-1.0');
      expect(d.language, who).toBe('zh');
      expect(d.spatial, who).toBe('臺灣');
      expect(d.publisherContactName, who).toMatch(/^\S+ (先生|小姐)$/);
      expect(d.publisherContactPhone, who).toMatch(/^02-2380-\d{4}$/);
      expect(d.publisherContactEmail, who).toMatch(/@dgbas\.gov\.tw$/);
      expect(d.keywords.length, who).toBeGreaterThan(0);
      expect(d.fields.length, who).toBeGreaterThan(1);
      expect(d.fields.every((f) => f.title), who).toBe(true);
      expect(parseFrequency(d.updateFrequency), who).toBeDefined();
      expect(d.issued && d.modified && d.issued <= d.modified, who).toBe(true);
      expect(d.resources.length, who).toBeGreaterThanOrEqual(1);
      expect(d.resources.length, who).toBeLessThanOrEqual(3);
    }
    // Code meanings are part of the field description, e.g. 性別 1=男 2=女.
    expect(demo.some((d) => d.fields.some((f) => f.codes?.some((c) => c.code === '1' && c.meaning === '男')))).toBe(true);
    expect(demo.some((d) => d.fieldDescription.includes('代碼：1=男；2=女'))).toBe(true);
    const paid = demo.filter((d) => d.provisionType === 'on_application');
    expect(paid.length).toBeGreaterThanOrEqual(2);
    for (const d of paid) expect([d.cost, Boolean(d.costUrl), Boolean(d.costLaw)]).toEqual(['付費', true, true]);
    expect(demo.filter((d) => d.updateFrequency === '不定期').length).toBeGreaterThanOrEqual(1);
    for (const f of ['每1月', '每3月', '每6月', '每1年']) expect(demo.some((d) => d.updateFrequency === f), f).toBe(true);
  });

  it('gives continuing datasets recent last-update dates that fit their frequency', () => {
    const now = Date.now();
    const age = (d: Dataset) => (now - new Date(`${(d.modified ?? '').replace(' ', 'T')}+08:00`).getTime()) / DAY;
    const limit: Record<string, number> = { 每1月: 95, 每3月: 200, 每6月: 300, 每1年: 730, 不定期: 120 };
    for (const d of demo) {
      expect(age(d), d.title).toBeGreaterThan(0);
      if (limit[d.updateFrequency] !== undefined) expect(age(d), `${d.title} ${d.updateFrequency}`).toBeLessThan(limit[d.updateFrequency]);
    }
  });

  it('serves every demo resource itself, with the right type, and files whose columns are the fields', async () => {
    let files = 0;
    for (const d of demo) {
      for (const r of d.resources) {
        expect(r.url.startsWith(t.config.baseUrl), `${d.title}: ${r.url}`).toBe(true);
        const res = await t.app.inject({ method: 'GET', url: r.url.slice(t.config.baseUrl.length) });
        const who = `${d.title} ${r.format} ${r.url}`;
        expect(res.statusCode, who).toBe(200);
        expect(res.headers['content-disposition'], who).toMatch(/^attachment; filename="[a-z0-9-]+\.(csv|json|xml)"/);
        expect(res.headers.etag, who).toBeTruthy();
        expect(res.headers['cache-control'], who).toContain('max-age');
        const names = d.fields.map((f) => f.name);
        let rows: number;
        if (r.format === 'CSV') {
          expect(res.headers['content-type'], who).toBe('text/csv; charset=utf-8');
          const records = parse(res.body, { bom: true });
          expect(records[0], who).toEqual(names);
          rows = records.length - 1;
        } else if (r.format === 'JSON') {
          expect(res.headers['content-type'], who).toBe('application/json; charset=utf-8');
          const json = JSON.parse(res.body) as Record<string, unknown>[];
          for (const row of json) expect(Object.keys(row), who).toEqual(names);
          rows = json.length;
        } else {
          expect(r.format, who).toBe('XML');
          expect(res.headers['content-type'], who).toBe('application/xml; charset=utf-8');
          expect(res.body, who).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
          const first = /<record>(.*?)<\/record>/.exec(res.body)?.[1] ?? '';
          expect([...first.matchAll(/<([a-z][a-z0-9_]*)\/?>/g)].map((m) => m[1]), who).toEqual(names);
          rows = res.body.match(/<record>/g)?.length ?? 0;
        }
        expect(rows, who).toBeGreaterThan(0);
        expect(r.numberOfData, who).toBe(rows);
        files++;
      }
    }
    expect(files).toBeGreaterThanOrEqual(demo.length);
  });

  it('answers a repeated download with 304 when the ETag matches', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/demo/files/cpi.csv' });
    const again = await t.app.inject({ method: 'GET', url: '/demo/files/cpi.csv', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const head = await t.app.inject({ method: 'HEAD', url: '/demo/files/cpi.csv' });
    expect(head.statusCode).toBe(200);
  });

  it('answers an unknown demo file with a 404 error in Chinese or English', async () => {
    const zh = await t.app.inject({ method: 'GET', url: '/demo/files/no-such-table.csv' });
    expect(zh.statusCode).toBe(404);
    expect(zh.headers['content-type']).toContain('application/json');
    expect(zh.json()).toEqual({ error: { code: 'DEMO_FILE_NOT_FOUND', message: '找不到示範資料檔案：no-such-table.csv' } });
    const en = await t.app.inject({ method: 'GET', url: '/demo/files/cpi.pdf?lang=en' });
    expect(en.statusCode).toBe(404);
    expect(en.json<{ error: { message: string } }>().error.message).toBe('demo file not found: cpi.pdf');
  });

  it('finds at least two demo datasets for 物價, 預算, 薪資 and 失業', async () => {
    for (const q of ['物價', '預算', '薪資', '失業']) {
      const r = await t.services.catalogue.search({ q, limit: 100 });
      const titled = r.results.filter((d) => d.isDemo && d.title.includes(q));
      expect(titled.length, q).toBeGreaterThanOrEqual(2);
    }
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/datasets?q=${encodeURIComponent('物價')}` });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ count: number; results: Dataset[] }>();
    expect(body.count).toBeGreaterThanOrEqual(3);
    expect(body.results[0].title).toContain('物價');
  });

  it('loads an approved demo inventory: the schedule shows opened, planned and late items, the public list is served', async () => {
    const year = Number(taipeiDate().slice(0, 4));
    const approval = await t.services.inventory.approval(year);
    expect(approval?.revision).toBe(1);
    expect(approval?.items.every((i) => i.description?.includes('示範'))).toBe(true);
    // Two weeks on, the item planned before the demo's day (kept within the year) is late on any day of the year.
    const schedule = await loadSchedule(t.services.db.kysely, await t.services.calendar.calendar(), { asOf: addDays(taipeiDate(), 14), year });
    const statuses = new Set(schedule.map((e) => e.status));
    expect(statuses.has('opened')).toBe(true);
    expect(statuses.has('late')).toBe(true);
    expect(schedule.filter((e) => e.status === 'opened').every((e) => e.datasetId !== null)).toBe(true);
    // The list's dataset is marked demo, and its CSV is served.
    const list = (await t.services.catalogue.search({ limit: 1000 })).results.find(isInventoryList);
    expect(list?.isDemo).toBe(true);
    const csv = await t.app.inject({ method: 'GET', url: `/inventory/${year}.csv` });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('示範');
  });

  it('adds nothing when loaded again, even by two starts at once', async () => {
    const before = await t.services.catalogue.countPublished();
    expect(await loadDemoCatalogue(t.services)).toBe(0);
    const report = await bootstrap(t.services, { loadDemo: loadDemoCatalogue });
    expect(report.demoLoaded).toBe(0);
    expect(await t.services.catalogue.countPublished()).toBe(before);
  });
});

describe.each(engines)('demo switch and first start on %s', (engine) => {
  it('KAIFANG_DEMO=0: bootstrap loads nothing and no demo file is served', async () => {
    const t = await makeApp(engine, { KAIFANG_DEMO: '0' });
    try {
      expect(t.config.demo).toBe(false);
      const report = await bootstrap(t.services, { loadDemo: loadDemoCatalogue });
      expect(report.demoLoaded).toBe(0);
      expect(await t.services.catalogue.countPublished()).toBe(0);
      expect((await t.app.inject({ method: 'GET', url: '/demo/files/cpi.csv' })).statusCode).toBe(404);
    } finally {
      await t.cleanup();
    }
  });

  it('KAIFANG_DEMO on: the first bootstrap loads it, concurrent loads share one copy', async () => {
    const t = await makeEnv(engine, { KAIFANG_DEMO: '1' });
    try {
      const [a, b] = await Promise.all([bootstrap(t.services, { loadDemo: loadDemoCatalogue }), loadDemoCatalogue(t.services)]);
      expect(a.demoLoaded + b).toBe(DEMO_DATASETS.length);
      expect(Math.min(a.demoLoaded, b)).toBe(0);
      // The demo datasets and the demo inventory's approved list.
      expect(await t.services.catalogue.countPublished()).toBe(DEMO_DATASETS.length + 1);
    } finally {
      await t.cleanup();
    }
  });
});

describe('demo plan', () => {
  const config = loadConfig({ KAIFANG_DATA_DIR: '/tmp/kaifang-demo-plan', KAIFANG_BASE_URL: 'http://portal.test' });

  it('passes the national rules without a single warning', () => {
    for (const d of planDemo(config, '2025-06-15').datasets) {
      const { errors, warnings } = validateDataset(normalizeDatasetInput(planDemo(config, '2025-06-15').input(d)));
      expect({ errors, warnings }, d.def.title).toEqual({ errors: {}, warnings: {} });
    }
  });

  it('uses serials DEMO01… that cannot collide with real six-digit serials, and unique slugs', () => {
    const serials = DEMO_DATASETS.map((d) => d.serial);
    expect(new Set(serials).size).toBe(serials.length);
    expect(serials.every((s) => /^DEMO\d{2}$/.test(s))).toBe(true);
    expect(new Set(DEMO_DATASETS.map((d) => d.slug)).size).toBe(DEMO_DATASETS.length);
  });

  it('is deterministic, and later reference dates only add periods', () => {
    const june = planDemo(config, '2025-06-15');
    const again = renderDemoFile(planDemo(loadConfig({ KAIFANG_BASE_URL: 'http://portal.test' }), '2025-06-15'), 'cpi.csv');
    expect(again?.body.equals(renderDemoFile(june, 'cpi.csv')?.body ?? Buffer.alloc(0))).toBe(true);
    const dec = planDemo(config, '2025-12-15');
    const cpi = (p: typeof june) => p.rows(p.datasets.find((d) => d.def.slug === 'cpi') ?? p.datasets[0]);
    const [a, b] = [cpi(june), cpi(dec)];
    expect(b.length).toBeGreaterThan(a.length);
    expect(b.slice(0, a.length)).toEqual(a);
    const modified = (p: typeof june) => p.datasets.find((d) => d.def.slug === 'cpi')?.modified;
    expect(modified(june)).toBe('2025-06-05 16:00:00');
    expect(modified(dec)).toBe('2025-12-05 16:00:00');
  });

  it('spreads the demo over another agency’s units when ours are not configured', () => {
    const units = ['a', 'b', 'c'].map((name) => ({ name, title: name, titleEn: name, kind: 'unit' as const }));
    const assigned = assignUnits(units);
    expect(new Set([...assigned.values()].map((u) => u.name))).toEqual(new Set(['a', 'b', 'c']));
    expect(assigned.size).toBe(DEMO_DATASETS.length);
  });
});
