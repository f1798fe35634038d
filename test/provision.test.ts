import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MailSender } from '../src/modules/notifications/mail.sender.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';

interface ErrorReply {
  error: { code: string; message: string; details?: Record<string, string[]> };
}

describe.each(engines)('provision terms and withholding (%s)', (engine) => {
  let smtp: TestSmtp;
  let t: Awaited<ReturnType<typeof makeApp>>;
  let tokens: { admin: string; contact: string; reviewer: string; head: string };

  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });

  beforeEach(async () => {
    smtp.received.length = 0;
    t = await makeApp(engine, { SMTP_URL: smtp.url, KAIFANG_MAIL_FROM: 'Kaifang <open@portal.test>' });
    const { users, config } = t.services;
    const admin = await users.findByEmail(config.adminEmail);
    if (!admin) throw new Error('no admin');
    const by = { id: admin.id, label: admin.email };
    await users.create({ email: 'contact@portal.test', name: '王小明', unit: 'statistics', role: 'contact' }, by);
    await users.create({ email: 'reviewer@portal.test', name: '李科長', unit: 'statistics', role: 'reviewer' }, by);
    await users.create({ email: 'head@portal.test', name: '陳主計長', unit: 'dgbas', role: 'head' }, by);
    const token = async (email: string) => (await users.createToken(email)).token;
    tokens = { admin: await token(config.adminEmail), contact: await token('contact@portal.test'), reviewer: await token('reviewer@portal.test'), head: await token('head@portal.test') };
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string | null, payload?: unknown) =>
    t.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const tasksOf = async (token: string) => (await call('GET', '/api/v1/me/tasks', token)).json<{ tasks: { kind: string; title: string }[] }>().tasks;

  it('requires the terms of a dataset on application, the legal basis of a withheld one, and refuses a revocable open licence', async () => {
    const noTerms = await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ provisionType: 'on_application' }));
    expect(noTerms.statusCode).toBe(400);
    expect(noTerms.json<ErrorReply>().error.details).toEqual({ applicationTerms: ['依申請提供的資料集須填申請方式及條件'] });
    const noBasis = await call('POST', '/api/v1/datasets?lang=en', tokens.contact, datasetInput({ provisionType: 'withheld' }));
    expect(noBasis.json<ErrorReply>().error.details?.withholdingBasis?.[0]).toContain('withholdingBasis (the legal basis');
    const revocable = await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ provisionType: 'open', revocable: true }));
    expect(Object.keys(revocable.json<ErrorReply>().error.details ?? {})).toEqual(['revocable']);

    const ok = await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ name: 'terms-ok', provisionType: 'on_application', applicationTerms: '來函申請。', revocable: true }));
    expect(ok.statusCode).toBe(200);
    const stored = await t.services.catalogue.get('terms-ok', { includeNonPublic: true });
    expect(stored).toMatchObject({ provisionType: 'on_application', applicationTerms: '來函申請。', revocable: true, withholdingBasis: null });

    // CKAN writes: the same rules, in CKAN's field names; the terms travel in extras too.
    const ckanBad = await call('POST', '/api/3/action/package_create', tokens.contact, { name: 'ckan-terms', title: '申請資料', owner_org: 'statistics', notes: '說明', category_code: '800', update_frequency: '不定期', fields: [{ name: 'a' }], provision_type: 'on_application' });
    expect(ckanBad.statusCode).toBe(409);
    expect(Object.keys(ckanBad.json<{ error: Record<string, unknown> }>().error)).toContain('application_terms');
    const ckanOk = await call('POST', '/api/3/action/package_create', tokens.contact, {
      name: 'ckan-terms',
      title: '申請資料',
      owner_org: 'statistics',
      notes: '說明',
      category_code: '800',
      update_frequency: '不定期',
      fields: [{ name: 'a' }],
      provision_type: 'on_application',
      extras: [{ key: 'application_terms', value: '以書面申請。' }, { key: 'revocable', value: 'true' }],
    });
    expect(ckanOk.statusCode).toBe(200);
    expect(ckanOk.json<{ result: { application_terms: string; revocable: boolean } }>().result).toMatchObject({ application_terms: '以書面申請。', revocable: true });
  });

  it('a withheld draft is approved by the head only and becomes an internal record, never public', async () => {
    const created = await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ name: 'secret', title: '不予提供名冊', provisionType: 'withheld', withholdingBasis: '個人資料保護法第16條' }));
    expect(created.statusCode).toBe(200);
    expect((await call('POST', '/api/v1/datasets/secret/submit', tokens.contact)).statusCode).toBe(200);

    // The head is told and has the task; the unit reviewer does not.
    await new MailSender(t.services.db, t.services.config.mail).sendPending();
    expect(smtp.received.filter((m) => m.to.includes('head@portal.test')).map((m) => m.subject)).toEqual(['待審查：不予提供名冊']);
    expect(smtp.received.some((m) => m.to.includes('reviewer@portal.test'))).toBe(false);
    expect(await tasksOf(tokens.head)).toEqual([expect.objectContaining({ kind: 'review', title: '不予提供名冊' })]);
    expect(await tasksOf(tokens.reviewer)).toEqual([]);

    const byReviewer = await call('POST', '/api/v1/datasets/secret/approve', tokens.reviewer, {});
    expect(byReviewer.statusCode).toBe(403);
    expect(byReviewer.json<ErrorReply>().error).toEqual({ code: 'WITHHOLDING_NEEDS_HEAD', message: '不予提供的資料集須由機關首長核定，審查者不能核准' });
    const byAdmin = await call('POST', '/api/v1/datasets/secret/approve?lang=en', tokens.admin, {});
    expect(byAdmin.statusCode).toBe(403);
    expect(byAdmin.json<ErrorReply>().error.message).toContain('head of agency');
    expect((await call('POST', '/api/v1/datasets/secret/approve', tokens.contact, {})).statusCode).toBe(403);

    const approved = await call('POST', '/api/v1/datasets/secret/approve', tokens.head, { comment: '同意不予提供' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json<{ state: string }>().state).toBe('withheld');
    expect(await tasksOf(tokens.head)).toEqual([]);

    // Never public: API, CKAN, pages, search.
    expect((await call('GET', '/api/v1/datasets/secret', null)).statusCode).toBe(404);
    expect((await call('GET', '/api/3/action/package_show?id=secret', null)).statusCode).toBe(404);
    expect((await call('GET', '/datasets/secret', null)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/datasets?q=${encodeURIComponent('不予提供名冊')}`, null)).json<{ count: number }>().count).toBe(0);
    expect((await call('GET', `/api/v1/datasets?q=${encodeURIComponent('不予提供名冊')}&state=discontinued`, null)).json<{ count: number }>().count).toBe(0);
    // Its unit's people still see it.
    expect((await call('GET', '/api/3/action/package_show?id=secret', tokens.contact)).json<{ result: { state: string; withholding_basis: string } }>().result).toMatchObject({
      state: 'withheld',
      withholding_basis: '個人資料保護法第16條',
    });
    expect((await t.services.audit.verify()).ok).toBe(true);
  });

  it('a published dataset is withheld or restricted only through a discontinuation, never by an edit', async () => {
    await t.services.catalogue.save(datasetInput({ name: 'open-one', title: '開放資料表' }), { state: 'published' });
    for (const over of [{ provisionType: 'withheld' as const, withholdingBasis: '政府資訊公開法第18條' }, { provisionType: 'on_application' as const, applicationTerms: '申請' }]) {
      const r = await call('PUT', '/api/v1/datasets/open-one', tokens.contact, datasetInput({ title: '開放資料表', ...over }));
      expect(r.statusCode).toBe(409);
      expect(r.json<ErrorReply>().error.code).toBe('PROVISION_NEEDS_DISCONTINUATION');
    }
  });

  it('an on-application dataset is published with its metadata, a how-to-apply box and no download links', async () => {
    const { dataset } = await t.services.catalogue.save(
      datasetInput({ name: 'apply-me', title: '個別資料', identifier: 'A41000000G-900301', provisionType: 'on_application', applicationTerms: '請至本處網站下載申請表。', cost: '付費', costUrl: 'https://www.dgbas.gov.tw/fee', costLaw: '規費法' }),
      { state: 'published' },
    );
    const page = await call('GET', '/datasets/apply-me?lang=en', null);
    expect(page.body).toContain('How to apply');
    expect(page.body).toContain('請至本處網站下載申請表。');
    expect(page.body).toContain('Not revocable');
    expect(page.body).toContain('open@dgbas.gov.tw');
    expect(page.body).not.toContain('/download"');
    const refused = await call('GET', `/datasets/apply-me/resources/${dataset.resources[0].resourceId}/download`, null);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('請至本處網站下載申請表。');
    expect((await call('GET', '/datasets/apply-me/resources/nope/download', null)).statusCode).toBe(404);
  });
});
