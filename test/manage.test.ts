import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../src/services.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';
import { decode } from './helpers/markup.ts';
import { controlValue, pageText, signInSession, type Session } from './helpers/pages.ts';

const PASSWORD = 'manage-password-123';
const ADMIN = { email: 'admin@kaifang.local', password: 'admin-password-for-tests' };

const text = pageText;

/** A complete new-dataset form as the editor posts it. */
const newForm = (over: Record<string, string> = {}): Record<string, string> => ({
  unit: 'statistics',
  title: '家庭收支調查表',
  description: '家庭收支調查之統計結果。',
  categoryCode: '800',
  datasetType: 'rawData',
  licenseId: 'OGDL-Taiwan-1.0',
  cost: '免費',
  publisherContactName: '王小明 先生',
  publisherContactPhone: '02-23803542',
  publisherContactEmail: 'open@dgbas.gov.tw',
  updateFrequency: '每1年',
  temporalFrom: '2020-01-01',
  fieldDescription: 'year(年度，西元年)、income(所得)',
  keywords: '家庭收支、所得',
  resourceCount: '1',
  'r0.resourceId': '',
  'r0.description': '家庭收支 CSV',
  'r0.format': 'CSV',
  'r0.encoding': 'UTF-8',
  'r0.downloadUrl': 'https://example.gov.tw/fies.csv',
  action: 'save',
  ...over,
});

