import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MailSender } from '../src/modules/notifications/mail.sender.ts';
import type { Services } from '../src/services.ts';
import { engines, makeApp } from './helpers/env.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';
import { decode } from './helpers/markup.ts';
import { csrfOf, pageText, sessionCookieOf, signInSession } from './helpers/pages.ts';

const ADMIN = { email: 'admin@kaifang.local', password: 'admin-password-for-tests' };
const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const text = pageText;

/** Admins create accounts in the back office; the new user sets a password through a mailed one-time link. */
describe.each(engines)('account invitations on %s', (engine) => {
  let smtp: TestSmtp;
  let app: FastifyInstance;
  let services: Services;
  let cleanup: () => Promise<void>;
  let admin: { cookie: string; csrf: string };

  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: form(fields) });
  const signIn = (email: string, password: string) => signInSession(app, email, password);
  const create = (fields: Record<string, string>, who = admin, lang = '') =>
    post(`/admin/users/create${lang}`, { ...fields, _csrf: who.csrf }, { cookie: who.cookie });
  const mailTo = async (address: string) => {
    await new MailSender(services.db, services.config.mail).sendPending();
    return smtp.received.filter((m) => m.to.includes(address));
  };
  const linkIn = (body: string): string => {
    const m = /(http:\/\/portal\.test\/account\/password\?token=[\w-]+)/.exec(body);
    if (!m) throw new Error(`no password link in ${body}`);
    return m[1].replace('http://portal.test', '');
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    const t = await makeApp(engine, { SMTP_URL: smtp.url, KAIFANG_MAIL_FROM: 'Kaifang <open@portal.test>' });
    app = t.app;
    services = t.services;
    cleanup = t.cleanup;
    admin = await signIn(ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await cleanup();
    await smtp.close();
  });
  beforeEach(() => {
    smtp.received.length = 0;
  });

  it('an admin creates a contact; the invitation arrives by mail; the link sets the password once and signs in', async () => {
    const res = await create({ email: 'Wang.New@Stat.Example', name: '王新人', unit: 'statistics', role: 'contact' });
    expect(res.statusCode).toBe(200);
    expect(text(res.body)).toContain('已建立帳號 wang.new@stat.example');
    // A mail server is configured: the link goes only to its owner, never onto the admin's page.
    expect(res.body).not.toContain('/account/password?token=');
    const user = await services.users.findByEmail('wang.new@stat.example');
    expect(user?.roles).toEqual([{ unit: 'statistics', role: 'contact' }]);
    expect(await services.users.checkPassword('wang.new@stat.example', '')).toBeUndefined();

    const mails = await mailTo('wang.new@stat.example');
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('開放資料平臺帳號已建立，請設定密碼');
    expect(mails[0].text).toContain('王新人 您好');
    const link = linkIn(mails[0].text);

    const page = await app.inject({ method: 'GET', url: link });
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(text(page.body)).toContain('王新人（wang.new@stat.example），請設定您的後台密碼。');
    const token = new URL(link, 'http://x').searchParams.get('token') ?? '';

    const short = await post('/account/password', { token, password: 'short', confirm: 'short' });
    expect(short.statusCode).toBe(400);
    expect(text(short.body)).toContain('密碼至少 12 個字元');
    expect(short.body).toContain('aria-invalid="true"');
    const differ = await post('/account/password?lang=en', { token, password: 'a-long-enough-password', confirm: 'a-long-enough-passw0rd' });
    expect(differ.statusCode).toBe(400);
    expect(text(differ.body)).toContain('the two passwords differ');

    const ok = await post('/account/password', { token, password: 'wang-new-password-1', confirm: 'wang-new-password-1' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/account');
    const cookie = sessionCookieOf(ok);
    const account = await app.inject({ method: 'GET', url: '/account', headers: { cookie } });
    expect(account.statusCode).toBe(200);
    expect(text(account.body)).toContain('王新人');
    expect(await services.users.checkPassword('wang.new@stat.example', 'wang-new-password-1')).toBeDefined();

    // Spent: the same link cannot set a password again.
    const reused = await app.inject({ method: 'GET', url: link });
    expect(reused.statusCode).toBe(410);
    expect(text(reused.body)).toContain('此設定密碼連結無效、已使用過或已過期');
    expect((await post('/account/password', { token, password: 'another-password-9', confirm: 'another-password-9' })).statusCode).toBe(410);

    const trail = await services.db.kysely.selectFrom('audit_log').select(['action', 'actor_id']).where('entity_id', '=', user?.id ?? '').orderBy('seq').execute();
    expect(trail.map((e) => e.action)).toEqual(['user.create', 'user.password']);
    expect(trail[1].actor_id).toBe(user?.id);
  });

  it('refuses a bad or duplicate account with the fields marked and the entered values kept', async () => {
    const bad = await create({ email: 'not-an-address', name: '  ', unit: 'statistics', role: 'contact' });
    expect(bad.statusCode).toBe(400);
    const body = text(bad.body);
    expect(body).toContain('無法建立帳號，請修正以下欄位');
    expect(body).toContain('電子郵件「not-an-address」格式錯誤');
    expect(body).toContain('姓名為必填');
    expect(bad.body).toContain('value="not-an-address"');
    expect(bad.body).toMatch(/id="new-email"[^>]*aria-invalid="true"/);

    const en = await create({ email: 'x@stat.example', name: 'X', unit: 'no-such-unit', role: 'contact' }, admin, '?lang=en');
    expect(en.statusCode).toBe(404);
    expect(text(en.body)).toContain('Unit: unit "no-such-unit" not found');

    await create({ email: 'dup@stat.example', name: '重複', unit: 'statistics', role: 'reviewer' });
    const dup = await create({ email: 'dup@stat.example', name: '重複', unit: 'statistics', role: 'reviewer' });
    expect(dup.statusCode).toBe(409);
    expect(text(dup.body)).toContain('帳號 dup@stat.example 已存在');
    expect((await services.users.list()).filter((u) => u.email === 'dup@stat.example')).toHaveLength(1);
  });

  it('a new link ends the earlier one; expired links are refused; non-admins cannot create accounts or send links', async () => {
    await create({ email: 'lee@stat.example', name: '李', unit: 'statistics', role: 'reviewer' });
    const first = linkIn((await mailTo('lee@stat.example'))[0].text);
    smtp.received.length = 0;
    const resend = await post('/admin/users/password-link', { email: 'lee@stat.example', _csrf: admin.csrf }, { cookie: admin.cookie });
    expect(resend.statusCode).toBe(200);
    expect(text(resend.body)).toContain('已將設定密碼的連結寄給 lee@stat.example');
    const second = linkIn((await mailTo('lee@stat.example'))[0].text);
    expect((await app.inject({ method: 'GET', url: first })).statusCode).toBe(410);
    expect((await app.inject({ method: 'GET', url: second })).statusCode).toBe(200);

    await services.db.kysely.updateTable('password_tokens').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('used_at', 'is', null).execute();
    expect((await app.inject({ method: 'GET', url: second })).statusCode).toBe(410);

    await services.users.create({ email: 'plain@stat.example', name: '一般', password: 'plain-password-12', unit: 'statistics', role: 'contact' });
    const plain = await signIn('plain@stat.example', 'plain-password-12');
    expect((await create({ email: 'sneaky@stat.example', name: 'S', unit: 'statistics', role: 'admin' }, plain)).statusCode).toBe(403);
    expect((await post('/admin/users/password-link', { email: 'lee@stat.example', _csrf: plain.csrf }, { cookie: plain.cookie })).statusCode).toBe(403);
    expect(await services.users.findByEmail('sneaky@stat.example')).toBeUndefined();
    // Anonymous: sent to sign in; without the form's token: refused.
    expect((await post('/admin/users/create', { email: 'a@b.example', name: 'A', unit: 'statistics', role: 'contact' })).statusCode).toBe(303);
    expect((await post('/admin/users/create', { email: 'a@b.example', name: 'A', unit: 'statistics', role: 'contact' }, { cookie: admin.cookie })).statusCode).toBe(403);
    // The password form refuses a post from another site.
    expect((await post('/account/password', { token: 'x', password: 'p', confirm: 'p' }, { origin: 'https://evil.example' })).statusCode).toBe(403);
  });

  it('without a mail server the admin sees the one-time link to pass on', async () => {
    const t = await makeApp(engine);
    try {
      const res = await t.app.inject({ method: 'POST', url: '/signin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(ADMIN) });
      const cookie = sessionCookieOf(res);
      const csrf = csrfOf((await t.app.inject({ method: 'GET', url: '/admin/users', headers: { cookie } })).body);
      const created = await t.app.inject({
        method: 'POST',
        url: '/admin/users/create',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        payload: form({ email: 'nomail@stat.example', name: '無信', unit: 'statistics', role: 'contact', _csrf: csrf }),
      });
      expect(created.statusCode).toBe(200);
      expect(text(created.body)).toContain('本平臺尚未設定寄信伺服器');
      const link = linkIn(decode(created.body));
      expect((await t.app.inject({ method: 'GET', url: link })).statusCode).toBe(200);
    } finally {
      await t.cleanup();
    }
  });
});
