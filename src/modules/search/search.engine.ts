import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import { allIndexedSeqs, changedSince, indexVersion, loadIndexedDocs, type IndexedDoc } from './search.repository.ts';

export type SearchSort = 'relevance' | 'modified_desc' | 'modified_asc' | 'title_asc' | 'title_desc' | 'name_asc';

export interface SearchQuery {
  terms: string[];
  phrases: string[];
  /** [facet, value] pairs; all must hold. */
  filters: [string, string][];
  /** [facet, values]: a hit has at least one of the values (OR within a facet, AND across groups). */
  anyOf?: [string, string[]][];
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

interface Doc {
  seq: number;
  text: string;
  /** The dataset's 最後更新時間 when declared, else when its record last changed: what "last modified" sorts by. */
  updatedAt: string;
  title: string;
  name: string;
}

interface PostingList {
  docs: number[];
  weights: number[];
}

const LOAD_CHUNK = 1000;
/** How many ranked hits a cached query keeps (50 pages of 20); deeper pages are computed afresh. */
const CACHE_DEPTH = 1000;

interface Computed {
  count: number;
  ranked: number[];
  facets: Map<string, { value: string; count: number }[]>;
}
const RANK_BITS = 2 ** 22;

/**
 * The public search index held in memory, loaded from the database's search tables and kept
 * current through the index version in `meta`: every search first asks the database for the
 * version (one primary-key read) and folds in the datasets changed since. The database stays the
 * source of truth, so any number of app instances can share it, and SQLite and PostgreSQL give the
 * same results because the ranking runs here, not in SQL.
 */
export class SearchEngine {
  private version = -1;
  private docs: Doc[] = [];
  private bySeq = new Map<number, number>();
  private postings = new Map<string, PostingList>();
  private facetKey = new Map<string, number>();
  private facetName: string[] = [];
  private facetValue: string[] = [];
  private facetDocs: number[][] = [];
  private liveCount = 0;
  private isLive = new Uint8Array(1024);
  private facetStart = new Int32Array(1025);
  private facetPool = new Int32Array(8192);
  private dead = 0;
  private ranksDirty = true;
  private modRank: Int32Array = new Int32Array(0);
  private byModRank: Int32Array = new Int32Array(0);
  private titleRank: Int32Array = new Int32Array(0);
  private byTitleRank: Int32Array = new Int32Array(0);
  private nameRank: Int32Array = new Int32Array(0);
  private byNameRank: Int32Array = new Int32Array(0);
  private syncing: Promise<void> | null = null;
  private corpusFacets: Map<string, { value: string; count: number }[]> | undefined;
  /** Per facet value used alone as a filter (above all the default state=published): its live docs and facet counts. */
  private subsets = new Map<number, { member: Uint8Array; count: number; facets: Map<string, { value: string; count: number }[]> }>();
  private readonly cache = new Map<string, Computed>();
  private cacheVersion = -1;

  /** `cacheEntries`: how many distinct queries to keep results for (0 turns the cache off). */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cacheEntries = 500,
  ) {}

