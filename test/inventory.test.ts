import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { ItemProblemsError } from '../src/modules/inventory/inventory.service.ts';
import type { ItemInput } from '../src/modules/inventory/inventory.types.ts';
import { parseItems } from '../src/modules/inventory/inventory.validation.ts';
import { loadSchedule } from '../src/modules/inventory/schedule.ts';
import { MailSender } from '../src/modules/notifications/mail.sender.ts';
import type { User } from '../src/modules/users/users.service.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';
import { startSmtp, type TestSmtp } from './helpers/smtp.ts';

/** Items as a file or API body gives them, through the field rules (rows numbered as a file's lines, from 2). */
function items(rows: Record<string, unknown>[]): ItemInput[] {
  const parsed = parseItems(rows.map((raw, i) => ({ raw, row: i + 2 })));
  expect(parsed.problems).toEqual([]);
  return parsed.items;
}

const cpi = { itemKey: 'S001', name: '消費者物價指數', source: '資料庫', classification: '開放資料', sensitivity: '低', plannedDate: '2025-06-30', updateFrequency: '每1月' };
const wages = { itemKey: 'S002', name: '受僱員工薪資原始資料', source: '調查', classification: '依申請提供', legalBasis: '統計法第19條', reason: '含個別受訪者資料', sensitivity: '高' };
const census = { itemKey: 'C001', name: '人口及住宅普查結果', source: '調查', classification: '開放資料', sensitivity: '中', plannedDate: '2025-12-31' };

/** The code of an AppError thrown by `p` (and its status), for refusals. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number; zh: string; en: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return { code: e.code, status: e.status, zh: e.zh, en: e.en };
}

type People = Record<'admin' | 'stats' | 'census' | 'reviewer' | 'cio' | 'head' | 'other' | 'cioAdmin', User>;

/** The people of the tests: unit contacts, a reviewer, the CIO, the head, and a window admin who is also a CIO. */
async function people(t: TestEnv): Promise<People> {
  const { users, config } = t.services;
  const must = async (email: string) => {
    const found = await users.findByEmail(email);
    if (!found) throw new Error(`no user ${email}`);
    return found;
  };
  const admin = await must(config.adminEmail);
  const by = { id: admin.id, label: admin.email };
  await users.create({ email: 'stats@portal.test', name: '王小明', unit: 'statistics', role: 'contact' }, by);
  await users.create({ email: 'census@portal.test', name: '陳普查', unit: 'census', role: 'contact' }, by);
  await users.create({ email: 'reviewer@portal.test', name: '李科長', unit: 'statistics', role: 'reviewer' }, by);
  await users.create({ email: 'cio@portal.test', name: '張資訊長', unit: 'dgbas', role: 'cio' }, by);
  await users.create({ email: 'head@portal.test', name: '陳主計長', unit: 'dgbas', role: 'head' }, by);
  await users.create({ email: 'other@portal.test', name: '林會計', unit: 'accounting', role: 'contact' }, by);
  // Both the window and a CIO: may compile, and may approve — but never a list they compiled.
  await users.create({ email: 'cio-admin@portal.test', name: '黃副資訊長', unit: 'it', role: 'admin' }, by);
  await users.addRole('cio-admin@portal.test', 'dgbas', 'cio', by);
  return {
    admin,
    stats: await must('stats@portal.test'),
    census: await must('census@portal.test'),
    reviewer: await must('reviewer@portal.test'),
    cio: await must('cio@portal.test'),
    head: await must('head@portal.test'),
    other: await must('other@portal.test'),
    cioAdmin: await must('cio-admin@portal.test'),
  };
}

