import type { Kysely } from 'kysely';

/**
 * How a version is read and what is published beside it (issue 4): the header rows the contact
 * chose for a report-like file ("4-6"), and the UTF-8 copy published next to an original in
 * another encoding (the original stays byte for byte).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('resource_versions').addColumn('header_rows', 'text').execute();
  await db.schema.alterTable('resource_versions').addColumn('utf8_sha256', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('resource_versions').dropColumn('utf8_sha256').execute();
  await db.schema.alterTable('resource_versions').dropColumn('header_rows').execute();
}
