import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datasetInput } from '../../../test/factories/dataset.ts';
import { engines, makeApp } from '../../../test/helpers/env.ts';
import { dropAppendOnlyGuard } from '../../../test/helpers/tamper.ts';
import { canonicalForm, entryHash, GENESIS_HASH } from './audit.hash.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Runs `saves` dataset saves in parallel in a separate Node process: another app instance on the same database. */
function instance(databaseUrl: string, dir: string, tag: string, saves: number): Promise<void> {
  const script = `
    import { loadConfig } from ${JSON.stringify(path.join(ROOT, 'src/config.ts'))};
    import { openDb } from ${JSON.stringify(path.join(ROOT, 'src/db/index.ts'))};
    import { createServices } from ${JSON.stringify(path.join(ROOT, 'src/services.ts'))};
    import { datasetInput } from ${JSON.stringify(path.join(ROOT, 'test/factories/dataset.ts'))};
    const config = loadConfig({ DATABASE_URL: ${JSON.stringify(databaseUrl)}, KAIFANG_DATA_DIR: ${JSON.stringify(dir)}, KAIFANG_DEMO: '0' });
    const db = openDb(config.databaseUrl);
    const s = createServices(config, db);
    await Promise.all(Array.from({ length: ${saves} }, (_, i) =>
      s.catalogue.save(datasetInput({ title: '${tag} ' + i }), { state: 'published', actor: { id: 'system', label: '${tag}' } })));
    await db.destroy();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`instance ${tag} exited ${code}: ${stderr}`))));
  });
}

describe('audit hash', () => {
  it('is SHA-256 over a JSON array of the fields in a fixed order', () => {
    const f = { seq: 1, at: '2026-01-01T00:00:00.000Z', actor_id: 'system', actor_label: 'demo', action: 'dataset.create', entity_type: 'dataset', entity_id: 'd1', before_json: null, after_json: '{"title":"物價"}', prev_hash: GENESIS_HASH };
    expect(canonicalForm(f)).toBe(`[1,"2026-01-01T00:00:00.000Z","system","demo","dataset.create","dataset","d1",null,"{\\"title\\":\\"物價\\"}","${GENESIS_HASH}"]`);
    expect(entryHash(f)).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash({ ...f, after_json: '{"title":"物價 "}' })).not.toBe(entryHash(f));
  });
});

describe.each(engines)('audit trail (%s)', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  beforeEach(async () => {
    t = await makeApp(engine);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const k = () => t.services.db.kysely;

  it('records dataset and account changes with before/after, and the chain verifies', async () => {
    const { dataset } = await t.services.catalogue.save(datasetInput({ title: '物價指數' }), { state: 'published', actor: { id: 'u-1', label: '王小明' } });
    await t.services.catalogue.save(datasetInput({ identifier: dataset.identifier, title: '消費者物價指數' }), { state: 'published' });
    const user = await t.services.users.create({ email: 'c@portal.test', name: '聯絡人', unit: 'statistics', role: 'contact' });
    const token = await t.services.users.createToken('c@portal.test');
    await t.services.users.revokeToken(token.id);

    const entries = await t.services.audit.log({ entityId: dataset.id });
    expect(entries.map((e) => e.action)).toEqual(['dataset.update', 'dataset.create']);
    expect(entries[1]).toMatchObject({ actorId: 'u-1', actorLabel: '王小明', before: null, entityType: 'dataset' });
    expect(entries[0]).toMatchObject({ actorId: 'system', actorLabel: 'system', before: { title: '物價指數' }, after: { title: '消費者物價指數' } });
    const userLog = await t.services.audit.log({ entityId: user.id });
    expect(userLog.map((e) => e.action)).toEqual(['token.revoke', 'token.create', 'user.create']);
    expect(JSON.stringify(userLog)).not.toContain('password');

    const report = await t.services.audit.verify();
    expect(report.ok).toBe(true);
    expect(report.entries).toBe(report.headSeq);
    expect(report.entries).toBeGreaterThanOrEqual(5);
  });

  it('a failed change leaves no record, and recording outside a transaction is refused', async () => {
    const before = (await t.services.audit.verify()).entries;
    await expect(t.services.users.create({ email: 'admin@kaifang.local', name: 'x', unit: 'statistics', role: 'contact' })).rejects.toThrow(/exists/);
    expect((await t.services.audit.verify()).entries).toBe(before);
    await expect(t.services.audit.record(k(), { actor: { id: 'system', label: 'x' }, action: 'x.y', entityType: 'x', entityId: '1' })).rejects.toThrow(/inside the transaction/);
  });

  it('names exactly the altered entry', async () => {
    const saved = [];
    for (let i = 0; i < 4; i++) saved.push((await t.services.catalogue.save(datasetInput(), { state: 'published' })).dataset);
    const target = await k().selectFrom('audit_log').selectAll().where('entity_id', '=', saved[2].id).executeTakeFirstOrThrow();
    // The database itself refuses to change or delete an entry …
    await expect(k().updateTable('audit_log').set({ after_json: '{}' }).where('seq', '=', target.seq).execute()).rejects.toThrow(/append-only/);
    await expect(k().deleteFrom('audit_log').where('seq', '=', target.seq).execute()).rejects.toThrow(/append-only/);
    // … and when someone with the owner's rights removes that guard, verify still names the entry.
    await dropAppendOnlyGuard(t.services.db);
    await k()
      .updateTable('audit_log')
      .set({ after_json: (target.after_json ?? '').replace(saved[2].title, '竄改的標題') })
      .where('seq', '=', target.seq)
      .execute();
    const report = await t.services.audit.verify();
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ seq: Number(target.seq), kind: 'hash', action: 'dataset.create', at: target.at });

    // Rewriting the hash too does not hide it: the next entry no longer links to it.
    const altered = await k().selectFrom('audit_log').selectAll().where('seq', '=', target.seq).executeTakeFirstOrThrow();
    await k().updateTable('audit_log').set({ hash: entryHash({ ...altered, seq: Number(altered.seq) }) }).where('seq', '=', target.seq).execute();
    const again = await t.services.audit.verify();
    expect(again.firstBreak).toMatchObject({ seq: Number(target.seq) + 1, kind: 'prev_link' });
  });

  it('names a deleted entry, in the middle and at the end', async () => {
    for (let i = 0; i < 4; i++) await t.services.catalogue.save(datasetInput(), { state: 'published' });
    const head = Number((await k().selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq);
    await dropAppendOnlyGuard(t.services.db);
    await k().deleteFrom('audit_log').where('seq', '=', head - 1).execute();
    expect((await t.services.audit.verify()).firstBreak).toMatchObject({ seq: head - 1, kind: 'missing' });

    await t.cleanup();
    t = await makeApp(engine);
    for (let i = 0; i < 3; i++) await t.services.catalogue.save(datasetInput(), { state: 'published' });
    const last = Number((await k().selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq);
    await dropAppendOnlyGuard(t.services.db);
    await k().deleteFrom('audit_log').where('seq', '=', last).execute();
    expect((await t.services.audit.verify()).firstBreak).toMatchObject({ seq: last, kind: 'missing' });
  });

  it('verifies long chains in batches', async () => {
    // More entries than one verify batch (1000), written directly through record() to keep the test fast.
    await k()
      .transaction()
      .execute(async (trx) => {
        for (let i = 0; i < 1205; i++) await t.services.audit.record(trx, { actor: { id: 'system', label: 'test' }, action: 'test.entry', entityType: 'test', entityId: String(i), after: { i } });
      });
    const progress: number[] = [];
    const report = await t.services.audit.verify((done) => progress.push(done));
    expect(report.ok).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    await dropAppendOnlyGuard(t.services.db);
    await k().updateTable('audit_log').set({ after_json: '{"i":-1}' }).where('entity_id', '=', '1100').execute();
    const broken = await t.services.audit.verify();
    expect(broken.firstBreak?.seq).toBe(Number((await k().selectFrom('audit_log').select('seq').where('entity_id', '=', '1100').executeTakeFirstOrThrow()).seq));
  });

  it('stays one valid chain when two app instances save at the same time', async () => {
    const n = 12;
    await Promise.all([instance(t.databaseUrl, t.dir, 'A', n), instance(t.databaseUrl, t.dir, 'B', n)]);
    const report = await t.services.audit.verify();
    expect(report.ok).toBe(true);
    const creates = await k().selectFrom('audit_log').select(['actor_label']).where('action', '=', 'dataset.create').execute();
    expect(creates.filter((c) => c.actor_label === 'A')).toHaveLength(n);
    expect(creates.filter((c) => c.actor_label === 'B')).toHaveLength(n);
    // seq has no gaps and no duplicates.
    const seqs = (await k().selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }, 60_000);

  it('GET /api/v1/datasets/{id}/history lists the published versions and what changed', async () => {
    const { dataset } = await t.services.catalogue.save(datasetInput({ title: '家庭收支調查' }), { state: 'published' });
    const id = dataset.identifier;
    await t.services.catalogue.save(datasetInput({ identifier: id, title: '家庭收支調查（草稿）' }), { state: 'draft' });
    await t.services.catalogue.save(datasetInput({ identifier: id, title: '家庭收支調查報告', updateFrequency: '每1年' }), { state: 'published' });
    const res = await t.app.inject({ url: `/api/v1/datasets/${dataset.name}/history` });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ datasetId: string; versions: { action: string; changes: { field: string; before: unknown; after: unknown }[] }[] }>();
    expect(body.datasetId).toBe(dataset.id);
    expect(body.versions).toHaveLength(2);
    expect(body.versions[1]).toMatchObject({ action: 'dataset.create', changes: [] });
    const fields = body.versions[0].changes.map((c) => c.field).sort();
    expect(fields).toEqual(['title', 'updateFrequency']);
    expect(body.versions[0].changes.find((c) => c.field === 'title')).toEqual({ field: 'title', before: '家庭收支調查', after: '家庭收支調查報告' });
    // The draft title never shows.
    expect(res.body).not.toContain('草稿');
    // The dataset page lists the versions with the changed fields.
    const page = await t.app.inject({ url: `/datasets/${dataset.name}` });
    expect(page.body).toContain('<h2 id="history">版本紀錄</h2>');
    expect(page.body).toContain('變更資料集名稱、更新頻率');
    expect(page.body).toContain('首次公開');
    const pageEn = await t.app.inject({ url: `/datasets/${dataset.name}?lang=en` });
    expect(pageEn.body).toContain('Version history');
    expect(pageEn.body).toContain('changed title, updateFrequency');
    const missing = await t.app.inject({ url: '/api/v1/datasets/no-such-dataset/history' });
    expect(missing.statusCode).toBe(404);
  });
});
