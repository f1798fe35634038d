import { expect } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { decode } from './markup.ts';

/** What a reader sees of a page: tags become spaces, entities decoded once, spaces collapsed. */
export const pageText = (html: string): string => decode(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/** The CSRF token of the page's forms (throws when the page has none). */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf field on the page');
  return decode(m[1]);
}

/** The value attribute of the control with this id (inputs), or its text (textareas). */
export function controlValue(html: string, id: string): string | undefined {
  const input = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  if (input) return decode(/\bvalue="([^"]*)"/.exec(input)?.[1] ?? '');
  const area = new RegExp(`<textarea[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return area ? decode(area[1]) : undefined;
}

/** The `name=value` of the session cookie an answer sets ('' when it sets none). */
export function sessionCookieOf(res: LightMyRequestResponse): string {
  const raw = res.headers['set-cookie'];
  const all = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return (all.find((c) => /^(__Host-)?kf_session=/.test(c)) ?? '').split(';', 1)[0];
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** Signs in through the form, then reads the CSRF token from `page` (which must answer 200). */
export async function signInSession(app: FastifyInstance, email: string, password: string, page = '/account'): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/signin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ email, password }).toString() });
  expect(res.statusCode).toBe(303);
  const cookie = sessionCookieOf(res);
  const answer = await app.inject({ method: 'GET', url: page, headers: { cookie } });
  expect(answer.statusCode).toBe(200);
  return { cookie, csrf: csrfOf(answer.body) };
}
