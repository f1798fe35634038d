import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInput } from '../../../test/factories/dataset.ts';
import { engines, makeEnv, type TestEnv } from '../../../test/helpers/env.ts';
import { openDb } from '../../db/index.ts';
import * as m005 from '../../db/migrations/005-provision-discontinuation.ts';
import { createServices } from '../../services.ts';
import type { User } from '../users/users.service.ts';

const stop = { kind: 'stop' as const, reasons: '停辦', meetingDate: '2026-10-01', resolution: '同意' };

describe.each(engines)('DiscontinuationService on %s', (engine) => {
  let t: TestEnv;
  let contact: User;
  let otherContact: User;
  let reviewer: User;
  let head: User;

  beforeAll(async () => {
    t = await makeEnv(engine);
    const { users, config } = t.services;
    const admin = await users.findByEmail(config.adminEmail);
    if (!admin) throw new Error('no admin');
    const by = { id: admin.id, label: admin.email };
    const make = async (email: string, unit: string, role: 'contact' | 'reviewer' | 'head') => {
      await users.create({ email, name: email, unit, role }, by);
      const u = await users.findByEmail(email);
      if (!u) throw new Error(email);
      return u;
    };
    contact = await make('c@portal.test', 'statistics', 'contact');
    otherContact = await make('o@portal.test', 'accounting', 'contact');
    reviewer = await make('r@portal.test', 'statistics', 'reviewer');
    head = await make('h@portal.test', 'dgbas', 'head');
  });
  afterAll(async () => t.cleanup());

  const publish = async (title: string, unit = 'statistics') => (await t.services.catalogue.save(datasetInput({ title, unit }), { state: 'published' })).dataset;

  it('reports every missing part of a proposal at once, and the kind-specific ones', async () => {
    const d = await publish('驗證用資料');
    const { discontinuation } = t.services;
    await expect(discontinuation.propose(contact, d.id, { kind: 'to_withheld', reasons: '', meetingDate: '2026-13-01', resolution: '' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { reasons: [expect.any(String)], meetingDate: [expect.stringContaining('YYYY-MM-DD')], resolution: [expect.any(String)], withholdingBasis: [expect.any(String)] },
    });
    // Another unit's contact may not propose; the reviewer neither.
    await expect(discontinuation.propose(otherContact, d.id, stop)).rejects.toMatchObject({ status: 403 });
    await expect(discontinuation.propose(reviewer, d.id, stop)).rejects.toMatchObject({ status: 403 });
  });

  it('shows proposals to their unit and the head only, and notices to everyone, newest first', async () => {
    const { discontinuation } = t.services;
    const a = await publish('公告甲');
    const b = await publish('公告乙', 'accounting');
    const pa = await discontinuation.propose(contact, a.id, stop);
    const pb = await discontinuation.propose(otherContact, b.id, { ...stop, reasons: '乙停辦' });
    expect((await discontinuation.list(contact, 'proposed')).map((p) => p.id)).toContain(pa.id);
    expect((await discontinuation.list(contact, 'proposed')).map((p) => p.id)).not.toContain(pb.id);
    expect((await discontinuation.list(head, 'proposed')).map((p) => p.id)).toEqual(expect.arrayContaining([pa.id, pb.id]));
    await expect(discontinuation.get(otherContact, pa.id)).rejects.toMatchObject({ status: 404 });

    await discontinuation.approve(head, pa.id);
    await discontinuation.approve(head, pb.id);
    const notices = await discontinuation.notices({ limit: 1 });
    expect(notices.count).toBeGreaterThanOrEqual(2);
    expect(notices.results).toHaveLength(1);
    expect(notices.results[0].title).toBe('公告乙');
    expect((await discontinuation.withNotice(await t.services.catalogue.get(a.id))).notice?.title).toBe('公告甲');
    // An open published dataset has no notice to carry.
    const plain = await publish('一般資料');
    expect((await discontinuation.withNotice(plain)).notice).toBeUndefined();
  });

  it('keeps the default search (published only) right on the fast path, and on another app instance', async () => {
    const { catalogue, discontinuation } = t.services;
    const x = await publish('快速路徑甲');
    await publish('快速路徑乙');
    const before = await catalogue.search({ limit: 1000, facets: ['unit', 'state'] });
    const p = await discontinuation.propose(contact, x.id, stop);
    await discontinuation.approve(head, p.id);

    const after = await catalogue.search({ limit: 1000, facets: ['unit', 'state'] });
    expect(after.count).toBe(before.count - 1);
    expect(after.results.map((d) => d.id)).not.toContain(x.id);
    expect(after.results.every((d) => d.state === 'published')).toBe(true);
    expect(after.facets.state).toEqual([{ value: 'published', count: after.count }]);
    expect(after.count).toBe(await catalogue.countPublished());
    // The same count through the general path (a term every dataset of the factory has).
    const general = await catalogue.search({ filters: [['keyword', '測試']], limit: 0 });
    expect(general.count).toBe(after.results.filter((d) => d.keywords.includes('測試')).length);
    // Sorted orders skip the discontinued dataset too.
    const byTitle = await catalogue.search({ sort: 'title_desc', limit: 1000 });
    expect(byTitle.results.map((d) => d.id)).not.toContain(x.id);
    expect(byTitle.count).toBe(after.count);
    const gone = await catalogue.search({ filters: [['state', 'discontinued']], limit: 1000 });
    expect(gone.results.map((d) => d.id)).toContain(x.id);
    expect(gone.results.every((d) => d.state === 'discontinued')).toBe(true);

    const other = openDb(t.databaseUrl);
    try {
      const s2 = createServices(t.config, other);
      expect((await s2.catalogue.search({ limit: 0 })).count).toBe(after.count);
      expect((await s2.catalogue.search({ q: '快速路徑' })).results.map((d) => d.title)).toEqual(['快速路徑乙']);
    } finally {
      await other.destroy();
    }
    // A full rebuild of the index gives the same answers.
    await catalogue.reindexAll();
    expect((await catalogue.search({ limit: 0 })).count).toBe(after.count);
    expect((await catalogue.search({ q: '快速路徑', filters: [['state', 'discontinued']] })).results.map((d) => d.title)).toEqual(['快速路徑甲']);
  });

  it('refuses files of a discontinued dataset with 410 and lets others through', async () => {
    const { discontinuation, catalogue } = t.services;
    const d = (await catalogue.save(datasetInput({ title: '檔案', resources: [{ description: 'f', format: 'CSV', encoding: 'UTF-8', downloadUrl: '/demo/files/unit-test.csv' }] }), { state: 'published' })).dataset;
    await expect(discontinuation.assertFileAvailable('/demo/files/unit-test.csv')).resolves.toBeUndefined();
    await discontinuation.approve(head, (await discontinuation.propose(contact, d.id, stop)).id);
    await expect(discontinuation.assertFileAvailable('/demo/files/unit-test.csv')).rejects.toMatchObject({ status: 410, code: 'DATASET_DISCONTINUED' });
    await expect(discontinuation.assertFileAvailable('/demo/files/none.csv')).resolves.toBeUndefined();
  });
});

describe.each(engines)('migration 005 on %s', (engine) => {
  it('gives datasets indexed before it the state facet, so default search still finds them', async () => {
    const t = await makeEnv(engine);
    try {
      const { catalogue, db } = t.services;
      await catalogue.save(datasetInput({ title: '遷移前資料' }), { state: 'published' });
      // Back to the schema before 005 (no state facet), then forward again as an upgrade would run it.
      await m005.down(db.kysely);
      expect(await db.kysely.selectFrom('search_facets').select('seq').where('facet', '=', 'state').execute()).toEqual([]);
      await m005.up(db.kysely);
      const s2 = createServices(t.config, db);
      expect((await s2.catalogue.search({ q: '遷移前' })).results.map((d) => d.title)).toEqual(['遷移前資料']);
      expect((await s2.catalogue.search({ limit: 0 })).count).toBe(1);
    } finally {
      await t.cleanup();
    }
  });
});
