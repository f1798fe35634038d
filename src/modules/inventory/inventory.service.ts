import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { Database, InventoriesTable, InventoryItemsTable } from '../../db/types.ts';
import { AppError, badRequest } from '../../errors.ts';
import { taipeiDateTime } from '../../time.ts';
import type { Actor as AuditActor, AuditService } from '../audit/audit.service.ts';
import type { DatasetInput } from '../catalogue/catalogue.schemas.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { WorkingCalendar } from '../calendar/working-days.ts';
import type { NotificationService } from '../notifications/notifications.service.ts';
import { assertCan, can, type Action } from '../policy/policy.ts';
import type { Unit, UnitsService } from '../units/units.service.ts';
import { usersWithRole } from '../users/recipients.ts';
import type { User } from '../users/users.service.ts';
import * as text from './inventory.messages.ts';
import { fieldById, LIST_UNIT_HEADING, PUBLIC_LIST_FIELDS } from './inventory.validation.ts';
import { loadSchedule } from './schedule.ts';
import type {
  ApprovedItem,
  Classification,
  InventoryItem,
  InventoryState,
  ItemInput,
  ItemProblem,
  ListDiff,
  ListState,
  ScheduleEntry,
  Sensitivity,
  Source,
} from './inventory.types.ts';
import { PLACEHOLDER_FIELD } from '../catalogue/national.ts';

/** A unit's inventory of a year (the header; its items come beside it). */
export interface InventoryHeader {
  id: string;
  /** Unit name. */
  unit: string;
  unitTitle: string;
  year: number;
  state: InventoryState;
  /** The window's comment when it returned the inventory. */
  comment: string | null;
  submittedAt: string | null;
  submittedBy: string | null;
}

export interface InventoryView {
  /** null: the unit has not started this year's inventory. */
  inventory: InventoryHeader | null;
  items: InventoryItem[];
}

/** One unit's line of the year's overview. */
export interface OverviewRow {
  unit: string;
  unitTitle: string;
  unitTitleEn: string;
  state: InventoryState | 'none';
  items: number;
  byClassification: Record<Classification, number>;
  submittedAt: string | null;
  updatedAt: string | null;
}

/** The agency list of a year as it stands (inventory_lists). */
export interface ListStatus {
  year: number;
  state: ListState;
  /** Approved revisions so far (the published one). */
  revision: number;
  compiledAt: string | null;
  compiledBy: string | null;
  /** The CIO's comment when they returned the list. */
  comment: string | null;
  updatedAt: string;
}

/** What the window compiled and the CIO is asked to approve (inventory_lists.compiled_json). */
export interface CompiledList {
  items: ApprovedItem[];
  diff: ListDiff;
  units: { unit: string; unitTitle: string; state: InventoryState; items: number }[];
  /** Units (kind unit) whose inventory is not submitted or approved (or not started). */
  missing: string[];
}

/** An approved revision of a year's list. */
export interface ApprovalView {
  year: number;
  revision: number;
  approvedAt: string;
  approvedBy: string;
  compiledBy: string | null;
  /** The published list dataset (資料開放清單及期程). */
  datasetId: string | null;
  items: ApprovedItem[];
  diff: ListDiff;
}

/** A line of a year's approval history. */
export type ApprovalSummary = Omit<ApprovalView, 'items' | 'diff'> & { items: number };

export interface ImportResult {
  added: number;
  updated: number;
  removed: number;
}

/**
 * 422: items that cannot be stored, every problem by row and field (zh-TW and English). The API
 * answers with them as `problems`; nothing was changed.
 */
export class ItemProblemsError extends AppError {
  constructor(readonly problems: ItemProblem[]) {
    const first = problems[0];
    super(
      'INVENTORY_ITEMS_INVALID',
      422,
      `盤點項目有 ${problems.length} 個問題，未做任何變更${first ? `；${first.zh}` : ''}`,
      `The inventory items have ${problems.length} problem(s); nothing was changed${first ? `. ${first.en}` : ''}`,
      Object.fromEntries(problems.map((p) => [`${p.row}.${p.field}`, [`${p.zh} / ${p.en}`]])),
    );
    this.name = 'ItemProblemsError';
  }
}

const now = () => new Date().toISOString();
const actorOf = (u: User): AuditActor => ({ id: u.id, label: u.email });

const STATE_LABELS: Record<InventoryState, [string, string]> = { draft: ['草稿', 'draft'], submitted: ['已送出', 'submitted'], approved: ['已核定', 'approved'] };
const LIST_STATE_LABELS: Record<ListState, [string, string]> = { compiled: ['已彙整待核定', 'compiled, awaiting approval'], returned: ['已退回窗口', 'returned to the window'], approved: ['已核定', 'approved'] };

/** 409: a unit's inventory is not in the state the action needs; says what it is and what to do. */
function inventoryConflict(unit: Unit, year: number, state: InventoryState | null, zhAction: string, enAction: string, zhHint = '', enHint = ''): AppError {
  const [zh, en] = state ? STATE_LABELS[state] : ['尚未建立', 'not started'];
  return new AppError(
    'INVALID_TRANSITION',
    409,
    `「${unit.title}」${year} 年盤點清單目前為「${zh}」（${state ?? 'none'}），不能${zhAction}${zhHint ? `；${zhHint}` : ''}`,
    `The ${year} inventory of ${unit.titleEn} is ${en}; it cannot be ${enAction}${enHint ? `. ${enHint}` : ''}`,
    { state: [`目前狀態 ${state ?? 'none'} / current state ${state ?? 'none'}`] },
  );
}

/** 409 for editing a locked inventory: wait for the window, or reopen. */
function locked(unit: Unit, year: number, state: InventoryState): AppError {
  return state === 'submitted'
    ? inventoryConflict(unit, year, state, '編修', 'edited', '已送出的清單請等候資料開放窗口退回，或於核定後重新開啟再修改', 'wait for the open-data window to return it, or reopen it once approved')
    : inventoryConflict(unit, year, state, '編修', 'edited', '請先「重新開啟」清單再修改', 'reopen it first');
}

function listConflict(year: number, state: ListState | null, zhAction: string, enAction: string): AppError {
  const [zh, en] = state ? LIST_STATE_LABELS[state] : ['尚未彙整', 'not compiled'];
  return new AppError('INVALID_TRANSITION', 409, `${year} 年資料開放清單目前為「${zh}」（${state ?? 'none'}），不能${zhAction}`, `The ${year} open-data list is ${en}; it cannot be ${enAction}`, {
    state: [`目前狀態 ${state ?? 'none'} / current state ${state ?? 'none'}`],
  });
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2999) throw badRequest(`年度「${year}」須為 2000 至 2999 的西元年`, `year "${year}" must be a Gregorian year 2000–2999`, 'year');
}