  /** Brings the in-memory index up to the database's version; concurrent callers share one refresh. */
  async sync(): Promise<void> {
    this.syncing ??= this.refresh().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async refresh(): Promise<void> {
    const v = await indexVersion(this.db);
    if (v === this.version) return;
    if (this.version < 0 || this.dead > Math.max(1000, this.liveCount / 4)) {
      this.reset();
      const seqs = await allIndexedSeqs(this.db);
      for (let i = 0; i < seqs.length; i += LOAD_CHUNK) {
        for (const d of await loadIndexedDocs(this.db, seqs.slice(i, i + LOAD_CHUNK))) this.add(d);
      }
    } else {
      const changed = await changedSince(this.db, this.version);
      for (let i = 0; i < changed.length; i += LOAD_CHUNK) {
        const part = changed.slice(i, i + LOAD_CHUNK);
        for (const seq of part) this.remove(seq);
        for (const d of await loadIndexedDocs(this.db, part)) this.add(d);
      }
    }
    this.version = v;
    this.ranksDirty = true;
  }

  private reset(): void {
    this.docs = [];
    this.bySeq.clear();
    this.postings.clear();
    this.facetKey.clear();
    this.facetName = [];
    this.facetValue = [];
    this.facetDocs = [];
    this.liveCount = 0;
    this.isLive = new Uint8Array(1024);
    this.facetStart = new Int32Array(1025);
    this.facetPool = new Int32Array(8192);
    this.dead = 0;
  }

  private facetIdOf(facet: string, value: string, create: boolean): number | undefined {
    const key = `${facet}\u0000${value}`;
    let id = this.facetKey.get(key);
    if (id === undefined && create) {
      id = this.facetName.length;
      this.facetKey.set(key, id);
      this.facetName.push(facet);
      this.facetValue.push(value);
      this.facetDocs.push([]);
    }
    return id;
  }

  private add(d: IndexedDoc): void {
    const idx = this.docs.length;
    const facetIds: number[] = [];
    for (const [f, v] of d.facets) {
      const id = this.facetIdOf(f, v, true);
      if (id === undefined) continue;
      facetIds.push(id);
      this.facetDocs[id].push(idx);
    }
    this.docs.push({ seq: d.seq, text: d.text, updatedAt: d.updatedAt, title: d.title, name: d.name });
    // Hot loops read flat typed arrays: liveness per doc, and each doc's facet ids as a slice of one pool.
    if (idx + 1 >= this.isLive.length) {
      this.isLive = grow(this.isLive, (idx + 1) * 2);
      this.facetStart = grow(this.facetStart, (idx + 2) * 2);
    }
    this.isLive[idx] = 1;
    const start = this.facetStart[idx];
    if (start + facetIds.length > this.facetPool.length) this.facetPool = grow(this.facetPool, (start + facetIds.length) * 2);
    this.facetPool.set(facetIds, start);
    this.facetStart[idx + 1] = start + facetIds.length;
    for (const [term, w] of d.postings) {
      let list = this.postings.get(term);
      if (!list) {
        list = { docs: [], weights: [] };
        this.postings.set(term, list);
      }
      list.docs.push(idx);
      list.weights.push(w);
    }
    this.bySeq.set(d.seq, idx);
    this.liveCount++;
  }

  /** Lazy deletion: the doc stays in posting lists but no longer matches; a full reload compacts. */
  private remove(seq: number): void {
    const idx = this.bySeq.get(seq);
    if (idx === undefined) return;
    this.isLive[idx] = 0;
    this.bySeq.delete(seq);
    this.liveCount--;
    this.dead++;
  }

  private rebuildRanks(): void {
    const n = this.docs.length;
    const live: number[] = [];
    for (let i = 0; i < n; i++) if (this.isLive[i]) live.push(i);
    const order = (cmp: (a: Doc, b: Doc) => number): [Int32Array, Int32Array] => {
      const sorted = [...live].sort((a, b) => cmp(this.docs[a], this.docs[b]) || this.docs[b].seq - this.docs[a].seq);
      const rank = new Int32Array(n).fill(RANK_BITS - 1);
      const by = new Int32Array(sorted.length);
      sorted.forEach((d, r) => {
        rank[d] = r;
        by[r] = d;
      });
      return [rank, by];
    };
    const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    [this.modRank, this.byModRank] = order((a, b) => cmpStr(b.updatedAt, a.updatedAt));
    [this.titleRank, this.byTitleRank] = order((a, b) => cmpStr(a.title, b.title));
    [this.nameRank, this.byNameRank] = order((a, b) => cmpStr(a.name, b.name));
    this.ranksDirty = false;
    this.corpusFacets = undefined;
    this.subsets.clear();
  }

  /**
   * Runs one query: AND of terms, filters and phrases, ranked, paged and faceted. Results are
   * kept in a small LRU cache until the index version changes (a write anywhere clears it).
   */
  async search(q: SearchQuery): Promise<SearchHits> {
    await this.sync();
    if (this.ranksDirty) this.rebuildRanks();
    if (this.cacheVersion !== this.version) {
      this.cache.clear();
      this.cacheVersion = this.version;
    }
    const need = q.offset + q.limit;
    const key = JSON.stringify([q.terms, q.phrases, q.filters, q.anyOf ?? [], q.sort]);
    let r = this.cache.get(key);
    if (r) {
      this.cache.delete(key);
      this.cache.set(key, r);
    }
    if (!r || (need > r.ranked.length && r.ranked.length < r.count)) {
      r = this.compute(q, Math.max(need, CACHE_DEPTH));
      if (this.cacheEntries > 0) {
        this.cache.set(key, r);
        if (this.cache.size > this.cacheEntries) {
          const oldest = this.cache.keys().next();
          if (!oldest.done) this.cache.delete(oldest.value);
        }
      }
    }
    const facets = new Map<string, { value: string; count: number }[]>();
    for (const f of q.facetFields) {
      const list = r.facets.get(f);
      if (list) facets.set(f, list);
    }
    return { count: r.count, seqs: r.ranked.slice(q.offset, need), facets };
  }

  /** Counts of every facet value over the given docs, each facet's values by count then value. */
  private facetCounts(docs: Iterable<number>): Map<string, { value: string; count: number }[]> {
    const facets = new Map<string, { value: string; count: number }[]>();
    const counts = new Int32Array(this.facetName.length);
    const pool = this.facetPool;
    const starts = this.facetStart;
    for (const d of docs) {
      for (let j = starts[d], end = starts[d + 1]; j < end; j++) counts[pool[j]]++;
    }
    for (let id = 0; id < counts.length; id++) {
      if (counts[id] === 0) continue;
      const name = this.facetName[id];
      const list = facets.get(name) ?? [];
      list.push({ value: this.facetValue[id], count: counts[id] });
      facets.set(name, list);
    }
    for (const list of facets.values()) list.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return facets;
  }

  /** The live docs of one facet value, and their facet counts, kept per version. */
  private subset(facetId: number): { member: Uint8Array; count: number; facets: Map<string, { value: string; count: number }[]> } {
    let s = this.subsets.get(facetId);
    if (!s) {
      const member = new Uint8Array(this.docs.length);
      const live: number[] = [];
      for (const d of this.facetDocs[facetId]) {
        if (this.isLive[d] && !member[d]) {
          member[d] = 1;
          live.push(d);
        }
      }
      s = { member, count: live.length, facets: this.facetCounts(live) };
      this.subsets.set(facetId, s);
    }
    return s;
  }

  /**
   * The unfiltered catalogue, or all of one facet value (the default `state: published` filter
   * makes this the common case): the rank orders already are the answer, read until `depth` hits,
   * and the counts are kept per version.
   */
  private wholeCatalogue(sort: SearchSort, depth: number, facetId?: number): Computed {
    const subset = facetId === undefined ? undefined : this.subset(facetId);
    let by: Int32Array;
    let reverse = false;
    switch (sort) {
      case 'relevance':
      case 'modified_desc':
        by = this.byModRank;
        break;
      case 'modified_asc':
        by = this.byModRank;
        reverse = true;
        break;
      case 'title_asc':
        by = this.byTitleRank;
        break;
      case 'title_desc':
        by = this.byTitleRank;
        reverse = true;
        break;
      case 'name_asc':
        by = this.byNameRank;
        break;
    }
    const n = by.length;
    const ranked: number[] = [];
    if (!subset) {
      this.corpusFacets ??= this.facetCounts(this.byModRank);
      for (let i = 0; i < Math.min(depth, n); i++) ranked.push(this.docs[by[reverse ? n - 1 - i : i]].seq);
      return { count: n, ranked, facets: this.corpusFacets };
    }
    for (let i = 0; i < n && ranked.length < depth; i++) {
      const d = by[reverse ? n - 1 - i : i];
      if (subset.member[d]) ranked.push(this.docs[d].seq);
    }
    return { count: subset.count, ranked, facets: subset.facets };
  }

  /** Hits of a query: their count, the first `depth` seqs in order, and counts for every facet. */
  private compute(q: SearchQuery, depth: number): Computed {
    const n = this.docs.length;
    const empty: Computed = { count: 0, ranked: [], facets: new Map() };

    // Every required list: terms' postings, then filters' doc lists. One missing list → no hits.
    const lists: PostingList[] = [];
    for (const t of q.terms) {
      const l = this.postings.get(t);
      if (!l) return empty;
      lists.push(l);
    }
    const termCount = lists.length;
    /** The facet value behind each list that is exactly one facet value's docs. */
    let singleFacet: number | undefined;
    for (const [f, v] of q.filters) {
      const id = this.facetIdOf(f, v, false);
      if (id === undefined) return empty;
      lists.push({ docs: this.facetDocs[id], weights: [] });
      singleFacet = id;
    }
    for (const [f, values] of q.anyOf ?? []) {
      if (values.length === 0) continue;
      if (values.length === 1) singleFacet = this.facetIdOf(f, values[0], false);
      const docs: number[] = [];
      for (const v of values) {
        const id = this.facetIdOf(f, v, false);
        if (id !== undefined) for (const d of this.facetDocs[id]) docs.push(d);
      }
      if (docs.length === 0) return empty;
      lists.push({ docs, weights: [] });
    }

    if (lists.length === 0 && q.phrases.length === 0) return this.wholeCatalogue(q.sort, depth);
    if (lists.length === 1 && termCount === 0 && q.phrases.length === 0 && singleFacet !== undefined) return this.wholeCatalogue(q.sort, depth, singleFacet);

    let hits: number[];
    const score = new Int32Array(n);
    if (lists.length === 0) {
      hits = [];
      for (let i = 0; i < n; i++) if (this.isLive[i]) hits.push(i);
    } else {
      // Start from the shortest list; a doc survives list k only if it survived lists 0..k-1.
      const order = lists.map((_, i) => i).sort((a, b) => lists[a].docs.length - lists[b].docs.length);
      const seen = new Int32Array(n);
      order.forEach((li, step) => {
        const l = lists[li];
        const weighted = li < termCount;
        for (let k = 0; k < l.docs.length; k++) {
          const d = l.docs[k];
          if (seen[d] === step) {
            seen[d] = step + 1;
            if (weighted) score[d] += l.weights[k];
          }
        }
      });
      hits = [];
      const first = lists[order[0]].docs;
      for (const d of first) {
        if (seen[d] === lists.length && this.isLive[d]) {
          hits.push(d);
          seen[d] = -1; // a union list may hold a doc twice
        }
      }
    }
    if (q.phrases.length > 0) hits = hits.filter((d) => q.phrases.every((p) => this.docs[d].text.includes(p)));
    const count = hits.length;
    if (count === 0) return empty;

    // Sort through packed numeric keys: a typed-array sort needs no comparator.
    const keys = new Float64Array(count);
    let rankOf: Int32Array;
    let byRank: Int32Array;
    let sign = 1;
    switch (q.sort) {
      case 'relevance':
      case 'modified_desc':
      case 'modified_asc':
        rankOf = this.modRank;
        byRank = this.byModRank;
        if (q.sort === 'modified_asc') sign = -1;
        break;
      case 'title_asc':
      case 'title_desc':
        rankOf = this.titleRank;
        byRank = this.byTitleRank;
        if (q.sort === 'title_desc') sign = -1;
        break;
      case 'name_asc':
        rankOf = this.nameRank;
        byRank = this.byNameRank;
        break;
    }
    for (let i = 0; i < count; i++) {
      const d = hits[i];
      const rank = rankOf[d];
      keys[i] = (q.sort === 'relevance' ? -score[d] * RANK_BITS : 0) + sign * rank;
    }
    const end = Math.min(count, depth);
    const top = smallest(keys, end);
    const ranked: number[] = [];
    for (let i = 0; i < end; i++) {
      const k = top[i];
      const rank = q.sort === 'relevance' ? ((k % RANK_BITS) + RANK_BITS) % RANK_BITS : sign * k;
      ranked.push(this.docs[byRank[rank]].seq);
    }

    const facets = this.facetCounts(hits);
    return { count, ranked, facets };
  }
}

/**
 * The k smallest keys in ascending order. Keys are distinct (each carries a unique rank), so a
 * quickselect partition around the k-th key followed by sorting only the first k beats sorting
 * tens of thousands of hits to show twenty.
 */
function smallest(keys: Float64Array, k: number): Float64Array {
  const n = keys.length;
  if (k <= 0) return new Float64Array(0);
  if (k * 4 >= n) return keys.sort().subarray(0, k);
  const a = keys;
  let lo = 0;
  let hi = n - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a.subarray(0, k).sort();
}

function grow<T extends Uint8Array | Int32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
