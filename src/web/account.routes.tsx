import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { assertSameOrigin, clearSessionCookie, readCookie, safeNext, sessionCookieName, setSessionCookie } from '../modules/accounts/accounts.http.ts';
import type { Actor } from '../modules/audit/audit.service.ts';
import { assertCan, can } from '../modules/policy/policy.ts';
import { ROLES, type User } from '../modules/users/users.service.ts';
import { buildHref, pageCtx } from './context.ts';
import { accountMessages } from './pages/account-messages.ts';
import { AccountPage, AdminUsersPage, PasswordPage, type CreateUserForm, type UsersNotice } from './pages/account.tsx';
import { SignInPage, type SignInForm } from './pages/signin.tsx';
import { sendPage } from './respond.ts';

const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) });
const SignInQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })), next: Type.Optional(Type.String({ maxLength: 2000 })) });
const Csrf = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
const SignInBody = Type.Object({
  email: Type.String({ maxLength: 320, default: '' }),
  password: Type.String({ maxLength: 1000, default: '' }),
  next: Type.Optional(Type.String({ maxLength: 2000 })),
  ...Csrf,
});
const EmailBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), ...Csrf });
const RoleBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), unit: Type.String({ minLength: 1, maxLength: 200 }), role: Type.String({ minLength: 1, maxLength: 50 }), ...Csrf });
const CsrfBody = Type.Object(Csrf);
const CreateUserBody = Type.Object({
  email: Type.String({ maxLength: 320, default: '' }),
  name: Type.String({ maxLength: 200, default: '' }),
  unit: Type.String({ maxLength: 200, default: '' }),
  role: Type.String({ maxLength: 50, default: '' }),
  ...Csrf,
});
const TokenQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })), token: Type.String({ maxLength: 200, default: '' }) });
const PasswordBody = Type.Object({
  token: Type.String({ maxLength: 200, default: '' }),
  password: Type.String({ maxLength: 1000, default: '' }),
  confirm: Type.String({ maxLength: 1000, default: '' }),
  username: Type.Optional(Type.String({ maxLength: 320 })),
  ...Csrf,
});

const emailRouteSchema = { schema: { hide: true, querystring: LangQuery, body: EmailBody } };
const clientMeta = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
const actorOf = (user: User): Actor => ({ id: user.id, label: user.email });

/** Pages that need a signed-in user send others to sign-in and back. */
export function signedIn(req: FastifyRequest, reply: FastifyReply): User | undefined {
  if (req.user) return req.user;
  const q = (req.query ?? {}) as Record<string, unknown>;
  void reply.redirect(buildHref('/signin', { next: req.url.split('?', 1)[0], lang: q.lang === 'en' ? 'en' : undefined }), 303);
  return undefined;
}

/**
 * Sign-in and sign-out, the account page and back-office user management. Registered inside the
 * web plugin so their errors render as pages; the CSRF check itself is the app-wide hook.
 */
