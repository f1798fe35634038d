import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../src/services.ts';
import { ALL, HOSTILE, HOSTILE_EMAIL, hostileInput } from './factories/hostile.ts';
import { engines, makeApp } from './helpers/env.ts';
import { decode, markupProblems } from './helpers/markup.ts';

/**
 * XSS sweep of the back office: hostile strings in every dataset field, in unit titles, in a
 * user's name, in review comments and in what a clerk types into the editor, rendered on every
 * /manage page (dashboard, editor with and without errors, status and diff) in both languages.
 * The markup checker is test/xss.test.ts's (copied: that file exports nothing), knowing the form
 * elements the editor adds.
 */
const EVIL = { email: 'evil@stat.example', password: 'evil-password-12345', name: `惡意 ${ALL}` };
const REVIEWER = { email: 'reviewer@stat.example', password: 'reviewer-password-123', name: '李審查' };
const HEAD = { email: 'head@dgbas.example', password: 'head-password-12345', name: `首長 ${ALL}` };

/** What a reader sees: tags removed, entities decoded once. */
const text = (html: string): string => decode(html.replace(/<[^>]+>/g, ''));
const csrfOf = (html: string): string => {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no _csrf field on the page');
  return decode(m[1]);
};

/** The editor's form with `v` in every control, plus values that fail the national checks and echo `v` back. */
function hostileForm(v: string): Record<string, string> {
  const f: Record<string, string> = {
    unit: v, title: `標題 ${v} 止`, titleEn: `Title ${v} 止`, description: `描述 ${v} 止`, identifier: v, name: v, landingPage: v, spatial: v, language: v,
    numberOfData: v, notes: v, dataAttribute: v, listingMethod: v, categoryCode: v, datasetType: v, provisionType: v, licenseId: v, licenseUrl: v,
    cost: v, costUrl: v, costLaw: v, publisherName: v, publisherContactName: v, publisherContactPhone: v, publisherContactEmail: HOSTILE_EMAIL,
    organizationName: v, organizationContactName: v, organizationContactPhone: v, organizationContactEmail: v, updateFrequency: v,
    temporalFrom: v, temporalTo: v, issued: v, modified: v, fieldDescription: `欄位 ${v} 止`, keywords: `${v}、kw`, resourceCount: '2', action: 'save',
  };
  for (const i of [0, 1]) {
    for (const k of ['resourceId', 'name', 'description', 'format', 'encoding', 'downloadUrl', 'accessUrl', 'modified', 'metadataSourceUrl', 'numberOfData']) f[`r${i}.${k}`] = v;
  }
  return f;
}

