import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MailSender } from '../src/modules/notifications/mail.sender.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';

interface Status {
  id: string;
  state: string;
  workingCopy?: { version: number; state: string };
}
interface ErrorReply {
  error: { code: string; message: string };
}
interface Task {
  kind: string;
  datasetId: string;
  title: string;
  state: string;
  version: number | null;
  comment: string | null;
}

describe.each(engines)('review gate (%s)', (engine) => {
  let smtp: TestSmtp;
  let t: Awaited<ReturnType<typeof makeApp>>;
  let tokens: { admin: string; contact: string; reviewer: string; both: string; other: string };

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
    // The admin creates the people of the story (there is no user-creation API; the service is what the back office calls).
    await users.create({ email: 'contact@portal.test', name: '王小明', unit: 'statistics', role: 'contact' }, by);
    await users.create({ email: 'reviewer@portal.test', name: '李科長', unit: 'statistics', role: 'reviewer' }, by);
    await users.create({ email: 'both@portal.test', name: '陳雙職', unit: 'statistics', role: 'contact' }, by);
    await users.addRole('both@portal.test', 'statistics', 'reviewer', by);
    await users.create({ email: 'other@portal.test', name: '林會計', unit: 'accounting', role: 'contact' }, by);
    const token = async (email: string) => (await users.createToken(email)).token;
    tokens = {
      admin: await token(config.adminEmail),
      contact: await token('contact@portal.test'),
      reviewer: await token('reviewer@portal.test'),
      both: await token('both@portal.test'),
      other: await token('other@portal.test'),
    };
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string | null, payload?: unknown) =>
    t.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const sendMail = () => new MailSender(t.services.db, t.services.config.mail).sendPending();
  const tasksOf = async (token: string) => (await call('GET', '/api/v1/me/tasks', token)).json<{ tasks: Task[] }>().tasks;
  const searchTitles = async (q: string) => (await call('GET', `/api/v1/datasets?q=${encodeURIComponent(q)}`, null)).json<{ results: { title: string }[] }>().results.map((r) => r.title);
  const ckanSearch = async (q: string) =>
    (await call('GET', `/api/3/action/package_search?q=${encodeURIComponent(q)}`, null)).json<{ result: { count: number; results: { title: string }[] } }>().result;

  it('runs the new-user story: draft, submit, return with comment, resubmit, approve, then a working copy', async () => {
    // The contact drafts a dataset: not public yet.
    const created = await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ title: '家庭收支調查', identifier: 'A41000000G-900001' }));
    expect(created.statusCode).toBe(200);
    const draft = created.json<Status>();
    expect(draft.state).toBe('draft');
    expect((await call('GET', `/api/v1/datasets/${draft.id}`, null)).statusCode).toBe(404);

    const submitted = await call('POST', '/api/v1/datasets/A41000000G-900001/submit', tokens.contact, { comment: '請審查' });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json<Status>()).toEqual({ id: draft.id, state: 'submitted' });

    // The reviewer sees it in "my tasks" (and the contact, who submitted it, does not have it to review).
    expect(await tasksOf(tokens.reviewer)).toEqual([expect.objectContaining({ kind: 'review', datasetId: draft.id, title: '家庭收支調查', state: 'submitted', version: null })]);
    expect(await tasksOf(tokens.contact)).toEqual([]);
    await sendMail();
    const toReviewer = smtp.received.filter((m) => m.to.includes('reviewer@portal.test'));
    expect(toReviewer.map((m) => m.subject)).toEqual(['待審查：家庭收支調查']);
    // The other statistics reviewer (who is also a contact) is told too; the submitter is not.
    expect(smtp.received.some((m) => m.to.includes('both@portal.test'))).toBe(true);
    expect(smtp.received.some((m) => m.to.includes('contact@portal.test'))).toBe(false);

    // Returned with a comment: the contact gets the comment by mail and in the inbox.
    const noComment = await call('POST', `/api/v1/datasets/${draft.id}/return`, tokens.reviewer, { comment: '  ' });
    expect(noComment.statusCode).toBe(400);
    // Someone who may not return it is refused as such, before any word about the comment.
    expect((await call('POST', `/api/v1/datasets/${draft.id}/return`, tokens.contact, { comment: '' })).statusCode).toBe(403);
    const returned = await call('POST', `/api/v1/datasets/${draft.id}/return`, tokens.reviewer, { comment: '請補充欄位說明。' });
    expect(returned.statusCode).toBe(200);
    expect(returned.json<Status>().state).toBe('returned');
    smtp.received.length = 0;
    await sendMail();
    const toContact = smtp.received.find((m) => m.to.includes('contact@portal.test'));
    expect(toContact?.subject).toBe('退回修改：家庭收支調查');
    expect(toContact?.text).toContain('請補充欄位說明。');
    expect((await tasksOf(tokens.contact))[0]).toMatchObject({ kind: 'returned', datasetId: draft.id, comment: '請補充欄位說明。' });
    expect(await tasksOf(tokens.reviewer)).toEqual([]);

    // Approving returned work is not a valid transition.
    const early = await call('POST', `/api/v1/datasets/${draft.id}/approve`, tokens.reviewer, {});
    expect(early.statusCode).toBe(409);
    expect(early.json<ErrorReply>().error).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(early.json<ErrorReply>().error.message).toContain('returned');

    // The contact fixes it in place (still returned) and resubmits; the reviewer approves.
    const fixed = await call('PUT', `/api/v1/datasets/${draft.id}`, tokens.contact, datasetInput({ title: '家庭收支調查', description: '補充了欄位說明。' }));
    expect(fixed.json<Status>()).toEqual({ id: draft.id, state: 'returned' });
    expect((await call('POST', `/api/v1/datasets/${draft.id}/submit`, tokens.contact)).json<Status>().state).toBe('submitted');
    const again = await call('POST', `/api/v1/datasets/${draft.id}/submit`, tokens.contact);
    expect(again.statusCode).toBe(409);
    const approved = await call('POST', `/api/v1/datasets/${draft.id}/approve`, tokens.reviewer, { comment: '同意' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json<Status>()).toEqual({ id: draft.id, state: 'published' });
    smtp.received.length = 0;
    await sendMail();
    expect(smtp.received.find((m) => m.to.includes('contact@portal.test'))?.subject).toBe('已核准公開：家庭收支調查');

    // Public: native search and CKAN package_search, with the identifier kept.
    expect(await searchTitles('家庭收支')).toContain('家庭收支調查');
    expect((await ckanSearch('家庭收支')).results.map((r) => r.title)).toContain('家庭收支調查');
    const pub = (await call('GET', `/api/v1/datasets/${draft.id}`, null)).json<{ identifier: string; description: string }>();
    expect(pub).toMatchObject({ identifier: 'A41000000G-900001', description: '補充了欄位說明。' });

    // An edit of the published dataset makes a working copy; the public keeps the old version.
    const edit = await call('PUT', `/api/v1/datasets/${draft.id}`, tokens.contact, datasetInput({ title: '家庭收支調查（修訂）', description: '補充了欄位說明。' }));
    expect(edit.statusCode).toBe(200);
    expect(edit.json<Status>()).toEqual({ id: draft.id, state: 'published', workingCopy: { version: 2, state: 'draft' } });
    expect((await call('GET', `/api/v1/datasets/${draft.id}`, null)).json<{ title: string }>().title).toBe('家庭收支調查');
    const show = await call('GET', `/api/3/action/package_show?id=${draft.id}`, null);
    expect(show.json<{ result: { title: string } }>().result.title).toBe('家庭收支調查');
    expect(await searchTitles('修訂')).toEqual([]);

    const diff = await call('GET', `/api/v1/datasets/${draft.id}/diff`, tokens.reviewer);
    expect(diff.statusCode).toBe(200);
    expect(diff.json<{ against: string; changes: { field: string; before: unknown; after: unknown }[] }>()).toMatchObject({
      against: 'published',
      changes: [{ field: 'title', before: '家庭收支調查', after: '家庭收支調查（修訂）' }],
    });
    expect((await call('GET', `/api/v1/datasets/${draft.id}/diff`, null)).statusCode).toBe(401);
    expect((await call('GET', `/api/v1/datasets/${draft.id}/diff`, tokens.other)).statusCode).toBe(403);

    // A contact of another unit may not submit it (the dataset is public, so 403 rather than 404).
    const foreign = await call('POST', `/api/v1/datasets/${draft.id}/submit`, tokens.other);
    expect(foreign.statusCode).toBe(403);

    const wcSubmit = await call('POST', `/api/v1/datasets/${draft.id}/submit`, tokens.contact);
    expect(wcSubmit.json<Status>()).toEqual({ id: draft.id, state: 'published', workingCopy: { version: 2, state: 'submitted' } });
    expect(await tasksOf(tokens.reviewer)).toEqual([expect.objectContaining({ kind: 'review', title: '家庭收支調查（修訂）', version: 2 })]);
    // Under review it cannot be edited.
    expect((await call('PUT', `/api/v1/datasets/${draft.id}`, tokens.contact, datasetInput({ title: 'x' }))).statusCode).toBe(409);
    expect((await call('GET', `/api/v1/datasets/${draft.id}`, null)).json<{ title: string }>().title).toBe('家庭收支調查');

    const wcApprove = await call('POST', `/api/v1/datasets/${draft.id}/approve`, tokens.reviewer);
    expect(wcApprove.statusCode).toBe(200);
    expect(wcApprove.json<Status>()).toEqual({ id: draft.id, state: 'published' });
    expect((await call('GET', `/api/v1/datasets/${draft.id}`, null)).json<{ title: string; identifier: string }>()).toMatchObject({ title: '家庭收支調查（修訂）', identifier: 'A41000000G-900001' });
    expect(await searchTitles('修訂')).toEqual(['家庭收支調查（修訂）']);
    expect((await ckanSearch('家庭收支')).results.map((r) => r.title)).toEqual(['家庭收支調查（修訂）']);

    const revisions = await t.services.db.kysely.selectFrom('dataset_revisions').select(['version', 'state']).where('dataset_id', '=', draft.id).orderBy('version').execute();
    expect(revisions).toEqual([
      { version: 1, state: 'superseded' },
      { version: 2, state: 'approved' },
    ]);
    // Approving again: nothing is waiting.
    expect((await call('POST', `/api/v1/datasets/${draft.id}/approve`, tokens.reviewer)).statusCode).toBe(409);

    const actions = (await t.services.audit.log({ entityId: draft.id, limit: 100 })).map((e) => e.action).reverse();
    expect(actions).toEqual([
      'dataset.create',
      'workflow.submit',
      'workflow.return',
      'dataset.update',
      'workflow.submit',
      'dataset.update',
      'workflow.approve',
      'workflow.working_copy_save',
      'workflow.submit',
      'dataset.update',
      'workflow.approve',
    ]);
    expect((await t.services.audit.verify()).ok).toBe(true);
  });

  it('publishes a draft exactly as it was stored: relative links and a free-text 主要欄位說明 survive approval', async () => {
    const text = '欄位說明：第一欄為年月，第二欄為指數';
    const input = datasetInput({
      title: '原樣發布測試',
      fields: [],
      fieldDescription: text,
      resources: [{ description: 'CSV', format: 'CSV', encoding: 'UTF-8', downloadUrl: '/demo/files/x.csv' }],
    });
    const { id } = (await call('POST', '/api/v1/datasets', tokens.contact, input)).json<Status>();
    const before = await t.services.db.kysely.selectFrom('resources').select(['download_url']).where('dataset_id', '=', id).executeTakeFirstOrThrow();
    await call('POST', `/api/v1/datasets/${id}/submit`, tokens.contact);
    expect((await call('POST', `/api/v1/datasets/${id}/approve`, tokens.reviewer)).json<Status>().state).toBe('published');
    const after = await t.services.db.kysely.selectFrom('resources').select(['download_url']).where('dataset_id', '=', id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    expect(after.download_url).toBe('/demo/files/x.csv');
    const published = await t.services.catalogue.get(id);
    expect(published.fieldDescription).toBe(text);
    expect(published.resources[0].downloadUrl).toBe(`${t.services.config.baseUrl}/demo/files/x.csv`);
  });

  it('never lets the submitter approve or return, whatever roles they hold', async () => {
    const { id } = (await call('POST', '/api/v1/datasets', tokens.both, datasetInput({ title: '自審測試' }))).json<Status>();
    expect((await call('POST', `/api/v1/datasets/${id}/submit`, tokens.both)).statusCode).toBe(200);
    expect(await tasksOf(tokens.both)).toEqual([]);
    const self = await call('POST', `/api/v1/datasets/${id}/approve`, tokens.both);
    expect(self.statusCode).toBe(403);
    expect(self.json<ErrorReply>().error.code).toBe('FORBIDDEN');
    expect((await call('POST', `/api/v1/datasets/${id}/return`, tokens.both, { comment: '自己退回' })).statusCode).toBe(403);
    const row = await t.services.db.kysely.selectFrom('datasets').select(['state', 'published_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'submitted', published_at: null });

    // Nor the admin when the admin submitted.
    const byAdmin = (await call('POST', '/api/v1/datasets', tokens.admin, datasetInput({ title: '管理者送審' }))).json<Status>();
    await call('POST', `/api/v1/datasets/${byAdmin.id}/submit`, tokens.admin);
    expect((await call('POST', `/api/v1/datasets/${byAdmin.id}/approve`, tokens.admin)).statusCode).toBe(403);

    // Another reviewer of the unit may.
    expect((await call('POST', `/api/v1/datasets/${id}/approve`, tokens.reviewer)).json<Status>().state).toBe('published');
    expect((await t.services.audit.verify()).ok).toBe(true);
  });

  it('refuses the public, other units and invalid transitions, and keeps drafts hidden', async () => {
    expect((await call('POST', '/api/v1/datasets', null, datasetInput())).statusCode).toBe(401);
    expect((await call('POST', '/api/v1/datasets', tokens.other, datasetInput())).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/datasets', tokens.reviewer, datasetInput())).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/me/tasks', null)).statusCode).toBe(401);

    const { id } = (await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ title: '未公開草稿', identifier: 'A41000000G-900002' }))).json<Status>();
    // A draft of another unit is not even visible to that unit's contact.
    expect((await call('POST', `/api/v1/datasets/${id}/submit`, tokens.other)).statusCode).toBe(404);
    expect((await call('PUT', `/api/v1/datasets/${id}`, tokens.other, datasetInput())).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/datasets/${id}/submit`, null)).statusCode).toBe(401);

    const approveDraft = await call('POST', `/api/v1/datasets/${id}/approve`, tokens.reviewer);
    expect(approveDraft.statusCode).toBe(409);
    expect(approveDraft.json<ErrorReply>().error.message).toContain('草稿');
    const en = await t.app.inject({ method: 'POST', url: `/api/v1/datasets/${id}/return?lang=en`, headers: { authorization: `Bearer ${tokens.reviewer}`, 'accept-language': 'en' }, payload: { comment: 'x' } });
    expect(en.statusCode).toBe(409);
    expect(en.json<ErrorReply>().error.message).toBe('The dataset is draft; it cannot be returned');

    // A reviewer may not edit or submit (that is the contact's work).
    expect((await call('POST', `/api/v1/datasets/${id}/submit`, tokens.reviewer)).statusCode).toBe(403);

    // A draft may not take over another dataset's identifier.
    const clash = await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ identifier: 'A41000000G-900002' }));
    expect(clash.statusCode).toBe(409);
    expect(clash.json<ErrorReply>().error.code).toBe('DATASET_EXISTS');

    // Nor another dataset's resource id (資料資源編號 are unique across the catalogue; the draft above got A41000000G-900002-001).
    const stolen = await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ resources: [{ resourceId: 'A41000000G-900002-001', description: 'd', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/b.csv' }] }));
    expect(stolen.statusCode).toBe(409);
    expect(stolen.json<{ error: { code: string; details: Record<string, string[]> } }>().error).toMatchObject({ code: 'RESOURCE_EXISTS', details: { 'resources.0.resourceId': expect.any(Array) as unknown } });

    // Validation messages name the field.
    const bad = await call('POST', '/api/v1/datasets', tokens.contact, datasetInput({ updateFrequency: '偶爾' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { details: Record<string, string[]> } }>().error.details).toHaveProperty('updateFrequency');
    expect((await t.services.audit.verify()).ok).toBe(true);
  });

  it('replaces the public version atomically: when any part of an approval fails, nothing of it stays', async () => {
    const { review, users, db } = t.services;
    const contact = await users.findByEmail('contact@portal.test');
    const reviewer = await users.findByEmail('reviewer@portal.test');
    if (!contact || !reviewer) throw new Error('users missing');
    const { id } = await review.createDraft(contact, datasetInput({ title: '原子性測試' }));
    await review.submit(contact, id);
    await review.approve(reviewer, id);
    await review.edit(contact, id, datasetInput({ title: '原子性測試（新版）' }));
    await review.submit(contact, id);
    const auditBefore = (await t.services.audit.verify()).headSeq;

    // The last step of an approval (the notification to the submitter) fails in the database.
    if (engine === 'postgres') {
      await sql`create function refuse_notification() returns trigger language plpgsql as $$ begin raise exception 'notifications refused'; end $$`.execute(db.kysely);
      await sql`create trigger refuse_notification before insert on notifications for each row execute function refuse_notification()`.execute(db.kysely);
    } else {
      await sql`create trigger refuse_notification before insert on notifications begin select raise(abort, 'notifications refused'); end`.execute(db.kysely);
    }
    await expect(review.approve(reviewer, id)).rejects.toThrow(/notifications refused/);
    expect((await t.services.catalogue.get(id)).title).toBe('原子性測試');
    expect(await searchTitles('新版')).toEqual([]);
    const states = await db.kysely.selectFrom('dataset_revisions').select(['version', 'state']).where('dataset_id', '=', id).orderBy('version').execute();
    expect(states).toEqual([
      { version: 1, state: 'approved' },
      { version: 2, state: 'submitted' },
    ]);
    expect((await t.services.audit.verify()).headSeq).toBe(auditBefore);

    await sql`drop trigger refuse_notification${sql.raw(engine === 'postgres' ? ' on notifications' : '')}`.execute(db.kysely);
    expect(await review.approve(reviewer, id)).toEqual({ id, state: 'published' });
    expect((await t.services.catalogue.get(id)).title).toBe('原子性測試（新版）');
    expect((await t.services.audit.verify()).ok).toBe(true);
  });

  it('needs the approval of the receiving unit for a working copy that moves the dataset to another unit', async () => {
    const { review, users } = t.services;
    await users.addRole('contact@portal.test', 'accounting', 'contact');
    const contact = await users.findByEmail('contact@portal.test');
    const reviewer = await users.findByEmail('reviewer@portal.test');
    const admin = await users.findByEmail(t.services.config.adminEmail);
    if (!contact || !reviewer || !admin) throw new Error('users missing');
    const { id } = await review.createDraft(contact, datasetInput({ title: '移轉單位' }));
    await review.submit(contact, id);
    await review.approve(reviewer, id);
    await review.edit(contact, id, datasetInput({ title: '移轉單位', unit: 'accounting' }));
    await review.submit(contact, id);
    await expect(review.approve(reviewer, id)).rejects.toMatchObject({ status: 403 });
    expect((await t.services.catalogue.get(id)).unit.name).toBe('statistics');
    expect(await review.approve(admin, id)).toEqual({ id, state: 'published' });
    expect((await t.services.catalogue.get(id)).unit.name).toBe('accounting');
  });

  it('works with a sign-in session too, which must send its CSRF token', async () => {
    await t.services.users.setPassword('contact@portal.test', 'contact-password-123');
    const signin = await t.app.inject({
      method: 'POST',
      url: '/signin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email: 'contact@portal.test', password: 'contact-password-123' }).toString(),
    });
    expect(signin.statusCode).toBe(303);
    const raw = signin.headers['set-cookie'];
    const cookie = (Array.isArray(raw) ? raw : [raw ?? '']).find((c) => /^(__Host-)?kf_session=/.test(c))?.split(';', 1)[0] ?? '';
    const page = await t.app.inject({ url: '/account', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(csrf).not.toBe('');

    const forged = await t.app.inject({ method: 'POST', url: '/api/v1/datasets', headers: { cookie }, payload: datasetInput({ title: '沒有驗證碼' }) });
    expect(forged.statusCode).toBe(403);
    expect(forged.json<ErrorReply>().error.code).toBe('CSRF_INVALID');
    const made = await t.app.inject({ method: 'POST', url: '/api/v1/datasets', headers: { cookie, 'x-csrf-token': csrf }, payload: datasetInput({ title: '以工作階段建立' }) });
    expect(made.statusCode).toBe(200);
    const { id } = made.json<Status>();
    const submitted = await t.app.inject({ method: 'POST', url: `/api/v1/datasets/${id}/submit`, headers: { cookie, 'x-csrf-token': csrf } });
    expect(submitted.json<Status>()).toEqual({ id, state: 'submitted' });
    const tasks = await t.app.inject({ url: '/api/v1/me/tasks', headers: { cookie } });
    expect(tasks.statusCode).toBe(200);
  });
});
