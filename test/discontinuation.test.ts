import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDemoCatalogue } from '../src/modules/demo/demo.service.ts';
import { MailSender } from '../src/modules/notifications/mail.sender.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';

interface Proposal {
  id: string;
  datasetId: string;
  kind: string;
  state: string;
  title: string;
  reasons: string;
  meetingDate: string;
  resolution: string;
  noticeDate: string | null;
  decisionComment: string | null;
  proposedBy: { id: string; name: string };
}
interface ErrorReply {
  error: { code: string; message: string; details?: Record<string, string[]> };
}
interface Notice {
  id: string;
  datasetName: string;
  title: string;
  kind: string;
  reasons: string;
  meetingDate: string;
  resolution: string;
  noticeDate: string;
  unit: { name: string };
}

const stop = { kind: 'stop', reasons: '資料來源調查已停辦，不再更新。', meetingDate: '2026-11-20', resolution: '同意自公告日起停止提供。' };

describe.each(engines)('discontinuation (%s)', (engine) => {
  let smtp: TestSmtp;
  let t: Awaited<ReturnType<typeof makeApp>>;
  let tokens: { admin: string; contact: string; reviewer: string; head: string; other: string; contactHead: string };

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
    await users.create({ email: 'other@portal.test', name: '林會計', unit: 'accounting', role: 'contact' }, by);
    // Holds both: may propose for statistics and decide as head, but never on their own proposal.
    await users.create({ email: 'contact-head@portal.test', name: '張副主計長', unit: 'statistics', role: 'contact' }, by);
    await users.addRole('contact-head@portal.test', 'dgbas', 'head', by);
    const token = async (email: string) => (await users.createToken(email)).token;
    tokens = {
      admin: await token(config.adminEmail),
      contact: await token('contact@portal.test'),
      reviewer: await token('reviewer@portal.test'),
      head: await token('head@portal.test'),
      other: await token('other@portal.test'),
      contactHead: await token('contact-head@portal.test'),
    };
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string | null, payload?: unknown) =>
    t.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const sendMail = () => new MailSender(t.services.db, t.services.config.mail).sendPending();
  const publish = async (over: Parameters<typeof datasetInput>[0] = {}) =>
    (await t.services.catalogue.save(datasetInput({ unit: 'statistics', ...over }), { state: 'published' })).dataset;
  const apiTitles = async (query: string) => (await call('GET', `/api/v1/datasets?${query}`, null)).json<{ count: number; results: { title: string }[] }>().results.map((r) => r.title);
  const ckanTitles = async (query: string) =>
    (await call('GET', `/api/3/action/package_search?${query}`, null)).json<{ result: { results: { title: string }[] } }>().result.results.map((r) => r.title);
  const tasksOf = async (token: string) => (await call('GET', '/api/v1/me/tasks', token)).json<{ tasks: { kind: string; title: string; proposal?: { id: string; kind: string } }[] }>().tasks;

  it('runs the story: the contact proposes, only the head approves, the notice is published and the dataset leaves search and downloads', async () => {
    const d = await publish({ title: '老舊統計表', name: 'old-table', identifier: 'A41000000G-900101', keywords: ['舊表'] });
    await publish({ title: '現行統計表', keywords: ['舊表'] });
    const countBefore = await t.services.catalogue.countPublished();
    expect(await apiTitles('q=統計表')).toHaveLength(2);

    // Who may propose: the unit's contact only.
    expect((await call('POST', '/api/v1/datasets/old-table/discontinuation', null, stop)).statusCode).toBe(401);
    expect((await call('POST', '/api/v1/datasets/old-table/discontinuation', tokens.other, stop)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/datasets/old-table/discontinuation', tokens.reviewer, stop)).statusCode).toBe(403);

    // What a proposal must say: reasons, the meeting date (a real, past date) and its resolution.
    const empty = await call('POST', '/api/v1/datasets/old-table/discontinuation', tokens.contact, { kind: 'stop', reasons: ' ', meetingDate: '', resolution: '' });
    expect(empty.statusCode).toBe(400);
    expect(Object.keys(empty.json<ErrorReply>().error.details ?? {}).sort()).toEqual(['meetingDate', 'reasons', 'resolution']);
    const badDate = await call('POST', '/api/v1/datasets/old-table/discontinuation?lang=en', tokens.contact, { ...stop, meetingDate: '2026/11/20' });
    expect(badDate.json<ErrorReply>().error.details?.meetingDate).toEqual(['meetingDate "2026/11/20" must be YYYY-MM-DD (Gregorian)']);
    const future = await call('POST', '/api/v1/datasets/old-table/discontinuation', tokens.contact, { ...stop, meetingDate: '2999-01-01' });
    expect(future.json<ErrorReply>().error.details?.meetingDate?.[0]).toContain('在未來');

    const proposed = await call('POST', '/api/v1/datasets/old-table/discontinuation', tokens.contact, stop);
    expect(proposed.statusCode).toBe(200);
    const p = proposed.json<Proposal>();
    expect(p).toMatchObject({ datasetId: d.id, kind: 'stop', state: 'proposed', title: '老舊統計表', meetingDate: '2026-11-20', proposedBy: { name: '王小明' } });
    const twice = await call('POST', '/api/v1/datasets/old-table/discontinuation', tokens.contact, stop);
    expect(twice.statusCode).toBe(409);
    expect(twice.json<ErrorReply>().error.code).toBe('DISCONTINUATION_OPEN');

    // The heads are told and have it in their tasks; nobody else has it to decide.
    await sendMail();
    expect(smtp.received.filter((m) => m.to.includes('head@portal.test')).map((m) => m.subject)).toEqual(['停止提供申請待核定：老舊統計表']);
    expect(smtp.received.find((m) => m.to.includes('head@portal.test'))?.text).toContain('http://portal.test/manage/datasets/old-table');
    expect(await tasksOf(tokens.head)).toEqual([expect.objectContaining({ kind: 'discontinuation', title: '老舊統計表', proposal: { id: p.id, kind: 'stop' } })]);
    expect(await tasksOf(tokens.reviewer)).toEqual([]);
    expect(await tasksOf(tokens.admin)).toEqual([]);

    // The proposal is internal: its unit's people and the head see it; the public and other units do not.
    expect((await call('GET', '/api/v1/discontinuations', null)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/discontinuations?state=proposed', tokens.head)).json<{ results: Proposal[] }>().results.map((x) => x.id)).toEqual([p.id]);
    expect((await call('GET', '/api/v1/discontinuations', tokens.other)).json<{ results: Proposal[] }>().results).toEqual([]);
    expect((await call('GET', `/api/v1/discontinuations/${p.id}`, tokens.other)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/discontinuations/${p.id}`, tokens.reviewer)).json<Proposal>().state).toBe('proposed');

    // Only the head decides: not the proposer, the reviewer or the admin.
    for (const who of [tokens.contact, tokens.reviewer, tokens.admin]) {
      const refused = await call('POST', `/api/v1/discontinuations/${p.id}/approve`, who, {});
      expect(refused.statusCode).toBe(403);
    }
    expect((await apiTitles('q=老舊')).length).toBe(1);

    const approved = await call('POST', `/api/v1/discontinuations/${p.id}/approve`, tokens.head, { comment: '同意' });
    expect(approved.statusCode).toBe(200);
    const decided = approved.json<Proposal>();
    expect(decided).toMatchObject({ state: 'approved', decisionComment: '同意' });
    expect(decided.noticeDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await call('POST', `/api/v1/discontinuations/${p.id}/approve`, tokens.head, {})).statusCode).toBe(409);
    expect(await tasksOf(tokens.head)).toEqual([]);

    // The proposer is told.
    smtp.received.length = 0;
    await sendMail();
    expect(smtp.received.find((m) => m.to.includes('contact@portal.test'))?.subject).toBe('申請已核定：老舊統計表');

    // The notice: API and page.
    const notices = (await call('GET', '/api/v1/discontinued', null)).json<{ count: number; results: Notice[] }>();
    expect(notices.count).toBe(1);
    expect(notices.results[0]).toMatchObject({ datasetName: 'old-table', title: '老舊統計表', kind: 'stop', reasons: stop.reasons, meetingDate: '2026-11-20', resolution: stop.resolution, unit: { name: 'statistics' } });
    const page = await call('GET', '/discontinued', null);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('老舊統計表');
    expect(page.body).toContain(stop.reasons);
    expect(page.body).toContain('href="/datasets?state=discontinued"');
    expect((await call('GET', '/', null)).body).toContain('href="/discontinued"');

    // Gone from default search (v1, web, CKAN), found with the state filter.
    expect(await apiTitles('q=統計表')).toEqual(['現行統計表']);
    expect(await apiTitles('q=統計表&state=discontinued')).toEqual(['老舊統計表']);
    expect(await apiTitles('state=discontinued')).toEqual(['老舊統計表']);
    expect(await apiTitles('keyword=舊表')).toEqual(['現行統計表']);
    const web = await call('GET', '/datasets?q=統計表', null);
    expect(web.body).toContain('現行統計表');
    expect(web.body).not.toContain('老舊統計表');
    const webFound = await call('GET', '/datasets?q=統計表&state=discontinued', null);
    expect(webFound.body).toContain('老舊統計表');
    expect(webFound.body).not.toContain('現行統計表');
    expect((await call('GET', '/datasets?state=gone', null)).statusCode).toBe(400);
    expect(await ckanTitles(`q=${encodeURIComponent('統計表')}`)).toEqual(['現行統計表']);
    expect(await ckanTitles(`q=${encodeURIComponent('統計表')}&fq=${encodeURIComponent('state:discontinued')}`)).toEqual(['老舊統計表']);
    expect((await call('GET', `/api/3/action/package_search?fq=${encodeURIComponent('state:deleted')}`, null)).statusCode).toBe(409);

    // Counts are of published datasets only.
    expect(await t.services.catalogue.countPublished()).toBe(countBefore - 1);
    expect((await t.services.units.listWithCounts()).find((u) => u.name === 'statistics')?.datasetCount).toBe(1);
    expect((await call('GET', '/api/v1/datasets?limit=0', null)).json<{ count: number }>().count).toBe(1);
    const tags = (await call('GET', '/api/3/action/tag_list', null)).json<{ result: string[] }>().result;
    expect(tags).toContain('舊表');

    // Still readable, with its state and notice: API, CKAN, page.
    const got = await call('GET', '/api/v1/datasets/old-table', null);
    expect(got.statusCode).toBe(200);
    expect(got.json<{ state: string; notice: Notice }>()).toMatchObject({ state: 'discontinued', notice: { reasons: stop.reasons, kind: 'stop' } });
    const shown = (await call('GET', '/api/3/action/package_show?id=old-table', null)).json<{ result: { state: string; kaifang_discontinuation: Notice } }>().result;
    expect(shown.state).toBe('discontinued');
    expect(shown.kaifang_discontinuation.reasons).toBe(stop.reasons);
    const datasetPage = await call('GET', '/datasets/old-table', null);
    expect(datasetPage.statusCode).toBe(200);
    expect(datasetPage.body).toContain('停止提供公告');
    expect(datasetPage.body).toContain(stop.resolution);
    expect(datasetPage.body).not.toContain('/resources/A41000000G-900101-001/download');
    expect(datasetPage.body).toContain('已停止提供，無法下載');

    // Every download is gone, with the notice.
    const gone = await call('GET', '/datasets/old-table/resources/A41000000G-900101-001/download', null);
    expect(gone.statusCode).toBe(410);
    expect(gone.body).toContain(stop.reasons);
    expect(gone.body).toContain('DATASET_DISCONTINUED');
    const goneEn = await call('GET', '/datasets/old-table/resources/A41000000G-900101-001/download?lang=en', null);
    expect(goneEn.body).toContain('is no longer provided');

    // The audit trail is intact and has the proposal and the decision.
    expect((await t.services.audit.verify()).ok).toBe(true);
    const actions = (await t.services.audit.log({ entityId: d.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['discontinuation.propose', 'discontinuation.approve', 'dataset.update']));
  });

  it('a head never decides on their own proposal; rejection needs a comment and leaves the dataset published; the proposer may withdraw', async () => {
    await publish({ title: '雙職測試資料', name: 'dual' });
    const own = (await call('POST', '/api/v1/datasets/dual/discontinuation', tokens.contactHead, stop)).json<Proposal>();
    const self = await call('POST', `/api/v1/discontinuations/${own.id}/approve`, tokens.contactHead, {});
    expect(self.statusCode).toBe(403);
    expect(self.json<ErrorReply>().error.message).toContain('不能審核自己送出的案件');
    expect((await tasksOf(tokens.contactHead)).filter((x) => x.kind === 'discontinuation')).toEqual([]);

    // Rejection: a comment is required; the proposer is told why.
    const noComment = await call('POST', `/api/v1/discontinuations/${own.id}/reject`, tokens.head, { comment: '  ' });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.json<ErrorReply>().error.details?.comment).toBeDefined();
    const rejected = await call('POST', `/api/v1/discontinuations/${own.id}/reject`, tokens.head, { comment: '仍有使用者需要，請持續提供。' });
    expect(rejected.json<Proposal>()).toMatchObject({ state: 'rejected', decisionComment: '仍有使用者需要，請持續提供。' });
    await sendMail();
    const told = smtp.received.find((m) => m.to.includes('contact-head@portal.test') && m.subject.startsWith('申請未核定'));
    expect(told?.text).toContain('仍有使用者需要');
    expect((await call('GET', '/api/v1/datasets/dual', null)).json<{ state: string }>().state).toBe('published');
    expect(await apiTitles('q=雙職測試')).toEqual(['雙職測試資料']);
    expect((await call('GET', '/api/v1/discontinued', null)).json<{ count: number }>().count).toBe(0);

    // A new proposal is possible again; only its proposer may withdraw it.
    const again = (await call('POST', '/api/v1/datasets/dual/discontinuation', tokens.contact, stop)).json<Proposal>();
    expect((await call('POST', `/api/v1/discontinuations/${again.id}/withdraw`, tokens.contactHead)).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/discontinuations/${again.id}/withdraw`, tokens.head)).statusCode).toBe(403);
    const withdrawn = await call('POST', `/api/v1/discontinuations/${again.id}/withdraw`, tokens.contact);
    expect(withdrawn.json<Proposal>().state).toBe('withdrawn');
    expect((await call('POST', `/api/v1/discontinuations/${again.id}/approve`, tokens.head, {})).statusCode).toBe(409);
    const actions = (await t.services.audit.log({ limit: 10 })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['discontinuation.reject', 'discontinuation.withdraw']));
    expect((await t.services.audit.verify()).ok).toBe(true);
  });

  it('to_on_application: stays published and findable, shows how to apply, lists resources without links, and refuses downloads with 403', async () => {
    await publish({ title: '個別資料檔', name: 'micro', identifier: 'A41000000G-900201', cost: '付費', costUrl: 'https://www.dgbas.gov.tw/fee', costLaw: '規費法第10條' });
    const missing = await call('POST', '/api/v1/datasets/micro/discontinuation', tokens.contact, { ...stop, kind: 'to_on_application' });
    expect(missing.statusCode).toBe(400);
    expect(Object.keys(missing.json<ErrorReply>().error.details ?? {})).toEqual(['applicationTerms']);
    const p = (
      await call('POST', '/api/v1/datasets/micro/discontinuation', tokens.contact, { ...stop, kind: 'to_on_application', applicationTerms: '填具申請書並簽署切結書後申請。', revocable: true })
    ).json<Proposal>();
    expect((await call('POST', `/api/v1/discontinuations/${p.id}/approve`, tokens.head, {})).statusCode).toBe(200);

    const d = (await call('GET', '/api/v1/datasets/micro', null)).json<{ state: string; provisionType: string; applicationTerms: string; revocable: boolean; notice: Notice }>();
    expect(d).toMatchObject({ state: 'published', provisionType: 'on_application', applicationTerms: '填具申請書並簽署切結書後申請。', revocable: true, notice: { kind: 'to_on_application' } });
    expect(await apiTitles('q=個別資料檔')).toEqual(['個別資料檔']);
    expect(await apiTitles('provision=on_application')).toEqual(['個別資料檔']);

    const page = await call('GET', '/datasets/micro', null);
    expect(page.body).toContain('如何申請');
    expect(page.body).toContain('填具申請書並簽署切結書後申請。');
    expect(page.body).toContain('規費法第10條');
    expect(page.body).toContain('可撤回');
    expect(page.body).toContain('依申請提供，無下載連結');
    expect(page.body).not.toContain('/download"');

    const refused = await call('GET', '/datasets/micro/resources/A41000000G-900201-001/download', null);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('ON_APPLICATION');
    expect(refused.body).toContain('填具申請書並簽署切結書後申請。');
    expect((await call('GET', '/api/3/action/package_show?id=micro', null)).json<{ result: { state: string; provision_type: string; application_terms: string } }>().result).toMatchObject({
      state: 'active',
      provision_type: 'on_application',
      application_terms: '填具申請書並簽署切結書後申請。',
    });
    // Already on application: asking for it again is refused.
    const again = await call('POST', '/api/v1/datasets/micro/discontinuation', tokens.contact, { ...stop, kind: 'to_on_application', applicationTerms: 'x' });
    expect(again.json<ErrorReply>().error.details?.kind).toBeDefined();
  });

  it('to_withheld: needs the legal basis, and supersedes the open working copy', async () => {
    const d = await publish({ title: '敏感名冊', name: 'sensitive' });
    const missing = await call('POST', '/api/v1/datasets/sensitive/discontinuation', tokens.contact, { ...stop, kind: 'to_withheld' });
    expect(missing.json<ErrorReply>().error.details?.withholdingBasis).toBeDefined();
    // A working copy is open when the proposal is decided.
    expect((await call('PUT', '/api/v1/datasets/sensitive', tokens.contact, datasetInput({ title: '敏感名冊（修正）' }))).json<{ workingCopy: { state: string } }>().workingCopy.state).toBe('draft');
    const p = (await call('POST', '/api/v1/datasets/sensitive/discontinuation', tokens.contact, { ...stop, kind: 'to_withheld', withholdingBasis: '政府資訊公開法第18條第1項第3款' })).json<Proposal>();
    expect((await call('POST', `/api/v1/discontinuations/${p.id}/approve`, tokens.head, {})).statusCode).toBe(200);

    const got = (await call('GET', '/api/v1/datasets/sensitive', null)).json<{ state: string; provisionType: string; withholdingBasis: string; title: string }>();
    expect(got).toMatchObject({ state: 'discontinued', provisionType: 'withheld', withholdingBasis: '政府資訊公開法第18條第1項第3款', title: '敏感名冊' });
    const copies = await t.services.db.kysely.selectFrom('dataset_revisions').select('state').where('dataset_id', '=', d.id).execute();
    expect(copies.map((c) => c.state)).toEqual(['superseded']);
    const notice = (await call('GET', '/api/v1/discontinued', null)).json<{ results: (Notice & { withholdingBasis: string })[] }>().results[0];
    expect(notice).toMatchObject({ kind: 'to_withheld', withholdingBasis: '政府資訊公開法第18條第1項第3款' });
    expect((await call('GET', '/discontinued?lang=en', null)).body).toContain('Now withheld');
    expect(await apiTitles('q=敏感名冊')).toEqual([]);
  });

  it('only a published dataset can be proposed; unknown proposals are 404', async () => {
    const { review, users } = t.services;
    const contact = await users.findByEmail('contact@portal.test');
    if (!contact) throw new Error('no contact');
    const { id } = await review.createDraft(contact, datasetInput({ title: '草稿資料' }));
    const draft = await call('POST', `/api/v1/datasets/${id}/discontinuation`, tokens.contact, stop);
    expect(draft.statusCode).toBe(409);
    expect(draft.json<ErrorReply>().error.code).toBe('INVALID_TRANSITION');
    // The public and other units do not learn that a draft exists.
    expect((await call('POST', `/api/v1/datasets/${id}/discontinuation`, tokens.other, stop)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/discontinuations/nope', tokens.head)).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/discontinuations/nope/approve', tokens.head, {})).statusCode).toBe(404);
    const bad = await call('POST', '/api/v1/datasets/nope/discontinuation', tokens.contact, { ...stop, kind: 'later' });
    expect(bad.statusCode).toBe(400);
  });

  it('leaves nothing half-written when a step of the approval fails', async () => {
    const { db, discontinuation, users } = t.services;
    const d = await publish({ title: '原子性停止', name: 'atomic' });
    const p = (await call('POST', '/api/v1/datasets/atomic/discontinuation', tokens.contact, stop)).json<Proposal>();
    const head = await users.findByEmail('head@portal.test');
    if (!head) throw new Error('no head');
    const auditBefore = (await t.services.audit.verify()).headSeq;
    // The last step (the notification to the proposer) fails in the database.
    if (engine === 'postgres') {
      await sql`create function refuse_notification() returns trigger language plpgsql as $$ begin raise exception 'notifications refused'; end $$`.execute(db.kysely);
      await sql`create trigger refuse_notification before insert on notifications for each row execute function refuse_notification()`.execute(db.kysely);
    } else {
      await sql`create trigger refuse_notification before insert on notifications begin select raise(abort, 'notifications refused'); end`.execute(db.kysely);
    }
    await expect(discontinuation.approve(head, p.id)).rejects.toThrow(/notifications refused/);
    expect((await t.services.catalogue.get(d.id)).state).toBe('published');
    expect(await apiTitles('q=原子性停止')).toEqual(['原子性停止']);
    expect((await discontinuation.get(head, p.id)).state).toBe('proposed');
    expect((await discontinuation.notices()).count).toBe(0);
    expect((await t.services.audit.verify()).headSeq).toBe(auditBefore);

    await sql`drop trigger refuse_notification${sql.raw(engine === 'postgres' ? ' on notifications' : '')}`.execute(db.kysely);
    expect((await discontinuation.approve(head, p.id)).state).toBe('approved');
    expect(await apiTitles('q=原子性停止')).toEqual([]);
    expect((await t.services.audit.verify()).ok).toBe(true);
  });
});

