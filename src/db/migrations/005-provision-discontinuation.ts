import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design */

/**
 * Provision terms and discontinuation (docs/governance-design.md): the terms of a dataset provided
 * on application, the legal basis of one withheld, and the discontinuation proposals with the
 * notices their approval publishes. The public search index gains a `state` facet, because
 * discontinued datasets stay findable through a filter.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('datasets').addColumn('application_terms', 'text').execute();
  await db.schema.alterTable('datasets').addColumn('revocable', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('datasets').addColumn('withholding_basis', 'text').execute();

  await db.schema
    .createTable('discontinuations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
    /** stop | to_on_application | to_withheld */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    /** YYYY-MM-DD of the meeting that resolved it. */
    .addColumn('meeting_date', 'text', (c) => c.notNull())
    .addColumn('resolution', 'text', (c) => c.notNull())
    .addColumn('withholding_basis', 'text')
    .addColumn('application_terms', 'text')
    .addColumn('revocable', 'integer')
    /** The dataset's title when proposed, kept on approval so the notice reads as published. */
    .addColumn('dataset_title', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('proposed_at', 'text', (c) => c.notNull())
    /** proposed | approved | rejected | withdrawn */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_comment', 'text')
    /** YYYY-MM-DD (Taipei) the notice was published: the day of approval. */
    .addColumn('notice_date', 'text')
    .execute();
  await db.schema.createIndex('discontinuations_dataset_idx').on('discontinuations').columns(['dataset_id', 'state']).execute();
  await db.schema.createIndex('discontinuations_state_idx').on('discontinuations').columns(['state', 'proposed_at']).execute();
  // One open proposal per dataset, held by the database too (two contacts proposing at once).
  await db.schema
    .createIndex('discontinuations_one_open_uq')
    .on('discontinuations')
    .column('dataset_id')
    .unique()
    .where(sql.ref('state'), '=', sql.lit('proposed'))
    .execute();

  // Everything indexed so far is published: give it the state facet the search now filters on.
  await sql`insert into search_facets (facet, value, seq) select 'state', 'published', seq from search_facets where facet = 'all' and value = ''`.execute(db);
  await sql`update meta set value = cast(cast(value as integer) + 1 as text) where key = 'search_version'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('search_facets').where('facet', '=', 'state').execute();
  await db.schema.dropTable('discontinuations').execute();
  await db.schema.alterTable('datasets').dropColumn('withholding_basis').execute();
  await db.schema.alterTable('datasets').dropColumn('revocable').execute();
  await db.schema.alterTable('datasets').dropColumn('application_terms').execute();
}
