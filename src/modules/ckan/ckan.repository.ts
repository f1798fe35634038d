import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';

/** The dataset a stored resource row belongs to, by its uuid or national resource id (any state). */
export async function findResourceOwner(db: Kysely<Database>, id: string): Promise<{ datasetId: string; resourceId: string } | undefined> {
  const row = await db.selectFrom('resources').select(['dataset_id', 'resource_id']).where((eb) => eb.or([eb('id', '=', id), eb('resource_id', '=', id)])).executeTakeFirst();
  return row ? { datasetId: row.dataset_id, resourceId: row.resource_id } : undefined;
}