export const accountWebRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, users, units, config } = app.services;

  const unitTitles = async (lang: string) => {
    const all = await units.list();
    const byName = new Map(all.map((u) => [u.name, lang === 'en' ? u.titleEn : u.title]));
    return { list: all.map((u) => ({ name: u.name, title: byName.get(u.name) ?? u.name })), title: (name: string) => byName.get(name) ?? name };
  };

  app.get('/signin', { schema: { hide: true, querystring: SignInQuery } }, async (req, reply) => {
    const form: SignInForm = { email: '', next: safeNext(req.query.next) };
    return sendPage(req, reply, 200, <SignInPage ctx={pageCtx(req, config)} form={form} />);
  });

  app.post('/signin', { schema: { hide: true, querystring: LangQuery, body: SignInBody } }, async (req, reply) => {
    assertSameOrigin(req, config);
    const ctx = pageCtx(req, config);
    const a = accountMessages(ctx.lang);
    const form: SignInForm = { email: req.body.email, next: safeNext(req.body.next) };
    if (!req.body.email.trim() || !req.body.password) {
      form.fields = { email: req.body.email.trim() ? undefined : a.emailRequired, password: req.body.password ? undefined : a.passwordRequired };
      return sendPage(req, reply, 400, <SignInPage ctx={ctx} form={form} />);
    }
    const previousToken = readCookie(req, sessionCookieName(config));
    const result = await accounts.signIn(req.body.email, req.body.password, { ...clientMeta(req), previousToken }).catch((err: unknown) => {
      // Wrong credentials and lock-out are answers for the form, not error pages.
      if (err instanceof AppError && (err.code === 'SIGNIN_FAILED' || err.code === 'SIGNIN_LOCKED')) return err;
      throw err;
    });
    if (result instanceof AppError) {
      form.error = ctx.lang === 'en' ? result.en : result.zh;
      if (result.status === 429) void reply.header('retry-after', String(config.lockoutSeconds));
      return sendPage(req, reply, result.status, <SignInPage ctx={ctx} form={form} />);
    }
    setSessionCookie(reply, config, result.token);
    return reply.redirect(form.next, 303);
  });

  app.post('/signout', { schema: { hide: true, querystring: LangQuery, body: Type.Optional(CsrfBody) } }, async (req, reply) => {
    const token = readCookie(req, sessionCookieName(config));
    if (token && req.session) await accounts.signOut(token, clientMeta(req));
    clearSessionCookie(reply, config);
    return reply.redirect(req.query.lang === 'en' ? '/?lang=en' : '/', 303);
  });

  app.get('/account', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    const [events, titles] = await Promise.all([accounts.recentEvents(user.email), unitTitles(pageCtx(req, config).lang)]);
    return sendPage(req, reply, 200, <AccountPage ctx={pageCtx(req, config)} user={user} events={events} unitTitle={titles.title} canManageUsers={can(user, 'users.manage')} />);
  });

  app.post('/account/signout-all', { schema: { hide: true, querystring: LangQuery, body: Type.Optional(CsrfBody) } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    await accounts.signOutEverywhere(user.id, clientMeta(req));
    clearSessionCookie(reply, config);
    return reply.redirect(buildHref('/signin', { lang: req.query.lang === 'en' ? 'en' : undefined }), 303);
  });

  const usersPage = async (req: FastifyRequest, reply: FastifyReply, status: number, extra: { createForm?: CreateUserForm; notice?: UsersNotice } = {}) => {
    const ctx = pageCtx(req, config);
    const [list, titles] = await Promise.all([users.list(), unitTitles(ctx.lang)]);
    return sendPage(req, reply, status, <AdminUsersPage ctx={ctx} users={list} units={titles.list} unitTitle={titles.title} roles={ROLES} {...extra} />);
  };

  app.get('/admin/users', { schema: { hide: true, querystring: LangQuery } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    assertCan(user, 'users.manage');
    return usersPage(req, reply, 200);
  });

  // The link is shown to the admin only when no mail server would deliver it.
  const linkForAdmin = (link: string) => (config.mail.smtp ? undefined : link);

  app.post('/admin/users/create', { schema: { hide: true, querystring: LangQuery, body: CreateUserBody } }, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    assertCan(user, 'users.manage');
    const a = accountMessages(pageCtx(req, config).lang);
    const values = { email: req.body.email, name: req.body.name, unit: req.body.unit, role: req.body.role };
    const result = await app.services.accounts.invite(user, values).catch((err: unknown) => {
      // A refused account is an answer for the form (values kept, fields marked), not an error page.
      if (err instanceof AppError && err.status < 500) return err;
      throw err;
    });
    if (result instanceof AppError) {
      const field = result.code === 'USER_EXISTS' ? 'email' : result.code === 'UNIT_NOT_FOUND' ? 'unit' : undefined;
      const errors = result.details ?? { [field ?? 'form']: [`${result.zh} / ${result.en}`] };
      return usersPage(req, reply, result.status, { createForm: { values, errors } });
    }
    return usersPage(req, reply, 200, { notice: { text: a.created(result.user.email), link: linkForAdmin(result.link) } });
  });

  app.post('/admin/users/password-link', emailRouteSchema, async (req, reply) => {
    const user = signedIn(req, reply);
    if (!user) return reply;
    assertCan(user, 'users.manage');
    const { link } = await app.services.accounts.sendPasswordLink(user, req.body.email);
    return usersPage(req, reply, 200, { notice: { text: accountMessages(pageCtx(req, config).lang).linkSent(req.body.email.trim().toLowerCase()), link: linkForAdmin(link) } });
  });

  // One-time links must not leak to other sites through the Referer header ('no-referrer' would also make
  // browsers send `Origin: null` with the form, which the same-origin check refuses).
  const noReferrer = (reply: FastifyReply) => void reply.header('referrer-policy', 'same-origin').header('cache-control', 'no-store');

  app.get('/account/password', { schema: { hide: true, querystring: TokenQuery } }, async (req, reply) => {
    noReferrer(reply);
    const owner = await app.services.accounts.passwordLinkOwner(req.query.token);
    return sendPage(req, reply, 200, <PasswordPage ctx={pageCtx(req, config)} token={req.query.token} owner={owner} />);
  });

  app.post('/account/password', { schema: { hide: true, querystring: LangQuery, body: PasswordBody } }, async (req, reply) => {
    assertSameOrigin(req, config);
    noReferrer(reply);
    const owner = await app.services.accounts.passwordLinkOwner(req.body.token);
    const result = await app.services.accounts.setPasswordWithLink(req.body.token, req.body.password, req.body.confirm, clientMeta(req)).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'VALIDATION_FAILED') return err;
      throw err;
    });
    if (result instanceof AppError) {
      return sendPage(req, reply, 400, <PasswordPage ctx={pageCtx(req, config)} token={req.body.token} owner={owner} errors={result.details} />);
    }
    setSessionCookie(reply, config, result.token);
    return reply.redirect(buildHref('/account', { lang: req.query.lang === 'en' ? 'en' : undefined }), 303);
  });

  const back = (req: FastifyRequest, reply: FastifyReply) => reply.redirect(buildHref('/admin/users', { lang: (req.query as { lang?: string }).lang === 'en' ? 'en' : undefined }), 303);
  const admin = (req: FastifyRequest, reply: FastifyReply): User | undefined => {
    const user = signedIn(req, reply);
    if (user) assertCan(user, 'users.manage');
    return user;
  };
  const roleRoute = { schema: { hide: true, querystring: LangQuery, body: RoleBody } };
  const emailRoute = emailRouteSchema;
  app.post('/admin/users/roles', roleRoute, async (req, reply) => {
    const user = admin(req, reply);
    if (!user) return reply;
    await users.addRole(req.body.email, req.body.unit, req.body.role, actorOf(user));
    return back(req, reply);
  });
  app.post('/admin/users/roles/remove', roleRoute, async (req, reply) => {
    const user = admin(req, reply);
    if (!user) return reply;
    await users.removeRole(req.body.email, req.body.unit, req.body.role, actorOf(user));
    return back(req, reply);
  });
  app.post('/admin/users/disable', emailRoute, async (req, reply) => {
    const user = admin(req, reply);
    if (!user) return reply;
    await users.disable(req.body.email, actorOf(user));
    return back(req, reply);
  });
  app.post('/admin/users/enable', emailRoute, async (req, reply) => {
    const user = admin(req, reply);
    if (!user) return reply;
    await users.enable(req.body.email, actorOf(user));
    return back(req, reply);
  });
};
