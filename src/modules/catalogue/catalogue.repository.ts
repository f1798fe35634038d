import type { Kysely, Transaction } from 'kysely';
import type { Database, DatasetRow, NewResourceRow, ResourceRow, UnitRow } from '../../db/types.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface DatasetBundle {
  row: DatasetRow;
  unit: UnitRow;
  resources: ResourceRow[];
  keywords: string[];
}

/** Loads datasets with unit, resources and keywords in three queries, keeping `rows` order. */
async function bundle(db: Q, rows: DatasetRow[]): Promise<DatasetBundle[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const unitIds = [...new Set(rows.map((r) => r.unit_id))];
  const [units, resources, keywords] = await Promise.all([
    db.selectFrom('units').selectAll().where('id', 'in', unitIds).execute(),
    db.selectFrom('resources').selectAll().where('dataset_id', 'in', ids).orderBy('dataset_id').orderBy('position').execute(),
    db.selectFrom('dataset_keywords').selectAll().where('dataset_id', 'in', ids).orderBy('dataset_id').orderBy('position').execute(),
  ]);
  const unitById = new Map(units.map((u) => [u.id, u]));
  const resBy = new Map<string, ResourceRow[]>();
  for (const r of resources) (resBy.get(r.dataset_id) ?? resBy.set(r.dataset_id, []).get(r.dataset_id))?.push(r);
  const kwBy = new Map<string, string[]>();
  for (const k of keywords) (kwBy.get(k.dataset_id) ?? kwBy.set(k.dataset_id, []).get(k.dataset_id))?.push(k.keyword);
  return rows.flatMap((row) => {
    const unit = unitById.get(row.unit_id);
    return unit ? [{ row, unit, resources: resBy.get(row.id) ?? [], keywords: kwBy.get(row.id) ?? [] }] : [];
  });
}

const CHUNK = 500;

export async function findBundlesBySeq(db: Q, seqs: number[]): Promise<DatasetBundle[]> {
  const out: DatasetBundle[] = [];
  for (let i = 0; i < seqs.length; i += CHUNK) {
    const part = seqs.slice(i, i + CHUNK);
    const rows = await db.selectFrom('datasets').selectAll().where('seq', 'in', part).execute();
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    out.push(...(await bundle(db, part.flatMap((s) => bySeq.get(s) ?? []))));
  }
  return out;
}

/** Finds by id, name or national identifier (case-insensitive), as package_show accepts. */
export async function findBundle(db: Q, ref: string): Promise<DatasetBundle | undefined> {
  const row = await db
    .selectFrom('datasets')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref.toLowerCase()), eb('identifier', '=', ref)]))
    .executeTakeFirst();
  if (!row) return undefined;
  return (await bundle(db, [row]))[0];
}

export async function findIdByIdentifier(db: Q, identifier: string): Promise<{ id: string; seq: number; created_at: string } | undefined> {
  return db.selectFrom('datasets').select(['id', 'seq', 'created_at']).where('identifier', '=', identifier).executeTakeFirst();
}

export async function replaceResources(db: Q, datasetId: string, rows: NewResourceRow[], isNew = false): Promise<void> {
  if (!isNew) await db.deleteFrom('resources').where('dataset_id', '=', datasetId).execute();
  if (rows.length > 0) await db.insertInto('resources').values(rows).execute();
}

export async function replaceKeywords(db: Q, datasetId: string, keywords: string[], isNew = false): Promise<void> {
  if (!isNew) await db.deleteFrom('dataset_keywords').where('dataset_id', '=', datasetId).execute();
  if (keywords.length > 0) {
    await db
      .insertInto('dataset_keywords')
      .values(keywords.map((keyword, position) => ({ dataset_id: datasetId, keyword, position })))
      .execute();
  }
}

export async function existingResourceIds(db: Q, datasetId: string): Promise<Map<string, { id: string; created_at: string }>> {
  const rows = await db.selectFrom('resources').select(['id', 'resource_id', 'created_at']).where('dataset_id', '=', datasetId).execute();
  return new Map(rows.map((r) => [r.resource_id, { id: r.id, created_at: r.created_at }]));
}

/** Takes the next serial for an agency code from a counter row, so concurrent writers never share one. */
export async function nextSerial(db: Q, agencyCode: string): Promise<number> {
  const key = `serial:${agencyCode}`;
  await db.insertInto('meta').values({ key, value: '0' }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  let next = Number(row?.value ?? 0) + 1;
  // Skip serials taken by imported identifiers.
  for (;;) {
    const id = `${agencyCode}-${String(next).padStart(6, '0')}`;
    const taken = await db.selectFrom('datasets').select('seq').where('identifier', '=', id).executeTakeFirst();
    if (!taken) break;
    next++;
  }
  await db.updateTable('meta').set({ value: String(next) }).where('key', '=', key).execute();
  return next;
}
