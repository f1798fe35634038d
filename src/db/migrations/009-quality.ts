import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design */

/**
 * Quality history (issue 5): every check of a resource is a run, kept, so that half-years can be
 * compared; each run's indicator results are rows of their own for the reports (badge
 * distribution, failing indicators, trends by unit and half-year). Overrides record a reviewer's
 * explicit, audited decision to publish despite a failing indicator (personal data).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('quality_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_id', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text')
    // submission | version | links | full | manual
    .addColumn('trigger', 'text', (c) => c.notNull())
    // 2026H2: the half-year the national evaluation compares.
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .addColumn('badge', 'text', (c) => c.notNull())
    .addColumn('next_badge', 'text')
    .addColumn('missing_json', 'text')
    .addColumn('file_json', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('quality_runs_resource_idx').on('quality_runs').columns(['resource_id', 'checked_at']).execute();
  await db.schema.createIndex('quality_runs_dataset_idx').on('quality_runs').columns(['dataset_id', 'checked_at']).execute();
  await db.schema.createIndex('quality_runs_period_idx').on('quality_runs').columns(['period', 'unit_id']).execute();
  await db.schema
    .createTable('quality_results')
    .addColumn('run_id', 'text', (c) => c.notNull().references('quality_runs.id').onDelete('cascade'))
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('zh', 'text', (c) => c.notNull())
    .addColumn('en', 'text', (c) => c.notNull())
    .addColumn('evidence_json', 'text', (c) => c.notNull())
    .addColumn('data_json', 'text')
    .addPrimaryKeyConstraint('quality_results_pk', ['run_id', 'indicator'])
    .execute();
  await db.schema.createIndex('quality_results_indicator_idx').on('quality_results').columns(['indicator', 'result']).execute();
  await db.schema
    .createTable('quality_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('quality_overrides_dataset_idx').on('quality_overrides').columns(['dataset_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('quality_overrides').execute();
  await db.schema.dropTable('quality_results').execute();
  await db.schema.dropTable('quality_runs').execute();
}
