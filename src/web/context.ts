import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { langOf, type Lang } from '../i18n.ts';
import { messagesFor, type Messages } from './messages.ts';

export type QueryValue = string | number | undefined | null | readonly string[];

/** What every page needs to render: language, its messages, configuration, and link building. */
export interface PageCtx {
  lang: Lang;
  m: Messages;
  config: Config;
  /** Path and query of the current request (for the language switch). */
  url: string;
  /** A link inside the portal; English pages keep `lang=en` so links work without the cookie. */
  href(path: string, query?: Record<string, QueryValue>): string;
  /** The same page in the other language. */
  switchHref: string;
  /** The signed-in user (session or token), for the header. */
  user: { name: string; email: string; /** Holds any role: the header links to the back office. */ hasRoles: boolean } | null;
  /** The session's CSRF token, for the hidden `_csrf` field of every form that posts. */
  csrfToken: string | undefined;
}

export function buildHref(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'string' || typeof v === 'number') params.append(k, String(v));
    else for (const x of v) params.append(k, x);
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function pageCtx(req: FastifyRequest, config: Config): PageCtx {
  const lang = langOf(req);
  const url = req.url;
  const [rawPath, search = ''] = url.split('?', 2);
  // The language switch links to the requested path itself; a request for `//evil.example/x`
  // (answered with a 404 page) would otherwise get a protocol-relative link off the site.
  const path = rawPath.replace(/^[/\\]+/, '/');
  const switchParams = new URLSearchParams(search);
  switchParams.set('lang', lang === 'en' ? 'zh-TW' : 'en');
  return {
    lang,
    m: messagesFor(lang),
    config,
    url,
    href: (p, query = {}) => buildHref(p, lang === 'en' ? { ...query, lang: 'en' } : query),
    switchHref: `${path}?${switchParams.toString()}`,
    user: req.user ? { name: req.user.name, email: req.user.email, hasRoles: req.user.roles.length > 0 } : null,
    csrfToken: req.session?.csrfToken,
  };
}
