import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design */

/**
 * Files, resource versions, the datastore's tables and their data dictionaries, and a job queue
 * (issue 4). Files are stored by content (sha256) behind a storage interface; a resource version
 * names a file; a tabular version loads into its own table `ds_<n>`, whose columns the dictionary
 * describes. Jobs are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL (one instance runs each).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stored_files')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('resource_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** The national 資料資源編號 (stable across working copies), e.g. A41000000G-000001-001. */
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().references('stored_files.sha256'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('encoding_declared', 'text')
    .addColumn('encoding_detected', 'text')
    /** Why the detector thinks so (BOM, byte pair …), for the page and the quality checks. */
    .addColumn('encoding_evidence', 'text')
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    /** Set when the dataset version that brought it is approved; until then only its unit sees it. */
    .addColumn('published_at', 'text')
    /** none | queued | loading | ready | failed */
    .addColumn('datastore_state', 'text', (c) => c.notNull())
    .addColumn('datastore_table', 'text')
    .addColumn('datastore_rows', 'bigint')
    .addColumn('datastore_error', 'text')
    /** JSON array of ReadIssue: what the reader noticed (title rows skipped, ragged rows …). */
    .addColumn('read_issues_json', 'text')
    /** For statistical cubes (PC-Axis, SDMX-JSON): the stored JSON-stat 2.0 document. */
    .addColumn('cube_sha256', 'text')
    .addColumn('loaded_at', 'text')
    .addUniqueConstraint('resource_versions_uq', ['resource_id', 'version'])
    .execute();

  await db.schema
    .createTable('datastore_columns')
    .addColumn('version_id', 'text', (c) => c.notNull().references('resource_versions.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    /** The SQL column (c1, c2 …): never user text in SQL. */
    .addColumn('column_id', 'text', (c) => c.notNull())
    /** The header as in the file (the API's field id). */
    .addColumn('name', 'text', (c) => c.notNull())
    /** integer | decimal | percent | date | boolean | text: inferred, then as the contact sets it. */
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('inferred_type', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('description', 'text')
    .addColumn('unit', 'text')
    .addColumn('codes_json', 'text')
    .addPrimaryKeyConstraint('datastore_columns_pk', ['version_id', 'position'])
    .execute();

  // A counter for table names, so a name is never reused (a failed load's table is dropped).
  await db.schema.createTable('datastore_seq').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('next', 'integer', (c) => c.notNull()).execute();
  await db.insertInto('datastore_seq').values({ id: 1, next: 1 }).execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    /** queued | running | done | failed */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('progress', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('run_after', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('jobs_state_idx').on('jobs').columns(['state', 'run_after']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
  await db.schema.dropTable('datastore_seq').execute();
  await db.schema.dropTable('datastore_columns').execute();
  await db.schema.dropTable('resource_versions').execute();
  await db.schema.dropTable('stored_files').execute();
}