describe.each(engines)('back office /manage (%s)', (engine) => {
  let app: FastifyInstance;
  let services: Services;
  let cleanup: () => Promise<void>;
  let contact: Session;
  let reviewer: Session;
  let both: Session;
  let other: Session;

  const signIn = (email: string, password = PASSWORD): Promise<Session> => signInSession(app, email, password, '/manage');
  const get = (url: string, s?: Session) => app.inject({ method: 'GET', url, headers: s ? { cookie: s.cookie } : {} });
  const post = (url: string, s: Session, fields: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie }, payload: new URLSearchParams({ ...fields, _csrf: s.csrf }).toString() });
  const location = (res: LightMyRequestResponse): string => String(res.headers.location ?? '');
  const userOf = async (email: string) => {
    const u = await services.users.findByEmail(email);
    if (!u) throw new Error(`no user ${email}`);
    return u;
  };

  beforeAll(async () => {
    const t = await makeApp(engine);
    app = t.app;
    services = t.services;
    cleanup = t.cleanup;
    const { users } = services;
    await users.create({ email: 'contact@stat.example', name: '王聯絡', password: PASSWORD, unit: 'statistics', role: 'contact' });
    await users.create({ email: 'reviewer@stat.example', name: '李審查', password: PASSWORD, unit: 'statistics', role: 'reviewer' });
    await users.create({ email: 'both@stat.example', name: '陳雙職', password: PASSWORD, unit: 'statistics', role: 'contact' });
    await users.addRole('both@stat.example', 'statistics', 'reviewer');
    await users.create({ email: 'other@acct.example', name: '林會計', password: PASSWORD, unit: 'accounting', role: 'contact' });
    contact = await signIn('contact@stat.example');
    reviewer = await signIn('reviewer@stat.example');
    both = await signIn('both@stat.example');
    other = await signIn('other@acct.example');
  });
  afterAll(async () => cleanup());

  it('sends people who are not signed in to sign-in and back; the header links to 管理 for people with roles', async () => {
    for (const url of ['/manage', '/manage/datasets/new', '/manage/datasets/x/edit', '/manage/datasets/x']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(303);
      expect(location(res), url).toBe(`/signin?next=${encodeURIComponent(url)}`);
    }
    const anon = await app.inject({ method: 'POST', url: '/manage/datasets/new', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'title=x' });
    expect(anon.statusCode).toBe(303);
    expect(location(anon)).toContain('/signin?next=');
    expect((await get('/', contact)).body).toContain('<a href="/manage">管理</a>');
    expect((await get('/?lang=en', contact)).body).toContain('<a href="/manage?lang=en">Manage</a>');
    expect((await get('/')).body).not.toContain('href="/manage"');
  });

  it('shows the editor with every national field group, labelled, hinted, with the code-list selects and one resource block', async () => {
    const res = await get('/manage/datasets/new', contact);
    expect(res.statusCode).toBe(200);
    const t = text(res.body);
    for (const legend of ['基本資料', '分類與授權', '提供機關與聯絡人', '時間與更新頻率', '主要欄位說明', '關鍵字', '資料資源']) expect(t).toContain(legend);
    expect(res.body).toContain('<label for="f-title">');
    expect(res.body).toMatch(/id="f-updateFrequency"[^>]*aria-describedby="f-updateFrequency-hint"/);
    expect(t).toContain('每1月');
    expect(res.body).toContain('<option value="800">800 投資理財</option>');
    expect(res.body).toContain('<option value="OGDL-Taiwan-1.0" selected>');
    expect(res.body).toContain('<option value="on_application">依申請提供</option>');
    expect(res.body).toContain('<option value="TOOLS">TOOLS</option>');
    // Only the units this contact may create datasets in.
    expect(res.body).toMatch(/<select[^>]*id="f-unit"[^>]*>[\s\S]*?<\/select>/);
    const unitSelect = /<select[^>]*id="f-unit"[^>]*>([\s\S]*?)<\/select>/.exec(res.body)?.[1] ?? '';
    expect(unitSelect).toContain('value="statistics"');
    expect(unitSelect).not.toContain('value="accounting"');
    expect(res.body).toContain('id="f-resources-0-downloadUrl"');
    expect(res.body).not.toContain('id="f-resources-1-downloadUrl"');
    expect(res.body).not.toContain('<script');
    const en = await get('/manage/datasets/new?lang=en', contact);
    expect(text(en.body)).toContain('Update frequency');
    expect(en.body).toContain('<option value="800">800 Investment and finance</option>');
  });

  it('"新增資源欄位" re-renders the form with one more resource block and the entered values, without saving', async () => {
    const before = await services.db.kysely.selectFrom('datasets').select('id').execute();
    const res = await post('/manage/datasets/new', contact, newForm({ action: 'addResource', title: '尚未儲存' }));
    expect(res.statusCode).toBe(200);
    expect(controlValue(res.body, 'f-title')).toBe('尚未儲存');
    expect(controlValue(res.body, 'f-resources-0-downloadUrl')).toBe('https://example.gov.tw/fies.csv');
    expect(controlValue(res.body, 'f-resources-1-downloadUrl')).toBe('');
    expect(res.body).toContain('name="resourceCount" value="2"');
    expect(await services.db.kysely.selectFrom('datasets').select('id').execute()).toHaveLength(before.length);
  });

  it('refuses invalid values with status 400: a summary linking to each field, the message at the field, the values kept', async () => {
    const res = await post('/manage/datasets/new', contact, newForm({ title: '', updateFrequency: '每個月', temporalFrom: '113/01/01', 'r0.format': '', numberOfData: '十筆', fieldDescription: 'year(年度)' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('class="error-summary" role="alert"');
    for (const id of ['f-title', 'f-updateFrequency', 'f-temporalFrom', 'f-resources-0-format', 'f-numberOfData']) {
      expect(res.body, id).toContain(`href="#${id}"`);
      expect(res.body, id).toMatch(new RegExp(`id="${id}"[^>]*aria-describedby="[^"]*${id}-error"[^>]*aria-invalid="true"|aria-describedby="[^"]*${id}-error"[^>]*aria-invalid="true"[^>]*id="${id}"|id="${id}"[^>]*aria-invalid="true"`));
      expect(res.body, id).toContain(`id="${id}-error"`);
    }
    const t = text(res.body);
    expect(t).toContain('資料集名稱為必填');
    expect(t).toContain('更新頻率「每個月」須為');
    expect(t).toContain('日期「113/01/01」須為 YYYY-MM-DD');
    expect(t).toContain('第1個資料資源缺少檔案格式');
    expect(controlValue(res.body, 'f-updateFrequency')).toBe('每個月');
    expect(controlValue(res.body, 'f-description')).toBe('家庭收支調查之統計結果。');
    expect(controlValue(res.body, 'f-numberOfData')).toBe('十筆');
    expect(controlValue(res.body, 'f-resources-0-downloadUrl')).toBe('https://example.gov.tw/fies.csv');
    expect(res.body).toContain('<option value="800" selected>');
    const en = await post('/manage/datasets/new?lang=en', contact, newForm({ title: '' }));
    expect(en.statusCode).toBe(400);
    expect(text(en.body)).toContain('Title is required');
    // A unit that does not exist is a field error; a real unit the contact may not create in
    // (the select never offers it: a forged post) is the policy's 403. Neither saves a draft.
    const unknown = await post('/manage/datasets/new', contact, newForm({ unit: 'no-such-unit' }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('href="#f-unit"');
    const forged = await post('/manage/datasets/new', contact, newForm({ unit: 'accounting' }));
    expect(forged.statusCode).toBe(403);
    expect(text(forged.body)).toContain('您沒有權限新增資料集（單位 accounting）');
    // A URL name already taken comes back from the service as a field error.
    await services.catalogue.save(datasetInput({ name: 'taken-name' }), { state: 'published' });
    const taken = await post('/manage/datasets/new', contact, newForm({ name: 'taken-name' }));
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('href="#f-name"');
    expect(controlValue(taken.body, 'f-name')).toBe('taken-name');
  });

  it('the whole review story: create, submit, reviewer sees the task and the diff, returns with a comment, contact fixes and resubmits, approval publishes', async () => {
    // Create via the form → draft, redirect to its status page.
    const created = await post('/manage/datasets/new', contact, newForm({ name: 'fies-household' }));
    expect(created.statusCode).toBe(303);
    expect(location(created)).toBe('/manage/datasets/fies-household?done=created');
    expect((await get('/datasets/fies-household')).statusCode).toBe(404);
    let page = await get('/manage/datasets/fies-household?done=created', contact);
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('已建立資料集草稿');
    expect(text(page.body)).toContain('草稿');
    expect(page.body).toContain('action="/manage/datasets/fies-household/submit"');
    expect(page.body).not.toContain('/approve"');
    // The dashboard lists it in its state.
    const dash = await get('/manage', contact);
    expect(text(dash.body)).toContain('家庭收支調查表');
    expect(dash.body).toContain('href="/manage/datasets/fies-household"');

    // Submit with a comment.
    const submitted = await post('/manage/datasets/fies-household/submit', contact, { comment: '請審查' });
    expect(submitted.statusCode).toBe(303);
    expect(location(submitted)).toBe('/manage/datasets/fies-household?done=submitted');
    page = await get('/manage/datasets/fies-household', contact);
    expect(text(page.body)).toContain('待審查');
    expect(page.body).not.toContain('/edit"');

    // The reviewer sees the task on the dashboard and the whole submission as a table.
    const rdash = await get('/manage', reviewer);
    expect(text(rdash.body)).toContain('待您審查');
    expect(text(rdash.body)).toContain('家庭收支調查表');
    page = await get('/manage/datasets/fies-household', reviewer);
    expect(page.statusCode).toBe(200);
    const t = text(page.body);
    expect(t).toContain('王聯絡');
    expect(t).toContain('請審查');
    expect(t).toContain('更新頻率 每1年');
    expect(t).toContain('服務分類 800 投資理財');
    expect(page.body).toContain('action="/manage/datasets/fies-household/approve"');
    expect(page.body).toContain('action="/manage/datasets/fies-household/return"');

    // Returning needs a comment: an empty one re-renders with the error.
    const empty = await post('/manage/datasets/fies-household/return', reviewer, { comment: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('id="comment-return-error"');
    expect(empty.body).toContain('href="#comment-return"');
    expect(text(empty.body)).toContain('退回時必須說明需要修改之處');
    const returned = await post('/manage/datasets/fies-household/return', reviewer, { comment: '請補上英文名稱' });
    expect(location(returned)).toBe('/manage/datasets/fies-household?done=returned');

    // The contact sees the returned work and the comment, fixes it and resubmits.
    const cdash = await get('/manage', contact);
    expect(text(cdash.body)).toContain('退回待修改');
    expect(text(cdash.body)).toContain('請補上英文名稱');
    const edit = await get('/manage/datasets/fies-household/edit', contact);
    expect(edit.statusCode).toBe(200);
    expect(controlValue(edit.body, 'f-title')).toBe('家庭收支調查表');
    expect(controlValue(edit.body, 'f-fieldDescription')).toBe('year(年度，西元年)、income(所得)');
    expect(edit.body).toContain('name="r0.resourceId" value="A41000000G-');
    const form: Record<string, string> = newForm({ titleEn: 'Survey of Family Income and Expenditure', 'r0.resourceId': /name="r0.resourceId" value="([^"]+)"/.exec(edit.body)?.[1] ?? '' });
    const saved = await post('/manage/datasets/fies-household/edit', contact, form);
    expect(saved.statusCode).toBe(303);
    expect(location(saved)).toBe('/manage/datasets/fies-household?done=saved');
    expect(location(await post('/manage/datasets/fies-household/submit', contact, {}))).toContain('done=submitted');

    // The reviewer approves; the public page shows it.
    const approved = await post('/manage/datasets/fies-household/approve', reviewer, { comment: '' });
    expect(location(approved)).toBe('/manage/datasets/fies-household?done=approved');
    const pub = await get('/datasets/fies-household');
    expect(pub.statusCode).toBe(200);
    expect(text(pub.body)).toContain('家庭收支調查表');
    page = await get('/manage/datasets/fies-household', contact);
    expect(text(page.body)).toContain('已公開');
    expect(page.body).toContain('href="/datasets/fies-household"');
  });

  it('a published dataset is edited through a working copy: the public page keeps the old title until approval, the diff shows before and after', async () => {
    const s = await services.review.createDraft(await userOf('contact@stat.example'), datasetInput({ name: 'cpi-monthly', title: '消費者物價指數' }));
    const contactUser = (await userOf('contact@stat.example'));
    const reviewerUser = (await userOf('reviewer@stat.example'));
    await services.review.submit(contactUser, s.id);
    await services.review.approve(reviewerUser, s.id);

    const edit = await get('/manage/datasets/cpi-monthly/edit', contact);
    expect(edit.statusCode).toBe(200);
    expect(text(edit.body)).toContain('您的修改會存成工作副本');
    const body: Record<string, string> = {};
    for (const m of edit.body.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>/g)) body[decode(m[1])] = decode(m[2]);
    for (const m of edit.body.matchAll(/<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"[^>]*>/g)) body[decode(m[2])] ??= decode(m[1]);
    for (const m of edit.body.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) body[decode(m[1])] = decode(m[2]);
    for (const m of edit.body.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) body[decode(m[1])] = decode(/<option value="([^"]*)" selected/.exec(m[2])?.[1] ?? '');
    delete body._csrf;
    body.title = '消費者物價指數（修正）';
    body.action = 'save';
    const saved = await post('/manage/datasets/cpi-monthly/edit', contact, body);
    expect(saved.statusCode).toBe(303);
    expect(text((await get('/datasets/cpi-monthly')).body)).toContain('消費者物價指數');
    expect(text((await get('/datasets/cpi-monthly')).body)).not.toContain('（修正）');
    let status = await get('/manage/datasets/cpi-monthly', contact);
    expect(text(status.body)).toContain('修改中：草稿');
    expect(location(await post('/manage/datasets/cpi-monthly/submit', contact, {}))).toContain('done=submitted');

    status = await get('/manage/datasets/cpi-monthly', reviewer);
    const diffTable = /<table class="data diff">[\s\S]*?<\/table>/.exec(status.body)?.[0] ?? '';
    expect(text(diffTable)).toContain('資料集名稱 消費者物價指數 消費者物價指數（修正）');
    // Only what changed is listed: the structured fields (with their types) were kept.
    expect(text(diffTable)).not.toContain('主要欄位說明');
    expect(text(diffTable)).not.toContain('更新頻率');
    expect(location(await post('/manage/datasets/cpi-monthly/approve', reviewer, {}))).toContain('done=approved');
    expect(text((await get('/datasets/cpi-monthly')).body)).toContain('消費者物價指數（修正）');
    const stored = await services.catalogue.get('cpi-monthly');
    expect(stored.fields.find((f) => f.name === 'value')?.type).toBe('decimal');
  });

  it('removes a resource when its 刪除此資料資源 box is ticked; a block left empty is ignored', async () => {
    const contactUser = await userOf('contact@stat.example');
    const two = datasetInput({ name: 'two-resources', resources: [
      { description: '第一個', format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/1.csv' },
      { description: '第二個', format: 'JSON', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/2.json' },
    ] });
    await services.review.createDraft(contactUser, two);
    const edit = await get('/manage/datasets/two-resources/edit', contact);
    const ids = [...edit.body.matchAll(/name="r(\d)\.resourceId" value="([^"]*)"/g)].map((m) => m[2]);
    expect(ids).toHaveLength(2);
    expect(edit.body).toContain('<label for="f-resources-1-remove">刪除此資料資源</label>');
    const form = newForm({
      title: '兩個資源', resourceCount: '3',
      'r0.resourceId': ids[0], 'r0.description': '第一個', 'r0.format': 'CSV', 'r0.downloadUrl': 'https://example.gov.tw/1.csv',
      'r1.resourceId': ids[1], 'r1.description': '第二個', 'r1.format': 'JSON', 'r1.encoding': 'UTF-8', 'r1.downloadUrl': 'https://example.gov.tw/2.json', 'r1.remove': 'on',
      'r2.resourceId': '', 'r2.encoding': 'UTF-8',
    });
    expect((await post('/manage/datasets/two-resources/edit', contact, form)).statusCode).toBe(303);
    const stored = await services.catalogue.get('two-resources', { includeNonPublic: true });
    expect(stored.resources.map((r) => r.description)).toEqual(['第一個']);
    expect(stored.title).toBe('兩個資源');
  });

  it('refuses self-approval on the page: no approve button for the submitter, and a posted approval is a 403 page', async () => {
    const bothUser = (await userOf('both@stat.example'));
    const s = await services.review.createDraft(bothUser, datasetInput({ name: 'self-approve' }));
    await services.review.submit(bothUser, s.id);
    const page = await get('/manage/datasets/self-approve', both);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('/approve"');
    expect(text(page.body)).toContain('這是您送出的案件');
    const res = await post('/manage/datasets/self-approve/approve', both, {});
    expect(res.statusCode).toBe(403);
    expect(text(res.body)).toContain('不能審核自己送出的案件');
    expect((await services.catalogue.get('self-approve', { includeNonPublic: true })).state).toBe('submitted');
  });

  it('hides non-public work of other units (404), refuses what a role may not do (403), and needs the CSRF token', async () => {
    const contactUser = (await userOf('contact@stat.example'));
    await services.review.createDraft(contactUser, datasetInput({ name: 'stat-draft' }));
    expect((await get('/manage/datasets/stat-draft', other)).statusCode).toBe(404);
    expect((await get('/manage/datasets/stat-draft/edit', other)).statusCode).toBe(404);
    expect((await post('/manage/datasets/stat-draft/submit', other, {})).statusCode).toBe(404);
    expect(text((await get('/manage', other)).body)).not.toContain('stat-draft');
    // A published dataset of another unit: visible to the public, but not editable by this contact.
    expect((await get('/manage/datasets/cpi-monthly/edit', other)).statusCode).toBe(403);
    // A reviewer cannot edit or submit; a contact cannot approve.
    expect((await get('/manage/datasets/stat-draft/edit', reviewer)).statusCode).toBe(403);
    expect((await post('/manage/datasets/stat-draft/submit', reviewer, {})).statusCode).toBe(403);
    expect((await get('/manage/datasets/new', reviewer)).statusCode).toBe(403);
    expect((await get('/manage', reviewer)).body).not.toContain('href="/manage/datasets/new"');
    // No CSRF token → 403, nothing changes.
    const noCsrf = await app.inject({ method: 'POST', url: '/manage/datasets/stat-draft/submit', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: contact.cookie }, payload: 'comment=x' });
    expect(noCsrf.statusCode).toBe(403);
    expect((await services.catalogue.get('stat-draft', { includeNonPublic: true })).state).toBe('draft');
    // The admin sees every unit's datasets and may create anywhere.
    const admin = await signIn(ADMIN.email, ADMIN.password);
    const adash = await get('/manage', admin);
    expect(text(adash.body)).toContain('家庭收支調查表');
    expect(adash.body).toContain('href="/manage/datasets/new"');
  });
});
