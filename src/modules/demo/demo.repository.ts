import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';

/** meta key holding the demo's reference date (YYYY-MM-DD) once it has been loaded. */
export const DEMO_META_KEY = 'demo_loaded';

/**
 * Takes the right to load the demo: true for exactly one caller, even when several instances
 * start together on one PostgreSQL database.
 */
export async function claimDemo(db: Kysely<Database>, referenceDate: string): Promise<boolean> {
  const r = await db
    .insertInto('meta')
    .values({ key: DEMO_META_KEY, value: referenceDate })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Gives the claim back after a failed load, so the next start tries again. */
export async function releaseDemo(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('meta').where('key', '=', DEMO_META_KEY).execute();
}

/** The reference date the demo was loaded with, or undefined when it never was. */
export async function demoReferenceDate(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', DEMO_META_KEY).executeTakeFirst();
  return row?.value;
}
