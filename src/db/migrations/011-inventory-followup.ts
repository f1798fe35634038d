import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design */

/**
 * Issue 6: the yearly inventory (年度盤點) and its approval, the opening schedule, the follow-up
 * ledger (跟催: every reminder and escalation, once), the daily run, and the annual work calendar
 * (年度行事曆). See docs/inventory-design.md.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One unit's inventory for one year: draft → submitted → approved (reopened to draft for changes).
  await db.schema
    .createTable('inventories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    /** The window's comment when it returned the inventory to the unit. */
    .addColumn('comment', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('submitted_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('inventories_unit_year_uq', ['unit_id', 'year'])
    .execute();

  await db.schema
    .createTable('inventory_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('inventory_id', 'text', (c) => c.notNull().references('inventories.id').onDelete('cascade'))
    .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    /** Stable across years (carried when a year starts from the last one, or given in the file), for the diff. */
    .addColumn('item_key', 'text', (c) => c.notNull())
    /** 項次: the order in the unit's list. */
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    /** website | system | database | survey | other */
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('system_name', 'text')
    .addColumn('description', 'text')
    .addColumn('owner_unit', 'text')
    /** open | application | withheld */
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('legal_basis', 'text')
    .addColumn('reason', 'text')
    /** low | medium | high */
    .addColumn('sensitivity', 'text', (c) => c.notNull())
    .addColumn('gender_flag', 'integer', (c) => c.notNull().defaultTo(0))
    /** 0 normal; raised later by public requests (C9). */
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('planned_date', 'text')
    .addColumn('update_frequency', 'text')
    .addColumn('dataset_id', 'text', (c) => c.references('datasets.id'))
    .addColumn('notes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema.createIndex('inventory_items_inv_idx').on('inventory_items').columns(['inventory_id', 'position']).execute();
  await db.schema.createIndex('inventory_items_year_idx').on('inventory_items').columns(['year', 'unit_id']).execute();
  await db.schema.createIndex('inventory_items_dataset_idx').on('inventory_items').column('dataset_id').execute();

  // The agency list of a year, as the window compiled it and the CIO decides on it.
  await db.schema
    .createTable('inventory_lists')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    /** compiled | returned | approved */
    .addColumn('state', 'text', (c) => c.notNull())
    /** Approvals so far (the published revision). */
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('compiled_at', 'text')
    .addColumn('compiled_by', 'text')
    /** The compiled items and the diff, exactly as the CIO is asked to approve them. */
    .addColumn('compiled_json', 'text')
    .addColumn('comment', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Every approved revision, kept: the public list and the schedule read the newest one.
  await db.schema
    .createTable('inventory_approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('approved_at', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text', (c) => c.notNull())
    .addColumn('compiled_by', 'text')
    .addColumn('items_json', 'text', (c) => c.notNull())
    .addColumn('diff_json', 'text', (c) => c.notNull())
    /** The published catalogue dataset of the list (資料開放清單及期程). */
    .addColumn('dataset_id', 'text')
    .addUniqueConstraint('inventory_approvals_year_rev_uq', ['year', 'revision'])
    .execute();

  // The follow-up ledger: one row per reminder or escalation ever sent; the unique key makes the daily run idempotent.
  await db.schema
    .createTable('followups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** dataset_update | schedule_item | calendar_task */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text')
    .addColumn('due_date', 'text', (c) => c.notNull())
    /** reminder | overdue | escalated */
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('as_of', 'text', (c) => c.notNull())
    .addColumn('recipients_json', 'text', (c) => c.notNull())
    .addColumn('sent', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('followups_once_uq', ['kind', 'subject_id', 'due_date', 'stage'])
    .execute();
  await db.schema.createIndex('followups_unit_idx').on('followups').columns(['unit_id', 'created_at']).execute();

  // One row per day the daily work ran (as of that day).
  await db.schema
    .createTable('daily_runs')
    .addColumn('as_of', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('runs', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('summary_json', 'text')
    .execute();

  // The annual work calendar (年度行事曆): the plan's tasks of a year, editable by the admin.
  await db.schema
    .createTable('calendar_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('year', 'integer', (c) => c.notNull())
    /** e.g. inventory, advisory-1 (stable within a year; the .ics UID is built from it). */
    .addColumn('task_key', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    /** The 主/協辦單位 as written (e.g. 主計資訊處／各單位). */
    .addColumn('owner_label', 'text', (c) => c.notNull())
    /** JSON list of unit names reminded ([] = every unit's contacts; the window is always told of lateness). */
    .addColumn('owner_units_json', 'text', (c) => c.notNull())
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    /** planned | done */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('calendar_tasks_year_key_uq', ['year', 'task_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['calendar_tasks', 'daily_runs', 'followups', 'inventory_approvals', 'inventory_lists', 'inventory_items', 'inventories']) await db.schema.dropTable(t).execute();
}
