import type { FastifyRequest } from 'fastify';

export type Lang = 'zh-TW' | 'en';

/** zh-TW unless the visitor chose English (?lang=en, the lang cookie) or the browser prefers it. */
export function langOf(req: FastifyRequest): Lang {
  const q = (req.query ?? {}) as Record<string, unknown>;
  if (q.lang === 'en') return 'en';
  if (q.lang === 'zh-TW' || q.lang === 'zh') return 'zh-TW';
  const cookie = req.headers.cookie ?? '';
  const m = /(?:^|;\s*)lang=(en|zh-TW)/.exec(cookie);
  if (m) return m[1] as Lang;
  return 'zh-TW';
}

/** Picks the language's half of a "zh / en" message pair (the form services write messages in). */
export function pickLang(message: string, lang: Lang): string {
  const i = message.indexOf(' / ');
  if (i < 0) return message;
  return lang === 'en' ? message.slice(i + 3) : message.slice(0, i);
}
