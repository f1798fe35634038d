import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetInput } from '../src/modules/catalogue/catalogue.schemas.ts';
import { readWorkbook } from '../src/modules/ingest/spreadsheet.ts';
import { predictBadge } from '../src/modules/quality/badges.ts';
import type { QualityReport } from '../src/modules/quality/engine.ts';
import { indicator, INDICATOR_IDS, type Evidence, type IndicatorId, type Verdict } from '../src/modules/quality/indicators.ts';
import type { Trigger } from '../src/modules/quality/quality.repository.ts';
import type { User } from '../src/modules/users/users.service.ts';
import { datasetInput } from './factories/dataset.ts';
import { ALL } from './factories/hostile.ts';
import { engines, makeApp } from './helpers/env.ts';
import { markupProblems } from './helpers/markup.ts';
import { pageText, signInSession, type Session } from './helpers/pages.ts';
import { splitSvg, svgProblems } from './helpers/svg.ts';

const PASSWORD = 'quality-password-12345';
const SAMPLE = 'A12****789';

/** A report as the engine would write it: every indicator passes unless `over` says otherwise. */
function report(over: Partial<Record<IndicatorId, Verdict>> = {}, opts: { message?: string; evidence?: Evidence[] } = {}): QualityReport {
  const indicators = INDICATOR_IDS.map((id) => {
    const v = over[id] ?? 'pass';
    const evidence = v === 'pass' || v === 'na' ? [] : (opts.evidence ?? [{ row: 3, line: 4, column: '身分證號', sample: SAMPLE, count: 37 }]);
    return indicator(id, v, opts.message ?? `${id} 檢查說明`, opts.message ?? `about ${id}`, evidence);
  });
  return { ...predictBadge(indicators), indicators, checkedAt: new Date().toISOString() };
}

type Who = 'contact' | 'reviewer' | 'other' | 'otherReviewer' | 'head' | 'cio' | 'admin' | 'none';

