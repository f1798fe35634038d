import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { sameToken } from './accounts.service.ts';

/** `__Host-` makes the browser refuse the cookie unless Secure, Path=/ and host-only. */
export const sessionCookieName = (config: Config): string => (isSecure(config) ? '__Host-kf_session' : 'kf_session');
const isSecure = (config: Config): boolean => config.baseUrl.startsWith('https:');

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  const attrs = [`${sessionCookieName(config)}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${config.sessionMaxSeconds}`];
  if (isSecure(config)) attrs.push('Secure');
  void reply.header('set-cookie', attrs.join('; '));
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  const attrs = [`${sessionCookieName(config)}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
  if (isSecure(config)) attrs.push('Secure');
  void reply.header('set-cookie', attrs.join('; '));
}

/** onRequest: `request.user` from an API token (Authorization header) or else the session cookie. */
export async function authenticateRequest(req: FastifyRequest): Promise<void> {
  req.user = null;
  req.session = null;
  req.authVia = null;
  const { services } = req.server;
  const header = req.headers.authorization;
  if (header) {
    // CKAN clients send the raw token; others send "Bearer <token>". A bad token never falls back to the cookie.
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : header.trim();
    if (!token) return;
    req.user = (await services.users.userForToken(token)) ?? null;
    if (req.user) req.authVia = 'token';
    return;
  }
  const cookie = readCookie(req, sessionCookieName(services.config));
  if (!cookie) return;
  const found = await services.accounts.resolveSession(cookie);
  if (!found) return;
  req.user = found.user;
  req.session = found.session;
  req.authVia = 'session';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * preValidation: every state-changing request authenticated by the session cookie must carry the
 * session's CSRF token, as the `_csrf` form field or the `X-CSRF-Token` header. API-token requests
 * are exempt (a browser never adds an Authorization header on its own).
 */
export async function checkCsrf(req: FastifyRequest): Promise<void> {
  if (SAFE_METHODS.has(req.method) || req.authVia !== 'session' || !req.session) return;
  const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  const sent = typeof body._csrf === 'string' ? body._csrf : req.headers['x-csrf-token'];
  if (typeof sent === 'string' && sameToken(sent, req.session.csrfToken)) return;
  throw new AppError(
    'CSRF_INVALID',
    403,
    '表單已失效或來源不明（缺少或錯誤的 _csrf 驗證碼），請重新整理頁面後再送出',
    'The form has expired or did not come from this site (missing or wrong _csrf token); reload the page and try again',
    { _csrf: ['缺少或錯誤的驗證碼 / missing or wrong token'] },
  );
}

/** Sign-in has no session yet to hold a token: refuse posts another site's page made (login CSRF). */
export function assertSameOrigin(req: FastifyRequest, config: Config): void {
  const origin = req.headers.origin;
  if (!origin) return;
  const own = [new URL(config.baseUrl).origin, `${req.protocol}://${req.host}`];
  if (own.includes(origin)) return;
  throw new AppError('CSRF_INVALID', 403, `拒絕來自其他網站（${origin}）的登入表單`, `Sign-in form posted from another site (${origin}) refused`);
}

/** Where to go after sign-in: only a path on this site, never another origin (open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\') || [...next].some((c) => c.charCodeAt(0) < 0x20)) return '/';
  try {
    const u = new URL(next, 'http://kaifang.invalid');
    if (u.origin !== 'http://kaifang.invalid') return '/';
    return `${u.pathname}${u.search}`;
  } catch {
    return '/';
  }
}
