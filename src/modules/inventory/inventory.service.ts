import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/types.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { NotificationService } from '../notifications/notifications.service.ts';
import type { UnitsService } from '../units/units.service.ts';
import type { User } from '../users/users.service.ts';
import type { ApprovedItem, Classification, InventoryItem, InventoryState, ItemInput, ListDiff, ListState } from './inventory.types.ts';

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
 * The yearly data inventory (年度盤點) and the agency's open-data list (資料開放清單及期程):
 * units edit and submit their inventory, the window compiles the agency list, the CIO approves it
 * and it is published. See docs/inventory-design.md.
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

  private get k(): Kysely<Database> {
    return this.db.kysely;
  }

  // ---- reading ----

  /** A unit's inventory of a year with its items (inventory.read for the unit). */
  async get(unit: string, year: number, actor: User): Promise<InventoryView> {
    void [unit, year, actor, this.k, this.config, this.units, this.catalogue, this.audit, this.notifications];
    throw new Error('not implemented');
  }

  /** Every unit (kind unit) with its inventory state and item counts (inventory.read anywhere: the window, the CIO, the head). */
  async overview(year: number, actor: User): Promise<OverviewRow[]> {
    void [year, actor];
    throw new Error('not implemented');
  }

  /** The agency list row of a year, or null before the first compilation. */
  async listState(year: number): Promise<ListStatus | null> {
    void year;
    throw new Error('not implemented');
  }

  /** What was compiled (the window and the CIO); null when nothing is. */
  async compiled(year: number, actor: User): Promise<{ list: ListStatus; compiled: CompiledList } | null> {
    void [year, actor];
    throw new Error('not implemented');
  }

  /** Public: an approved revision (the newest when `revision` is omitted), or null when none. */
  async approval(year: number, revision?: number): Promise<ApprovalView | null> {
    void [year, revision];
    throw new Error('not implemented');
  }

  /** Public: the approval history of a year, newest first. */
  async approvals(year: number): Promise<ApprovalSummary[]> {
    void year;
    throw new Error('not implemented');
  }

  // ---- editing (draft only) ----

  /** Replaces the unit-year's draft items wholly (import), matched by itemKey then name. */
  async replaceItems(unit: string, year: number, inputs: ItemInput[], actor: User, opts: { source?: string } = {}): Promise<ImportResult> {
    void [unit, year, inputs, actor, opts];
    throw new Error('not implemented');
  }

  /** Adds (itemId null) or changes one item. */
  async saveItem(unit: string, year: number, itemId: string | null, input: ItemInput, actor: User): Promise<InventoryItem> {
    void [unit, year, itemId, input, actor];
    throw new Error('not implemented');
  }

  async deleteItem(unit: string, year: number, itemId: string, actor: User): Promise<void> {
    void [unit, year, itemId, actor];
    throw new Error('not implemented');
  }

  /** Fills an empty draft with an earlier year's items (its newest approval, else its stored items), keys kept. */
  async startFrom(unit: string, year: number, fromYear: number, actor: User): Promise<ImportResult> {
    void [unit, year, fromYear, actor];
    throw new Error('not implemented');
  }

  // ---- workflow ----

  async submit(unit: string, year: number, actor: User): Promise<InventoryHeader> {
    void [unit, year, actor];
    throw new Error('not implemented');
  }

  async reopen(unit: string, year: number, actor: User): Promise<InventoryHeader> {
    void [unit, year, actor];
    throw new Error('not implemented');
  }

  /** The window returns a submitted inventory to the unit with a comment. */
  async returnToUnit(unit: string, year: number, comment: string, actor: User): Promise<InventoryHeader> {
    void [unit, year, comment, actor];
    throw new Error('not implemented');
  }

  async compile(year: number, actor: User): Promise<{ list: ListStatus; compiled: CompiledList }> {
    void [year, actor];
    throw new Error('not implemented');
  }

  async approve(year: number, actor: User): Promise<ApprovalView> {
    void [year, actor];
    throw new Error('not implemented');
  }

  async returnList(year: number, comment: string, actor: User): Promise<ListStatus> {
    void [year, comment, actor];
    throw new Error('not implemented');
  }

  /** An approved open item becomes a draft dataset of its unit, linked to the item. */
  async createDatasetDraft(itemId: string, actor: User): Promise<{ datasetId: string; name: string }> {
    void [itemId, actor];
    throw new Error('not implemented');
  }
}