describe.each(engines)('quality pages on %s', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  const s = {} as Record<Who, Session>;
  const u = {} as Record<Who, User>;

  beforeAll(async () => {
    t = await makeApp(engine);
    const { users, config } = t.services;
    const people: [Who, string, string][] = [
      ['contact', 'statistics', 'contact'],
      ['reviewer', 'statistics', 'reviewer'],
      ['other', 'accounting', 'contact'],
      ['otherReviewer', 'accounting', 'reviewer'],
      ['head', 'dgbas', 'head'],
      ['cio', 'dgbas', 'cio'],
      ['none', 'census', 'contact'],
    ];
    for (const [who, unit, role] of people) await users.create({ email: `${who}@q.test`, name: `${who} 先生`, unit, role, password: PASSWORD });
    await users.removeRole('none@q.test', 'census', 'contact');
    for (const [who] of people) {
      s[who] = await signInSession(t.app, `${who}@q.test`, PASSWORD, '/account');
      u[who] = (await users.findByEmail(`${who}@q.test`)) as User;
    }
    s.admin = await signInSession(t.app, config.adminEmail, 'admin-password-for-tests', '/account');
    u.admin = (await users.findByEmail(config.adminEmail)) as User;
  });
  afterAll(async () => t.cleanup());

  const get = (url: string, who?: Who) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: s[who].cookie } : {} });
  const post = (url: string, who: Who, fields: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, headers: { cookie: s[who].cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...fields, _csrf: s[who].csrf }).toString() });
  /** Quality jobs queued at submission would run against example.gov.tw: take them as done. */
  const settleJobs = () => t.services.db.kysely.updateTable('jobs').set({ state: 'done' }).where('state', 'in', ['queued', 'running']).execute();

  const draft = async (over: Partial<DatasetInput> = {}, by: Who = 'contact') => {
    const { id } = await t.services.review.createDraft(u[by], datasetInput(over));
    const d = await t.services.catalogue.get(id, { includeNonPublic: true });
    return { id, name: d.name, unitId: d.unit.id, rids: d.resources.map((r) => r.resourceId) };
  };
  const submitted = async (over: Partial<DatasetInput> = {}, by: Who = 'contact') => {
    const d = await draft(over, by);
    await t.services.review.submit(u[by], d.id);
    await settleJobs();
    return d;
  };
  const published = async (over: Partial<DatasetInput> = {}) => {
    const d = await submitted(over);
    await t.services.review.approve(u.reviewer, d.id);
    return d;
  };
  const record = (d: { id: string; unitId: string }, rid: string, r: QualityReport, opts: { checkedAt?: string; trigger?: Trigger } = {}) =>
    t.services.quality.repo.record({ datasetId: d.id, unitId: d.unitId, resourceId: rid, versionId: null, trigger: opts.trigger ?? 'submission', checkedAt: opts.checkedAt }, r);

  describe('the dataset page', () => {
    it('says 尚未檢查 when no resource was checked', async () => {
      const d = await published();
      const res = await get(`/datasets/${d.name}`);
      expect(res.statusCode).toBe(200);
      const text = pageText(res.body);
      expect(text).toContain('品質檢測');
      expect(text).toContain('尚未檢查');
      expect(markupProblems(res.body)).toEqual([]);
    });

    it('shows the public the badge, the date and each verdict with its message; staff also the evidence, the next badge, the history and "check again"', async () => {
      const d = await published();
      await record(d, d.rids[0], report({ data_standards: 'fail' }), { checkedAt: '2026-08-10T02:00:00.000Z', trigger: 'version' });
      await record(d, d.rids[0], report({ data_standards: 'fail', personal_data: 'warn' }), { trigger: 'manual' });

      const pub = await get(`/datasets/${d.name}`);
      const text = pageText(pub.body);
      expect(text).toContain('品質標章：金');
      expect(text).toContain('符合資料標準');
      expect(text).toContain('未通過');
      expect(text).toContain('data_standards 檢查說明');
      expect(text).toContain('請注意');
      // Evidence, history and the button are for staff only.
      expect(pub.body).not.toContain(SAMPLE);
      expect(text).not.toContain('身分證號');
      expect(text).not.toContain('檢查紀錄');
      expect(pub.body).not.toContain('/quality/check');
      expect(markupProblems(pub.body)).toEqual([]);

      const en = pageText((await get(`/datasets/${d.name}?lang=en`)).body);
      expect(en).toContain('Quality badge: Gold');
      expect(en).toContain('Data standards');
      expect(en).toContain('about data_standards');

      const staff = await get(`/datasets/${d.name}`, 'contact');
      const st = pageText(staff.body);
      expect(staff.body).toContain(SAMPLE);
      expect(st).toContain('欄位「身分證號」');
      expect(st).toContain('取得「白金」標章還需要： 符合資料標準');
      expect(st).toContain('檢查紀錄（2）');
      expect(st).toContain('手動重新檢查');
      expect(st).toContain('新版本');
      expect(staff.body).toContain(`action="/manage/datasets/${d.name}/quality/check"`);
      expect(markupProblems(staff.body)).toEqual([]);
      // The admin is staff everywhere; a contact of another unit is the public.
      expect((await get(`/datasets/${d.name}`, 'admin')).body).toContain(SAMPLE);
      expect((await get(`/datasets/${d.name}`, 'other')).body).not.toContain(SAMPLE);
    });

    it('queues "check again" for the unit\'s people and shows 檢查中 until it is done; refuses everyone else', async () => {
      const d = await published();
      await record(d, d.rids[0], report());
      const denied = await post(`/manage/datasets/${d.name}/quality/check`, 'other', { resourceId: d.rids[0], from: 'public' });
      expect([403, 404]).toContain(denied.statusCode);
      expect(await t.services.jobs.latestFor('quality.check', 'resourceId', d.rids[0])).toMatchObject({ state: 'done' });

      const res = await post(`/manage/datasets/${d.name}/quality/check`, 'contact', { resourceId: d.rids[0], from: 'public' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/datasets/${d.name}?quality=queued#quality-${d.rids[0]}`);
      const job = await t.services.jobs.latestFor('quality.check', 'resourceId', d.rids[0]);
      expect(job?.state).toBe('queued');
      expect(JSON.parse(job?.payload_json ?? '{}')).toEqual({ resourceId: d.rids[0], trigger: 'manual' });
      const page = pageText((await get(String(res.headers.location), 'contact')).body);
      expect(page).toContain('檢查中');
      expect(page).toContain('已排入檢查');
      // The public sees it is being checked too (but no button).
      expect(pageText((await get(`/datasets/${d.name}`)).body)).toContain('檢查中');

      // From the status page it goes back there, with its message.
      await settleJobs();
      const back = await post(`/manage/datasets/${d.name}/quality/check`, 'reviewer', { resourceId: d.rids[0], from: 'manage' });
      expect(back.headers.location).toBe(`/manage/datasets/${d.name}?done=qualityQueued#quality-${d.rids[0]}`);
      expect(pageText((await get(String(back.headers.location), 'reviewer')).body)).toContain('已排入重新檢查');
      await settleJobs();
      expect((await post(`/manage/datasets/${d.name}/quality/check`, 'contact', { resourceId: 'no-such-resource' })).statusCode).toBe(404);
    });
  });

  describe('the review screen', () => {
    it('shows the report beside the diff, blocks approval on personal data, and takes a reviewer\'s audited override', async () => {
      const d = await submitted();
      await record(d, d.rids[0], report({ personal_data: 'fail', data_standards: 'warn' }));
      const status = `/manage/datasets/${d.name}`;

      const page = await get(status, 'reviewer');
      expect(page.statusCode).toBe(200);
      const text = pageText(page.body);
      expect(text).toContain('品質檢測');
      expect(text).toContain('尚不能核准公開');
      expect(text).toContain('含個人資料');
      expect(page.body).toContain(SAMPLE);
      // Failing first, then warnings, then the rest.
      expect(text.indexOf('personal_data 檢查說明')).toBeLessThan(text.indexOf('data_standards 檢查說明'));
      expect(text.indexOf('data_standards 檢查說明')).toBeLessThan(text.indexOf('linkable 檢查說明'));
      expect(page.body).toContain(`id="override-reason-${d.rids[0]}"`);
      expect(page.body.indexOf('尚不能核准公開')).toBeLessThan(page.body.indexOf(`action="/manage/datasets/${d.name}/approve"`));
      expect(markupProblems(page.body)).toEqual([]);
      // The contact who submitted it sees the report and what blocks it, but no override form.
      const own = await get(status, 'contact');
      expect(own.body).not.toContain('override-reason-');
      expect(pageText(own.body)).toContain('尚不能核准公開');

      // Approving while blocked: the page again with the service's 409 message.
      const blocked = await post(`${status}/approve`, 'reviewer', { comment: '' });
      expect(blocked.statusCode).toBe(409);
      expect(pageText(blocked.body)).toContain('含個人資料');
      expect((await t.services.catalogue.get(d.id, { includeNonPublic: true })).state).toBe('submitted');

      const form = (reason: string) => ({ resourceId: d.rids[0], indicator: 'personal_data', reason });
      // Refused: the submitter, another unit's reviewer, a reason too short.
      expect((await post(`${status}/quality/override`, 'contact', form('這些是依法公開的負責人姓名'))).statusCode).toBe(403);
      expect([403, 404]).toContain((await post(`${status}/quality/override`, 'otherReviewer', form('這些是依法公開的負責人姓名'))).statusCode);
      expect((await post(`${status}/quality/override`, 'head', form('這些是依法公開的負責人姓名'))).statusCode).toBe(403);
      const short = await post(`${status}/quality/override`, 'reviewer', form('太短'));
      expect(short.statusCode).toBe(400);
      expect(pageText(short.body)).toContain('請說明核准公開的理由（至少 10 字）');
      expect(short.body).toMatch(new RegExp(`<textarea id="override-reason-${d.rids[0]}"[^>]*aria-invalid="true"`));
      expect(short.body).toContain('太短</textarea>');
      expect(markupProblems(short.body)).toEqual([]);
      expect(await t.services.quality.blockers(d.id)).toHaveLength(1);

      const ok = await post(`${status}/quality/override`, 'reviewer', form('這些是依法公開的公司負責人姓名'));
      expect(ok.statusCode).toBe(303);
      expect(ok.headers.location).toBe(`${status}?done=qualityOverride#quality-${d.rids[0]}`);
      const audit = await t.services.audit.log({ entityId: d.id });
      expect(audit.map((a) => a.action)).toContain('quality.override');
      expect(await t.services.quality.blockers(d.id)).toEqual([]);
      const after = pageText((await get(String(ok.headers.location), 'reviewer')).body);
      expect(after).toContain('已記錄您核准公開的決定與理由');
      expect(after).toContain('reviewer 先生');
      expect(after).toContain('這些是依法公開的公司負責人姓名');
      expect(after).not.toContain('尚不能核准公開');

      const approved = await post(`${status}/approve`, 'reviewer', { comment: '' });
      expect(approved.statusCode).toBe(303);
      const pub = pageText((await get(`/datasets/${d.name}`)).body);
      expect(pub).toContain('品質標章：白金');
    });
  });

  describe('reports', () => {
    const H2 = '2025-10-01T01:00:00.000Z';
    const H1a = '2026-02-01T01:00:00.000Z';
    const H1b = '2026-03-01T01:00:00.000Z';
    beforeAll(async () => {
      const a = await draft({ resources: [{ description: '第一個檔案', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/a.csv' }, { description: '第二個檔案', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/b.csv' }] });
      const b = await draft({ unit: 'accounting' }, 'admin');
      // 2025H2: statistics bronze + platinum; accounting none.
      await record(a, a.rids[0], report({ structured: 'fail' }), { checkedAt: H2 });
      await record(a, a.rids[1], report(), { checkedAt: H2 });
      await record(b, b.rids[0], report({ linkable: 'fail' }), { checkedAt: H2 });
      // 2026H1: statistics gold + gold (the first resource's later run counts); accounting silver.
      await record(a, a.rids[0], report({ linkable: 'fail' }), { checkedAt: H1a });
      await record(a, a.rids[0], report({ data_standards: 'fail' }), { checkedAt: H1b });
      await record(a, a.rids[1], report({ data_standards: 'fail' }), { checkedAt: H1a });
      await record(b, b.rids[0], report({ encoding_match: 'fail' }), { checkedAt: H1b });
    });

    it('shows a unit its badges, failing indicators and trend by half-year, with charts and their tables', async () => {
      const res = await get('/manage/quality?unit=statistics&period=2026H1', 'contact');
      expect(res.statusCode).toBe(200);
      const { html, svgs } = splitSvg(res.body);
      expect(markupProblems(html)).toEqual([]);
      expect(svgs.length).toBe(2);
      for (const svg of svgs) expect(svgProblems(svg)).toEqual([]);
      expect(svgs.every((x) => /^<svg role="img" aria-label="[^"]+" aria-describedby="chart-/.test(x))).toBe(true);
      const text = pageText(html);
      expect(text).toContain('單位品質報告：綜合統計處');
      expect(text).toContain('2026 年上半年品質標章分布');
      expect(text).toContain('金 2（100%）');
      expect(text).toContain('符合資料標準 data_standards 2（100%）');
      // The trend: both half-years, oldest first.
      expect(text).toMatch(/2025 年下半年 0 1 0 0 1 2 2026 年上半年 0 0 0 2 0 2/);
      expect(res.body).toContain('href="/manage/quality.csv?unit=statistics&amp;period=2026H1"');

      const earlier = pageText((await get('/manage/quality?unit=statistics&period=2025H2', 'contact')).body);
      expect(earlier).toContain('銅 1（50%）');
      expect(earlier).toContain('白金 1（50%）');
      expect(earlier).toContain('結構化格式 structured 1（50%）');

      const en = pageText((await get('/manage/quality?unit=statistics&period=2026H1&lang=en', 'contact')).body);
      expect(en).toContain('Badges, 2026 first half (2026H1)');
      expect(en).toContain('Gold 2 (100%)');
    });

    it('refuses a unit report to who holds no role in the unit, and the agency report to all but the admin, the head and the CIO', async () => {
      expect((await get('/manage/quality?unit=accounting', 'contact')).statusCode).toBe(403);
      expect((await get('/manage/quality.csv?unit=accounting', 'contact')).statusCode).toBe(403);
      expect((await get('/manage/quality?unit=nowhere', 'contact')).statusCode).toBe(404);
      expect((await get('/manage/quality', 'none')).statusCode).toBe(403);
      expect((await get('/manage/quality')).statusCode).toBe(303);
      for (const who of ['contact', 'reviewer', 'other', 'none'] as const) {
        expect((await get('/manage/quality/agency', who)).statusCode).toBe(403);
        expect((await get('/manage/quality/agency.ods', who)).statusCode).toBe(403);
      }
      for (const who of ['admin', 'head', 'cio'] as const) expect((await get('/manage/quality/agency', who)).statusCode).toBe(200);
      // Who reads the agency's report reads every unit's.
      expect((await get('/manage/quality?unit=accounting', 'head')).statusCode).toBe(200);
      // The contact's own unit is the default.
      expect(pageText((await get('/manage/quality', 'other')).body)).toContain('會計決算處');
    });

    it('shows the agency report per half-year with a row per unit', async () => {
      const res = await get('/manage/quality/agency?period=2026H1', 'head');
      const { html, svgs } = splitSvg(res.body);
      expect(markupProblems(html)).toEqual([]);
      for (const svg of svgs) expect(svgProblems(svg)).toEqual([]);
      const text = pageText(html);
      expect(text).toContain('全機關品質報告');
      expect(text).toContain('銀 1（33.3%）');
      expect(text).toContain('金 2（66.7%）');
      expect(text).toContain('編碼與詮釋資料相符 encoding_match 1（33.3%）');
      expect(text).toMatch(/綜合統計處 2 0 0 0 2 0 符合資料標準（2）/);
      expect(text).toMatch(/會計決算處 1 0 0 1 0 0 編碼與詮釋資料相符（1）/);
    });

    it('downloads the reports as CSV and ODS that read back with the same numbers', async () => {
      const csv = await get('/manage/quality/agency.csv?period=2026H1', 'cio');
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const rows: string[][] = parse(csv.body, { bom: true });
      expect(rows[0].slice(0, 8)).toEqual(['半年度', '單位', '資料資源數', '無', '銅', '銀', '金', '白金']);
      expect(rows[0]).toContain('未通過：符合資料標準');
      const col = (name: string) => rows[0].indexOf(name);
      const agency = rows.find((r) => r[1] === '全機關');
      expect(agency?.[0]).toBe('2026H1');
      expect(agency?.[col('資料資源數')]).toBe('3');
      expect(agency?.[col('金')]).toBe('2');
      expect(agency?.[col('銀')]).toBe('1');
      expect(agency?.[col('未通過：符合資料標準')]).toBe('2');
      expect(rows.find((r) => r[1] === '綜合統計處')?.[col('金')]).toBe('2');
      expect(rows.find((r) => r[1] === '會計決算處')?.[col('未通過：編碼與詮釋資料相符')]).toBe('1');
      expect(rows).toHaveLength(4);
      // An imported agency's unit title is untrusted: a formula-like one stays text.
      const ext = await t.services.units.ensureExternalUnit('=HYPERLINK("http://evil.example","x")', null);
      await record({ id: 'imported-dataset', unitId: ext.id }, 'IMPORTED-001', report(), { checkedAt: H1a });
      const evil: string[][] = parse((await get('/manage/quality/agency.csv?period=2026H1', 'cio')).body, { bom: true });
      expect(evil.map((r) => r[1])).toContain('\'=HYPERLINK("http://evil.example","x")');
      expect(evil.map((r) => r[1])).not.toContain('=HYPERLINK("http://evil.example","x")');
      await t.services.db.kysely.deleteFrom('quality_runs').where('unit_id', '=', ext.id).execute();
      const en: string[][] = parse((await get('/manage/quality/agency.csv?period=2026H1&lang=en', 'cio')).body, { bom: true });
      expect(en[0].slice(0, 3)).toEqual(['Half-year', 'Unit', 'Resources']);

      const ods = await get('/manage/quality.ods?unit=statistics', 'reviewer');
      expect(ods.statusCode).toBe(200);
      const file = path.join(os.tmpdir(), `kaifang-quality-${process.pid}-${engine}.ods`);
      writeFileSync(file, ods.rawPayload);
      try {
        const table = (await readWorkbook(file)).sheets[0].table;
        expect(table.columns.slice(0, 3)).toEqual(['半年度', '單位', '資料資源數']);
        const got: unknown[][] = [];
        for await (const r of table.rows()) got.push(r);
        const h2 = got.find((r) => r[0] === '2025H2');
        expect(h2?.slice(0, 8)).toEqual(['2025H2', '綜合統計處', 2, 0, 1, 0, 0, 1]);
        const h1 = got.find((r) => r[0] === '2026H1');
        expect(h1?.slice(0, 8)).toEqual(['2026H1', '綜合統計處', 2, 0, 0, 0, 2, 0]);
      } finally {
        rmSync(file, { force: true });
      }
    });
  });

  describe('hostile text', () => {
    it('renders hostile resource names, messages and evidence as text', async () => {
      const evil = { title: `標題 ${ALL} 止`, resources: [{ name: `資源 ${ALL} 止`, description: `資源描述 ${ALL} 止`, format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/evil.csv' }] };
      const evidence = [{ row: 1, column: `欄 ${ALL}`, sample: ALL, note: `註 ${ALL}`, count: 2 }];
      const pub = await published(evil);
      await record(pub, pub.rids[0], report({ personal_data: 'warn', data_standards: 'fail' }, { message: `訊息 ${ALL} 止`, evidence }));
      const sub = await submitted(evil);
      await record(sub, sub.rids[0], report({ personal_data: 'fail' }, { message: `訊息 ${ALL} 止`, evidence }));
      for (const [url, who] of [
        [`/datasets/${pub.name}`, undefined],
        [`/datasets/${pub.name}`, 'contact'],
        [`/datasets/${pub.name}?lang=en`, 'admin'],
        [`/manage/datasets/${sub.name}`, 'reviewer'],
        [`/manage/datasets/${sub.name}?lang=en`, 'contact'],
      ] as const) {
        const res = await get(url, who);
        expect(res.statusCode).toBe(200);
        expect(markupProblems(res.body), `${url} as ${who ?? 'the public'}`).toEqual([]);
        expect(pageText(res.body)).toContain(`訊息 ${ALL.replace(/\s+/g, ' ')}`.trim().slice(0, 40));
      }
      const refused = await post(`/manage/datasets/${sub.name}/quality/override`, 'reviewer', { resourceId: sub.rids[0], indicator: 'personal_data', reason: ALL.slice(0, 8) });
      expect(refused.statusCode).toBe(400);
      expect(markupProblems(refused.body)).toEqual([]);
    });
  });
});