describe.each(engines)('inventory service (%s)', (engine) => {
  let t: TestEnv;
  let u: People;

  beforeEach(async () => {
    t = await makeEnv(engine);
    u = await people(t);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const inbox = async (user: User) => (await t.services.notifications.inbox(user.id)).map((n) => n.kind);

  /** Last year's list, approved through the service: statistics (CPI open, wages on application) and census. */
  async function approve2025() {
    const inv = t.services.inventory;
    await inv.replaceItems('statistics', 2025, items([cpi, wages]), u.stats, { source: 'test' });
    await inv.replaceItems('census', 2025, items([census]), u.census);
    await inv.submit('statistics', 2025, u.stats);
    await inv.submit('census', 2025, u.census);
    await inv.compile(2025, u.admin);
    return inv.approve(2025, u.cio);
  }

  it('runs the whole cycle: import, return and fix, compile with the diff, approve and publish, reopen and revise', async () => {
    const inv = t.services.inventory;
    const first = await approve2025();
    expect(first).toMatchObject({ year: 2025, revision: 1, diff: { against: null } });
    expect(first.items.map((i) => i.itemKey)).toEqual(['C001', 'S001', 'S002']);

    // 2026: statistics starts from last year (keys kept), then imports its new list over it.
    expect(await inv.startFrom('statistics', 2026, 2025, u.stats)).toEqual({ added: 2, updated: 0, removed: 0 });
    const started = await inv.get('statistics', 2026, u.stats);
    expect(started.inventory?.state).toBe('draft');
    expect(started.items.map((i) => i.itemKey)).toEqual(['S001', 'S002']);
    const cpiId = started.items[0].id;
    const linked = await t.services.catalogue.save(datasetInput({ unit: 'statistics', title: '消費者物價指數' }), { state: 'published' });

    const imported = await inv.replaceItems(
      'statistics',
      2026,
      items([
        // Matched by name (no key in the file): keeps its id and key; linked to its published dataset by identifier.
        { ...cpi, itemKey: '', plannedDate: '115/06/30', datasetRef: linked.dataset.identifier },
        { ...wages, classification: '開放資料', legalBasis: '', reason: '', plannedDate: '2026-09-30' },
        { name: '家庭收支調查', source: '調查', classification: '開放資料', sensitivity: '低', plannedDate: '2026-10-31' },
      ]),
      u.stats,
      { source: 'stats-2026.xlsx' },
    );
    expect(imported).toEqual({ added: 1, updated: 2, removed: 0 });
    const stats = await inv.get('statistics', 2026, u.stats);
    expect(stats.items[0]).toMatchObject({ id: cpiId, itemKey: 'S001', plannedDate: '2026-06-30', datasetId: linked.dataset.id, ownerUnit: '綜合統計處' });
    expect(stats.items[2].itemKey).toMatch(/^statistics-/);
    // A re-import keeps ids and the dataset link even when the file does not repeat it.
    await inv.replaceItems('statistics', 2026, items([{ ...cpi, plannedDate: '2026-06-30' }, { ...wages, classification: '開放資料', legalBasis: '', reason: '', plannedDate: '2026-09-30' }, { itemKey: stats.items[2].itemKey, name: '家庭收支調查', source: '調查', classification: '開放資料', sensitivity: '低', plannedDate: '2026-10-31' }]), u.stats);
    const again = await inv.get('statistics', 2026, u.stats);
    expect(again.items.map((i) => i.id)).toEqual(stats.items.map((i) => i.id));
    expect(again.items[0].datasetId).toBe(linked.dataset.id);

    // A row matching an item by name does not take it from a later row that names its key.
    await inv.replaceItems('fund-budget', 2026, items([{ ...cpi, itemKey: 'A1', name: '甲' }]), u.admin);
    await inv.replaceItems('fund-budget', 2026, items([{ ...cpi, itemKey: '', name: '甲' }, { ...cpi, itemKey: 'A1', name: '乙' }]), u.admin);
    const acc = (await inv.get('fund-budget', 2026, u.admin)).items;
    expect(acc.map((i) => i.name)).toEqual(['甲', '乙']);
    expect(new Set(acc.map((i) => i.itemKey)).size).toBe(2);
    expect(acc[1].itemKey).toBe('A1');

    await inv.replaceItems('census', 2026, items([{ itemKey: 'C002', name: '工業及服務業普查', source: '調查', classification: '開放資料', sensitivity: '低', plannedDate: '2026-05-31' }]), u.census);
    await inv.submit('census', 2026, u.census);
    expect(await inbox(u.admin)).toContain('inventory.submitted');

    // The window returns census with a comment; its contact is told, fixes it and submits again.
    const returned = await inv.returnToUnit('census', 2026, '請補上資料說明', u.admin);
    expect(returned).toMatchObject({ state: 'draft', comment: '請補上資料說明' });
    expect(await inbox(u.census)).toContain('inventory.returned');
    expect(await inbox(u.stats)).not.toContain('inventory.returned');
    const c2 = (await inv.get('census', 2026, u.census)).items[0];
    await inv.saveItem('census', 2026, c2.id, items([{ itemKey: 'C002', name: '工業及服務業普查', description: '五年一次之普查結果', source: '調查', classification: '開放資料', sensitivity: '低', plannedDate: '2026-05-31' }])[0], u.census);
    await inv.submit('census', 2026, u.census);
    await inv.submit('statistics', 2026, u.stats);

    // Compiled by someone who is also a CIO: the diff against last year's approval.
    const { list, compiled } = await inv.compile(2026, u.cioAdmin);
    expect(list).toMatchObject({ year: 2026, state: 'compiled', revision: 0, compiledBy: u.cioAdmin.id });
    expect(compiled.diff.against).toEqual({ year: 2025, revision: 1 });
    expect(compiled.diff.added.map((a) => a.name).sort()).toEqual(['家庭收支調查', '工業及服務業普查']);
    expect(compiled.diff.dropped.map((a) => a.itemKey)).toEqual(['C001']);
    expect(compiled.diff.reclassified).toEqual([{ itemKey: 'S002', unit: 'statistics', name: wages.name, from: 'application', to: 'open' }]);
    expect(compiled.diff.rescheduled).toEqual([]);
    expect(compiled.missing).toContain('accounting');
    expect(compiled.missing).not.toContain('statistics');
    expect(compiled.units.map((x) => x.unit).sort()).toEqual(['census', 'statistics']);
    expect(await inbox(u.cio)).toContain('inventory.compiled');
    expect(await t.services.inventory.compiled(2026, u.cio)).toMatchObject({ list: { state: 'compiled' }, compiled: { missing: compiled.missing } });

    // Never the compiler, even as a CIO.
    expect(await refusal(inv.approve(2026, u.cioAdmin))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const approved = await inv.approve(2026, u.cio);
    expect(approved).toMatchObject({ year: 2026, revision: 1, compiledBy: u.cioAdmin.id, approvedBy: u.cio.id });
    expect(approved.items).toHaveLength(4);
    expect((await inv.get('statistics', 2026, u.stats)).inventory?.state).toBe('approved');
    expect(await inbox(u.stats)).toContain('inventory.approved');
    expect(await inbox(u.census)).toContain('inventory.approved');
    expect(await inbox(u.admin)).toContain('inventory.approved');
    expect(await inbox(u.other)).not.toContain('inventory.approved');

    // The list dataset: in the window's unit, published, its one resource the public CSV.
    const ds = await t.services.catalogue.get(approved.datasetId ?? '');
    expect(ds).toMatchObject({ state: 'published', title: '行政院主計總處 2026年資料開放清單及期程', unit: { name: 'it' }, provisionType: 'open', numberOfData: 4 });
    expect(ds.resources).toHaveLength(1);
    expect(ds.resources[0].downloadUrl).toBe('http://portal.test/inventory/2026.csv');
    expect((await t.services.audit.log({ entityId: ds.id })).map((e) => e.action)).toContain('dataset.create');

    // Reopen, change, recompile: rescheduled and reclassified against revision 1.
    expect(await refusal(inv.saveItem('statistics', 2026, cpiId, items([cpi])[0], u.stats))).toMatchObject({ status: 409 });
    await inv.reopen('statistics', 2026, u.stats);
    expect(await inbox(u.admin)).toContain('inventory.reopened');
    await inv.saveItem('statistics', 2026, cpiId, items([{ ...cpi, plannedDate: '2026-12-31' }])[0], u.stats);
    const family = (await inv.get('statistics', 2026, u.stats)).items[2];
    await inv.saveItem('statistics', 2026, family.id, items([{ itemKey: family.itemKey, name: '家庭收支調查', source: '調查', classification: '不予提供', legalBasis: '個人資料保護法', reason: '無法去識別化', sensitivity: '高' }])[0], u.stats);
    // While statistics is in draft, the published list still reads revision 1.
    expect((await inv.approval(2026))?.revision).toBe(1);
    await inv.submit('statistics', 2026, u.stats);
    const second = await inv.compile(2026, u.admin);
    expect(second.compiled.diff.against).toEqual({ year: 2026, revision: 1 });
    expect(second.compiled.diff.rescheduled).toEqual([{ itemKey: 'S001', unit: 'statistics', name: cpi.name, from: '2026-06-30', to: '2026-12-31' }]);
    expect(second.compiled.diff.reclassified).toEqual([{ itemKey: family.itemKey, unit: 'statistics', name: '家庭收支調查', from: 'open', to: 'withheld' }]);
    expect(second.compiled.diff.added).toEqual([]);
    expect(second.compiled.units.find((x) => x.unit === 'census')?.state).toBe('approved');
    const rev2 = await inv.approve(2026, u.cio);
    expect(rev2.revision).toBe(2);
    // The same dataset, updated.
    expect(rev2.datasetId).toBe(approved.datasetId);
    const ds2 = await t.services.catalogue.get(rev2.datasetId ?? '');
    expect(ds2.identifier).toBe(ds.identifier);
    expect((await t.services.audit.log({ entityId: ds.id })).map((e) => e.action)).toContain('dataset.update');
    expect((await inv.approvals(2026)).map((a) => [a.revision, a.items])).toEqual([
      [2, 4],
      [1, 4],
    ]);
    expect((await inv.approval(2026, 1))?.items.find((i) => i.itemKey === 'S001')?.plannedDate).toBe('2026-06-30');
    expect(await inv.listState(2026)).toMatchObject({ state: 'approved', revision: 2 });

    const overview = await inv.overview(2026, u.head);
    expect(overview.find((o) => o.unit === 'statistics')).toMatchObject({ state: 'approved', items: 3, byClassification: { open: 2, application: 0, withheld: 1 } });
    expect(overview.find((o) => o.unit === 'accounting')).toMatchObject({ state: 'none', items: 0 });
    expect(overview.some((o) => o.unit === 'dgbas')).toBe(false);

    const actions = (await t.services.audit.log({ limit: 500 })).map((e) => e.action);
    for (const a of ['inventory.import', 'inventory.item.save', 'inventory.submit', 'inventory.return', 'inventory.reopen', 'inventory.compile', 'inventory.approve']) expect(actions).toContain(a);
  });

  it('refuses what people may not do, and illegal transitions, changing nothing', async () => {
    const inv = t.services.inventory;
    const one = items([cpi]);
    // Other unit, reviewer (reads only), the CIO and the head (read only), the public.
    for (const who of [u.other, u.reviewer, u.cio, u.head]) expect(await refusal(inv.replaceItems('statistics', 2026, one, who))).toMatchObject({ status: 403 });
    expect(await refusal(inv.get('statistics', 2026, u.other))).toMatchObject({ status: 403 });
    expect(await refusal(inv.overview(2026, u.stats))).toMatchObject({ status: 403 });
    expect((await inv.get('statistics', 2026, u.reviewer)).inventory).toBeNull();

    // Bad dataset references: every row named, nothing stored.
    await inv.replaceItems('statistics', 2026, one, u.stats);
    const other = await t.services.catalogue.save(datasetInput({ unit: 'accounting' }), { state: 'published' });
    const bad = items([
      { ...cpi, datasetRef: 'no-such-dataset' },
      { ...wages, datasetRef: other.dataset.identifier },
    ]);
    const e = await inv.replaceItems('statistics', 2026, bad, u.stats, { rows: [2, 3] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ItemProblemsError);
    const problems = (e as ItemProblemsError).problems;
    expect(problems.map((p) => [p.row, p.field, p.column])).toEqual([
      [2, 'datasetRef', '對應資料集'],
      [3, 'datasetRef', '對應資料集'],
    ]);
    expect(problems[0].zh).toContain('no-such-dataset');
    expect((e as ItemProblemsError).status).toBe(422);
    expect((await inv.get('statistics', 2026, u.stats)).items.map((i) => i.name)).toEqual([cpi.name]);
    // A second item of the same name is refused on its own too.
    expect(await refusal(inv.saveItem('statistics', 2026, null, one[0], u.stats))).toMatchObject({ status: 422, code: 'INVENTORY_ITEMS_INVALID' });

    // Workflow roles.
    expect(await refusal(inv.submit('statistics', 2026, u.reviewer))).toMatchObject({ status: 403 });
    expect(await refusal(inv.submit('census', 2026, u.census))).toMatchObject({ status: 409 });
    await inv.submit('statistics', 2026, u.stats);
    // Editing a submitted inventory: 409 naming the state, saying to wait.
    const locked = await refusal(inv.saveItem('statistics', 2026, null, items([wages])[0], u.stats));
    expect(locked).toMatchObject({ status: 409, code: 'INVALID_TRANSITION' });
    expect(locked.zh).toContain('已送出');
    expect(locked.en).toContain('submitted');
    expect(await refusal(inv.replaceItems('statistics', 2026, one, u.stats))).toMatchObject({ status: 409 });
    expect(await refusal(inv.deleteItem('statistics', 2026, (await inv.get('statistics', 2026, u.stats)).items[0].id, u.stats))).toMatchObject({ status: 409 });
    expect(await refusal(inv.submit('statistics', 2026, u.stats))).toMatchObject({ status: 409 });
    expect(await refusal(inv.reopen('statistics', 2026, u.stats))).toMatchObject({ status: 409 });
    expect(await refusal(inv.returnToUnit('statistics', 2026, '請修改', u.stats))).toMatchObject({ status: 403 });
    expect(await refusal(inv.returnToUnit('statistics', 2026, '請修改', u.cio))).toMatchObject({ status: 403 });
    expect(await refusal(inv.returnToUnit('statistics', 2026, '  ', u.admin))).toMatchObject({ status: 400 });

    for (const who of [u.stats, u.reviewer, u.cio, u.head]) expect(await refusal(inv.compile(2026, who))).toMatchObject({ status: 403 });
    expect(await refusal(inv.approve(2026, u.cio))).toMatchObject({ status: 409 });
    expect(await refusal(inv.compile(2027, u.admin))).toMatchObject({ status: 409, code: 'INVENTORY_NOTHING_TO_COMPILE' });
    await inv.compile(2026, u.cioAdmin);
    // The window runs the platform but does not approve; neither does the head; the compiler never.
    for (const who of [u.admin, u.head, u.stats, u.cioAdmin]) expect(await refusal(inv.approve(2026, who))).toMatchObject({ status: 403 });
    expect(await refusal(inv.returnList(2026, '請補充', u.cioAdmin))).toMatchObject({ status: 403 });
    expect(await refusal(inv.returnList(2026, '請補充', u.admin))).toMatchObject({ status: 403 });

    // The CIO returns the list to the window; it cannot be approved until compiled again.
    const back = await inv.returnList(2026, '請補充各單位資料說明', u.cio);
    expect(back).toMatchObject({ state: 'returned', comment: '請補充各單位資料說明' });
    expect(await inbox(u.admin)).toContain('inventory.list_returned');
    const again = await refusal(inv.approve(2026, u.cio));
    expect(again).toMatchObject({ status: 409 });
    expect(again.zh).toContain('已退回窗口');
    expect(await inv.approval(2026)).toBeNull();

    // The approved inventory is locked until reopened.
    await inv.compile(2026, u.admin);
    await inv.approve(2026, u.cio);
    const approvedLock = await refusal(inv.replaceItems('statistics', 2026, one, u.stats));
    expect(approvedLock.zh).toContain('重新開啟');
    expect(approvedLock.en).toContain('reopen');
    expect(await refusal(inv.reopen('statistics', 2026, u.other))).toMatchObject({ status: 403 });
    expect(await refusal(inv.startFrom('statistics', 2025, 2026, u.stats))).toMatchObject({ status: 400 });
    expect(await refusal(inv.get('dgbas', 2026, u.admin))).toMatchObject({ status: 400 });
    expect(await refusal(inv.get('statistics', 99, u.admin))).toMatchObject({ status: 400 });

    // Denied calls left no trace in the audit trail beyond the allowed ones.
    const audit = (await t.services.audit.log({ limit: 500 })).filter((x) => x.action.startsWith('inventory.'));
    expect(audit.map((x) => x.action).sort()).toEqual(['inventory.approve', 'inventory.compile', 'inventory.compile', 'inventory.import', 'inventory.list_return', 'inventory.submit']);
  });

  it('makes a dataset draft from an approved open item; published through review, the schedule says opened', async () => {
    const inv = t.services.inventory;
    await approve2025();
    const [cpiItem, wagesItem] = (await inv.get('statistics', 2025, u.stats)).items;

    expect(await refusal(inv.createDatasetDraft(cpiItem.id, u.other))).toMatchObject({ status: 403 });
    expect(await refusal(inv.createDatasetDraft(cpiItem.id, u.reviewer))).toMatchObject({ status: 403 });
    expect(await refusal(inv.createDatasetDraft(wagesItem.id, u.stats))).toMatchObject({ status: 409, code: 'INVENTORY_ITEM_NOT_OPEN' });
    expect(await refusal(inv.createDatasetDraft('no-such-item', u.stats))).toMatchObject({ status: 404 });

    const made = await inv.createDatasetDraft(cpiItem.id, u.stats);
    const draft = await t.services.catalogue.get(made.datasetId, { includeNonPublic: true });
    expect(draft).toMatchObject({ state: 'draft', title: cpi.name, unit: { name: 'statistics' }, updateFrequency: '每1月', provisionType: 'open', publisherContactName: '王小明', publisherContactEmail: 'stats@portal.test' });
    expect(made.name).toBe(draft.name);
    expect((await inv.get('statistics', 2025, u.stats)).items[0].datasetId).toBe(made.datasetId);
    expect(await refusal(inv.createDatasetDraft(cpiItem.id, u.stats))).toMatchObject({ status: 409, code: 'INVENTORY_ITEM_HAS_DATASET' });
    expect((await t.services.audit.log({ entityId: cpiItem.id })).map((e) => e.action)).toContain('inventory.item.dataset');

    // An item only in a draft (not approved) cannot.
    await inv.reopen('statistics', 2025, u.stats);
    const fresh = await inv.saveItem('statistics', 2025, null, items([{ name: '物價指數基期資料', source: '資料庫', classification: '開放資料', sensitivity: '低', plannedDate: '2025-12-31' }])[0], u.stats);
    expect(await refusal(inv.createDatasetDraft(fresh.id, u.stats))).toMatchObject({ status: 409, code: 'INVENTORY_ITEM_NOT_OPEN' });

    const cal = await t.services.calendar.calendar();
    const before = await loadSchedule(t.services.db.kysely, cal, { asOf: '2025-03-02', year: 2025 });
    expect(before.find((x) => x.itemKey === 'S001')).toMatchObject({ status: 'on_time', datasetId: made.datasetId, openedAt: null });
    // The draft's placeholder field must be replaced by the real columns before it can be submitted.
    expect(await refusal(t.services.review.submit(u.stats, made.datasetId))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const draftInput = await t.services.catalogue.storedInput(made.datasetId);
    await t.services.catalogue.save({ ...draftInput, fields: [{ name: '年月', title: '年月', description: '統計期' }, { name: '指數', title: '指數', description: '基期=100' }] }, { state: 'draft' });
    await t.services.review.submit(u.stats, made.datasetId);
    await t.services.review.approve(u.reviewer, made.datasetId);
    const after = await loadSchedule(t.services.db.kysely, cal, { asOf: '2025-03-02', year: 2025 });
    expect(after.find((x) => x.itemKey === 'S001')).toMatchObject({ status: 'opened', datasetName: made.name });
    expect(after.find((x) => x.itemKey === 'C001')?.status).toBe('on_time');
    expect(after.some((x) => x.itemKey === 'S002')).toBe(false);

    // Through the service: everything for the window, one's own units for a contact.
    expect((await inv.schedule(u.admin, cal, { asOf: '2025-03-02', year: 2025 })).map((x) => x.itemKey).sort()).toEqual(['C001', 'S001']);
    expect((await inv.schedule(u.stats, cal, { asOf: '2025-03-02' })).map((x) => x.itemKey)).toEqual(['S001']);
    expect(await refusal(inv.schedule(u.other, cal, { asOf: '2025-03-02', unit: 'statistics' }))).toMatchObject({ status: 403 });

    // A new year starting from this one carries the link, and the opened item no longer has a planned date.
    await inv.startFrom('statistics', 2026, 2025, u.stats);
    const carried = (await inv.get('statistics', 2026, u.stats)).items;
    expect(carried.find((i) => i.itemKey === 'S001')).toMatchObject({ datasetId: made.datasetId, plannedDate: null });
    expect(carried.find((i) => i.itemKey === 'S002')).toMatchObject({ classification: 'application', datasetId: null });
    expect(carried).toHaveLength(2);
  });
});

describe.each(engines)('inventory mail (%s)', (engine) => {
  let smtp: TestSmtp;
  let t: TestEnv;
  let u: People;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    t = await makeEnv(engine, { SMTP_URL: smtp.url, KAIFANG_MAIL_FROM: 'Kaifang <open@portal.test>' });
    u = await people(t);
  });
  afterEach(async () => {
    await t.cleanup();
  });
  const sendMail = () => new MailSender(t.services.db, t.services.config.mail).sendPending();
  const to = (email: string) => smtp.received.filter((m) => m.to.includes(email));

  it('mails each step to the people who act next', async () => {
    const inv = t.services.inventory;
    await inv.replaceItems('census', 2026, items([{ ...census, plannedDate: '2026-12-31' }]), u.census);
    await inv.submit('census', 2026, u.census);
    await sendMail();
    expect(to(t.services.config.adminEmail).map((m) => m.subject)).toEqual(['盤點清單已送出：國勢普查處 2026 年']);
    expect(to('cio-admin@portal.test')).toHaveLength(1);
    expect(to('census@portal.test')).toHaveLength(0);

    smtp.received.length = 0;
    await inv.returnToUnit('census', 2026, '請補上普查年度', u.admin);
    await sendMail();
    expect(smtp.received.flatMap((m) => m.to)).toEqual(['census@portal.test']);
    expect(to('census@portal.test')[0].text).toContain('請補上普查年度');
    expect(to('census@portal.test')[0].text).toContain('http://portal.test/manage/inventory/2026/census');

    smtp.received.length = 0;
    await inv.submit('census', 2026, u.census);
    await inv.compile(2026, u.admin);
    await sendMail();
    expect(to('cio@portal.test').map((m) => m.subject)).toEqual(['資料開放清單待核定：2026 年']);
    // The compiler is not told of their own compilation; the other CIO is.
    // (The outbox sends in no guaranteed order within a batch.)
    expect(to('cio-admin@portal.test').map((m) => m.subject).sort()).toEqual(['盤點清單已送出：國勢普查處 2026 年', '資料開放清單待核定：2026 年'].sort());
    expect(to('cio@portal.test')[0].text).toContain('綜合統計處');

    smtp.received.length = 0;
    await inv.returnList(2026, '請確認預定開放日期', u.cio);
    await sendMail();
    expect(to(t.services.config.adminEmail)[0].text).toContain('請確認預定開放日期');
    expect(to('cio@portal.test')).toHaveLength(0);

    smtp.received.length = 0;
    await inv.compile(2026, u.admin);
    await inv.approve(2026, u.cio);
    await sendMail();
    const approved = smtp.received.filter((m) => m.subject.startsWith('資料開放清單已核定'));
    expect(approved.flatMap((m) => m.to).sort()).toEqual([t.services.config.adminEmail, 'census@portal.test', 'cio-admin@portal.test'].sort());
    expect(approved[0].text).toContain('http://portal.test/inventory/2026');
  });
});
