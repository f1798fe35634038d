import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, makeApp } from './helpers/env.ts';

/* CKAN write actions as ckanapi sends them (raw token in Authorization): drafts and working copies, never around review. */

interface Envelope {
  success: boolean;
  result?: Pkg & Res;
  error?: { __type: string; message: string } & Record<string, unknown>;
}
interface Res {
  id: string;
  resource_id: string;
  url: string;
  name: string;
  description: string;
  encoding: string;
  format: string;
}
interface Pkg {
  id: string;
  name: string;
  title: string;
  notes: string;
  state: string;
  identifier: string;
  update_frequency: string;
  tags: { name: string }[];
  resources: Res[];
  kaifang_working_copy?: { version: number; state: string };
}

/** A package dict as a CKAN client writes it; national fields in extras, like a harvester would send them. */
const pkg = (over: Record<string, unknown> = {}) => ({
  name: 'household-income',
  title: '家庭收支調查',
  notes: '家庭收支調查結果。',
  owner_org: 'statistics',
  tags: [{ name: '所得' }, { name: '家庭' }],
  extras: [
    { key: 'category_code', value: '800' },
    { key: 'update_frequency', value: '每1年' },
    { key: 'field_description', value: '年度、所得' },
    { key: 'publisher_contact_name', value: '王小明 先生' },
  ],
  resources: [{ url: 'https://example.gov.tw/income.csv', format: 'CSV', name: '家庭收支 CSV' }],
  ...over,
});

