import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run on Kysely<any> by design */

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

export async function up(db: Kysely<any>): Promise<void> {
  const pgsql = isPostgres(db);

  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('units')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text')
    .addColumn('parent_id', 'text', (c) => c.references('units.id'))
    .addColumn('is_window', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  let datasets = db.schema.createTable('datasets');
  datasets = pgsql
    ? datasets.addColumn('seq', 'serial', (c) => c.primaryKey())
    : datasets.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
  await datasets
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('identifier', 'text', (c) => c.notNull().unique())
    .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('provision_type', 'text', (c) => c.notNull())
    .addColumn('category_code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('fields_json', 'text', (c) => c.notNull())
    .addColumn('field_description_raw', 'text')
    .addColumn('dataset_type', 'text', (c) => c.notNull())
    .addColumn('license_id', 'text', (c) => c.notNull())
    .addColumn('license_url', 'text', (c) => c.notNull())
    .addColumn('cost', 'text', (c) => c.notNull())
    .addColumn('cost_url', 'text')
    .addColumn('cost_law', 'text')
    .addColumn('organization_name', 'text')
    .addColumn('organization_contact_name', 'text')
    .addColumn('organization_contact_phone', 'text')
    .addColumn('organization_contact_email', 'text')
    .addColumn('publisher_name', 'text', (c) => c.notNull())
    .addColumn('publisher_contact_name', 'text')
    .addColumn('publisher_contact_phone', 'text')
    .addColumn('publisher_contact_email', 'text')
    .addColumn('update_frequency', 'text', (c) => c.notNull())
    .addColumn('temporal_from', 'text')
    .addColumn('temporal_to', 'text')
    .addColumn('issued', 'text')
    .addColumn('modified', 'text')
    .addColumn('spatial', 'text')
    .addColumn('language', 'text')
    .addColumn('landing_page', 'text')
    .addColumn('number_of_data', 'integer')
    .addColumn('notes', 'text')
    .addColumn('data_attribute', 'text')
    .addColumn('listing_method', 'text')
    .addColumn('quality_badge', 'text')
    .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('indexed_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .execute();
  await db.schema.createIndex('datasets_unit_idx').on('datasets').columns(['unit_id']).execute();
  await db.schema.createIndex('datasets_state_updated_idx').on('datasets').columns(['state', 'updated_at']).execute();
  await db.schema.createIndex('datasets_state_title_idx').on('datasets').columns(['state', 'title']).execute();
  await db.schema.createIndex('datasets_indexed_version_idx').on('datasets').columns(['indexed_version']).execute();
  // Bumped with every change to the public search index, so each app instance can refresh its in-memory copy.
  await db.insertInto('meta').values({ key: 'search_version', value: '0' }).execute();

  await db.schema
    .createTable('resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
    .addColumn('resource_id', 'text', (c) => c.notNull().unique())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('access_url', 'text')
    .addColumn('download_url', 'text')
    .addColumn('modified', 'text')
    .addColumn('metadata_source_url', 'text')
    .addColumn('number_of_data', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('resources_dataset_idx').on('resources').columns(['dataset_id', 'position']).execute();

  await db.schema
    .createTable('dataset_keywords')
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
    .addColumn('keyword', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('dataset_keywords_pk', ['dataset_id', 'keyword'])
    .execute();
  await db.schema.createIndex('dataset_keywords_keyword_idx').on('dataset_keywords').columns(['keyword']).execute();

  // The public search index holds only what the public may see; see search.repository.ts. It is
  // read by dataset (the in-memory engine loads it), so rows cluster by seq and append cheaply.
  let postings = db.schema
    .createTable('search_postings')
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('weight', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_postings_pk', ['seq', 'term']);
  if (!pgsql) postings = postings.modifyEnd(sql`without rowid`);
  await postings.execute();

  let facets = db.schema
    .createTable('search_facets')
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_facets_pk', ['seq', 'facet', 'value']);
  if (!pgsql) facets = facets.modifyEnd(sql`without rowid`);
  await facets.execute();
  await db.schema.createIndex('search_facets_value_idx').on('search_facets').columns(['facet', 'value']).execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'unit_id', 'role'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['api_tokens', 'user_roles', 'users', 'search_facets', 'search_postings', 'dataset_keywords', 'resources', 'datasets', 'units', 'meta']) {
    await db.schema.dropTable(t).execute();
  }
}
