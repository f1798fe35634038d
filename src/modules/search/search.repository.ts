import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/types.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface IndexEntries {
  postings: Map<string, number>;
  facets: [string, string][];
}

const BATCH = 3000;

/**
 * Replaces datasets' rows in the public search index (`entries` null removes one) and bumps the
 * index version once, so every app instance sharing the database picks the change up. Call inside
 * the transaction that changes the datasets. `isNew` skips the deletes for a dataset just created.
 */
export async function writeIndexBatch(db: Q, docs: { seq: number; entries: IndexEntries | null }[], isNew = false): Promise<void> {
  if (docs.length === 0) return;
  const seqs = docs.map((d) => d.seq);
  if (!isNew) {
    for (let i = 0; i < seqs.length; i += BATCH) {
      await db.deleteFrom('search_postings').where('seq', 'in', seqs.slice(i, i + BATCH)).execute();
      await db.deleteFrom('search_facets').where('seq', 'in', seqs.slice(i, i + BATCH)).execute();
    }
  }
  const postings: { term: string; seq: number; weight: number }[] = [];
  const facets: { facet: string; value: string; seq: number }[] = [];
  for (const { seq, entries } of docs) {
    if (!entries) continue;
    for (const [term, weight] of entries.postings) postings.push({ term, seq, weight });
    const seen = new Set<string>();
    for (const [facet, value] of entries.facets) {
      const k = `${facet}\u0000${value}`;
      if (seen.has(k)) continue;
      seen.add(k);
      facets.push({ facet, value, seq });
    }
  }
  for (let i = 0; i < postings.length; i += BATCH) await db.insertInto('search_postings').values(postings.slice(i, i + BATCH)).execute();
  for (let i = 0; i < facets.length; i += BATCH) await db.insertInto('search_facets').values(facets.slice(i, i + BATCH)).execute();
  const bumped = await db
    .updateTable('meta')
    .set({ value: sql<string>`cast(cast(value as integer) + 1 as text)` })
    .where('key', '=', 'search_version')
    .returning('value')
    .executeTakeFirst();
  for (let i = 0; i < seqs.length; i += BATCH) {
    await db.updateTable('datasets').set({ indexed_version: Number(bumped?.value ?? 0) }).where('seq', 'in', seqs.slice(i, i + BATCH)).execute();
  }
}

/** writeIndexBatch for one dataset. */
export async function writeIndex(db: Q, seq: number, entries: IndexEntries | null, isNew = false): Promise<void> {
  await writeIndexBatch(db, [{ seq, entries }], isNew);
}

export async function indexVersion(db: Q): Promise<number> {
  const r = await db.selectFrom('meta').select('value').where('key', '=', 'search_version').executeTakeFirst();
  return Number(r?.value ?? 0);
}

export interface IndexedDoc {
  seq: number;
  text: string;
  updatedAt: string;
  title: string;
  name: string;
  postings: [string, number][];
  facets: [string, string][];
}

/** Seqs whose index rows changed after `version`. */
export async function changedSince(db: Q, version: number): Promise<number[]> {
  const rows = await db.selectFrom('datasets').select('seq').where('indexed_version', '>', version).execute();
  return rows.map((r) => r.seq);
}

/** Index rows of the given datasets; a dataset without facet rows is not public. */
export async function loadIndexedDocs(db: Q, seqs: number[]): Promise<IndexedDoc[]> {
  if (seqs.length === 0) return [];
  const [docs, postings, facets] = await Promise.all([
    db.selectFrom('datasets').select(['seq', 'search_text', 'updated_at', 'modified', 'title', 'name']).where('seq', 'in', seqs).execute(),
    db.selectFrom('search_postings').select(['seq', 'term', 'weight']).where('seq', 'in', seqs).execute(),
    db.selectFrom('search_facets').select(['seq', 'facet', 'value']).where('seq', 'in', seqs).execute(),
  ]);
  const out = new Map<number, IndexedDoc>();
  for (const d of docs) out.set(d.seq, { seq: d.seq, text: d.search_text, updatedAt: (d.modified ?? d.updated_at).replace(' ', 'T'), title: d.title, name: d.name, postings: [], facets: [] });
  for (const p of postings) out.get(p.seq)?.postings.push([p.term, p.weight]);
  for (const f of facets) out.get(f.seq)?.facets.push([f.facet, f.value]);
  return [...out.values()].filter((d) => d.facets.length > 0);
}

/** Seqs of every publicly indexed dataset, in ascending order. */
export async function allIndexedSeqs(db: Q): Promise<number[]> {
  const rows = await db.selectFrom('search_facets').select('seq').where('facet', '=', 'all').where('value', '=', '').orderBy('seq').execute();
  return rows.map((r) => r.seq);
}

export type { SearchSort } from './search.engine.ts';