describe.each(engines)('CKAN write actions (%s)', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  let tokens: { contact: string; reviewer: string; other: string };

  beforeEach(async () => {
    t = await makeApp(engine);
    const { users, config } = t.services;
    const admin = await users.findByEmail(config.adminEmail);
    if (!admin) throw new Error('no admin');
    const by = { id: admin.id, label: admin.email };
    await users.create({ email: 'contact@portal.test', name: '王小明', unit: 'statistics', role: 'contact' }, by);
    await users.create({ email: 'reviewer@portal.test', name: '李科長', unit: 'statistics', role: 'reviewer' }, by);
    await users.create({ email: 'other@portal.test', name: '林會計', unit: 'accounting', role: 'contact' }, by);
    const token = async (email: string) => (await users.createToken(email)).token;
    tokens = { contact: await token('contact@portal.test'), reviewer: await token('reviewer@portal.test'), other: await token('other@portal.test') };
  });
  afterEach(async () => {
    await t.cleanup();
  });

  /** POST like ckanapi: JSON body, the raw token in Authorization. */
  async function action(name: string, body: unknown, token: string | null, prefix = '/api/3/action') {
    const res = await t.app.inject({
      method: 'POST',
      url: `${prefix}/${name}`,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, body: res.json<Envelope>() };
  }
  const ok = (r: { status: number; body: Envelope }) => {
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const result = r.body.result;
    if (!result) throw new Error('no result');
    return result;
  };
  const publicSearch = async (q: string) => ok(await action('package_search', { q }, null)) as unknown as { count: number };
  const v1 = (url: string, token: string, payload: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
  async function publish(id: string) {
    expect((await v1(`/api/v1/datasets/${id}/submit`, tokens.contact)).statusCode).toBe(200);
    const approved = await v1(`/api/v1/datasets/${id}/approve`, tokens.reviewer);
    expect(approved.statusCode, approved.body).toBe(200);
  }

  it('creates a draft the public cannot see and the contact can', async () => {
    const created = ok(await action('package_create', pkg(), tokens.contact));
    expect(created).toMatchObject({ name: 'household-income', title: '家庭收支調查', notes: '家庭收支調查結果。', state: 'draft', update_frequency: '每1年' });
    expect(created.tags.map((x) => x.name).sort()).toEqual(['家庭', '所得']);
    // url → download URL; encoding defaults to UTF-8; description falls back to the name.
    expect(created.resources[0]).toMatchObject({ url: 'https://example.gov.tw/income.csv', encoding: 'UTF-8', description: '家庭收支 CSV', format: 'CSV' });

    expect((await publicSearch('家庭收支')).count).toBe(0);
    const hidden = await action('package_show', { id: 'household-income' }, null);
    expect(hidden.status).toBe(404);
    expect(ok(await action('package_show', { id: 'household-income' }, tokens.contact)).state).toBe('draft');
    expect((await action('package_show', { id: 'household-income' }, tokens.other)).status).toBe(404);
  });

  it('changes a draft with package_update (whole dict) and package_patch (named fields), on both mounts', async () => {
    const created = ok(await action('package_create', pkg(), tokens.contact));
    const updated = ok(await action('package_update', pkg({ id: created.id, title: '家庭收支調查（修訂）', tags: [{ name: '收支' }] }), tokens.contact, '/api/action'));
    expect(updated).toMatchObject({ title: '家庭收支調查（修訂）', state: 'draft' });
    expect(updated.tags.map((x) => x.name)).toEqual(['收支']);

    const patched = ok(await action('package_patch', { id: 'household-income', notes: '只改描述。' }, tokens.contact));
    expect(patched).toMatchObject({ title: '家庭收支調查（修訂）', notes: '只改描述。', state: 'draft', identifier: created.identifier, update_frequency: '每1年' });
    expect(patched.resources).toHaveLength(1);
    // National fields are accepted top level too, as package_show emits them.
    expect(ok(await action('package_patch', { id: created.id, update_frequency: '每3月' }, tokens.contact)).update_frequency).toBe('每3月');
  });

  it('takes a package_show dict back through package_update unchanged (a ckanapi round trip)', async () => {
    const created = ok(await action('package_create', pkg({ url: 'https://www.dgbas.gov.tw/income' }), tokens.contact));
    const { metadata_modified: _m1, ...before } = ok(await action('package_show', { id: created.id }, tokens.contact)) as unknown as Record<string, unknown>;
    ok(await action('package_update', before, tokens.contact));
    const { metadata_modified: _m2, ...after } = ok(await action('package_show', { id: created.id }, tokens.contact)) as unknown as Record<string, unknown>;
    const strip = (d: Record<string, unknown>) => ({ ...d, resources: (d.resources as Record<string, unknown>[]).map(({ metadata_modified: _r, ...r }) => r) });
    expect(strip(after)).toEqual(strip(before));
  });

  it('adds and replaces resources on a draft', async () => {
    const created = ok(await action('package_create', pkg(), tokens.contact));
    const added = ok(await action('resource_create', { package_id: created.id, url: 'https://example.gov.tw/income.json', format: 'JSON', description: '家庭收支 JSON' }, tokens.contact));
    expect(added).toMatchObject({ url: 'https://example.gov.tw/income.json', format: 'JSON', encoding: 'UTF-8' });
    const shown = ok(await action('package_show', { id: created.id }, tokens.contact));
    expect(shown.resources.map((r) => r.format)).toEqual(['CSV', 'JSON']);

    const replaced = ok(await action('resource_update', { id: added.id, url: 'https://example.gov.tw/income-v2.json', format: 'JSON', name: '家庭收支 JSON 第2版' }, tokens.contact));
    expect(replaced).toMatchObject({ url: 'https://example.gov.tw/income-v2.json', resource_id: added.resource_id, description: '家庭收支 JSON 第2版' });
  });

  it('changes a published dataset only through a working copy; the public keeps the old version', async () => {
    const created = ok(await action('package_create', pkg(), tokens.contact));
    await publish(created.id);
    expect((await publicSearch('家庭收支')).count).toBe(1);

    const patched = ok(await action('package_patch', { id: 'household-income', title: '家庭收支調查（新版）' }, tokens.contact));
    expect(patched.title).toBe('家庭收支調查');
    expect(patched.state).toBe('active');
    expect(patched.kaifang_working_copy).toEqual({ version: 2, state: 'draft' });
    expect(ok(await action('package_show', { id: 'household-income' }, null)).title).toBe('家庭收支調查');

    const added = ok(await action('resource_create', { package_id: created.id, url: 'https://example.gov.tw/income.xml', format: 'XML', name: 'XML' }, tokens.contact));
    expect(added).toMatchObject({ url: 'https://example.gov.tw/income.xml', state: 'draft', kaifang_working_copy: { version: 2, state: 'draft' } });
    expect(ok(await action('package_show', { id: created.id }, null)).resources).toHaveLength(1);
    // Waiting in the working copy, the new resource already has its national id to be named by.
    expect(added.resource_id).toBe(`${created.identifier}-002`);
    const changed = ok(await action('resource_update', { id: added.resource_id, url: 'https://example.gov.tw/income-v2.xml', format: 'XML', name: 'XML' }, tokens.contact));
    expect(changed).toMatchObject({ url: 'https://example.gov.tw/income-v2.xml', kaifang_working_copy: { version: 2, state: 'draft' } });

    // Under review the copy cannot change: CKAN's Validation Error, naming the state.
    expect((await v1(`/api/v1/datasets/${created.id}/submit`, tokens.contact)).statusCode).toBe(200);
    const locked = await action('package_patch', { id: created.id, title: '再改' }, tokens.contact);
    expect(locked.status).toBe(409);
    expect(locked.body.error).toMatchObject({ __type: 'Validation Error', state: [expect.any(String)] });
    const approved = await v1(`/api/v1/datasets/${created.id}/approve`, tokens.reviewer);
    expect(approved.statusCode, approved.body).toBe(200);
    // The copy carried both changes; approval made them public.
    const after = ok(await action('package_show', { id: created.id }, null));
    expect(after.title).toBe('家庭收支調查（新版）');
    expect(after.resources.map((r) => [r.format, r.url])).toEqual([
      ['CSV', 'https://example.gov.tw/income.csv'],
      ['XML', 'https://example.gov.tw/income-v2.xml'],
    ]);
  });

  it('answers 403 without a valid token and for another unit’s contact', async () => {
    for (const token of [null, 'not-a-token']) {
      const r = await action('package_create', pkg(), token);
      expect(r.status).toBe(403);
      expect(r.body.error?.__type).toBe('Authorization Error');
    }
    const foreign = await action('package_create', pkg(), tokens.other);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error?.__type).toBe('Authorization Error');

    const created = ok(await action('package_create', pkg(), tokens.contact));
    await publish(created.id);
    for (const [name, body] of [
      ['package_patch', { id: created.id, title: 'x' }],
      ['package_update', pkg({ id: created.id })],
      ['resource_create', { package_id: created.id, url: 'https://example.gov.tw/x.csv', format: 'CSV', name: 'x' }],
    ] as const) {
      const r = await action(name, body, tokens.other);
      expect(r.status, name).toBe(403);
      expect(r.body.error?.__type, name).toBe('Authorization Error');
    }
    // The reviewer may approve but not write.
    expect((await action('package_patch', { id: created.id, title: 'x' }, tokens.reviewer)).status).toBe(403);
  });

  it('lets exactly the unit’s contacts and the admin write, for every write action (matrix)', async () => {
    const { users, config } = t.services;
    const admin = await users.findByEmail(config.adminEmail);
    if (!admin) throw new Error('no admin');
    const by = { id: admin.id, label: admin.email };
    await users.create({ email: 'head@portal.test', name: '首長', unit: 'dgbas', role: 'head' }, by);
    const callers: Record<string, { token: string | null; allowed: boolean }> = {
      anonymous: { token: null, allowed: false },
      'contact, own unit': { token: tokens.contact, allowed: true },
      'contact, other unit': { token: tokens.other, allowed: false },
      'reviewer, own unit': { token: tokens.reviewer, allowed: false },
      head: { token: (await users.createToken('head@portal.test')).token, allowed: false },
      admin: { token: (await users.createToken(config.adminEmail)).token, allowed: true },
    };
    const created = ok(await action('package_create', pkg(), tokens.contact));
    await publish(created.id);
    const resourceId = `${created.identifier}-001`;
    for (const [who, { token, allowed }] of Object.entries(callers)) {
      const calls: [string, Record<string, unknown>][] = [
        ['package_create', pkg({ name: `by-${who.replace(/[^a-z]/g, '')}` })],
        ['package_update', pkg({ id: created.id })],
        ['package_patch', { id: created.id, notes: `由 ${who} 修改` }],
        ['resource_create', { package_id: created.id, url: 'https://example.gov.tw/more.csv', format: 'CSV', name: 'more' }],
        ['resource_update', { id: resourceId, url: 'https://example.gov.tw/income-2.csv', format: 'CSV', name: '家庭收支 CSV' }],
      ];
      for (const [name, body] of calls) {
        const r = await action(name, body, token);
        expect(r.status, `${who} ${name}: ${JSON.stringify(r.body.error)}`).toBe(allowed ? 200 : 403);
        if (!allowed) expect(r.body.error?.__type).toBe('Authorization Error');
      }
    }
    // However many writes, the public still sees the approved version.
    expect(ok(await action('package_show', { id: created.id }, null)).notes).toBe('家庭收支調查結果。');
  });

  it('never lets a contact who is also a reviewer approve what they changed through CKAN', async () => {
    const { users, config } = t.services;
    const admin = await users.findByEmail(config.adminEmail);
    if (!admin) throw new Error('no admin');
    await users.addRole('contact@portal.test', 'statistics', 'reviewer', { id: admin.id, label: admin.email });
    const created = ok(await action('package_create', pkg(), tokens.contact));
    expect((await v1(`/api/v1/datasets/${created.id}/submit`, tokens.contact)).statusCode).toBe(200);
    expect((await v1(`/api/v1/datasets/${created.id}/approve`, tokens.contact)).statusCode).toBe(403);
  });

  it('answers a Validation Error with per-field lists in CKAN names', async () => {
    const missing = await action('package_create', { title: '' }, tokens.contact);
    expect(missing.status).toBe(409);
    expect(missing.body.error).toMatchObject({ __type: 'Validation Error', name: [expect.any(String)], title: [expect.any(String)], owner_org: [expect.any(String)] });

    const bad = await action('package_create', pkg({ notes: '', resources: [{ format: 'CSV', name: 'no url' }], extras: [{ key: 'category_code', value: '999' }] }), tokens.contact);
    expect(bad.status).toBe(409);
    const e = bad.body.error ?? { __type: '', message: '' };
    expect(e.__type).toBe('Validation Error');
    expect(Object.keys(e)).toEqual(expect.arrayContaining(['notes', 'resources', 'category_code', 'update_frequency']));
    expect(String((e.notes as string[])[0])).toContain('資料集描述為必填');

    ok(await action('package_create', pkg(), tokens.contact));
    const taken = await action('package_create', pkg(), tokens.contact);
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ __type: 'Validation Error', name: [expect.any(String)] });

    const unknownOrg = await action('package_create', pkg({ owner_org: 'no-such-unit' }), tokens.contact);
    expect(unknownOrg.status).toBe(409);
    expect(unknownOrg.body.error?.owner_org).toBeDefined();

    const en = await t.app.inject({
      method: 'POST',
      url: '/api/3/action/package_create?lang=en',
      headers: { 'content-type': 'application/json', authorization: tokens.contact },
      payload: JSON.stringify(pkg({ name: 'income-en', notes: '' })),
    });
    expect(en.statusCode).toBe(409);
    expect(en.json<Envelope>().error?.notes).toEqual(['description is required']);
  });

  it('takes a multipart upload in resource_create and resource_update as versions of the resource; refuses an upload that is not a file', async () => {
    const created = ok(await action('package_create', pkg(), tokens.contact));
    const notFile = await action('resource_create', { package_id: created.id, upload: 'income.csv', name: 'x' }, tokens.contact);
    expect(notFile.status).toBe(409);
    expect(notFile.body.error?.__type).toBe('Validation Error');
    expect(notFile.body.error?.message).toContain('upload 須以 multipart/form-data 傳送檔案');

    const boundary = 'kfboundary';
    const form = (fields: Record<string, string>, file: string) =>
      `${Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('')}--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="income.csv"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n--${boundary}--\r\n`;
    const post = (name: string, fields: Record<string, string>, file: string, token = tokens.contact) =>
      t.app.inject({ method: 'POST', url: `/api/3/action/${name}`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...(token ? { authorization: token } : {}) }, payload: form(fields, file) });

    const res = await post('resource_create', { package_id: created.id, name: '所得', description: '所得 CSV' }, '年,所得\n2023,100\n2024,120\n');
    expect(res.statusCode, res.body).toBe(200);
    const resource = res.json<Envelope>().result as { id: string; url: string; format: string };
    expect(resource.format).toBe('CSV');
    expect(resource.url).toMatch(/\/api\/v1\/resources\/[^/]+\/file$/);
    const rid = decodeURIComponent(/resources\/([^/]+)\/file$/.exec(resource.url)?.[1] ?? '');
    await t.services.jobs.runPending();
    const [v1] = await t.services.datastore.versions(rid);
    expect(v1).toMatchObject({ version: 1, datastore_state: 'ready', datastore_rows: 2, file_name: 'income.csv' });

    const upd = await post('resource_update', { id: rid, name: '所得', description: '所得 CSV' }, '年,所得\n2025,130\n');
    expect(upd.statusCode, upd.body).toBe(200);
    await t.services.jobs.runPending();
    expect((await t.services.datastore.versions(rid)).map((v) => v.version)).toEqual([2, 1]);

    // Refused after the file arrived (no token): nothing of it is kept.
    const blobs = () => readdirSync(path.join(t.dir, 'files'), { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f))).length;
    const before = blobs();
    const anon = await post('resource_create', { package_id: created.id, name: 'x' }, 'another,file\n9,9\n', '');
    expect(anon.statusCode).toBe(403);
    expect(blobs()).toBe(before);
  });
});
