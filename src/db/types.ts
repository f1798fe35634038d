import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/* Timestamps are ISO-8601 text and booleans 0/1 integers on both engines, so one code path serves both. */

export interface MetaTable {
  key: string;
  value: string;
}

export interface UnitsTable {
  id: string;
  name: string;
  title: string;
  title_en: string;
  /** agency | unit | external (another agency, created by the national list import). */
  kind: string;
  agency_code: string | null;
  parent_id: string | null;
  is_window: number;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface DatasetsTable {
  seq: Generated<number>;
  id: string;
  name: string;
  identifier: string;
  unit_id: string;
  state: string;
  provision_type: string;
  category_code: string;
  title: string;
  title_en: string | null;
  description: string;
  fields_json: string;
  field_description_raw: string | null;
  dataset_type: string;
  license_id: string;
  license_url: string;
  cost: string;
  cost_url: string | null;
  cost_law: string | null;
  organization_name: string | null;
  organization_contact_name: string | null;
  organization_contact_phone: string | null;
  organization_contact_email: string | null;
  publisher_name: string;
  publisher_contact_name: string | null;
  publisher_contact_phone: string | null;
  publisher_contact_email: string | null;
  update_frequency: string;
  temporal_from: string | null;
  temporal_to: string | null;
  issued: string | null;
  modified: string | null;
  spatial: string | null;
  language: string | null;
  landing_page: string | null;
  number_of_data: number | null;
  notes: string | null;
  data_attribute: string | null;
  listing_method: string | null;
  quality_badge: string | null;
  is_demo: number;
  search_text: string;
  indexed_version: Generated<number>;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  /** Review of a never-published dataset (004-review); CatalogueService.save leaves them alone. */
  submitted_by: ColumnType<string | null, string | null | undefined, string | null>;
  submitted_at: ColumnType<string | null, string | null | undefined, string | null>;
  review_comment: ColumnType<string | null, string | null | undefined, string | null>;
  /** Provision terms (005): 依申請提供之申請方式及條件, 授權可否撤回 (0/1), 不予提供之法律依據. */
  application_terms: string | null;
  revocable: number;
  withholding_basis: string | null;
}

export interface ResourcesTable {
  id: string;
  dataset_id: string;
  resource_id: string;
  position: number;
  name: string;
  description: string;
  format: string;
  encoding: string;
  access_url: string | null;
  download_url: string | null;
  modified: string | null;
  metadata_source_url: string | null;
  number_of_data: number | null;
  created_at: string;
  updated_at: string;
}

export interface DatasetKeywordsTable {
  dataset_id: string;
  keyword: string;
  position: number;
}

export interface SearchPostingsTable {
  term: string;
  seq: number;
  weight: number;
}

export interface SearchFacetsTable {
  facet: string;
  value: string;
  seq: number;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
  /** zh-TW (default) or en: the language of the mail the user receives. */
  lang: Generated<string>;
}

export interface UserRolesTable {
  user_id: string;
  unit_id: string;
  role: string;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  title_en: string;
  body: string;
  link: string | null;
  created_at: string;
  read_at: string | null;
}

export interface OutboxTable {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  kind: string;
  created_at: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  sent_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value; the value itself is never stored. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  /** Absolute expiry; idle expiry is computed from last_seen_at. */
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  email: string;
  failures: number;
  locked_until: string | null;
  updated_at: string;
}

export interface LoginEventsTable {
  id: string;
  at: string;
  /** success | failure | locked (attempt while locked) | lock | unlock | signout | signout_all */
  kind: string;
  email: string;
  user_id: string | null;
  ip: string | null;
  detail: string | null;
}

/** A working copy of a published dataset, or a version that was approved (004-review). */
export interface DatasetRevisionsTable {
  id: string;
  dataset_id: string;
  version: number;
  /** draft | submitted | returned | approved | superseded */
  state: string;
  payload_json: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  submitted_by: string | null;
  submitted_at: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  comment: string | null;
}

/** A one-time link to set a password (006-password-tokens); `id` is the SHA-256 of the token. */
export interface PasswordTokensTable {
  id: string;
  user_id: string;
  /** invite | reset */
  purpose: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A discontinuation proposal and, once approved, its public notice (005). */
export interface DiscontinuationsTable {
  id: string;
  dataset_id: string;
  /** stop | to_on_application | to_withheld */
  kind: string;
  reasons: string;
  meeting_date: string;
  resolution: string;
  withholding_basis: string | null;
  application_terms: string | null;
  revocable: number | null;
  dataset_title: string;
  proposed_by: string;
  proposed_at: string;
  /** proposed | approved | rejected | withdrawn */
  state: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  notice_date: string | null;
}

/** A stored file, by content (007-datastore). */
export interface StoredFilesTable {
  sha256: string;
  size: number;
  created_at: string;
}

/** One uploaded version of a resource, and its datastore table when tabular (007-datastore). */
export interface ResourceVersionsTable {
  id: string;
  resource_id: string;
  version: number;
  sha256: string;
  size: number;
  file_name: string;
  media_type: string;
  format: string;
  encoding_declared: string | null;
  encoding_detected: string | null;
  encoding_evidence: string | null;
  uploaded_by: string;
  uploaded_at: string;
  /** When the review that brought this version was approved; null while it waits (then only its unit sees it). */
  published_at: string | null;
  /** none | queued | loading | ready | failed */
  datastore_state: string;
  datastore_table: string | null;
  datastore_rows: number | null;
  datastore_error: string | null;
  read_issues_json: string | null;
  cube_sha256: string | null;
  loaded_at: string | null;
  /** The header rows the contact chose ("4" or "4-6"), for files laid out as printed reports. */
  header_rows: string | null;
  /** A UTF-8 copy of a text original in another encoding (the original is kept as it came). */
  utf8_sha256: string | null;
}

/** The data dictionary of a datastore table (007-datastore). */
export interface DatastoreColumnsTable {
  version_id: string;
  position: number;
  column_id: string;
  name: string;
  type: string;
  inferred_type: string;
  title: string | null;
  description: string | null;
  unit: string | null;
  codes_json: string | null;
}

export interface DatastoreSeqTable {
  id: number;
  next: number;
}

/** Background work (007-datastore): datastore loads now; quality checks and reminders later. */
export interface JobsTable {
  id: string;
  kind: string;
  payload_json: string;
  /** queued | running | done | failed */
  state: string;
  progress: string | null;
  attempts: number;
  run_after: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface Database {
  meta: MetaTable;
  units: UnitsTable;
  datasets: DatasetsTable;
  resources: ResourcesTable;
  dataset_keywords: DatasetKeywordsTable;
  search_postings: SearchPostingsTable;
  search_facets: SearchFacetsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  login_events: LoginEventsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  notifications: NotificationsTable;
  outbox: OutboxTable;
  dataset_revisions: DatasetRevisionsTable;
  password_tokens: PasswordTokensTable;
  discontinuations: DiscontinuationsTable;
  stored_files: StoredFilesTable;
  resource_versions: ResourceVersionsTable;
  datastore_columns: DatastoreColumnsTable;
  datastore_seq: DatastoreSeqTable;
  jobs: JobsTable;
  quality_runs: QualityRunsTable;
  quality_results: QualityResultsTable;
  quality_overrides: QualityOverridesTable;
  calendar_years: CalendarYearsTable;
  inventories: InventoriesTable;
  inventory_items: InventoryItemsTable;
  inventory_lists: InventoryListsTable;
  inventory_approvals: InventoryApprovalsTable;
  followups: FollowupsTable;
  daily_runs: DailyRunsTable;
  calendar_tasks: CalendarTasksTable;
}

export type UnitRow = Selectable<UnitsTable>;
export type DatasetRow = Selectable<DatasetsTable>;
export type NewDatasetRow = Insertable<DatasetsTable>;
export type DatasetUpdate = Updateable<DatasetsTable>;
export type ResourceRow = Selectable<ResourcesTable>;
export type NewResourceRow = Insertable<ResourcesTable>;
export type UserRow = Selectable<UsersTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type DatasetRevisionRow = Selectable<DatasetRevisionsTable>;
export type DiscontinuationRow = Selectable<DiscontinuationsTable>;

/** One quality check of a resource (issue 5), kept as history. */
export interface QualityRunsTable {
  id: string;
  dataset_id: string;
  unit_id: string;
  resource_id: string;
  version_id: string | null;
  /** submission | version | links | full | manual */
  trigger: string;
  /** The half-year, e.g. 2026H2. */
  period: string;
  checked_at: string;
  /** none | bronze | silver | gold | platinum */
  badge: string;
  next_badge: string | null;
  missing_json: string | null;
  file_json: string | null;
  /** Why the check could not run (the file could not be fetched or opened). */
  error: string | null;
}

export interface QualityResultsTable {
  run_id: string;
  indicator: string;
  /** pass | fail | warn | na */
  result: string;
  zh: string;
  en: string;
  evidence_json: string;
  data_json: string | null;
}

/** A reviewer's explicit decision to publish despite a failing indicator. */
export interface QualityOverridesTable {
  id: string;
  dataset_id: string;
  run_id: string;
  indicator: string;
  reason: string;
  decided_by: string;
  decided_at: string;
}

/** A year of the working-day calendar (issue 6). */
export interface CalendarYearsTable {
  year: number;
  title: string;
  source: string;
  /** [{date, name}]: weekdays off. */
  holidays_json: string;
  /** [{date, name}]: weekend days worked. */
  workdays_json: string;
  loaded_at: string;
  loaded_by: string;
}

/** One unit's inventory (年度盤點) for one year (issue 6). */
export interface InventoriesTable {
  id: string;
  unit_id: string;
  year: number;
  /** draft | submitted | approved */
  state: string;
  comment: string | null;
  submitted_at: string | null;
  submitted_by: string | null;
  created_at: string;
  updated_at: string;
}

/** One item of a unit's inventory. */
export interface InventoryItemsTable {
  id: string;
  inventory_id: string;
  unit_id: string;
  year: number;
  item_key: string;
  position: number;
  name: string;
  /** website | system | database | survey | other */
  source: string;
  system_name: string | null;
  description: string | null;
  owner_unit: string | null;
  /** open | application | withheld */
  classification: string;
  legal_basis: string | null;
  reason: string | null;
  /** low | medium | high */
  sensitivity: string;
  gender_flag: number;
  priority: number;
  planned_date: string | null;
  update_frequency: string | null;
  dataset_id: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
}

/** The agency list of a year as compiled by the window and decided by the CIO. */
export interface InventoryListsTable {
  year: number;
  /** compiled | returned | approved */
  state: string;
  revision: number;
  compiled_at: string | null;
  compiled_by: string | null;
  compiled_json: string | null;
  comment: string | null;
  updated_at: string;
}

/** An approved revision of a year's agency list (kept; the newest is public). */
export interface InventoryApprovalsTable {
  id: string;
  year: number;
  revision: number;
  approved_at: string;
  approved_by: string;
  compiled_by: string | null;
  items_json: string;
  diff_json: string;
  dataset_id: string | null;
}

/** A reminder or escalation sent (the follow-up ledger); (kind, subject_id, due_date, stage) is unique. */
export interface FollowupsTable {
  id: string;
  /** dataset_update | schedule_item | calendar_task */
  kind: string;
  subject_id: string;
  unit_id: string | null;
  due_date: string;
  /** reminder | overdue | escalated */
  stage: string;
  as_of: string;
  recipients_json: string;
  sent: number;
  created_at: string;
}

export interface DailyRunsTable {
  as_of: string;
  started_at: string;
  finished_at: string | null;
  runs: number;
  summary_json: string | null;
}

/** A task of the annual work calendar (年度行事曆). */
export interface CalendarTasksTable {
  id: string;
  year: number;
  task_key: string;
  title: string;
  title_en: string;
  description: string | null;
  owner_label: string;
  owner_units_json: string;
  starts_on: string;
  due_on: string;
  /** planned | done */
  status: string;
  done_at: string | null;
  done_by: string | null;
  position: number;
  updated_at: string;
}
