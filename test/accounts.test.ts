import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../src/services.ts';
import { engines, makeApp } from './helpers/env.ts';

const ADMIN = { email: 'admin@kaifang.local', password: 'admin-password-for-tests' };
const CONTACT = { email: 'contact@stat.example', password: 'contact-password-123' };

const decode = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const text = (html: string): string => decode(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** The Set-Cookie header of the session cookie (whatever its name), if any. */
function sessionSetCookie(res: LightMyRequestResponse): string | undefined {
  const raw = res.headers['set-cookie'];
  const all = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return all.find((c) => /^(__Host-)?kf_session=/.test(c));
}
const cookieValue = (setCookie: string | undefined): string => (setCookie ?? '').split(';', 1)[0];
const csrfOf = (html: string): string => {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf field on the page');
  return decode(m[1]);
};

describe.each(engines)('accounts on %s', (engine) => {
  let app: FastifyInstance;
  let services: Services;
  let cleanup: () => Promise<void>;

  const signIn = (email: string, password: string, extra: { cookie?: string; csrf?: string; next?: string; lang?: string; headers?: Record<string, string> } = {}) =>
    app.inject({
      method: 'POST',
      url: `/signin${extra.lang ? `?lang=${extra.lang}` : ''}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(extra.cookie ? { cookie: extra.cookie } : {}), ...extra.headers },
      payload: form({ email, password, ...(extra.next !== undefined ? { next: extra.next } : {}), ...(extra.csrf ? { _csrf: extra.csrf } : {}) }),
    });
  /** Signs in and returns the cookie and the CSRF token from a page. */
  const session = async (email: string, password: string): Promise<{ cookie: string; csrf: string }> => {
    const res = await signIn(email, password);
    expect(res.statusCode).toBe(303);
    const cookie = cookieValue(sessionSetCookie(res));
    const page = await app.inject({ method: 'GET', url: '/account', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    return { cookie, csrf: csrfOf(page.body) };
  };
  const me = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/api/v1/me', headers });
  const post = (url: string, headers: Record<string, string>, fields: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: form(fields) });

  beforeAll(async () => {
    const t = await makeApp(engine, { KAIFANG_LOCKOUT_SECONDS: '1' });
    app = t.app;
    services = t.services;
    cleanup = t.cleanup;
    await services.users.create({ email: CONTACT.email, name: '王聯絡', password: CONTACT.password, unit: 'statistics', role: 'contact' });
  });
  afterAll(async () => cleanup());

  it('shows a sign-in form with labelled fields, in zh-TW and in English, without JavaScript', async () => {
    const zh = await app.inject({ method: 'GET', url: '/signin?next=/datasets' });
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('<label for="email">電子郵件</label>');
    expect(zh.body).toContain('<label for="password">密碼</label>');
    expect(zh.body).toContain('name="next" value="/datasets"');
    expect(zh.body).not.toContain('<script');
    const en = await app.inject({ method: 'GET', url: '/signin?lang=en' });
    expect(en.body).toContain('<label for="email">E-mail</label>');
    expect(en.body).toContain('action="/signin?lang=en"');
    // The header offers 登入 to the public.
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.body).toContain('href="/signin?next=%2F"');
  });

  it('signs in: a new session cookie with the right flags, stored only as a hash, and back to where the user was going', async () => {
    const res = await signIn(CONTACT.email, CONTACT.password, { next: '/datasets?q=物價' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/datasets?q=%E7%89%A9%E5%83%B9');
    const setCookie = sessionSetCookie(res);
    expect(setCookie).toMatch(/^kf_session=[\w-]{40,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure'); // http base URL in tests
    const token = cookieValue(setCookie).split('=')[1];
    const rows = await services.db.kysely.selectFrom('sessions').selectAll().execute();
    expect(rows.some((r) => r.id === createHash('sha256').update(token).digest('hex'))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);

    // request.user comes from the cookie too; the header says who is signed in.
    const who = await me({ cookie: cookieValue(setCookie) });
    expect(who.statusCode).toBe(200);
    expect(who.json<{ email: string }>().email).toBe(CONTACT.email);
    const home = await app.inject({ method: 'GET', url: '/', headers: { cookie: cookieValue(setCookie) } });
    expect(text(home.body)).toContain('已登入 王聯絡');
    expect(text(home.body)).toContain('登出');
  });

  it('renews the session id at sign-in: the cookie held before is never reused and stops working', async () => {
    const { cookie: first, csrf } = await session(CONTACT.email, CONTACT.password);
    // Signing in again over a live session is a form post with that session: it needs the token.
    expect((await signIn(CONTACT.email, CONTACT.password, { cookie: first })).statusCode).toBe(403);
    const second = cookieValue(sessionSetCookie(await signIn(CONTACT.email, CONTACT.password, { cookie: first, csrf })));
    expect(second).not.toBe(first);
    expect((await me({ cookie: first })).statusCode).toBe(401);
    expect((await me({ cookie: second })).statusCode).toBe(200);
    // A made-up cookie is not adopted either.
    const planted = await signIn(CONTACT.email, CONTACT.password, { cookie: 'kf_session=attacker-chosen-value' });
    expect(cookieValue(sessionSetCookie(planted))).not.toContain('attacker-chosen-value');
  });

  it('redirects only to paths on this site', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await signIn(CONTACT.email, CONTACT.password, { next });
      expect(res.headers.location).toBe('/');
    }
  });

  it('refuses a sign-in form posted from another site', async () => {
    const res = await signIn(CONTACT.email, CONTACT.password, { headers: { origin: 'https://evil.example' } });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('CSRF_INVALID');
    expect(sessionSetCookie(res)).toBeUndefined();
  });

  it('wrong password and unknown e-mail get the same answer, in the chosen language; empty fields are named', async () => {
    const wrong = await signIn(CONTACT.email, 'not-the-password');
    const unknown = await signIn('nobody@stat.example', 'not-the-password');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(sessionSetCookie(res)).toBeUndefined();
      expect(text(res.body)).toContain('電子郵件或密碼錯誤');
      expect(res.body).toContain('role="alert"');
    }
    const en = await signIn(CONTACT.email, 'not-the-password', { lang: 'en' });
    expect(text(en.body)).toContain('Wrong e-mail or password');
    const empty = await signIn('', '');
    expect(empty.statusCode).toBe(400);
    expect(text(empty.body)).toContain('請輸入電子郵件');
    expect(text(empty.body)).toContain('請輸入密碼');
    expect(empty.body).toContain('aria-describedby="email-error"');
    // The successful sign-in above cleared the earlier counter: two failures are not a lock.
    expect((await signIn(CONTACT.email, CONTACT.password)).statusCode).toBe(303);
  });

  it('locks an address after 5 failures in a row, even for the right password, records it, and unlocks after the period', async () => {
    const email = 'locked@stat.example';
    await services.users.create({ email, name: '鎖定測試', password: 'locked-password-123', unit: 'statistics', role: 'contact' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signIn(email, `wrong-${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const locked = await signIn(email, 'locked-password-123');
    expect(locked.statusCode).toBe(429);
    expect(text(locked.body)).toContain('登入失敗次數過多');
    expect(sessionSetCookie(locked)).toBeUndefined();

    // An address without an account locks the same way: the lock does not reveal which exist.
    const ghost: number[] = [];
    for (let i = 0; i < 6; i++) ghost.push((await signIn('ghost@stat.example', `wrong-${i}`)).statusCode);
    expect(ghost).toEqual([401, 401, 401, 401, 429, 429]);
    expect(text((await signIn('ghost@stat.example', 'x')).body)).toBe(text((await signIn(email, 'x')).body).replace(email, 'ghost@stat.example'));

    await new Promise((r) => setTimeout(r, 1100));
    expect((await signIn(email, 'locked-password-123')).statusCode).toBe(303);
    const kinds = (await services.accounts.recentEvents(email, 50)).map((e) => e.kind).reverse();
    expect(kinds.filter((k) => k === 'failure')).toHaveLength(5);
    expect(kinds).toContain('lock');
    expect(kinds).toContain('locked');
    expect(kinds.slice(-2)).toEqual(['unlock', 'success']);
    // Each event is in the audit trail too.
    const audited = await services.db.kysely.selectFrom('audit_log').select('action').where('entity_id', '=', email).execute();
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining(['account.failure', 'account.lock', 'account.locked', 'account.unlock', 'account.success']));
  });

  it('CSRF: a form post with the session and no or a wrong token gets 403 CSRF_INVALID; with the token it works', async () => {
    const { cookie, csrf } = await session(CONTACT.email, CONTACT.password);
    const none = await post('/account/signout-all', { cookie });
    expect(none.statusCode).toBe(403);
    expect(none.headers['content-type']).toContain('text/html');
    expect(none.body).toContain('CSRF_INVALID');
    const wrong = await post('/account/signout-all', { cookie }, { _csrf: `${csrf}x` });
    expect(wrong.statusCode).toBe(403);
    expect((await me({ cookie })).statusCode).toBe(200); // nothing happened
    // The API answers JSON; the token may come as the X-CSRF-Token header.
    const api = await app.inject({ method: 'POST', url: '/api/3/action/status_show', headers: { cookie, 'content-type': 'application/json' }, payload: '{}' });
    expect(api.statusCode).toBe(403);
    // CKAN's envelope (its own error shape) with the reason.
    const envelope = api.json<{ success: boolean; error: { __type: string; message: string } }>();
    expect(envelope.success).toBe(false);
    expect(envelope.error.__type).toBe('Authorization Error');
    expect(envelope.error.message).toContain('_csrf');
    const apiOk = await app.inject({ method: 'POST', url: '/api/3/action/status_show', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: '{}' });
    expect(apiOk.statusCode).toBe(200);
    const ok = await post('/signout', { cookie }, { _csrf: csrf });
    expect(ok.statusCode).toBe(303);
    expect(sessionSetCookie(ok)).toMatch(/Max-Age=0/);
    expect((await me({ cookie })).statusCode).toBe(401);
  });

  it('API-token requests need no CSRF token', async () => {
    const { token } = await services.users.createToken(CONTACT.email);
    const res = await app.inject({ method: 'POST', url: '/api/3/action/status_show', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{}' });
    expect(res.statusCode).toBe(200);
  });

  it('signs out everywhere: every session of the user ends, from the account page and from the service', async () => {
    const a = await session(CONTACT.email, CONTACT.password);
    const b = await session(CONTACT.email, CONTACT.password);
    const res = await post('/account/signout-all', { cookie: a.cookie }, { _csrf: a.csrf });
    expect(res.statusCode).toBe(303);
    expect((await me({ cookie: a.cookie })).statusCode).toBe(401);
    expect((await me({ cookie: b.cookie })).statusCode).toBe(401);
    const c = await session(CONTACT.email, CONTACT.password);
    const user = await services.users.findByEmail(CONTACT.email);
    expect(await services.accounts.signOutEverywhere(user?.id ?? '')).toBeGreaterThanOrEqual(1);
    expect((await me({ cookie: c.cookie })).statusCode).toBe(401);
  });

  it('ends sessions idle too long or past their absolute expiry', async () => {
    const idle = await session(CONTACT.email, CONTACT.password);
    const old = await session(CONTACT.email, CONTACT.password);
    const hashOf = (cookie: string) => createHash('sha256').update(cookie.split('=')[1]).digest('hex');
    const k = services.db.kysely;
    await k.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 9 * 3600_000).toISOString() }).where('id', '=', hashOf(idle.cookie)).execute();
    await k.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', hashOf(old.cookie)).execute();
    const stale = await session(CONTACT.email, CONTACT.password);
    await k.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', hashOf(stale.cookie)).execute();
    expect((await me({ cookie: idle.cookie })).statusCode).toBe(401);
    expect((await me({ cookie: old.cookie })).statusCode).toBe(401);
    // A dead session never presented again is swept at the user's next sign-in.
    await signIn(CONTACT.email, CONTACT.password);
    expect(await k.selectFrom('sessions').select('id').where('id', '=', hashOf(stale.cookie)).executeTakeFirst()).toBeUndefined();
  });

  it('a disabled user cannot sign in, their session ends and their API token stops working; enabling restores sign-in', async () => {
    const email = 'leaver@stat.example';
    await services.users.create({ email, name: '離職者', password: 'leaver-password-12', unit: 'statistics', role: 'reviewer' });
    const { token } = await services.users.createToken(email);
    const s = await session(email, 'leaver-password-12');
    expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
    await services.users.disable(email);
    expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
    expect((await me({ cookie: s.cookie })).statusCode).toBe(401);
    const res = await signIn(email, 'leaver-password-12');
    expect(res.statusCode).toBe(401);
    expect(text(res.body)).toContain('電子郵件或密碼錯誤');
    await services.users.enable(email);
    expect((await signIn(email, 'leaver-password-12')).statusCode).toBe(303);
  });

  it('/account needs sign-in; /admin/users needs users.manage and its forms carry the CSRF token', async () => {
    const anon = await app.inject({ method: 'GET', url: '/admin/users' });
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/signin?next=%2Fadmin%2Fusers');
    const contact = await session(CONTACT.email, CONTACT.password);
    const refused = await app.inject({ method: 'GET', url: '/admin/users', headers: { cookie: contact.cookie } });
    expect(refused.statusCode).toBe(403);
    const refusedPost = await post('/admin/users/disable', { cookie: contact.cookie }, { _csrf: contact.csrf, email: ADMIN.email });
    expect(refusedPost.statusCode).toBe(403);

    const admin = await session(ADMIN.email, ADMIN.password);
    const page = await app.inject({ method: 'GET', url: '/admin/users', headers: { cookie: admin.cookie } });
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain(CONTACT.email);
    expect(page.body).toContain(`name="_csrf" value="${admin.csrf}"`);
    const add = await post('/admin/users/roles', { cookie: admin.cookie }, { _csrf: admin.csrf, email: CONTACT.email, unit: 'census', role: 'reviewer' });
    expect(add.statusCode).toBe(303);
    expect((await services.users.findByEmail(CONTACT.email))?.roles).toContainEqual({ unit: 'census', role: 'reviewer' });
    const noToken = await post('/admin/users/roles/remove', { cookie: admin.cookie }, { email: CONTACT.email, unit: 'census', role: 'reviewer' });
    expect(noToken.statusCode).toBe(403);
    const remove = await post('/admin/users/roles/remove', { cookie: admin.cookie }, { _csrf: admin.csrf, email: CONTACT.email, unit: 'census', role: 'reviewer' });
    expect(remove.statusCode).toBe(303);
    expect((await services.users.findByEmail(CONTACT.email))?.roles).toEqual([{ unit: 'statistics', role: 'contact' }]);
    const disable = await post('/admin/users/disable', { cookie: admin.cookie }, { _csrf: admin.csrf, email: CONTACT.email });
    expect(disable.statusCode).toBe(303);
    expect((await me({ cookie: contact.cookie })).statusCode).toBe(401);
    const self = await post('/admin/users/disable', { cookie: admin.cookie }, { _csrf: admin.csrf, email: ADMIN.email });
    expect(self.statusCode).toBe(400);
    await post('/admin/users/enable', { cookie: admin.cookie }, { _csrf: admin.csrf, email: CONTACT.email });
    expect((await services.users.list()).find((u) => u.email === CONTACT.email)?.disabledAt).toBeNull();
    const contactId = (await services.users.findByEmail(CONTACT.email))?.id ?? '';
    const audited = await services.db.kysely.selectFrom('audit_log').select(['action', 'actor_label']).where('entity_id', '=', contactId).where('action', 'in', ['user.role_add', 'user.role_remove', 'user.disable', 'user.enable']).execute();
    expect(audited.map((a) => a.action).sort()).toEqual(['user.disable', 'user.enable', 'user.role_add', 'user.role_remove']);
    expect(new Set(audited.map((a) => a.actor_label))).toEqual(new Set([ADMIN.email]));
  });

  it('a changed password ends every session', async () => {
    const s = await session(CONTACT.email, CONTACT.password);
    await services.users.setPassword(CONTACT.email, 'another-password-456');
    expect((await me({ cookie: s.cookie })).statusCode).toBe(401);
    expect((await signIn(CONTACT.email, CONTACT.password)).statusCode).toBe(401);
    expect((await signIn(CONTACT.email, 'another-password-456')).statusCode).toBe(303);
    await services.users.setPassword(CONTACT.email, CONTACT.password);
  });
});

describe.each(engines)('session cookie on an https site (%s)', (engine) => {
  it('is Secure with the __Host- prefix', async () => {
    const t = await makeApp(engine, { KAIFANG_BASE_URL: 'https://data.example.gov.tw' });
    try {
      const res = await t.app.inject({ method: 'POST', url: '/signin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(ADMIN) });
      const setCookie = sessionSetCookie(res);
      expect(setCookie).toMatch(/^__Host-kf_session=/);
      expect(setCookie).toContain('; Secure');
      expect(setCookie).toContain('HttpOnly');
    } finally {
      await t.cleanup();
    }
  });
});