function requireComment(comment: string): string {
  const c = comment.trim();
  if (!c) throw badRequest('請填寫退回意見', 'a comment is required to return it', 'comment');
  if (c.length > 5000) throw badRequest('意見不可超過 5000 字', 'the comment must be at most 5000 characters', 'comment');
  return c;
}

type ItemRow = Selectable<InventoryItemsTable>;
type InventoryRow = Selectable<InventoriesTable>;

function toItem(r: ItemRow, unit: string): InventoryItem {
  return {
    id: r.id,
    inventoryId: r.inventory_id,
    unit,
    year: Number(r.year),
    itemKey: r.item_key,
    position: Number(r.position),
    name: r.name,
    source: r.source as Source,
    systemName: r.system_name,
    description: r.description,
    ownerUnit: r.owner_unit,
    classification: r.classification as Classification,
    legalBasis: r.legal_basis,
    reason: r.reason,
    sensitivity: r.sensitivity as Sensitivity,
    genderFlag: Number(r.gender_flag) === 1,
    priority: Number(r.priority),
    plannedDate: r.planned_date,
    updateFrequency: r.update_frequency,
    datasetId: r.dataset_id,
    notes: r.notes,
    updatedAt: r.updated_at,
  };
}

/** An item as frozen in an approval: the stored item without what only the unit sees (priority, notes, dataset link). */
function toApproved(r: ItemRow, unit: Unit): ApprovedItem {
  const { inventoryId: _i, year: _y, priority: _p, datasetId: _d, notes: _n, updatedAt: _u, ...kept } = toItem(r, unit.name);
  return { ...kept, unitTitle: unit.title };
}

/** The stored columns of an item from its input (ownerUnit defaults to the unit's title). */
function columnsOf(input: ItemInput, unit: Unit) {
  return {
    name: input.name,
    source: input.source,
    system_name: input.systemName,
    description: input.description,
    owner_unit: input.ownerUnit ?? unit.title,
    classification: input.classification,
    legal_basis: input.legalBasis,
    reason: input.reason,
    sensitivity: input.sensitivity,
    gender_flag: input.genderFlag ? 1 : 0,
    priority: input.priority,
    planned_date: input.plannedDate,
    update_frequency: input.updateFrequency,
    notes: input.notes,
  };
}

/** A new item key: the unit's name and a random part (kept across years once given). */
const newKey = (unit: Unit): string => `${unit.name}-${randomUUID().slice(0, 8)}`;

/**
 * What changed from one approved list to the next, by item (unit and key): added, dropped,
 * reclassified; rescheduled (open items only) between revisions of the same year (a new year's dates differ anyway).
 */
export function diffLists(before: { year: number; revision: number; items: ApprovedItem[] } | null, after: ApprovedItem[], year: number): ListDiff {
  const diff: ListDiff = { against: before ? { year: before.year, revision: before.revision } : null, added: [], dropped: [], reclassified: [], rescheduled: [] };
  if (!before) return diff;
  const id = (i: ApprovedItem) => `${i.unit}\u0000${i.itemKey}`;
  const old = new Map(before.items.map((i) => [id(i), i]));
  const seen = new Set<string>();
  for (const i of after) {
    const o = old.get(id(i));
    seen.add(id(i));
    const ref = { itemKey: i.itemKey, unit: i.unit, name: i.name };
    if (!o) {
      diff.added.push(ref);
      continue;
    }
    if (o.classification !== i.classification) diff.reclassified.push({ ...ref, from: o.classification, to: i.classification });
    // A planned date means something for open data only; an item that stops being open is reclassified, not rescheduled.
    if (before.year === year && o.classification === 'open' && i.classification === 'open' && (o.plannedDate ?? null) !== (i.plannedDate ?? null)) diff.rescheduled.push({ ...ref, from: o.plannedDate ?? null, to: i.plannedDate ?? null });
  }
  for (const o of before.items) if (!seen.has(id(o))) diff.dropped.push({ itemKey: o.itemKey, unit: o.unit, name: o.name });
  return diff;
}

/**
 * The yearly data inventory (年度盤點) and the agency's open-data list (資料開放清單及期程):
 * units edit and submit their inventory, the window compiles the agency list, the CIO approves it
 * and it is published as a catalogue dataset. Every change is audited and told to the people who
 * act next, in the transaction of the change. See docs/inventory-design.md.
 */