describe.each(engines)('discontinued demo files (%s)', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  beforeEach(async () => {
    t = await makeApp(engine);
    await loadDemoCatalogue(t.services);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('answers 410 with the notice for the files of a discontinued demo dataset', async () => {
    const { users, config, discontinuation } = t.services;
    const admin = await users.findByEmail(config.adminEmail);
    if (!admin) throw new Error('no admin');
    const by = { id: admin.id, label: admin.email };
    const owner = await t.services.db.kysely
      .selectFrom('resources as r')
      .innerJoin('datasets as d', 'd.id', 'r.dataset_id')
      .innerJoin('units as u', 'u.id', 'd.unit_id')
      .select(['d.name', 'd.title', 'u.name as unit', 'r.download_url', 'r.resource_id'])
      .where('r.download_url', 'like', '/demo/files/%')
      .where('d.provision_type', '=', 'open')
      .orderBy('d.seq')
      .executeTakeFirstOrThrow();
    const file = owner.download_url ?? '';
    expect((await t.app.inject({ url: file })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/datasets/${owner.name}/resources/${owner.resource_id}/download` })).statusCode).toBe(302);

    await users.create({ email: 'c@portal.test', name: '聯絡人', unit: owner.unit, role: 'contact' }, by);
    await users.create({ email: 'h@portal.test', name: '首長', unit: 'dgbas', role: 'head' }, by);
    const contact = await users.findByEmail('c@portal.test');
    const head = await users.findByEmail('h@portal.test');
    if (!contact || !head) throw new Error('users missing');
    const p = await discontinuation.propose(contact, owner.name, { ...stop, kind: 'stop' });
    await discontinuation.approve(head, p.id);

    const gone = await t.app.inject({ url: file });
    expect(gone.statusCode).toBe(410);
    expect(gone.json<ErrorReply>().error).toMatchObject({ code: 'DATASET_DISCONTINUED' });
    expect(gone.json<ErrorReply>().error.message).toContain(stop.reasons);
    expect((await t.app.inject({ url: `/datasets/${owner.name}/resources/${owner.resource_id}/download` })).statusCode).toBe(410);
  });
});
