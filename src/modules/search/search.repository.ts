import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/types.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface IndexEntries {
  postings: Map<string, number>;
  facets: [string, string][];
}

const BATCH = 3000;

/** Replaces one dataset's rows in the public search index; `entries` null removes it. */
export async function writeIndex(db: Q, seq: number, entries: IndexEntries | null): Promise<void> {
  await db.deleteFrom('search_postings').where('seq', '=', seq).execute();
  await db.deleteFrom('search_facets').where('seq', '=', seq).execute();
  if (!entries) return;
  const postings = [...entries.postings].map(([term, weight]) => ({ term, seq, weight }));
  for (let i = 0; i < postings.length; i += BATCH) {
    await db.insertInto('search_postings').values(postings.slice(i, i + BATCH)).execute();
  }
  const seen = new Set<string>();
  const facets = entries.facets
    .filter(([f, v]) => {
      const k = `${f}\u0000${v}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map(([facet, value]) => ({ facet, value, seq }));
  for (let i = 0; i < facets.length; i += BATCH) {
    await db.insertInto('search_facets').values(facets.slice(i, i + BATCH)).execute();
  }
}

export type SearchSort = 'relevance' | 'modified_desc' | 'modified_asc' | 'title_asc' | 'title_desc' | 'name_asc';

export interface SearchQuery {
  terms: string[];
  phrases: string[];
  filters: [string, string][];
  sort: SearchSort;
  limit: number;
  offset: number;
  facetFields: string[];
}

export interface SearchHits {
  count: number;
  seqs: number[];
  facets: Map<string, { value: string; count: number }[]>;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Runs one search against the public index: AND of terms, filters and phrases. */
export async function searchIndex(db: Kysely<Database>, q: SearchQuery): Promise<SearchHits> {
  const hits = db.with('m', (qb) => {
    const inFacet = (facet: string, value: string) => qb.selectFrom('search_facets').select('seq').where('facet', '=', facet).where('value', '=', value);
    if (q.terms.length > 0) {
      let m = qb
        .selectFrom('search_postings')
        .select(['seq', sql<number>`cast(sum(weight) as integer)`.as('score')])
        .where('term', 'in', q.terms);
      for (const [facet, value] of q.filters) m = m.where('seq', 'in', inFacet(facet, value));
      return m.groupBy('seq').having(sql`count(*)`, '=', q.terms.length);
    }
    let m = qb.selectFrom('search_facets').select(['seq', sql<number>`0`.as('score')]).where('facet', '=', 'all').where('value', '=', '');
    for (const [facet, value] of q.filters) m = m.where('seq', 'in', inFacet(facet, value));
    return m;
  });
  const withHits = hits.with('h', (qb) => {
    let h = qb.selectFrom('m').select(['m.seq', 'm.score']);
    if (q.phrases.length > 0) {
      h = h.innerJoin('datasets as d', 'd.seq', 'm.seq');
      for (const p of q.phrases) h = h.where(sql<boolean>`d.search_text like ${`%${likeEscape(p)}%`} escape '\\'`);
    }
    return h;
  });

  const countRow = await withHits.selectFrom('h').select(sql<number>`cast(count(*) as integer)`.as('n')).executeTakeFirst();
  const count = Number(countRow?.n ?? 0);

  let page = withHits.selectFrom('h').innerJoin('datasets as d', 'd.seq', 'h.seq').select('h.seq');
  switch (q.sort) {
    case 'relevance':
      page = page.orderBy('h.score', 'desc').orderBy('d.updated_at', 'desc');
      break;
    case 'modified_desc':
      page = page.orderBy('d.updated_at', 'desc');
      break;
    case 'modified_asc':
      page = page.orderBy('d.updated_at', 'asc');
      break;
    case 'title_asc':
      page = page.orderBy('d.title', 'asc');
      break;
    case 'title_desc':
      page = page.orderBy('d.title', 'desc');
      break;
    case 'name_asc':
      page = page.orderBy('d.name', 'asc');
      break;
  }
  const rows = count === 0 || q.limit === 0 ? [] : await page.orderBy('h.seq', 'desc').limit(q.limit).offset(q.offset).execute();

  const facets = new Map<string, { value: string; count: number }[]>();
  if (q.facetFields.length > 0 && count > 0) {
    let fq = withHits
      .selectFrom('search_facets as f')
      .select(['f.facet', 'f.value', sql<number>`cast(count(*) as integer)`.as('n')])
      .where('f.facet', 'in', q.facetFields);
    // The unfiltered catalogue needs no membership test: every indexed row is a hit.
    const everything = q.terms.length === 0 && q.phrases.length === 0 && q.filters.length === 0;
    if (!everything) fq = fq.where('f.seq', 'in', (qb) => qb.selectFrom('h').select('h.seq'));
    const facetRows = await fq.groupBy(['f.facet', 'f.value']).execute();
    for (const r of facetRows) {
      const list = facets.get(r.facet) ?? [];
      list.push({ value: r.value, count: Number(r.n) });
      facets.set(r.facet, list);
    }
    for (const list of facets.values()) list.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }
  return { count, seqs: rows.map((r) => r.seq), facets };
}
