import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../src/services.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';
import { controlValue, pageText, signInSession, type Session } from './helpers/pages.ts';

const PASSWORD = 'manage-password-123';

const text = pageText;
/** The proposal id in the status page's decision forms. */
const proposalIdOf = (html: string): string => /action="\/manage\/discontinuations\/([^/"]+)\/(?:approve|withdraw)/.exec(html)?.[1] ?? '';

const stopForm = { kind: 'stop', reasons: '調查已停辦，資料不再更新。', meetingDate: '2026-11-20', resolution: '經資料開放諮詢小組第3次會議決議同意停止提供。' };

describe.each(engines)('back office: discontinuation (%s)', (engine) => {
  let app: FastifyInstance;
  let services: Services;
  let cleanup: () => Promise<void>;
  let contact: Session;
  let head: Session;
  let contactHead: Session;
  let other: Session;
  let reviewer: Session;

  const signIn = (email: string, password = PASSWORD): Promise<Session> => signInSession(app, email, password, '/manage');
  const get = (url: string, s?: Session) => app.inject({ method: 'GET', url, headers: s ? { cookie: s.cookie } : {} });
  const post = (url: string, s: Session, fields: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie }, payload: new URLSearchParams({ ...fields, _csrf: s.csrf }).toString() });
  const location = (res: LightMyRequestResponse): string => String(res.headers.location ?? '');
  const publish = async (name: string, title: string) => {
    const d = (await services.catalogue.save(datasetInput({ name, title, identifier: undefined }), { state: 'published' })).dataset;
    return d;
  };

  beforeAll(async () => {
    const t = await makeApp(engine);
    app = t.app;
    services = t.services;
    cleanup = t.cleanup;
    const { users } = services;
    await users.create({ email: 'contact@stat.example', name: '王聯絡', password: PASSWORD, unit: 'statistics', role: 'contact' });
    await users.create({ email: 'reviewer@stat.example', name: '李審查', password: PASSWORD, unit: 'statistics', role: 'reviewer' });
    await users.create({ email: 'head@dgbas.example', name: '陳主計長', password: PASSWORD, unit: 'dgbas', role: 'head' });
    // Holds both offices: may propose for statistics and decide as head, but never on their own proposal.
    await users.create({ email: 'contact-head@dgbas.example', name: '張副主計長', password: PASSWORD, unit: 'statistics', role: 'contact' });
    await users.addRole('contact-head@dgbas.example', 'dgbas', 'head');
    await users.create({ email: 'other@acct.example', name: '林會計', password: PASSWORD, unit: 'accounting', role: 'contact' });
    contact = await signIn('contact@stat.example');
    reviewer = await signIn('reviewer@stat.example');
    head = await signIn('head@dgbas.example');
    contactHead = await signIn('contact-head@dgbas.example');
    other = await signIn('other@acct.example');
  });
  afterAll(async () => cleanup());

  it('the whole story: the contact proposes through the form (errors first), the head sees the task and approves, the public sees the notice and downloads answer 410', async () => {
    const d = await publish('old-survey', '已停辦調查統計表');
    // The status page offers the proposal to the contact only.
    let page = await get('/manage/datasets/old-survey', contact);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('停止提供或變更提供方式');
    expect(page.body).toContain('href="/manage/datasets/old-survey/discontinue"');
    expect((await get('/manage/datasets/old-survey', reviewer)).body).not.toContain('/discontinue"');
    expect((await get('/manage/datasets/old-survey', head)).body).not.toContain('/discontinue"');

    // The form: kinds as radio buttons with explanations, the meeting date as a date input.
    const form = await get('/manage/datasets/old-survey/discontinue', contact);
    expect(form.statusCode).toBe(200);
    for (const k of ['stop', 'to_on_application', 'to_withheld']) expect(form.body).toMatch(new RegExp(`<input type="radio" id="d-kind-${k}" name="kind" value="${k}"`));
    expect(text(form.body)).toContain('資料集不再提供');
    expect(form.body).toMatch(/<input type="date" id="d-meetingDate" name="meetingDate"/);
    expect(form.body).toContain('name="_csrf"');
    expect(text((await get('/manage/datasets/old-survey/discontinue?lang=en', contact)).body)).toContain('Provide on application');

    // Nothing chosen, nothing filled: every problem at once, linked, the values kept.
    const empty = await post('/manage/datasets/old-survey/discontinue', contact, { reasons: '理由寫了', meetingDate: '', resolution: '' });
    expect(empty.statusCode).toBe(400);
    for (const id of ['d-kind-stop', 'd-meetingDate', 'd-resolution']) expect(empty.body, id).toContain(`href="#${id}"`);
    expect(text(empty.body)).toContain('請選擇申請事項');
    expect(text(empty.body)).toContain('會議日期為必填');
    expect(controlValue(empty.body, 'd-reasons')).toBe('理由寫了');
    // The service's checks: a future date, to_withheld without its legal basis.
    const bad = await post('/manage/datasets/old-survey/discontinue', contact, { ...stopForm, kind: 'to_withheld', meetingDate: '2999-01-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#d-meetingDate"');
    expect(bad.body).toContain('href="#d-withholdingBasis"');
    expect(bad.body).toMatch(/id="d-meetingDate"[^>]*aria-describedby="d-meetingDate-hint d-meetingDate-error"[^>]*aria-invalid="true"/);
    expect(bad.body).toMatch(/id="d-withholdingBasis"[^>]*aria-describedby="d-withholdingBasis-hint d-withholdingBasis-error"[^>]*aria-invalid="true"/);
    expect(text(bad.body)).toContain('在未來');
    expect(text(bad.body)).toContain('改為不予提供須填法律依據');
    expect(controlValue(bad.body, 'd-meetingDate')).toBe('2999-01-01');
    expect(bad.body).toMatch(/id="d-kind-to_withheld" name="kind" value="to_withheld" checked/);
    const en = await post('/manage/datasets/old-survey/discontinue?lang=en', contact, { ...stopForm, meetingDate: '2026/11/20' });
    expect(en.statusCode).toBe(400);
    expect(text(en.body)).toContain('meetingDate "2026/11/20" must be YYYY-MM-DD');
    expect(await services.db.kysely.selectFrom('discontinuations').select('id').execute()).toHaveLength(0);

    // Valid: back to the status page with the proposal shown.
    const sent = await post('/manage/datasets/old-survey/discontinue', contact, stopForm);
    expect(sent.statusCode).toBe(303);
    expect(location(sent)).toBe('/manage/datasets/old-survey?done=proposed');
    page = await get(location(sent), contact);
    let t = text(page.body);
    expect(t).toContain('已送出停止提供申請');
    expect(t).toContain('待核定的申請');
    expect(t).toContain('調查已停辦，資料不再更新。');
    expect(t).toContain('2026-11-20');
    expect(t).toContain('經資料開放諮詢小組第3次會議決議同意停止提供。');
    expect(t).toContain('王聯絡');
    expect(page.body).toContain('/withdraw"');
    expect(page.body).not.toContain('/approve"');
    // A second proposal is refused: the form says one is open.
    const again = await get('/manage/datasets/old-survey/discontinue', contact);
    expect(again.statusCode).toBe(409);
    expect(text(again.body)).toContain('已有待核定的停止提供申請');
    const twice = await post('/manage/datasets/old-survey/discontinue', contact, stopForm);
    expect(twice.statusCode).toBe(409);
    expect(text(twice.body)).toContain('已有待核定的停止提供申請');

    // The head's dashboard has the task, with the kind, linking to the status page.
    const dash = await get('/manage', head);
    const row = /<tr>(?:(?!<\/tr>)[\s\S])*已停辦調查統計表[\s\S]*?<\/tr>/.exec(dash.body)?.[0] ?? '';
    expect(text(row)).toContain('停止提供申請待核定');
    expect(text(row)).toContain('：停止提供');
    expect(row).toContain('href="/manage/datasets/old-survey"');
    expect(text((await get('/manage?lang=en', head)).body)).toContain('Discontinuation to decide');
    expect(text((await get('/manage', contact)).body)).not.toContain('停止提供申請待核定');

    // The head approves through the page.
    page = await get('/manage/datasets/old-survey', head);
    const pid = proposalIdOf(page.body);
    expect(pid).not.toBe('');
    expect(page.body).toContain(`action="/manage/discontinuations/${pid}/approve"`);
    expect(page.body).toContain(`action="/manage/discontinuations/${pid}/reject"`);
    expect(page.body).not.toContain('/withdraw"');
    const approved = await post(`/manage/discontinuations/${pid}/approve`, head, { comment: '同意。' });
    expect(approved.statusCode).toBe(303);
    expect(location(approved)).toBe('/manage/datasets/old-survey?done=discApproved');
    page = await get(location(approved), head);
    t = text(page.body);
    expect(t).toContain('已核定，公告已發布');
    expect(t).toContain('停止提供公告');
    expect(page.body).toContain('href="/discontinued"');
    expect(page.body).toContain('href="/datasets/old-survey"');
    expect(t).toContain('已核定');
    expect(t).toContain('同意。');
    // Deciding twice is the service's 409 page.
    const twiceApproved = await post(`/manage/discontinuations/${pid}/approve`, head, {});
    expect(twiceApproved.statusCode).toBe(409);
    expect(twiceApproved.headers['content-type']).toContain('text/html');

    // The public: the notice on the page, the list of notices, 410 on download.
    const pub = await get('/datasets/old-survey');
    expect(pub.statusCode).toBe(200);
    expect(text(pub.body)).toContain('調查已停辦，資料不再更新。');
    expect(text((await get('/discontinued')).body)).toContain('已停辦調查統計表');
    const dl = await get(`/datasets/old-survey/resources/${d.resources[0].resourceId}/download`);
    expect(dl.statusCode).toBe(410);
    // The contact's status page shows the notice too, and no more proposal link.
    page = await get('/manage/datasets/old-survey', contact);
    expect(text(page.body)).toContain('停止提供公告');
    expect(page.body).not.toContain('/discontinue"');
    expect((await get('/manage/datasets/old-survey/discontinue', contact)).statusCode).toBe(409);
  });

  it('to_on_application with its terms: approved, the dataset stays public on application', async () => {
    await publish('microdata', '家庭收支個別資料');
    const sent = await post('/manage/datasets/microdata/discontinue', contact, {
      ...stopForm,
      kind: 'to_on_application',
      applicationTerms: '填具申請書並簽署切結書。',
      revocable: 'on',
    });
    expect(location(sent)).toBe('/manage/datasets/microdata?done=proposed');
    const page = await get('/manage/datasets/microdata', head);
    expect(text(page.body)).toContain('改為依申請提供');
    expect(text(page.body)).toContain('填具申請書並簽署切結書。');
    expect(text(page.body)).toMatch(/授權可否撤回 是/);
    expect(location(await post(`/manage/discontinuations/${proposalIdOf(page.body)}/approve`, head, {}))).toContain('done=discApproved');
    const d = await services.catalogue.get('microdata');
    expect(d).toMatchObject({ state: 'published', provisionType: 'on_application', applicationTerms: '填具申請書並簽署切結書。', revocable: true });
  });

  it('rejection needs a comment: an empty one re-renders the page with the error; with one, the proposer sees it', async () => {
    await publish('reject-me', '不核定測試表');
    await post('/manage/datasets/reject-me/discontinue', contact, stopForm);
    const page = await get('/manage/datasets/reject-me', head);
    const pid = proposalIdOf(page.body);
    const empty = await post(`/manage/discontinuations/${pid}/reject`, head, { comment: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#comment-disc-reject"');
    expect(empty.body).toMatch(/id="comment-disc-reject"[^>]*aria-invalid="true"/);
    expect(text(empty.body)).toContain('不核定時必須說明理由');
    expect((await services.catalogue.get('reject-me')).state).toBe('published');
    // A contact posting an empty rejection gets the service's refusal, not the form.
    expect((await post(`/manage/discontinuations/${pid}/reject`, contact, { comment: '' })).statusCode).toBe(403);
    const rejected = await post(`/manage/discontinuations/${pid}/reject`, head, { comment: '仍有使用者需要，請再評估。' });
    expect(location(rejected)).toBe('/manage/datasets/reject-me?done=discRejected');
    const mine = await get('/manage/datasets/reject-me', contact);
    const t = text(mine.body);
    expect(t).toContain('過去的申請');
    expect(t).toContain('未核定');
    expect(t).toContain('仍有使用者需要，請再評估。');
    // Rejected: the contact may propose again.
    expect(mine.body).toContain('href="/manage/datasets/reject-me/discontinue"');
    expect((await services.catalogue.get('reject-me')).state).toBe('published');
  });

  it('the proposer withdraws; nobody else may', async () => {
    await publish('withdraw-me', '撤回測試表');
    await post('/manage/datasets/withdraw-me/discontinue', contact, stopForm);
    const pid = proposalIdOf((await get('/manage/datasets/withdraw-me', contact)).body);
    expect((await post(`/manage/discontinuations/${pid}/withdraw`, head, {})).statusCode).toBe(403);
    expect((await post(`/manage/discontinuations/${pid}/withdraw`, other, {})).statusCode).toBe(404);
    const res = await post(`/manage/discontinuations/${pid}/withdraw`, contact, {});
    expect(location(res)).toBe('/manage/datasets/withdraw-me?done=withdrawn');
    const page = await get(location(res), contact);
    expect(text(page.body)).toContain('已撤回停止提供申請');
    expect(text(page.body)).toContain('已撤回');
    expect(page.body).not.toContain('/withdraw"');
    expect((await post(`/manage/discontinuations/${pid}/withdraw`, contact, {})).statusCode).toBe(409);
  });

  it('a head cannot approve their own proposal; a contact of another unit gets 403; not signed in goes to sign-in', async () => {
    await publish('own-proposal', '自行申請測試表');
    const sent = await post('/manage/datasets/own-proposal/discontinue', contactHead, stopForm);
    expect(location(sent)).toBe('/manage/datasets/own-proposal?done=proposed');
    const page = await get('/manage/datasets/own-proposal', contactHead);
    expect(text(page.body)).toContain('這是您提出的申請');
    expect(page.body).not.toContain('/approve"');
    const pid = proposalIdOf(page.body);
    const self = await post(`/manage/discontinuations/${pid}/approve`, contactHead, {});
    expect(self.statusCode).toBe(403);
    expect(text(self.body)).toContain('不能審核自己送出的案件');
    const tasksOf = async (s: Session) => text(/<h2 id="tasks-heading">[\s\S]*?<h2 id="datasets-heading">/.exec((await get('/manage', s)).body)?.[0] ?? '');
    expect(await tasksOf(contactHead)).not.toContain('自行申請測試表');
    // Another head may.
    expect(await tasksOf(head)).toContain('自行申請測試表');

    await publish('not-yours', '他單位測試表');
    expect((await get('/manage/datasets/not-yours/discontinue', other)).statusCode).toBe(403);
    const forged = await post('/manage/datasets/not-yours/discontinue', other, stopForm);
    expect(forged.statusCode).toBe(403);
    expect(text(forged.body)).toContain('您沒有權限提議停止提供資料集');
    expect((await post('/manage/datasets/not-yours/discontinue', reviewer, stopForm)).statusCode).toBe(403);
    expect((await post('/manage/datasets/not-yours/discontinue', head, stopForm)).statusCode).toBe(403);
    expect((await post(`/manage/discontinuations/${pid}/approve`, other, {})).statusCode).toBe(403);
    expect((await post(`/manage/discontinuations/${pid}/approve`, contact, {})).statusCode).toBe(403);
    for (const url of ['/manage/datasets/not-yours/discontinue']) {
      const res = await get(url);
      expect(res.statusCode).toBe(303);
      expect(location(res)).toBe(`/signin?next=${encodeURIComponent(url)}`);
    }
    // A draft cannot be discontinued; another unit's draft is not even shown.
    const contactUser = await services.users.findByEmail('contact@stat.example');
    if (!contactUser) throw new Error('no contact');
    await services.review.createDraft(contactUser, datasetInput({ name: 'a-draft' }));
    expect((await get('/manage/datasets/a-draft/discontinue', contact)).statusCode).toBe(409);
    expect((await get('/manage/datasets/a-draft/discontinue', other)).statusCode).toBe(404);
  });

  it('a new dataset submitted as withheld: the head approves it from the status page (the reviewer cannot), and it shows in the head\'s tasks', async () => {
    const contactUser = await services.users.findByEmail('contact@stat.example');
    if (!contactUser) throw new Error('no contact');
    const s = await services.review.createDraft(contactUser, datasetInput({ name: 'withheld-new', title: '不予提供之內部資料', provisionType: 'withheld', withholdingBasis: '政府資訊公開法第18條第1項第3款' }));
    await services.review.submit(contactUser, s.id);
    const dash = await get('/manage', head);
    expect(text(dash.body)).toContain('不予提供之內部資料');
    expect(text(dash.body)).toContain('待您審查');
    const headPage = await get('/manage/datasets/withheld-new', head);
    expect(headPage.body).toContain('action="/manage/datasets/withheld-new/approve"');
    expect(headPage.body).toContain('action="/manage/datasets/withheld-new/return"');
    // The unit reviewer may return it but not approve it.
    const revPage = await get('/manage/datasets/withheld-new', reviewer);
    expect(revPage.body).not.toContain('action="/manage/datasets/withheld-new/approve"');
    expect(revPage.body).toContain('action="/manage/datasets/withheld-new/return"');
    expect((await post('/manage/datasets/withheld-new/approve', reviewer, {})).statusCode).toBe(403);
    const approved = await post('/manage/datasets/withheld-new/approve', head, {});
    expect(location(approved)).toBe('/manage/datasets/withheld-new?done=approvedWithheld');
    const page = await get(location(approved), head);
    expect(text(page.body)).toContain('不予提供');
    expect(text(page.body)).toContain('不會公開');
    expect((await get('/datasets/withheld-new')).statusCode).toBe(404);
  });
});
