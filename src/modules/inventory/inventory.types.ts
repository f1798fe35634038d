/**
 * The yearly data inventory (年度盤點, MISSION C5; issue 6): its vocabulary, shared by the service,
 * the spreadsheet reader/writer, the pages, the schedule and the daily follow-up.
 * See docs/inventory-design.md.
 */

/** Where the data is produced. */
export const SOURCES = ['website', 'system', 'database', 'survey', 'other'] as const;
export type Source = (typeof SOURCES)[number];

/** 資料分級: open data / provided on application / not provided. */
export const CLASSIFICATIONS = ['open', 'application', 'withheld'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const SENSITIVITIES = ['low', 'medium', 'high'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** Labels in zh-TW (as written in the spreadsheet) and English. The zh label is what a file holds. */
export const SOURCE_LABELS: Record<Source, [string, string]> = {
  website: ['網站', 'website'],
  system: ['資訊系統', 'information system'],
  database: ['資料庫', 'database'],
  survey: ['調查', 'survey'],
  other: ['其他', 'other'],
};
export const CLASSIFICATION_LABELS: Record<Classification, [string, string]> = {
  open: ['開放資料', 'open data'],
  application: ['依申請提供', 'on application'],
  withheld: ['不予提供', 'not provided'],
};
export const SENSITIVITY_LABELS: Record<Sensitivity, [string, string]> = {
  low: ['低', 'low'],
  medium: ['中', 'medium'],
  high: ['高', 'high'],
};

/** A unit's inventory: draft (the unit edits) → submitted (locked; the window compiles or returns it) → approved (locked; reopened to draft for changes). */
export const INVENTORY_STATES = ['draft', 'submitted', 'approved'] as const;
export type InventoryState = (typeof INVENTORY_STATES)[number];

/** The agency list of a year: compiled by the window → approved by the CIO, or returned to the window. */
export const LIST_STATES = ['compiled', 'returned', 'approved'] as const;
export type ListState = (typeof LIST_STATES)[number];

/**
 * One item as the unit writes it (form, API, spreadsheet row), after validation. Strings are
 * trimmed; empty optional text is null. Rules (inventory.validation.ts):
 * - name, source, classification, sensitivity required;
 * - classification ≠ open → legalBasis and reason required (e.g. 政府資訊公開法第18條第1項第3款; 個人資料保護法);
 * - classification = open → plannedDate required (YYYY-MM-DD; files may write 2026/6/30 or 民國 115/06/30);
 * - itemKey optional (kept across years; a new one is made when absent).
 */
export interface ItemInput {
  itemKey?: string | null;
  name: string;
  source: Source;
  systemName: string | null;
  description: string | null;
  /** 權責單位 as written; defaults to the unit's title. */
  ownerUnit: string | null;
  classification: Classification;
  legalBasis: string | null;
  reason: string | null;
  sensitivity: Sensitivity;
  genderFlag: boolean;
  priority: number;
  plannedDate: string | null;
  updateFrequency: string | null;
  /** The dataset it became, by identifier or id (the service resolves it). */
  datasetRef?: string | null;
  notes: string | null;
}

/** An item as stored. */
export interface InventoryItem extends Omit<ItemInput, 'datasetRef'> {
  id: string;
  inventoryId: string;
  unit: string;
  year: number;
  itemKey: string;
  position: number;
  datasetId: string | null;
  updatedAt: string;
}

/** A problem with one item: which row (1-based line in a file, or position in a list), which field, why. */
export interface ItemProblem {
  row: number;
  /** The field id (ItemInput key) and the column heading as the file/form shows it. */
  field: string;
  column: string;
  zh: string;
  en: string;
}

/** An item as frozen in an approved revision (inventory_approvals.items_json); the schedule and the public list read these. */
export interface ApprovedItem {
  id: string;
  itemKey: string;
  unit: string;
  unitTitle: string;
  position: number;
  name: string;
  source: Source;
  systemName: string | null;
  description: string | null;
  ownerUnit: string | null;
  classification: Classification;
  legalBasis: string | null;
  reason: string | null;
  sensitivity: Sensitivity;
  genderFlag: boolean;
  plannedDate: string | null;
  updateFrequency: string | null;
}

/** What changed against the previous approved list (last year's, or the previous revision of this year's). */
export interface ListDiff {
  /** Year and revision compared with (null: nothing to compare with). */
  against: { year: number; revision: number } | null;
  added: { itemKey: string; unit: string; name: string }[];
  dropped: { itemKey: string; unit: string; name: string }[];
  reclassified: { itemKey: string; unit: string; name: string; from: Classification; to: Classification }[];
  /** Planned date changed (revisions of the same year). */
  rescheduled: { itemKey: string; unit: string; name: string; from: string | null; to: string | null }[];
}

/** The schedule status of an approved open item, as of a day. */
export const SCHEDULE_STATUSES = ['opened', 'on_time', 'due_soon', 'late'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];
export const SCHEDULE_STATUS_LABELS: Record<ScheduleStatus, [string, string]> = {
  opened: ['已開放', 'opened'],
  on_time: ['進度正常', 'on time'],
  due_soon: ['即將到期', 'due soon'],
  late: ['逾期', 'late'],
};

export interface ScheduleEntry extends ApprovedItem {
  year: number;
  /** The live item's dataset link and its publication (null when none / not yet). */
  datasetId: string | null;
  datasetName: string | null;
  openedAt: string | null;
  status: ScheduleStatus;
  /** Working days until the planned date (negative when late). */
  workingDaysLeft: number | null;
}
