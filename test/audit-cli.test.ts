import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submissionToReviewer } from '../src/modules/notifications/notifications.templates.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';
import { dropAppendOnlyGuard } from './helpers/tamper.ts';
import { kaifang } from './helpers/cli.ts';

describe.each(engines)('kaifang audit and mail (%s)', (engine) => {
  let t: TestEnv;
  let env: Record<string, string>;
  beforeEach(async () => {
    t = await makeEnv(engine);
    env = { DATABASE_URL: t.databaseUrl, KAIFANG_DATA_DIR: t.dir, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests' };
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('audit verify passes on an intact chain and names the altered entry after a row is changed in the database', async () => {
    const saved = [];
    for (let i = 0; i < 3; i++) saved.push((await t.services.catalogue.save(datasetInput(), { state: 'published', actor: { id: 'system', label: 'test' } })).dataset);
    const ok = await kaifang(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/稽核紀錄完整 Audit trail intact: \d+ 筆 entries/);

    const k = t.services.db.kysely;
    const row = await k.selectFrom('audit_log').selectAll().where('entity_id', '=', saved[1].id).executeTakeFirstOrThrow();
    await dropAppendOnlyGuard(t.services.db);
    await k.updateTable('audit_log').set({ actor_label: 'someone else' }).where('seq', '=', row.seq).execute();
    const bad = await kaifang(['audit', 'verify'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`Audit trail broken at entry ${row.seq} (dataset.create, ${row.at})`);
    expect(bad.stdout).toContain('已被修改');
    expect(bad.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

    const log = await kaifang(['audit', 'log', '--entity', saved[0].id, '--limit', '5'], env);
    expect(log.code).toBe(0);
    const lines = log.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`dataset.create\tdataset:${saved[0].id}\ttest`);
  });

  it('names a deleted entry', async () => {
    for (let i = 0; i < 3; i++) await t.services.catalogue.save(datasetInput(), { state: 'published' });
    const k = t.services.db.kysely;
    const victim = await k.selectFrom('audit_log').select('seq').where('action', '=', 'dataset.create').orderBy('seq').executeTakeFirstOrThrow();
    await dropAppendOnlyGuard(t.services.db);
    await k.deleteFrom('audit_log').where('seq', '=', victim.seq).execute();
    const r = await kaifang(['audit', 'verify'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Audit trail broken at entry ${victim.seq}:`);
    expect(r.stdout).toContain(`entry ${victim.seq} is missing`);
  });

  it('mail send-pending without SMTP leaves the mail queued and succeeds', async () => {
    const u = await t.services.users.create({ email: 'r@portal.test', name: 'R', unit: 'statistics', role: 'reviewer' });
    await queueMail(t, u.id);
    const r = await kaifang(['mail', 'send-pending'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no SMTP configured');
    const row = await t.services.db.kysely.selectFrom('outbox').select('status').executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
  });
});

async function queueMail(t: TestEnv, userId: string): Promise<void> {
  await t.services.db.kysely.transaction().execute((trx) =>
    t.services.notifications.notify(trx, { userIds: [userId], kind: 'review.submitted', message: submissionToReviewer({ title: 'T', link: 'http://portal.test/x', submitter: 'S' }) }),
  );
}
