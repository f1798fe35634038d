import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, makeApp } from './helpers/env.ts';

interface Problem {
  row: number;
  field: string;
  column: string;
  zh: string;
  en: string;
}
interface ErrorReply {
  error: { code: string; message: string; details?: Record<string, string[]> };
  problems?: Problem[];
}
interface Item {
  id: string;
  itemKey: string;
  name: string;
  classification: string;
  plannedDate: string | null;
  datasetId: string | null;
}

const cpi = { itemKey: 'S001', name: '消費者物價指數', source: '資料庫', classification: '開放資料', sensitivity: '低', plannedDate: '115/06/30', updateFrequency: '每1月', genderFlag: '否' };
const wages = { itemKey: 'S002', name: '受僱員工薪資原始資料', source: 'survey', classification: 'application', legalBasis: '統計法第19條', reason: '含個別受訪者資料', sensitivity: 'high', genderFlag: true };

describe.each(engines)('inventory API (%s)', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  let tokens: Record<'admin' | 'contact' | 'reviewer' | 'cio' | 'other' | 'none', string>;

  beforeEach(async () => {
    t = await makeApp(engine);
    const { users, config } = t.services;
    const admin = await users.findByEmail(config.adminEmail);
    if (!admin) throw new Error('no admin');
    const by = { id: admin.id, label: admin.email };
    await users.create({ email: 'contact@portal.test', name: '王小明', unit: 'statistics', role: 'contact' }, by);
    await users.create({ email: 'reviewer@portal.test', name: '李科長', unit: 'statistics', role: 'reviewer' }, by);
    await users.create({ email: 'cio@portal.test', name: '張資訊長', unit: 'dgbas', role: 'cio' }, by);
    await users.create({ email: 'other@portal.test', name: '林會計', unit: 'accounting', role: 'contact' }, by);
    await users.create({ email: 'none@portal.test', name: '無角色', unit: 'accounting', role: 'contact' }, by);
    await users.removeRole('none@portal.test', 'accounting', 'contact', by);
    const token = async (email: string) => (await users.createToken(email)).token;
    tokens = {
      admin: await token(config.adminEmail),
      contact: await token('contact@portal.test'),
      reviewer: await token('reviewer@portal.test'),
      cio: await token('cio@portal.test'),
      other: await token('other@portal.test'),
      none: await token('none@portal.test'),
    };
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string | null, payload?: unknown) =>
    t.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const base = '/api/v1/inventories/2026/units/statistics';

  it('imports all or nothing: bad rows are a 422 naming every problem, and nothing is stored', async () => {
    const bad = await call('PUT', `${base}/items`, tokens.contact, [
      cpi,
      { ...wages, legalBasis: '', plannedDate: '2026/13/40' },
      { name: '', source: '網站', classification: '開放資料', sensitivity: '低' },
      { ...cpi, itemKey: 'S009' },
    ]);
    expect(bad.statusCode).toBe(422);
    const body = bad.json<ErrorReply>();
    expect(body.error.code).toBe('INVENTORY_ITEMS_INVALID');
    expect(body.problems?.map((p) => [p.row, p.field])).toEqual([
      [2, 'plannedDate'],
      [2, 'legalBasis'],
      [3, 'name'],
      [3, 'plannedDate'],
      [4, 'name'],
    ]);
    const legal = body.problems?.find((p) => p.field === 'legalBasis');
    expect(legal).toMatchObject({ column: '法律依據' });
    expect(legal?.zh).toContain('第 2 列');
    expect(legal?.en).toContain('row 2');
    const after = await call('GET', base, tokens.contact);
    expect(after.json()).toEqual({ inventory: null, items: [] });

    // An unknown dataset reference too: the row, and nothing stored.
    const ref = await call('PUT', `${base}/items`, tokens.contact, [cpi, { ...wages, datasetRef: 'A41000000G-999999' }]);
    expect(ref.statusCode).toBe(422);
    expect(ref.json<ErrorReply>().problems?.map((p) => [p.row, p.field])).toEqual([[2, 'datasetRef']]);
    expect((await call('GET', base, tokens.contact)).json<{ items: Item[] }>().items).toEqual([]);

    // The same body from someone who may not edit: 403, not the problems.
    expect((await call('PUT', `${base}/items`, tokens.reviewer, [{ name: '' }])).statusCode).toBe(403);
    expect((await call('PUT', `${base}/items`, tokens.other, [cpi])).statusCode).toBe(403);
    expect((await call('PUT', `${base}/items`, null, [cpi])).statusCode).toBe(401);

    const ok = await call('PUT', `${base}/items`, tokens.contact, [cpi, wages]);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ added: 2, updated: 0, removed: 0 });
    const read = (await call('GET', base, tokens.reviewer)).json<{ inventory: { state: string }; items: Item[] }>();
    expect(read.inventory.state).toBe('draft');
    expect(read.items.map((i) => [i.itemKey, i.classification, i.plannedDate])).toEqual([
      ['S001', 'open', '2026-06-30'],
      ['S002', 'application', null],
    ]);
  });

  it('runs the workflow over HTTP and publishes the list; the schedule and dataset drafts follow', async () => {
    await call('PUT', `${base}/items`, tokens.contact, [cpi, wages]);
    const added = await call('POST', `${base}/items`, tokens.contact, { name: '家庭收支調查', source: '調查', classification: '開放資料', sensitivity: '低', plannedDate: '2026-10-31' });
    expect(added.statusCode).toBe(200);
    const family = added.json<Item>();
    expect(family.itemKey).toMatch(/^statistics-/);
    const badEdit = await call('PUT', `${base}/items/${family.id}`, tokens.contact, { name: '家庭收支調查', source: '調查', classification: '不予提供', sensitivity: '低' });
    expect(badEdit.statusCode).toBe(422);
    expect(badEdit.json<ErrorReply>().problems?.map((p) => p.field)).toEqual(['legalBasis', 'reason']);
    const edited = await call('PUT', `${base}/items/${family.id}`, tokens.contact, { name: '家庭收支調查', source: '調查', classification: '開放資料', sensitivity: '低', plannedDate: '2026-11-30' });
    expect(edited.json<Item>()).toMatchObject({ id: family.id, plannedDate: '2026-11-30' });
    const extra = (await call('POST', `${base}/items`, tokens.contact, { name: '暫列項目', source: '其他', classification: '開放資料', sensitivity: '低', plannedDate: '2026-12-31' })).json<Item>();
    const del = await call('DELETE', `${base}/items/${extra.id}`, tokens.contact);
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ deleted: extra.id });
    expect((await call('DELETE', `${base}/items/${extra.id}`, tokens.contact)).statusCode).toBe(404);

    expect((await call('POST', `${base}/submit`, tokens.reviewer)).statusCode).toBe(403);
    const submitted = await call('POST', `${base}/submit`, tokens.contact);
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json()).toMatchObject({ state: 'submitted', unit: 'statistics', year: 2026 });
    const locked = await call('POST', `${base}/items`, tokens.contact, { name: '新項目', source: '其他', classification: '開放資料', sensitivity: '低', plannedDate: '2026-12-31' });
    expect(locked.statusCode).toBe(409);
    expect(locked.json<ErrorReply>().error.message).toContain('已送出');
    const lockedEn = await call('POST', `${base}/items?lang=en`, tokens.contact, { name: '新項目', source: '其他', classification: '開放資料', sensitivity: '低', plannedDate: '2026-12-31' });
    expect(lockedEn.json<ErrorReply>().error.message).toContain('submitted');

    expect((await call('POST', `${base}/return`, tokens.admin, {})).statusCode).toBe(400);
    expect((await call('POST', `${base}/return`, tokens.contact, { comment: '自己退回' })).statusCode).toBe(403);
    expect((await call('POST', `${base}/return`, tokens.admin, { comment: '請補資料說明' })).json()).toMatchObject({ state: 'draft', comment: '請補資料說明' });
    await call('POST', `${base}/submit`, tokens.contact);

    expect((await call('GET', '/api/v1/inventories/2026', tokens.contact)).statusCode).toBe(403);
    const overview = await call('GET', '/api/v1/inventories/2026', tokens.cio);
    expect(overview.statusCode).toBe(200);
    expect(overview.json<{ list: unknown; units: { unit: string; state: string; items: number }[] }>()).toMatchObject({ list: null });
    expect(overview.json<{ units: { unit: string; state: string; items: number }[] }>().units.find((x) => x.unit === 'statistics')).toMatchObject({ state: 'submitted', items: 3 });

    expect((await call('GET', '/api/v1/inventories/2026/compiled', tokens.cio)).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/inventories/2026/compile', tokens.cio)).statusCode).toBe(403);
    const compiled = await call('POST', '/api/v1/inventories/2026/compile', tokens.admin);
    expect(compiled.statusCode).toBe(200);
    expect(compiled.json()).toMatchObject({ list: { state: 'compiled' }, compiled: { diff: { against: null }, units: [{ unit: 'statistics', items: 3 }] } });
    expect((await call('GET', '/api/v1/inventories/2026/compiled', tokens.cio)).json()).toMatchObject({ list: { state: 'compiled' } });

    expect((await call('POST', '/api/v1/inventories/2026/approve', tokens.admin)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/inventories/2026/return', tokens.cio, { comment: '請補充' })).json()).toMatchObject({ state: 'returned', comment: '請補充' });
    const notNow = await call('POST', '/api/v1/inventories/2026/approve', tokens.cio);
    expect(notNow.statusCode).toBe(409);
    expect(notNow.json<ErrorReply>().error.message).toContain('已退回窗口');
    await call('POST', '/api/v1/inventories/2026/compile', tokens.admin);
    const approved = await call('POST', '/api/v1/inventories/2026/approve', tokens.cio);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ year: 2026, revision: 1 });

    // Public: the approved list, no sign-in.
    const pub = await call('GET', '/api/v1/inventory-lists/2026', null);
    expect(pub.statusCode).toBe(200);
    const list = pub.json<{ revision: number; items: { name: string }[]; revisions: { revision: number; items: number }[]; datasetId: string }>();
    expect(list.items.map((i) => i.name)).toEqual([cpi.name, wages.name, '家庭收支調查']);
    expect(list.revisions).toEqual([expect.objectContaining({ revision: 1, items: 3 })]);
    expect((await call('GET', `/api/v1/datasets/${list.datasetId}`, null)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/inventory-lists/2025', null)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/inventory-lists/2026?revision=2', null)).statusCode).toBe(404);

    // The schedule: staff only; a contact sees their unit.
    expect((await call('GET', '/api/v1/schedule?year=2026', null)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/schedule?year=2026', tokens.none)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/schedule?unit=statistics', tokens.other)).statusCode).toBe(403);
    const sched = await call('GET', '/api/v1/schedule?year=2026&asOf=2026-06-25', tokens.contact);
    expect(sched.statusCode).toBe(200);
    const entries = sched.json<{ asOf: string; entries: { itemKey: string; status: string }[] }>();
    expect(entries.asOf).toBe('2026-06-25');
    expect(entries.entries.map((e) => [e.itemKey, e.status])).toEqual([
      ['S001', 'due_soon'],
      [family.itemKey, 'on_time'],
    ]);
    expect((await call('GET', '/api/v1/schedule?asOf=2026-07-01', tokens.other)).json<{ entries: unknown[] }>().entries).toEqual([]);

    // A dataset draft from the approved open item.
    const cpiItem = (await call('GET', base, tokens.contact)).json<{ items: Item[] }>().items[0];
    expect((await call('POST', `/api/v1/inventory-items/${cpiItem.id}/dataset`, tokens.other)).statusCode).toBe(403);
    const draft = await call('POST', `/api/v1/inventory-items/${cpiItem.id}/dataset`, tokens.contact);
    expect(draft.statusCode).toBe(200);
    const made = draft.json<{ datasetId: string; name: string }>();
    expect((await call('GET', base, tokens.contact)).json<{ items: Item[] }>().items[0].datasetId).toBe(made.datasetId);
    expect((await call('POST', `/api/v1/inventory-items/${cpiItem.id}/dataset`, tokens.contact)).statusCode).toBe(409);

    // Reopen (the contact), then the list page still reads revision 1.
    expect((await call('POST', `${base}/reopen`, tokens.contact)).json()).toMatchObject({ state: 'draft' });
    expect((await call('GET', '/api/v1/inventory-lists/2026', null)).json<{ revision: number }>().revision).toBe(1);
  });

  it('documents the routes in OpenAPI under the inventory tag', async () => {
    const doc = (await call('GET', '/openapi.json', null)).json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>();
    for (const [path, method] of [
      ['/api/v1/inventories/{year}', 'get'],
      ['/api/v1/inventories/{year}/units/{unit}/items', 'put'],
      ['/api/v1/inventories/{year}/units/{unit}/items/{itemId}', 'delete'],
      ['/api/v1/inventories/{year}/approve', 'post'],
      ['/api/v1/inventory-lists/{year}', 'get'],
      ['/api/v1/schedule', 'get'],
      ['/api/v1/inventory-items/{itemId}/dataset', 'post'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.tags).toEqual(['inventory']);
    }
  });
});