describe.each(engines)('XSS: the back office keeps hostile text as text on %s', (engine) => {
  let app: FastifyInstance;
  let services: Services;
  let cleanup: () => Promise<void>;
  let dir: string;
  type Session = { cookie: string; csrf: string };
  let evil: Session;
  let reviewer: Session;
  let admin: Session;
  let head: Session;
  /** Datasets with discontinuation proposals, all hostile: open, approved (withheld, with its notice), rejected. */
  const disc = { proposed: 'h-proposed', gone: 'h-gone', rejected: 'h-rejected' };
  let openPid = '';
  /** Names of datasets in every state, all hostile. */
  const names = { draft: 'h-draft', submitted: 'h-submitted', returned: 'h-returned', published: 'h-published' };
  const each = HOSTILE.map((_, i) => `h-${i}`);

  const signIn = async (email: string, password: string): Promise<Session> => {
    const res = await app.inject({ method: 'POST', url: '/signin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ email, password }).toString() });
    expect(res.statusCode).toBe(303);
    const raw = res.headers['set-cookie'];
    const all = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const cookie = (all.find((c) => /^(__Host-)?kf_session=/.test(c)) ?? '').split(';', 1)[0];
    const page = await app.inject({ method: 'GET', url: '/manage', headers: { cookie } });
    return { cookie, csrf: csrfOf(page.body) };
  };
  const get = (url: string, s: Session) => app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
  const post = (url: string, s: Session, fields: Record<string, string>) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie }, payload: new URLSearchParams({ ...fields, _csrf: s.csrf }).toString() });
  const expectClean = (res: LightMyRequestResponse, label: string, status = 200) => {
    expect(res.statusCode, label).toBe(status);
    expect(res.headers['content-type'], label).toBe('text/html; charset=utf-8');
    expect(markupProblems(res.body), label).toEqual([]);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-xss-manage-'));
    const unitsFile = path.join(dir, 'units.json');
    writeFileSync(
      unitsFile,
      JSON.stringify([
        { name: 'dgbas', title: `機關 ${ALL}`, titleEn: `Agency ${ALL}`, kind: 'agency' },
        { name: 'statistics', title: `綜合統計處 ${ALL}`, titleEn: `Statistics ${ALL}` },
        { name: 'it', title: '主計資訊處', titleEn: 'IT', isWindow: true },
      ]),
    );
    const t = await makeApp(engine, { KAIFANG_UNITS_FILE: unitsFile });
    app = t.app;
    services = t.services;
    cleanup = t.cleanup;
    const { users, review } = services;
    await users.create({ ...EVIL, unit: 'statistics', role: 'contact' });
    await users.create({ ...REVIEWER, unit: 'statistics', role: 'reviewer' });
    const c = await users.findByEmail(EVIL.email);
    const r = await users.findByEmail(REVIEWER.email);
    if (!c || !r) throw new Error('users missing');
    const create = async (name: string, v = ALL) => (await review.createDraft(c, hostileInput(v, { name }))).id;
    await create(names.draft);
    await review.submit(c, await create(names.submitted), `送審 ${ALL} 止`);
    const returned = await create(names.returned);
    await review.submit(c, returned, `送審 ${ALL} 止`);
    await review.returnForChanges(r, returned, `退回 ${ALL} 止`);
    const published = await create(names.published);
    await review.submit(c, published);
    await review.approve(r, published, `核准 ${ALL} 止`);
    await review.edit(c, published, hostileInput(`${ALL} 改`, { name: names.published, keywords: [`新 ${ALL}`] }));
    await review.submit(c, published, `修改 ${ALL} 止`);
    for (const [i, v] of HOSTILE.entries()) await create(each[i], v);
    // Discontinuation: hostile reasons, resolution, terms, legal basis and decision comments.
    await users.create({ ...HEAD, unit: 'dgbas', role: 'head' });
    const h = await users.findByEmail(HEAD.email);
    if (!h) throw new Error('head missing');
    const publish = async (name: string) => {
      const id = await create(name);
      await review.submit(c, id);
      await review.approve(r, id);
      return id;
    };
    const said = { reasons: `理由 ${ALL} 止`, meetingDate: '2026-11-20', resolution: `決議 ${ALL} 止` };
    const { discontinuation } = services;
    openPid = (await discontinuation.propose(c, await publish(disc.proposed), { kind: 'to_on_application', applicationTerms: `條件 ${ALL} 止`, revocable: true, ...said })).id;
    const gone = await discontinuation.propose(c, await publish(disc.gone), { kind: 'to_withheld', withholdingBasis: `依據 ${ALL} 止`, ...said });
    await discontinuation.approve(h, gone.id, `核定 ${ALL} 止`);
    const rejected = await discontinuation.propose(c, await publish(disc.rejected), { kind: 'stop', ...said });
    await discontinuation.reject(h, rejected.id, `不核定 ${ALL} 止`);
    head = await signIn(HEAD.email, HEAD.password);
    evil = await signIn(EVIL.email, EVIL.password);
    reviewer = await signIn(REVIEWER.email, REVIEWER.password);
    admin = await signIn('admin@kaifang.local', 'admin-password-for-tests');
  });
  afterAll(async () => {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const lang of ['', '?lang=en']) {
    const q = (extra = '') => (lang ? `${lang}${extra ? `&${extra}` : ''}` : extra ? `?${extra}` : '');

    it(`dashboards ${lang || '(zh-TW)'}: every state, tasks with hostile comments, hostile unit titles and user name`, async () => {
      for (const [who, s] of [['contact', evil], ['reviewer', reviewer], ['admin', admin]] as const) {
        const res = await get(`/manage${q()}`, s);
        expectClean(res, `dashboard ${who}`);
        expect(text(res.body), who).toContain(`標題 ${ALL} 止`);
      }
      const rdash = await get(`/manage${q()}`, reviewer);
      expect(text(rdash.body)).toContain(`修改 ${ALL} 止`);
      expect(text((await get(`/manage${q()}`, evil)).body)).toContain(`退回 ${ALL} 止`);
    });

    it(`status and diff pages ${lang || '(zh-TW)'}: hostile values before and after, comments, the submitter's name`, async () => {
      for (const name of [...Object.values(names), ...each]) {
        for (const [who, s] of [['contact', evil], ['reviewer', reviewer]] as const) {
          const res = await get(`/manage/datasets/${name}${q('done=submitted')}`, s);
          expectClean(res, `status ${name} as ${who}`);
        }
      }
      const diff = await get(`/manage/datasets/${names.published}${q()}`, reviewer);
      expect(text(diff.body)).toContain(`標題 ${ALL} 改 止`);
      expect(text(diff.body)).toContain(`修改 ${ALL} 止`);
      expect(text(diff.body)).toContain(EVIL.name);
      // A return without a comment comes back as the page with the error.
      expectClean(await post(`/manage/datasets/${names.submitted}/return${q()}`, reviewer, { comment: ' ' }), 'return without comment', 400);
    });

    it(`discontinuation ${lang || '(zh-TW)'}: proposals, notices and decisions on status pages and the head's dashboard, the proposal form with hostile input`, async () => {
      for (const name of Object.values(disc)) {
        for (const [who, s] of [['contact', evil], ['head', head], ['reviewer', reviewer]] as const) {
          expectClean(await get(`/manage/datasets/${name}${q('done=proposed')}`, s), `status ${name} as ${who}`);
        }
      }
      const open = await get(`/manage/datasets/${disc.proposed}${q()}`, head);
      expect(text(open.body)).toContain(`條件 ${ALL} 止`);
      expect(text(open.body)).toContain(EVIL.name);
      const gone = await get(`/manage/datasets/${disc.gone}${q()}`, evil);
      expect(text(gone.body)).toContain(`依據 ${ALL} 止`);
      expect(text((await get(`/manage/datasets/${disc.rejected}${q()}`, evil)).body)).toContain(`不核定 ${ALL} 止`);
      const dash = await get(`/manage${q()}`, head);
      expectClean(dash, 'dashboard head');
      expect(text(dash.body)).toContain(`理由 ${ALL} 止`);
      expectClean(await get(`/manage/datasets/${disc.rejected}/discontinue${q()}`, evil), 'proposal form');
      expectClean(await get(`/manage/datasets/${disc.proposed}/discontinue${q()}`, evil), 'proposal form, one open', 409);
      for (const v of [ALL, ...HOSTILE]) {
        const fields = { kind: v, reasons: v, meetingDate: v.slice(0, 20), resolution: v, applicationTerms: v, revocable: v, withholdingBasis: v };
        expectClean(await post(`/manage/datasets/${disc.rejected}/discontinue${q()}`, evil, fields), `proposal without a kind: ${JSON.stringify(v)}`, 400);
        // A real kind: the service's messages echo the date.
        const res = await post(`/manage/datasets/${disc.rejected}/discontinue${q()}`, evil, { ...fields, kind: 'to_withheld', withholdingBasis: ' ' });
        expectClean(res, `proposal with service errors: ${JSON.stringify(v)}`, 400);
      }
      expectClean(await post(`/manage/discontinuations/${openPid}/reject${q()}`, head, { comment: ' ' }), 'reject without comment', 400);
    });

    it(`editor ${lang || '(zh-TW)'}: hostile stored values in every control, and hostile input echoed in error messages`, async () => {
      for (const name of [names.draft, names.returned, ...each]) {
        const res = await get(`/manage/datasets/${name}/edit${q()}`, evil);
        expectClean(res, `edit ${name}`);
      }
      expectClean(await get(`/manage/datasets/new${q()}`, evil), 'new');
      for (const v of [ALL, ...HOSTILE]) {
        const created = await post(`/manage/datasets/new${q()}`, evil, hostileForm(v));
        expectClean(created, `new with errors: ${JSON.stringify(v)}`, 400);
        expect(created.body).toContain('class="error-summary"');
        expectClean(await post(`/manage/datasets/new${q()}`, evil, { ...hostileForm(v), action: 'addResource' }), `add resource: ${JSON.stringify(v)}`);
        expectClean(await post(`/manage/datasets/${names.draft}/edit${q()}`, evil, hostileForm(v)), `edit with errors: ${JSON.stringify(v)}`, 400);
      }
      const res = await post(`/manage/datasets/new${q()}`, evil, hostileForm(ALL));
      // The entered title comes back in its control, as the value typed (`<` escaped; a `>` in a quoted attribute is harmless).
      expect(decode(/id="f-title"[^<]*?\svalue="([^"]*)"/.exec(res.body)?.[1] ?? '')).toBe(`標題 ${ALL} 止`);
    });
  }
});
