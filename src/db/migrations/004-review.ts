import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design */

/**
 * The review gate (docs/governance-design.md). A never-published dataset carries its submission on
 * its own row (submitted_by/at, the reviewer's last comment); a published one is changed through
 * working copies in dataset_revisions, and every approved version stays there as `approved`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('datasets').addColumn('submitted_by', 'text').execute();
  await db.schema.alterTable('datasets').addColumn('submitted_at', 'text').execute();
  await db.schema.alterTable('datasets').addColumn('review_comment', 'text').execute();

  await db.schema
    .createTable('dataset_revisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    /** draft | submitted | returned (open working copy) · approved (became the public version) · superseded. */
    .addColumn('state', 'text', (c) => c.notNull())
    /** The DatasetInput as the contact last saved it. */
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('comment', 'text')
    .addUniqueConstraint('dataset_revisions_version_uq', ['dataset_id', 'version'])
    .execute();
  await db.schema.createIndex('dataset_revisions_state_idx').on('dataset_revisions').columns(['state', 'dataset_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dataset_revisions').execute();
  await db.schema.alterTable('datasets').dropColumn('review_comment').execute();
  await db.schema.alterTable('datasets').dropColumn('submitted_at').execute();
  await db.schema.alterTable('datasets').dropColumn('submitted_by').execute();
}
