import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import { CATEGORY_CODES, PROVISION_TYPES } from '../modules/catalogue/national.ts';
import { FACETS, SEARCHABLE_STATES, type Facet } from '../modules/search/search.indexer.ts';
import type { SearchSort } from '../modules/search/search.repository.ts';
import type { QueryValue } from './context.ts';

export const PAGE_SIZE = 20;
/** Deep pages cost the database more and nobody reads them; the API serves bulk needs. */
export const MAX_PAGE = 5000;

export const WEB_SORTS = ['relevance', 'modified_desc', 'modified_asc', 'title_asc', 'title_desc'] as const satisfies readonly SearchSort[];
export type WebSort = (typeof WEB_SORTS)[number];

const List = Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 });

/**
 * The search page's query string, declared loosely on purpose: values are checked by
 * parseSearchState so that a bad one gets a message a person can act on, in both languages.
 */
export const WebSearchQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  page: Type.Optional(Type.String({ maxLength: 20 })),
  sort: Type.Optional(Type.String({ maxLength: 40 })),
  unit: Type.Optional(List),
  category: Type.Optional(List),
  format: Type.Optional(List),
  frequency: Type.Optional(List),
  keyword: Type.Optional(List),
  provision: Type.Optional(List),
  license: Type.Optional(List),
  state: Type.Optional(List),
  lang: Type.Optional(Type.String({ maxLength: 10 })),
});

export interface SearchState {
  q: string;
  filters: [Facet, string][];
  /** Undefined: the default (relevance with a query, last modified without). */
  sort: WebSort | undefined;
  page: number;
}

type RawQuery = Partial<Record<string, string | string[] | undefined>>;

const isSort = (v: string): v is WebSort => (WEB_SORTS as readonly string[]).includes(v);
const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Reads the search page's parameters. Every problem is collected and reported at once,
 * per parameter, as "zh / en" messages (AppError BAD_REQUEST, 400).
 */
export function parseSearchState(raw: RawQuery, opts: { facets?: readonly Facet[] } = {}): SearchState {
  const facets = opts.facets ?? FACETS;
  const errors: Record<string, string[]> = {};
  const fail = (field: string, zh: string, en: string) => (errors[field] ??= []).push(`${zh} / ${en}`);

  const q = typeof raw.q === 'string' ? raw.q.trim() : '';

  let page = 1;
  if (raw.page !== undefined && raw.page !== '') {
    const p = String(raw.page);
    if (!/^\d+$/.test(p) || Number(p) < 1) fail('page', `page 必須是 1 以上的整數（收到「${p}」）`, `page must be a whole number from 1 (got "${p}")`);
    else if (Number(p) > MAX_PAGE) fail('page', `page 不可超過 ${MAX_PAGE}（收到「${p}」）；大量取用請改用 API`, `page may be at most ${MAX_PAGE} (got "${p}"); use the API for bulk access`);
    else page = Number(p);
  }

  let sort: WebSort | undefined;
  if (raw.sort !== undefined && raw.sort !== '') {
    const s = String(raw.sort);
    if (isSort(s)) sort = s;
    else fail('sort', `sort 必須是 ${WEB_SORTS.join('、')} 之一（收到「${s}」）`, `sort must be one of ${WEB_SORTS.join(', ')} (got "${s}")`);
  }

  const filters: [Facet, string][] = [];
  for (const facet of facets) {
    for (const value of asList(raw[facet])) {
      const v = value.trim();
      if (!v) continue;
      if (facet === 'category' && !CATEGORY_CODES[v]) {
        fail('category', `category「${v}」不是服務分類代碼（${Object.keys(CATEGORY_CODES).join('、')}）`, `category "${v}" is not a service category code (${Object.keys(CATEGORY_CODES).join(', ')})`);
        continue;
      }
      if (facet === 'provision' && !(PROVISION_TYPES as readonly string[]).includes(v)) {
        fail('provision', `provision「${v}」必須是 ${PROVISION_TYPES.join('、')} 之一`, `provision "${v}" must be one of ${PROVISION_TYPES.join(', ')}`);
        continue;
      }
      if (facet === 'state' && !(SEARCHABLE_STATES as readonly string[]).includes(v)) {
        fail('state', `state「${v}」必須是 ${SEARCHABLE_STATES.join('、')} 之一`, `state "${v}" must be one of ${SEARCHABLE_STATES.join(', ')}`);
        continue;
      }
      if (!filters.some(([f, x]) => f === facet && x === v)) filters.push([facet, v]);
    }
  }

  const fields = Object.keys(errors);
  if (fields.length > 0) {
    const zh = fields.map((f) => errors[f][0].split(' / ')[0]).join('；');
    const en = fields.map((f) => errors[f][0].split(' / ').slice(1).join(' / ')).join('; ');
    throw new AppError('BAD_REQUEST', 400, `參數錯誤：${zh}`, `Invalid parameter: ${en}`, errors);
  }
  return { q, filters, sort, page };
}

/** The query string that reproduces `s` (page 1 and the default sort are left out). */
export function stateQuery(s: SearchState): Record<string, QueryValue> {
  const out: Record<string, string[] | string | number | undefined> = { q: s.q || undefined };
  for (const f of FACETS) {
    const values = s.filters.filter(([x]) => x === f).map(([, v]) => v);
    if (values.length > 0) out[f] = values;
  }
  out.sort = s.sort;
  out.page = s.page > 1 ? s.page : undefined;
  return out;
}

export const hasFilter = (s: SearchState, facet: Facet, value: string): boolean => s.filters.some(([f, v]) => f === facet && v === value);

/** The state after clicking a facet value: adds it, or removes it when it is active; back to page 1. */
export function toggleFilter(s: SearchState, facet: Facet, value: string): SearchState {
  const filters: [Facet, string][] = hasFilter(s, facet, value) ? s.filters.filter(([f, v]) => !(f === facet && v === value)) : [...s.filters, [facet, value]];
  return { ...s, filters, page: 1 };
}
