import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictBadge } from '../src/modules/quality/badges.ts';
import { indicator, INDICATOR_IDS, type IndicatorId, type Verdict } from '../src/modules/quality/indicators.ts';
import type { User } from '../src/modules/users/users.service.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';

/** A valid 國民身分證統一編號, computed from the check-digit rule. */
function taiwanId(letter: string, seven: string): string {
  const v = 'ABCDEFGHJKLMNPQRSTUVXYWZIO'.indexOf(letter) + 10;
  const nums = [Math.floor(v / 10), v % 10, 1, ...seven.split('').map(Number)];
  const sum = nums.reduce((s, n, i) => s + n * [1, 9, 8, 7, 6, 5, 4, 3, 2, 1][i], 0);
  return `${letter}1${seven}${(10 - (sum % 10)) % 10}`;
}

const report = (results: Partial<Record<IndicatorId, Verdict>>, checkedAt: string) => {
  const indicators = INDICATOR_IDS.map((id) => indicator(id, results[id] ?? 'pass', `${id} 中文`, `${id} English`));
  return { ...predictBadge(indicators), indicators, checkedAt };
};

describe.each(engines)('the quality service on %s', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  let contact: User;
  let reviewer: User;
  const roster = { id: '', rid: '' };
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/cpi.csv' ? 200 : 404, { 'content-type': 'text/csv; charset=utf-8' });
      res.end(req.url === '/cpi.csv' ? 'year,value\n2024,102.3\n2025,104.1\n' : 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await makeApp(engine, { KAIFANG_LINKCHECK_ALLOW_PRIVATE: '1' });
    const { users } = t.services;
    await users.create({ email: 'qc@q.test', name: 'contact', unit: 'statistics', role: 'contact' });
    await users.create({ email: 'qr@q.test', name: 'reviewer', unit: 'statistics', role: 'reviewer' });
    await users.create({ email: 'qo@q.test', name: 'other reviewer', unit: 'accounting', role: 'reviewer' });
    contact = (await users.findByEmail('qc@q.test')) as User;
    reviewer = (await users.findByEmail('qr@q.test')) as User;
  });
  afterAll(async () => {
    await t.cleanup();
    await new Promise((r) => server.close(r));
  });

  it('valid ID numbers in an uploaded file block publication until a reviewer overrides with a reason, audited', async () => {
    const { review, uploads, jobs, quality, catalogue, audit } = t.services;
    const { id } = await review.createDraft(contact, datasetInput({ resources: [{ description: '申請名冊', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/roster.csv' }] }));
    const d = await catalogue.get(id, { includeNonPublic: true });
    const rid = d.resources[0].resourceId;
    Object.assign(roster, { id, rid });
    const ids = ['A', 'K', 'T'].map((l, i) => taiwanId(l, `234567${i}`));
    const csv = `year,value,身分證字號\n2024,1.5,${ids[0]}\n2024,2.5,${ids[1]}\n2025,3.5,${ids[2]}\n`;
    await uploads.upload(contact, id, rid, { source: Readable.from([Buffer.from(csv)]), fileName: '名冊.csv', mediaType: 'text/csv' });
    await jobs.runPending(); // the load, then the check of the new version
    const [run] = await quality.latest(id);
    expect(run).toMatchObject({ resourceId: rid, trigger: 'version', badge: 'silver' }); // the extra column fails desc_match: no gold
    const personal = run.indicators.find((i) => i.id === 'personal_data');
    expect(personal?.result).toBe('fail');
    expect(JSON.stringify(run.indicators)).not.toContain(ids[0]);
    // Stored here: linkable and downloadable by construction; the declared fields are year and value, the file has one more.
    expect(run.indicators.find((i) => i.id === 'linkable')?.result).toBe('pass');
    expect(run.indicators.find((i) => i.id === 'desc_match')).toMatchObject({ result: 'fail', data: { extra: ['身分證字號'] } });

    // Submitting queues a check of every resource.
    await review.submit(contact, id);
    expect(await jobs.runPending()).toBe(1);
    expect((await quality.repo.history(rid)).map((r) => r.trigger)).toEqual(['submission', 'version']);

    // The reviewer cannot approve while the personal data stands.
    const blocked = await review.approve(reviewer, id).then(() => undefined, (e: unknown) => e as { status: number; code: string; zh: string; en: string });
    expect(blocked).toMatchObject({ status: 409, code: 'QUALITY_BLOCKED' });
    expect(blocked?.en).toContain(`resource ${rid} holds personal data`);
    expect((await catalogue.get(id, { includeNonPublic: true })).state).toBe('submitted');

    // Overrides: not the contact, not another unit's reviewer, not without a reason.
    const other = (await t.services.users.findByEmail('qo@q.test')) as User;
    await expect(quality.override(contact, id, rid, 'personal_data', '這些是公開的法人代表身分資料')).rejects.toMatchObject({ status: 403 });
    await expect(quality.override(other, id, rid, 'personal_data', '這些是公開的法人代表身分資料')).rejects.toMatchObject({ status: 403 });
    await expect(quality.override(reviewer, id, rid, 'personal_data', '可以')).rejects.toMatchObject({ status: 400 });
    await expect(quality.override(reviewer, id, rid, 'format_match', '格式已確認無誤，可以公開')).rejects.toMatchObject({ status: 409 });
    await quality.override(reviewer, id, rid, 'personal_data', '經法制單位確認：名冊依法公開，當事人已同意');
    const log = await audit.log({ entityId: id });
    expect(log.find((e) => e.action === 'quality.override')).toMatchObject({ after: { reason: '經法制單位確認：名冊依法公開，當事人已同意' } });
    expect(await quality.blockers(id)).toEqual([]);
    await review.approve(reviewer, id);
    expect((await catalogue.get(id)).state).toBe('published');
    expect((await audit.verify()).ok).toBe(true);
  });

  it('a new check after the override needs a new override (it covers the run it was given on)', async () => {
    const { quality, catalogue } = t.services;
    expect((await catalogue.get(roster.id)).state).toBe('published');
    await quality.checkResource(roster.rid, 'manual');
    expect((await quality.blockers(roster.id)).map((b) => b.indicator)).toEqual(['personal_data']);
  });

  it('history as half-years: each resource’s latest run in each period, by unit and for the agency', async () => {
    const { quality } = t.services;
    const repo = quality.repo;
    const base = { datasetId: 'ds-x', versionId: null, trigger: 'full' as const };
    await repo.record({ ...base, unitId: 'u-a', resourceId: 'r1' }, report({ linkable: 'fail' }, '2025-03-01T02:00:00Z'));
    await repo.record({ ...base, unitId: 'u-a', resourceId: 'r1' }, report({}, '2025-05-01T02:00:00Z')); // the latest of 2025H1 for r1
    await repo.record({ ...base, unitId: 'u-a', resourceId: 'r2' }, report({ structured: 'fail' }, '2025-04-01T02:00:00Z'));
    await repo.record({ ...base, unitId: 'u-b', resourceId: 'r3' }, report({ encoding_match: 'fail', desc_match: 'fail' }, '2025-06-30T17:00:00Z')); // 7月1日 in Taipei: 2025H2
    await repo.record({ ...base, unitId: 'u-a', resourceId: 'r1' }, report({ data_standards: 'fail' }, '2025-08-01T02:00:00Z'));
    const periods = ['2025H1', '2025H2'];
    const agency = await repo.summaries({ periods });
    expect(agency).toEqual([
      { period: '2025H1', unitId: null, resources: 2, badges: { none: 0, bronze: 1, silver: 0, gold: 0, platinum: 1 }, failing: { structured: 1 } },
      { period: '2025H2', unitId: null, resources: 2, badges: { none: 0, bronze: 0, silver: 1, gold: 1, platinum: 0 }, failing: { data_standards: 1, encoding_match: 1, desc_match: 1 } },
    ]);
    const byUnit = await repo.summaries({ periods, byUnit: true });
    expect(byUnit.map((s) => [s.period, s.unitId, s.resources])).toEqual([
      ['2025H1', 'u-a', 2],
      ['2025H2', 'u-a', 1],
      ['2025H2', 'u-b', 1],
    ]);
    expect((await repo.summaries({ unitId: 'u-b', periods })).map((s) => s.badges.silver)).toEqual([1]);
  });

  it('schedule: a full check for what has none, links weekly for files elsewhere, everything again after six months; never twice while queued', async () => {
    const { review, jobs, quality, catalogue } = t.services;
    const { id } = await review.createDraft(contact, datasetInput({ resources: [{ description: 'CPI', format: 'CSV', encoding: 'UTF-8', downloadUrl: `${base}/cpi.csv` }] }));
    await review.submit(contact, id);
    await review.approve(reviewer, id);
    await jobs.runPending();
    const rid = (await catalogue.get(id)).resources[0].resourceId;
    const failedJobs = await t.services.db.kysely.selectFrom('jobs').select(['kind', 'error', 'state']).where('state', '!=', 'done').execute();
    expect(failedJobs).toEqual([]);
    const [run] = await quality.latest(id);
    expect(run).toMatchObject({ trigger: 'submission', badge: 'platinum', file: { rows: 2, format: 'CSV' } });
    expect(run.indicators.find((i) => i.id === 'linkable')?.result).toBe('pass');

    const now = new Date();
    // Everything published has had a full check (the roster above included): nothing due.
    expect(await quality.scheduleDue(now)).toEqual({ full: 0, links: 0 });
    const week = new Date(now.getTime() + 8 * 86_400_000);
    // A week on: the file elsewhere gets its link check; the file stored here does not need one.
    expect(await quality.scheduleDue(week)).toEqual({ full: 0, links: 1 });
    expect(await quality.scheduleDue(week)).toEqual({ full: 0, links: 0 });
    await jobs.runPending();
    const [swept] = await quality.repo.history(rid, 1);
    expect(swept).toMatchObject({ trigger: 'links', badge: 'platinum' });
    // Half a year on: a full check of every published resource.
    const later = new Date(now);
    later.setUTCMonth(later.getUTCMonth() + 7);
    expect(await quality.scheduleDue(later)).toEqual({ full: 2, links: 0 });
  });
});