export class InventoryService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly units: UnitsService,
    private readonly catalogue: CatalogueService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationService,
  ) {}

  /** A transaction holding the audit chain's lock from its start (on SQLite: the write lock before anything is read). */
  private tx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.audit.transaction(fn);
  }

  private get k(): Kysely<Database> {
    return this.db.kysely;
  }

  private unitLink(unit: string, year: number): string {
    return `${this.config.baseUrl}/manage/inventory/${year}/${encodeURIComponent(unit)}`;
  }

  /** The compiled agency list of a year (where the CIO decides and the window compiles again). */
  private yearLink(year: number): string {
    return `${this.config.baseUrl}/manage/inventory/${year}/compiled`;
  }

  /** A unit that keeps an inventory (kind unit); 404 for an unknown one, 400 for the agency itself or another agency. */
  private async inventoryUnit(name: string): Promise<Unit> {
    const u = await this.units.get(name);
    if (u.kind !== 'unit') throw badRequest(`「${u.title}」不是本機關的單位，沒有盤點清單`, `${u.titleEn} is not a unit of the agency; it keeps no inventory`, 'unit');
    return u;
  }

  /** The units that keep inventories, by name (as UnitsService lists them). */
  private async inventoryUnits(): Promise<Unit[]> {
    return (await this.units.list()).filter((u) => u.kind === 'unit');
  }

  private header(r: InventoryRow, unit: Unit): InventoryHeader {
    return { id: r.id, unit: unit.name, unitTitle: unit.title, year: Number(r.year), state: r.state as InventoryState, comment: r.comment, submittedAt: r.submitted_at, submittedBy: r.submitted_by };
  }

  private async findInventory(trx: Kysely<Database>, unit: Unit, year: number): Promise<InventoryRow | undefined> {
    return trx.selectFrom('inventories').selectAll().where('unit_id', '=', unit.id).where('year', '=', year).executeTakeFirst();
  }

  private async itemRows(trx: Kysely<Database>, inventoryId: string): Promise<ItemRow[]> {
    return trx.selectFrom('inventory_items').selectAll().where('inventory_id', '=', inventoryId).orderBy('position').orderBy('created_at').execute();
  }

  /** The unit-year's draft, created by the first edit; 409 when submitted or approved. */
  private async editableDraft(trx: Kysely<Database>, unit: Unit, year: number): Promise<InventoryRow> {
    const r = await this.findInventory(trx, unit, year);
    if (r) {
      if (r.state !== 'draft') throw locked(unit, year, r.state as InventoryState);
      return r;
    }
    const ts = now();
    const row: InventoryRow = { id: randomUUID(), unit_id: unit.id, year, state: 'draft', comment: null, submitted_at: null, submitted_by: null, created_at: ts, updated_at: ts };
    await trx.insertInto('inventories').values(row).execute();
    return row;
  }

  /**
   * Resolves each input's datasetRef to a dataset of the same unit (by id, URL name or identifier);
   * one that names none is a problem of its row.
   */
  private async resolveDatasets(trx: Kysely<Database>, unit: Unit, inputs: readonly ItemInput[], rows: readonly number[]): Promise<{ ids: (string | null)[]; problems: ItemProblem[] }> {
    const refs = [...new Set(inputs.map((i) => i.datasetRef?.trim()).filter((r): r is string => !!r))];
    const found = new Map<string, string>();
    for (let i = 0; i < refs.length; i += 300) {
      const chunk = refs.slice(i, i + 300);
      const ds = await trx
        .selectFrom('datasets')
        .select(['id', 'name', 'identifier'])
        .where('unit_id', '=', unit.id)
        .where((eb) => eb.or([eb('id', 'in', chunk), eb('name', 'in', chunk.map((c) => c.toLowerCase())), eb('identifier', 'in', chunk)]))
        .execute();
      for (const d of ds) for (const k of [d.id, d.name, d.identifier]) found.set(k, d.id);
    }
    const f = fieldById('datasetRef');
    const problems: ItemProblem[] = [];
    const ids = inputs.map((input, i) => {
      const ref = input.datasetRef?.trim();
      if (!ref) return null;
      const id = found.get(ref) ?? found.get(ref.toLowerCase());
      if (id) return id;
      const row = rows[i] ?? i + 1;
      problems.push({
        row,
        field: 'datasetRef',
        column: f?.heading ?? 'datasetRef',
        zh: `第 ${row} 列「${f?.heading ?? '對應資料集'}」：「${unit.title}」沒有識別碼、網址名稱或 id 為「${ref}」的資料集`,
        en: `row ${row}, "${f?.heading ?? 'datasetRef'}" (${f?.headingEn ?? 'Dataset'}): ${unit.titleEn} has no dataset with the identifier, name or id "${ref}"`,
      });
      return null;
    });
    return { ids, problems };
  }

  // ---- reading ----

  /** A unit's inventory of a year with its items (inventory.read for the unit). */
  async get(unit: string, year: number, actor: User): Promise<InventoryView> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.read', { unit: u.name });
    const r = await this.findInventory(this.k, u, year);
    if (!r) return { inventory: null, items: [] };
    return { inventory: this.header(r, u), items: (await this.itemRows(this.k, r.id)).map((i) => toItem(i, u.name)) };
  }

  /** One item of a unit-year (inventory.read for the unit); 404 when it is not there. */
  async item(unit: string, year: number, itemId: string, actor: User): Promise<InventoryItem> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.read', { unit: u.name });
    const found = await this.k.selectFrom('inventory_items').selectAll().where('id', '=', itemId).where('unit_id', '=', u.id).where('year', '=', year).executeTakeFirst();
    if (found) return toItem(found, u.name);
    throw new AppError('INVENTORY_ITEM_NOT_FOUND', 404, `找不到盤點項目：${itemId}`, `inventory item not found: ${itemId}`);
  }

  /** Every unit (kind unit) with its inventory state and item counts (inventory.read agency-wide: the window, the CIO, the head). */
  async overview(year: number, actor: User): Promise<OverviewRow[]> {
    checkYear(year);
    assertCan(actor, 'inventory.read');
    const units = await this.inventoryUnits();
    const invs = await this.k.selectFrom('inventories').selectAll().where('year', '=', year).execute();
    const counts = await this.k
      .selectFrom('inventory_items')
      .select(['inventory_id', 'classification', (eb) => eb.fn.countAll().as('n')])
      .where('year', '=', year)
      .groupBy(['inventory_id', 'classification'])
      .execute();
    const byInv = new Map<string, Record<Classification, number>>();
    for (const c of counts) {
      const m = byInv.get(c.inventory_id) ?? { open: 0, application: 0, withheld: 0 };
      m[c.classification as Classification] = Number(c.n);
      byInv.set(c.inventory_id, m);
    }
    const invOf = new Map(invs.map((i) => [i.unit_id, i]));
    return units.map((u) => {
      const inv = invOf.get(u.id);
      const by = (inv && byInv.get(inv.id)) || { open: 0, application: 0, withheld: 0 };
      return {
        unit: u.name,
        unitTitle: u.title,
        unitTitleEn: u.titleEn,
        state: inv ? (inv.state as InventoryState) : 'none',
        items: by.open + by.application + by.withheld,
        byClassification: by,
        submittedAt: inv?.submitted_at ?? null,
        updatedAt: inv?.updated_at ?? null,
      };
    });
  }

  private toListStatus(r: Selectable<Database['inventory_lists']>): ListStatus {
    return { year: Number(r.year), state: r.state as ListState, revision: Number(r.revision), compiledAt: r.compiled_at, compiledBy: r.compiled_by, comment: r.comment, updatedAt: r.updated_at };
  }

  /** The agency list row of a year, or null before the first compilation. */
  async listState(year: number, trx: Kysely<Database> = this.k): Promise<ListStatus | null> {
    checkYear(year);
    const r = await trx.selectFrom('inventory_lists').selectAll().where('year', '=', year).executeTakeFirst();
    return r ? this.toListStatus(r) : null;
  }

  /** What was compiled, as the CIO is asked to approve it (inventory.read agency-wide); null when nothing is. */
  async compiled(year: number, actor: User): Promise<{ list: ListStatus; compiled: CompiledList } | null> {
    checkYear(year);
    assertCan(actor, 'inventory.read');
    const r = await this.k.selectFrom('inventory_lists').selectAll().where('year', '=', year).executeTakeFirst();
    if (!r?.compiled_json) return null;
    return { list: this.toListStatus(r), compiled: JSON.parse(r.compiled_json) as CompiledList };
  }

  private toApproval(r: Selectable<Database['inventory_approvals']>): ApprovalView {
    return {
      year: Number(r.year),
      revision: Number(r.revision),
      approvedAt: r.approved_at,
      approvedBy: r.approved_by,
      compiledBy: r.compiled_by,
      datasetId: r.dataset_id,
      items: JSON.parse(r.items_json) as ApprovedItem[],
      diff: JSON.parse(r.diff_json) as ListDiff,
    };
  }

  /** Public: an approved revision (the newest when `revision` is omitted), or null when none. */
  async approval(year: number, revision?: number, trx: Kysely<Database> = this.k): Promise<ApprovalView | null> {
    checkYear(year);
    let q = trx.selectFrom('inventory_approvals').selectAll().where('year', '=', year);
    if (revision !== undefined) q = q.where('revision', '=', revision);
    const r = await q.orderBy('revision', 'desc').executeTakeFirst();
    return r ? this.toApproval(r) : null;
  }

  /** Public: the approval history of a year, newest first. */
  async approvals(year: number): Promise<ApprovalSummary[]> {
    checkYear(year);
    const rows = await this.k.selectFrom('inventory_approvals').selectAll().where('year', '=', year).orderBy('revision', 'desc').execute();
    return rows.map((r) => {
      const { items, diff: _diff, ...rest } = this.toApproval(r);
      return { ...rest, items: items.length };
    });
  }

  /**
   * The opening schedule for a signed-in person: everything for those who may read every unit's
   * inventory or follow-up; otherwise the units they may read. `unit` narrows it (checked).
   */
  async schedule(actor: User, cal: WorkingCalendar, opts: { asOf: string; year?: number; unit?: string }): Promise<ScheduleEntry[]> {
    if (opts.year !== undefined) checkYear(opts.year);
    const readable = (target: { unit?: string }) => (['followup.read', 'inventory.read'] as Action[]).some((a) => can(actor, a, target));
    if (opts.unit !== undefined) {
      const u = await this.units.get(opts.unit);
      if (!readable({ unit: u.name })) assertCan(actor, 'followup.read', { unit: u.name });
      return loadSchedule(this.k, cal, { asOf: opts.asOf, year: opts.year, unit: u.name, dueSoon: this.config.followup.scheduleRemindDays });
    }
    const all = await loadSchedule(this.k, cal, { asOf: opts.asOf, year: opts.year, dueSoon: this.config.followup.scheduleRemindDays });
    if (readable({})) return all;
    const mine = new Set(actor.roles.map((r) => r.unit).filter((unit) => readable({ unit })));
    if (mine.size === 0) assertCan(actor, 'followup.read');
    return all.filter((e) => mine.has(e.unit));
  }

  // ---- editing (draft only) ----

  /** Throws unless `actor` may edit the unit's inventory (inventory.edit), whatever its state. */
  async checkEdit(unit: string, year: number, actor: User): Promise<void> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.edit', { unit: u.name });
  }

  /**
   * Replaces the unit-year's draft items wholly (an import), all or nothing. Items are matched to
   * the stored ones by itemKey, then by name, so their ids and dataset links survive; the rest are
   * added or removed. `rows` gives each input's line in its file, for the problems.
   */
  async replaceItems(unit: string, year: number, inputs: ItemInput[], actor: User, opts: { source?: string; rows?: number[] } = {}): Promise<ImportResult> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.edit', { unit: u.name });
    const rows = opts.rows ?? inputs.map((_, i) => i + 1);
    return this.tx(async (trx) => {
      const inv = await this.editableDraft(trx, u, year);
      const { ids, problems } = await this.resolveDatasets(trx, u, inputs, rows);
      if (problems.length) throw new ItemProblemsError(problems);
      const stored = await this.itemRows(trx, inv.id);
      const byKey = new Map(stored.map((s) => [s.item_key, s]));
      const byName = new Map(stored.map((s) => [s.name, s]));
      const matched = new Set<string>();
      const ts = now();
      let added = 0;
      let updated = 0;
      for (const [i, input] of inputs.entries()) {
        const key = input.itemKey?.trim() || null;
        let m = key ? byKey.get(key) : undefined;
        if (!m || matched.has(m.id)) {
          const n = byName.get(input.name);
          // By name only when no other row claims that item by its key (else two rows would share one key).
          m = n && !matched.has(n.id) && !inputs.some((o, j) => j !== i && o.itemKey?.trim() === n.item_key) ? n : undefined;
        }
        const cols = columnsOf(input, u);
        if (m) {
          matched.add(m.id);
          await trx
            .updateTable('inventory_items')
            .set({ ...cols, item_key: key ?? m.item_key, position: i, dataset_id: ids[i] ?? m.dataset_id, updated_at: ts, updated_by: actor.id })
            .where('id', '=', m.id)
            .execute();
          updated++;
        } else {
          await trx
            .insertInto('inventory_items')
            .values({ id: randomUUID(), inventory_id: inv.id, unit_id: u.id, year, item_key: key ?? newKey(u), position: i, ...cols, dataset_id: ids[i] ?? null, created_at: ts, updated_at: ts, updated_by: actor.id })
            .execute();
          added++;
        }
      }
      const gone = stored.filter((s) => !matched.has(s.id));
      for (let i = 0; i < gone.length; i += 300) {
        await trx
          .deleteFrom('inventory_items')
          .where('id', 'in', gone.slice(i, i + 300).map((g) => g.id))
          .execute();
      }
      await trx.updateTable('inventories').set({ updated_at: ts }).where('id', '=', inv.id).execute();
      const result = { added, updated, removed: gone.length };
      await this.audit.record(trx, {
        actor: actorOf(actor),
        action: 'inventory.import',
        entityType: 'inventory',
        entityId: inv.id,
        before: { unit: u.name, year, items: stored.map((s) => ({ itemKey: s.item_key, name: s.name })) },
        after: { unit: u.name, year, source: opts.source ?? null, ...result, items: inputs.map((x) => ({ itemKey: x.itemKey ?? null, name: x.name })) },
      });
      return result;
    });
  }

  /** Adds (itemId null) or changes one item of the unit-year's draft; names and keys stay unique in it. */
  async saveItem(unit: string, year: number, itemId: string | null, input: ItemInput, actor: User): Promise<InventoryItem> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.edit', { unit: u.name });
    return this.tx(async (trx) => {
      const inv = await this.editableDraft(trx, u, year);
      const stored = await this.itemRows(trx, inv.id);
      const before = itemId === null ? undefined : stored.find((s) => s.id === itemId);
      if (itemId !== null && !before) throw new AppError('INVENTORY_ITEM_NOT_FOUND', 404, `找不到盤點項目：${itemId}`, `inventory item not found: ${itemId}`);
      const row = before ? Number(before.position) + 1 : stored.length + 1;
      const problems: ItemProblem[] = [];
      const others = stored.filter((s) => s.id !== itemId);
      const nameF = fieldById('name');
      const keyF = fieldById('itemKey');
      if (nameF && others.some((o) => o.name === input.name)) {
        problems.push({ row, field: 'name', column: nameF.heading, zh: `第 ${row} 列「${nameF.heading}」：清單中已有「${input.name}」`, en: `row ${row}, "${nameF.heading}" (${nameF.headingEn}): the list already has "${input.name}"` });
      }
      const key = input.itemKey?.trim() || null;
      if (keyF && key && others.some((o) => o.item_key === key)) {
        problems.push({ row, field: 'itemKey', column: keyF.heading, zh: `第 ${row} 列「${keyF.heading}」：清單中已有代碼「${key}」`, en: `row ${row}, "${keyF.heading}" (${keyF.headingEn}): the list already has the key "${key}"` });
      }
      const { ids, problems: refProblems } = await this.resolveDatasets(trx, u, [input], [row]);
      problems.push(...refProblems);
      if (problems.length) throw new ItemProblemsError(problems);
      const ts = now();
      const cols = columnsOf(input, u);
      let id: string;
      if (before) {
        id = before.id;
        await trx
          .updateTable('inventory_items')
          .set({ ...cols, item_key: key ?? before.item_key, dataset_id: ids[0] ?? before.dataset_id, updated_at: ts, updated_by: actor.id })
          .where('id', '=', id)
          .execute();
      } else {
        id = randomUUID();
        const position = stored.reduce((m, s) => Math.max(m, Number(s.position) + 1), 0);
        await trx
          .insertInto('inventory_items')
          .values({ id, inventory_id: inv.id, unit_id: u.id, year, item_key: key ?? newKey(u), position, ...cols, dataset_id: ids[0] ?? null, created_at: ts, updated_at: ts, updated_by: actor.id })
          .execute();
      }
      await trx.updateTable('inventories').set({ updated_at: ts }).where('id', '=', inv.id).execute();
      const after = await trx.selectFrom('inventory_items').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const item = toItem(after, u.name);
      await this.audit.record(trx, { actor: actorOf(actor), action: 'inventory.item.save', entityType: 'inventory_item', entityId: id, before: before ? toItem(before, u.name) : null, after: item });
      return item;
    });
  }

  /** Removes one item of the unit-year's draft. */
  async deleteItem(unit: string, year: number, itemId: string, actor: User): Promise<void> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.edit', { unit: u.name });
    await this.tx(async (trx) => {
      const inv = await this.findInventory(trx, u, year);
      const item = inv ? await trx.selectFrom('inventory_items').selectAll().where('id', '=', itemId).where('inventory_id', '=', inv.id).executeTakeFirst() : undefined;
      if (!inv || !item) throw new AppError('INVENTORY_ITEM_NOT_FOUND', 404, `找不到盤點項目：${itemId}`, `inventory item not found: ${itemId}`);
      if (inv.state !== 'draft') throw locked(u, year, inv.state as InventoryState);
      await trx.deleteFrom('inventory_items').where('id', '=', itemId).execute();
      await trx.updateTable('inventories').set({ updated_at: now() }).where('id', '=', inv.id).execute();
      await this.audit.record(trx, { actor: actorOf(actor), action: 'inventory.item.delete', entityType: 'inventory_item', entityId: itemId, before: toItem(item, u.name), after: null });
    });
  }

  /**
   * Fills an empty draft with an earlier year's items: those of its newest approval (else its
   * stored items), keys and dataset links kept; an item whose dataset is already published drops
   * its planned date (it is open; nothing is planned any more).
   */
  async startFrom(unit: string, year: number, fromYear: number, actor: User): Promise<ImportResult> {
    checkYear(year);
    checkYear(fromYear);
    if (fromYear >= year) throw badRequest(`只能沿用較早年度的清單（${fromYear} 不早於 ${year}）`, `only an earlier year's list can be carried over (${fromYear} is not before ${year})`, 'fromYear');
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.edit', { unit: u.name });
    return this.tx(async (trx) => {
      const inv = await this.editableDraft(trx, u, year);
      const has = await trx.selectFrom('inventory_items').select('id').where('inventory_id', '=', inv.id).executeTakeFirst();
      if (has) throw new AppError('INVENTORY_NOT_EMPTY', 409, `「${u.title}」${year} 年盤點清單已有項目，只能在空白清單沿用前一年度`, `The ${year} inventory of ${u.titleEn} has items already; an earlier year can only be carried into an empty one`);
      const live = await trx.selectFrom('inventory_items').selectAll().where('unit_id', '=', u.id).where('year', '=', fromYear).orderBy('position').execute();
      const liveById = new Map(live.map((l) => [l.id, l]));
      const approved = await this.approval(fromYear, undefined, trx);
      const source: { item: ApprovedItem | ItemRow; live: ItemRow | undefined }[] = approved
        ? approved.items.filter((i) => i.unit === u.name).map((i) => ({ item: i, live: liveById.get(i.id) }))
        : live.map((l) => ({ item: l, live: l }));
      if (source.length === 0) throw new AppError('INVENTORY_NOTHING_TO_COPY', 404, `「${u.title}」${fromYear} 年沒有可沿用的盤點項目`, `${u.titleEn} has no ${fromYear} inventory items to carry over`);
      const datasetIds = source.map((s) => s.live?.dataset_id).filter((d): d is string => !!d);
      const published = new Set(
        datasetIds.length ? (await trx.selectFrom('datasets').select('id').where('id', 'in', datasetIds).where('state', 'in', ['published', 'discontinued']).execute()).map((d) => d.id) : [],
      );
      const ts = now();
      for (const [position, s] of source.entries()) {
        const a = 'item_key' in s.item ? toApproved(s.item, u) : s.item;
        const datasetId = s.live?.dataset_id ?? null;
        // An item whose dataset is published is open: nothing is planned any more.
        const plannedDate = datasetId && published.has(datasetId) ? null : a.plannedDate;
        const cols = columnsOf({ ...a, plannedDate, priority: s.live ? Number(s.live.priority) : 0, notes: s.live?.notes ?? null }, u);
        await trx
          .insertInto('inventory_items')
          .values({ id: randomUUID(), inventory_id: inv.id, unit_id: u.id, year, item_key: a.itemKey, position, ...cols, dataset_id: datasetId, created_at: ts, updated_at: ts, updated_by: actor.id })
          .execute();
      }
      await trx.updateTable('inventories').set({ updated_at: ts }).where('id', '=', inv.id).execute();
      const result = { added: source.length, updated: 0, removed: 0 };
      await this.audit.record(trx, {
        actor: actorOf(actor),
        action: 'inventory.import',
        entityType: 'inventory',
        entityId: inv.id,
        before: { unit: u.name, year, items: [] },
        after: { unit: u.name, year, source: approved ? `${fromYear} revision ${approved.revision}` : `${fromYear} (not approved)`, ...result },
      });
      return result;
    });
  }

  // ---- workflow ----

  /** The unit's contact sends its draft to the window (locked until returned or approved). */
  async submit(unit: string, year: number, actor: User): Promise<InventoryHeader> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.edit', { unit: u.name });
    return this.tx(async (trx) => {
      const r = await this.findInventory(trx, u, year);
      if (!r || r.state !== 'draft') throw inventoryConflict(u, year, r ? (r.state as InventoryState) : null, '送出', 'submitted');
      const n = (await this.itemRows(trx, r.id)).length;
      if (n === 0) throw new AppError('INVENTORY_EMPTY', 409, `「${u.title}」${year} 年盤點清單沒有任何項目，不能送出`, `The ${year} inventory of ${u.titleEn} has no items; it cannot be submitted`);
      const ts = now();
      await trx.updateTable('inventories').set({ state: 'submitted', submitted_at: ts, submitted_by: actor.id, comment: null, updated_at: ts }).where('id', '=', r.id).execute();
      const after: InventoryRow = { ...r, state: 'submitted', submitted_at: ts, submitted_by: actor.id, comment: null, updated_at: ts };
      await this.audit.record(trx, { actor: actorOf(actor), action: 'inventory.submit', entityType: 'inventory', entityId: r.id, before: this.header(r, u), after: { ...this.header(after, u), items: n } });
      const to = await usersWithRole(trx, 'admin', { except: actor.id });
      if (to.length) await this.notifications.notify(trx, { userIds: to, kind: 'inventory.submitted', message: text.inventorySubmitted({ year, unitTitle: u.title, unitTitleEn: u.titleEn, link: this.unitLink(u.name, year), by: actor.name, items: n }), link: this.unitLink(u.name, year) });
      return this.header(after, u);
    });
  }

  /** The unit's contact reopens its approved inventory for changes (the published list stays until the next approval). */
  async reopen(unit: string, year: number, actor: User): Promise<InventoryHeader> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.edit', { unit: u.name });
    return this.tx(async (trx) => {
      const r = await this.findInventory(trx, u, year);
      if (!r || r.state !== 'approved') {
        const hint: [string, string] = r?.state === 'submitted' ? ['已送出的清單由資料開放窗口退回', 'a submitted inventory goes back through the open-data window returning it'] : ['', ''];
        throw inventoryConflict(u, year, r ? (r.state as InventoryState) : null, '重新開啟', 'reopened', ...hint);
      }
      const ts = now();
      const after: InventoryRow = { ...r, state: 'draft', comment: null, updated_at: ts };
      await trx.updateTable('inventories').set({ state: 'draft', comment: null, updated_at: ts }).where('id', '=', r.id).execute();
      await this.audit.record(trx, { actor: actorOf(actor), action: 'inventory.reopen', entityType: 'inventory', entityId: r.id, before: this.header(r, u), after: this.header(after, u) });
      const to = await usersWithRole(trx, 'admin', { except: actor.id });
      if (to.length) await this.notifications.notify(trx, { userIds: to, kind: 'inventory.reopened', message: text.inventoryReopened({ year, unitTitle: u.title, unitTitleEn: u.titleEn, link: this.unitLink(u.name, year), by: actor.name }), link: this.unitLink(u.name, year) });
      return this.header(after, u);
    });
  }

  /** The window returns a submitted inventory to the unit (→ draft) with a comment; the unit's contacts are told. */
  async returnToUnit(unit: string, year: number, comment: string, actor: User): Promise<InventoryHeader> {
    checkYear(year);
    const u = await this.inventoryUnit(unit);
    assertCan(actor, 'inventory.compile', { unit: u.name });
    const c = requireComment(comment);
    return this.tx(async (trx) => {
      const r = await this.findInventory(trx, u, year);
      if (!r || r.state !== 'submitted') throw inventoryConflict(u, year, r ? (r.state as InventoryState) : null, '退回', 'returned');
      const ts = now();
      const after: InventoryRow = { ...r, state: 'draft', comment: c, updated_at: ts };
      await trx.updateTable('inventories').set({ state: 'draft', comment: c, updated_at: ts }).where('id', '=', r.id).execute();
      await this.audit.record(trx, { actor: actorOf(actor), action: 'inventory.return', entityType: 'inventory', entityId: r.id, before: this.header(r, u), after: this.header(after, u) });
      const to = await usersWithRole(trx, 'contact', { unit: u.name, except: actor.id });
      if (to.length) await this.notifications.notify(trx, { userIds: to, kind: 'inventory.returned', message: text.inventoryReturned({ year, unitTitle: u.title, unitTitleEn: u.titleEn, link: this.unitLink(u.name, year), by: actor.name, comment: c }), link: this.unitLink(u.name, year) });
      return this.header(after, u);
    });
  }

  /** The approval a new list of `year` is compared with: the year's newest revision, else the newest of an earlier year. */
  private async previousApproval(trx: Kysely<Database>, year: number): Promise<{ year: number; revision: number; items: ApprovedItem[] } | null> {
    const r = await trx.selectFrom('inventory_approvals').select(['year', 'revision', 'items_json']).where('year', '<=', year).orderBy('year', 'desc').orderBy('revision', 'desc').executeTakeFirst();
    return r ? { year: Number(r.year), revision: Number(r.revision), items: JSON.parse(r.items_json) as ApprovedItem[] } : null;
  }

  /**
   * The window compiles the agency list: the items of every unit whose inventory is submitted or
   * approved, frozen with the diff against the previous approval; units still in draft are listed
   * as missing. The CIOs are told.
   */
  async compile(year: number, actor: User): Promise<{ list: ListStatus; compiled: CompiledList }> {
    checkYear(year);
    assertCan(actor, 'inventory.compile');
    const units = await this.inventoryUnits();
    return this.tx(async (trx) => {
      const invs = await trx.selectFrom('inventories').selectAll().where('year', '=', year).execute();
      const invOf = new Map(invs.map((i) => [i.unit_id, i]));
      const items: ApprovedItem[] = [];
      const included: CompiledList['units'] = [];
      const missing: string[] = [];
      for (const u of units) {
        const inv = invOf.get(u.id);
        if (!inv || (inv.state !== 'submitted' && inv.state !== 'approved')) {
          missing.push(u.name);
          continue;
        }
        const rows = await this.itemRows(trx, inv.id);
        items.push(...rows.map((r) => toApproved(r, u)));
        included.push({ unit: u.name, unitTitle: u.title, state: inv.state, items: rows.length });
      }
      const current = await this.listState(year, trx);
      if (included.length === 0) {
        throw new AppError('INVENTORY_NOTHING_TO_COMPILE', 409, `${year} 年尚無單位送出盤點清單，無可彙整`, `No unit has submitted a ${year} inventory yet; there is nothing to compile`);
      }
      const diff = diffLists(await this.previousApproval(trx, year), items, year);
      const compiled: CompiledList = { items, diff, units: included, missing };
      const ts = now();
      const values = { state: 'compiled', compiled_at: ts, compiled_by: actor.id, compiled_json: JSON.stringify(compiled), comment: null, updated_at: ts };
      if (current) await trx.updateTable('inventory_lists').set(values).where('year', '=', year).execute();
      else await trx.insertInto('inventory_lists').values({ year, revision: 0, ...values }).execute();
      const list: ListStatus = { year, state: 'compiled', revision: current?.revision ?? 0, compiledAt: ts, compiledBy: actor.id, comment: null, updatedAt: ts };
      await this.audit.record(trx, {
        actor: actorOf(actor),
        action: 'inventory.compile',
        entityType: 'inventory_list',
        entityId: String(year),
        before: current,
        after: { ...list, items: items.length, units: included.map((i) => i.unit), missing, diff: { against: diff.against, added: diff.added.length, dropped: diff.dropped.length, reclassified: diff.reclassified.length, rescheduled: diff.rescheduled.length } },
      });
      const to = await usersWithRole(trx, 'cio', { except: actor.id });
      const missingTitles = missing.map((m) => units.find((u) => u.name === m)?.title ?? m);
      if (to.length) await this.notifications.notify(trx, { userIds: to, kind: 'inventory.compiled', message: text.listCompiled({ year, agency: this.config.agency.title, link: this.yearLink(year), by: actor.name, items: items.length, missing: missingTitles }), link: this.yearLink(year) });
      return { list, compiled };
    });
  }

  /**
   * The CIO approves exactly what was compiled (never a list they compiled): a new revision, the
   * compiled units' inventories approved, the list dataset published. The window and the listed
   * units' contacts are told.
   */
  async approve(year: number, actor: User): Promise<ApprovalView> {
    checkYear(year);
    const window = await this.units.window();
    return this.tx(async (trx) => {
      const r = await trx.selectFrom('inventory_lists').selectAll().where('year', '=', year).executeTakeFirst();
      assertCan(actor, 'inventory.approve', { submittedBy: r?.compiled_by ?? null });
      if (!r?.compiled_json || r.state !== 'compiled') throw listConflict(year, r ? (r.state as ListState) : null, '核定', 'approved');
      const compiled = JSON.parse(r.compiled_json) as CompiledList;
      const last = await trx.selectFrom('inventory_approvals').select(['revision', 'dataset_id']).where('year', '=', year).orderBy('revision', 'desc').executeTakeFirst();
      const revision = Math.max(Number(r.revision), Number(last?.revision ?? 0)) + 1;
      const datasetId = await this.publishList(trx, year, compiled.items.length, window, last?.dataset_id ?? null, actor);
      const ts = now();
      const approval = { id: randomUUID(), year, revision, approved_at: ts, approved_by: actor.id, compiled_by: r.compiled_by, items_json: JSON.stringify(compiled.items), diff_json: JSON.stringify(compiled.diff), dataset_id: datasetId };
      await trx.insertInto('inventory_approvals').values(approval).execute();
      await trx.updateTable('inventory_lists').set({ state: 'approved', revision, comment: null, updated_at: ts }).where('year', '=', year).execute();
      // A unit that reopened its inventory since the compilation keeps its draft; the others are approved.
      const names = compiled.units.map((c) => c.unit);
      const unitIds = names.length ? (await trx.selectFrom('units').select('id').where('name', 'in', names).execute()).map((u) => u.id) : [];
      if (unitIds.length) {
        await trx.updateTable('inventories').set({ state: 'approved', comment: null, updated_at: ts }).where('year', '=', year).where('unit_id', 'in', unitIds).where('state', 'in', ['submitted', 'approved']).execute();
      }
      const view = this.toApproval(approval);
      await this.audit.record(trx, {
        actor: actorOf(actor),
        action: 'inventory.approve',
        entityType: 'inventory_list',
        entityId: String(year),
        before: this.toListStatus(r),
        after: { year, revision, items: compiled.items.length, units: compiled.units.map((c) => c.unit), datasetId, compiledBy: r.compiled_by },
      });
      const to = new Set(await usersWithRole(trx, 'admin', { except: actor.id }));
      for (const c of compiled.units) for (const id of await usersWithRole(trx, 'contact', { unit: c.unit, except: actor.id })) to.add(id);
      if (to.size) {
        await this.notifications.notify(trx, {
          userIds: [...to],
          kind: 'inventory.approved',
          message: text.listApproved({ year, agency: this.config.agency.title, link: this.yearLink(year), by: actor.name, revision, publicLink: `${this.config.baseUrl}/inventory/${year}` }),
          link: `${this.config.baseUrl}/inventory/${year}`,
        });
      }
      return view;
    });
  }

  /**
   * Publishes (or updates) the list dataset 「<agency> <year>年資料開放清單及期程」 in the window's
   * unit: the CIO's approval is its review. Its identifier is made on the first approval and kept.
   */
  private async publishList(trx: Kysely<Database>, year: number, count: number, window: Unit, previousId: string | null, actor: User): Promise<string> {
    const prev = previousId ? await trx.selectFrom('datasets').select(['identifier', 'name']).where('id', '=', previousId).executeTakeFirst() : undefined;
    let name = prev?.name;
    if (!name) {
      const wanted = `open-data-list-${year}`;
      const taken = await trx.selectFrom('datasets').select('id').where('name', '=', wanted).executeTakeFirst();
      name = taken ? undefined : wanted;
    }
    const agency = this.config.agency;
    const modified = taipeiDateTime();
    const url = `${this.config.baseUrl}/inventory/${year}.csv`;
    const contact = await this.contactFields(trx, window.name);
    const input: DatasetInput = {
      unit: window.name,
      ...(prev ? { identifier: prev.identifier } : {}),
      ...(name ? { name } : {}),
      provisionType: 'open',
      categoryCode: 'I00',
      title: `${agency.title} ${year}年資料開放清單及期程`,
      titleEn: `${agency.titleEn}: open-data list and schedule ${year}`,
      description: `${agency.title}${year}年度資料盤點經資訊長核定之資料開放清單及期程：各單位資料項目、資料來源、資料分級、非開放資料之法律依據與理由、敏感程度及預定開放日期。`,
      fields: [
        // The columns of /inventory/<year>.csv (writeApprovedList): one definition for both.
        { name: LIST_UNIT_HEADING, title: '單位名稱', description: 'unit' },
        ...PUBLIC_LIST_FIELDS.map((f) => ({ name: f.heading, description: f.headingEn })),
      ],
      datasetType: 'rawData',
      cost: '免費',
      publisherName: agency.title,
      ...contact,
      updateFrequency: '每1年',
      modified,
      language: 'zh',
      numberOfData: count,
      keywords: ['資料盤點', '資料開放清單', '開放期程'],
      resources: [{ name: `${year}年資料開放清單及期程`, description: `${agency.title} ${year}年資料開放清單及期程（CSV）`, format: 'CSV', encoding: 'UTF-8', downloadUrl: url, modified, numberOfData: count }],
    };
    const { dataset } = await this.catalogue.save(input, { state: 'published', actor: actorOf(actor), trx });
    return dataset.id;
  }

  /** A unit's contact as the catalogue's 提供機關聯絡人 fields: its first contact (else the window's admin), name and e-mail. */
  private async contactFields(trx: Kysely<Database>, unit: string): Promise<Pick<DatasetInput, 'publisherContactName' | 'publisherContactEmail'>> {
    const ids = [...(await usersWithRole(trx, 'contact', { unit })), ...(await usersWithRole(trx, 'admin', { unit }))];
    if (ids.length === 0) return {};
    const u = await trx.selectFrom('users').select(['name', 'email']).where('id', '=', ids[0]).executeTakeFirst();
    return u ? { publisherContactName: u.name, publisherContactEmail: u.email } : {};
  }

  /** The CIO returns the compiled list to the window with a comment (state returned; the window compiles again). */
  async returnList(year: number, comment: string, actor: User): Promise<ListStatus> {
    checkYear(year);
    return this.tx(async (trx) => {
      const r = await trx.selectFrom('inventory_lists').selectAll().where('year', '=', year).executeTakeFirst();
      assertCan(actor, 'inventory.approve', { submittedBy: r?.compiled_by ?? null });
      const c = requireComment(comment);
      if (!r || r.state !== 'compiled') throw listConflict(year, r ? (r.state as ListState) : null, '退回', 'returned');
      const ts = now();
      await trx.updateTable('inventory_lists').set({ state: 'returned', comment: c, updated_at: ts }).where('year', '=', year).execute();
      const after: ListStatus = { ...this.toListStatus(r), state: 'returned', comment: c, updatedAt: ts };
      await this.audit.record(trx, { actor: actorOf(actor), action: 'inventory.list_return', entityType: 'inventory_list', entityId: String(year), before: this.toListStatus(r), after });
      const to = await usersWithRole(trx, 'admin', { except: actor.id });
      if (to.length) await this.notifications.notify(trx, { userIds: to, kind: 'inventory.list_returned', message: text.listReturned({ year, agency: this.config.agency.title, link: this.yearLink(year), by: actor.name, comment: c }), link: this.yearLink(year) });
      return after;
    });
  }

  /**
   * An approved open item becomes a draft dataset of its unit (dataset.create there), prefilled
   * from the item and linked to it; it counts as opened once published through the normal review.
   * The category and the main fields are placeholders the contact completes before submitting.
   */
  async createDatasetDraft(itemId: string, actor: User): Promise<{ datasetId: string; name: string }> {
    return this.tx(async (trx) => {
      const item = await trx.selectFrom('inventory_items').selectAll().where('id', '=', itemId).executeTakeFirst();
      if (!item) throw new AppError('INVENTORY_ITEM_NOT_FOUND', 404, `找不到盤點項目：${itemId}`, `inventory item not found: ${itemId}`);
      const unitRow = await trx.selectFrom('units').selectAll().where('id', '=', item.unit_id).executeTakeFirstOrThrow();
      const u = this.units.toUnit(unitRow);
      assertCan(actor, 'dataset.create', { unit: u.name });
      const approved = await this.approval(Number(item.year), undefined, trx);
      const a = approved?.items.find((i) => i.id === item.id);
      if (!a || a.classification !== 'open') {
        throw new AppError(
          'INVENTORY_ITEM_NOT_OPEN',
          409,
          `盤點項目「${item.name}」不在 ${item.year} 年核定清單的開放資料中，不能建立資料集`,
          `The inventory item "${item.name}" is not open data in the approved ${item.year} list; no dataset can be made from it`,
        );
      }
      if (item.dataset_id) {
        throw new AppError('INVENTORY_ITEM_HAS_DATASET', 409, `盤點項目「${item.name}」已有對應資料集`, `The inventory item "${item.name}" has a dataset already`, { datasetId: [item.dataset_id] });
      }
      const input: DatasetInput = {
        unit: u.name,
        provisionType: 'open',
        // Placeholders: the inventory says neither; the contact sets both before submitting.
        categoryCode: 'I00',
        title: item.name,
        description: item.description ?? item.name,
        fields: [{ name: PLACEHOLDER_FIELD, title: '待補欄位', description: '請依實際資料填寫主要欄位說明 (replace with the real columns)' }],
        updateFrequency: item.update_frequency ?? '不定期',
        publisherName: this.config.agency.title,
        ...(await this.contactFields(trx, u.name)),
        language: 'zh',
        notes: `由 ${item.year} 年資料盤點項目「${item.name}」（項目代碼 ${item.item_key}）建立`,
      };
      const { dataset } = await this.catalogue.save(input, { state: 'draft', actor: actorOf(actor), trx });
      const ts = now();
      await trx.updateTable('inventory_items').set({ dataset_id: dataset.id, updated_at: ts, updated_by: actor.id }).where('id', '=', item.id).execute();
      await this.audit.record(trx, {
        actor: actorOf(actor),
        action: 'inventory.item.dataset',
        entityType: 'inventory_item',
        entityId: item.id,
        before: { datasetId: null },
        after: { datasetId: dataset.id, datasetName: dataset.name, state: dataset.state },
      });
      return { datasetId: dataset.id, name: dataset.name };
    });
  }
}
