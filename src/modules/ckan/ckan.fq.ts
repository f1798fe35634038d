/**
 * The part of Solr's query syntax that CKAN clients send in `fq` (and sometimes in `q`), read into
 * our search filters: `field:value` and `field:"quoted value"` terms, optionally with a leading
 * `+`, ANDed. Anything else (OR, negation, wildcards, ranges) is a Search Query Error naming the
 * term, rather than a silent wrong answer.
 */
import { AppError } from '../../errors.ts';
import type { SearchParams } from '../catalogue/catalogue.service.ts';
import type { Facet } from '../search/search.indexer.ts';
import { CKAN_FACETS, isCkanFacet } from './ckan.mapper.ts';

export type Filter = [Facet, string];
type SearchSort = NonNullable<SearchParams['sort']>;

/** Terms CKAN itself adds or clients copy from CKAN; everything public here satisfies them. */
const ALWAYS_TRUE: Record<string, string[]> = {
  dataset_type: ['dataset'],
  type: ['dataset'],
  private: ['false'],
  capacity: ['public'],
};

export const FQ_FIELDS = [...Object.keys(CKAN_FACETS), 'owner_org', 'state'];

/**
 * CKAN's `state`: `active` is what search shows anyway (published); `discontinued` finds the
 * datasets no longer provided, which search otherwise leaves out.
 */
const STATES: Record<string, string> = { active: 'published', discontinued: 'discontinued' };

export const searchQueryError = (zh: string, en: string): AppError =>
  new AppError('SEARCH_QUERY_INVALID', 409, `搜尋條件無效：${zh}`, `Search Query is invalid: ${en}`);

interface Token {
  raw: string;
  plus: boolean;
  field?: string;
  value?: string;
  /** A value that opens a quote and never closes it. */
  unbalanced?: boolean;
}

/** Splits on whitespace outside double quotes; reads `[+]field:value` with Solr's backslash escapes. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let inQuote = false;
    while (i < text.length && (inQuote || !/\s/.test(text[i]))) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') inQuote = !inQuote;
      i++;
    }
    const raw = text.slice(start, i);
    const m = /^(\+?)([A-Za-z_][\w.]*):(.*)$/s.exec(raw);
    if (!m) {
      out.push({ raw, plus: raw.startsWith('+') });
      continue;
    }
    let value = m[3];
    const quoted = value.startsWith('"');
    const unbalanced = quoted && (value.length < 2 || !value.endsWith('"'));
    if (quoted && !unbalanced) value = value.slice(1, -1);
    out.push({ raw, plus: m[1] === '+', field: m[2], value: value.replace(/\\(.)/gs, '$1'), unbalanced });
  }
  return out;
}

function unsupportedValue(raw: string, value: string): AppError | undefined {
  if (value === '') return searchQueryError(`「${raw}」缺少值`, `"${raw}" has no value`);
  if (/^[[{(]/.test(value) || /(^|[^\\])\*/.test(value) || value.includes('?')) {
    return searchQueryError(`「${raw}」使用了不支援的語法（範圍、群組或萬用字元）`, `"${raw}" uses unsupported syntax (ranges, groups or wildcards)`);
  }
  return undefined;
}

/** One filter from a `field:value` term of a known field; undefined for always-true terms. */
function filterOf(t: Required<Pick<Token, 'field' | 'value'>> & Token, unitNameById: Map<string, string>): Filter | undefined {
  if (t.unbalanced) throw searchQueryError(`「${t.raw}」的引號沒有成對`, `unbalanced quote in "${t.raw}"`);
  const bad = unsupportedValue(t.raw, t.value);
  if (bad) throw bad;
  if (t.field === 'owner_org') return ['unit', unitNameById.get(t.value) ?? t.value];
  if (t.field === 'state') {
    const state = STATES[t.value];
    if (!state) throw searchQueryError(`「${t.raw}」：狀態只有 active 與 discontinued`, `"${t.raw}": the states here are active and discontinued`);
    return ['state', state];
  }
  if (isCkanFacet(t.field)) {
    const facet = CKAN_FACETS[t.field];
    // Formats are stored upper-cased (CSV), while clients often write res_format:csv.
    return [facet, facet === 'format' ? t.value.toUpperCase() : t.value];
  }
  return undefined;
}

/** Reads an `fq` string into filters (ANDed). Throws SEARCH_QUERY_INVALID on any term it cannot honour. */
export function parseFq(fq: string, unitNameById: Map<string, string>): Filter[] {
  const filters: Filter[] = [];
  for (const t of tokenize(fq)) {
    if (t.raw === 'AND' || t.raw === '&&') continue;
    if (t.raw === 'OR' || t.raw === '||' || t.raw === 'NOT' || t.raw.startsWith('-') || t.raw.startsWith('!')) {
      throw searchQueryError(`不支援「${t.raw}」（僅支援以 AND 結合的 欄位:值）`, `"${t.raw}" is not supported (only field:value terms, ANDed)`);
    }
    if (t.field === undefined || t.value === undefined) {
      throw searchQueryError(`「${t.raw}」不是 欄位:值 的形式`, `"${t.raw}" is not a field:value term`);
    }
    const always = ALWAYS_TRUE[t.field];
    if (always) {
      if (always.includes(t.value)) continue;
      throw searchQueryError(`「${t.raw}」：本平臺只提供 ${t.field}:${always[0]}`, `"${t.raw}": only ${t.field}:${always[0]} exists here`);
    }
    if (!FQ_FIELDS.includes(t.field)) {
      throw searchQueryError(`不支援的欄位「${t.field}」（可用：${FQ_FIELDS.join(', ')}）`, `unsupported field "${t.field}" (supported: ${FQ_FIELDS.join(', ')})`);
    }
    const f = filterOf({ ...t, field: t.field, value: t.value }, unitNameById);
    if (f) filters.push(f);
  }
  return filters;
}

/**
 * Splits `q` into free text and the filter terms CKAN users put there (`tags:物價`): only terms
 * on the fq fields are lifted out; `*:*` means everything; the rest is searched as text.
 */
export function splitQ(q: string | undefined, unitNameById: Map<string, string>): { text: string; filters: Filter[] } {
  const filters: Filter[] = [];
  const text: string[] = [];
  for (const t of tokenize(q ?? '')) {
    if (t.raw === '*:*' || t.raw === '*') continue;
    if (t.field !== undefined && t.value !== undefined && ALWAYS_TRUE[t.field]?.includes(t.value)) continue;
    if (t.field !== undefined && t.value !== undefined && FQ_FIELDS.includes(t.field)) {
      const f = filterOf({ ...t, field: t.field, value: t.value }, unitNameById);
      if (f) filters.push(f);
    } else text.push(t.raw);
  }
  return { text: text.join(' '), filters };
}

export const DEFAULT_SORT = 'score desc, metadata_modified desc';

const SORTS: Record<string, SearchSort> = {
  'score desc, metadata_modified desc': 'relevance',
  'score desc': 'relevance',
  'rank desc': 'relevance',
  'metadata_modified desc': 'modified_desc',
  'metadata_modified asc': 'modified_asc',
  'title_string asc': 'title_asc',
  'title_string desc': 'title_desc',
  'name asc': 'name_asc',
};

/** CKAN's sort string → our sort; SEARCH_QUERY_INVALID listing the accepted ones otherwise. */
export function parseSort(sort: string | undefined): { sort: SearchSort; label: string } {
  const label = (sort ?? '').trim() || DEFAULT_SORT;
  const normalized = label
    .toLowerCase()
    .split(',')
    .map((part) => part.trim().split(/\s+/).join(' '))
    .filter((part) => part.length > 0)
    .map((part) => (part.includes(' ') ? part : `${part} asc`))
    .join(', ');
  const found = SORTS[normalized];
  if (!found) {
    const known = Object.keys(SORTS).join('; ');
    throw searchQueryError(`無法依「${label}」排序（可用：${known}）`, `cannot sort by "${label}" (accepted: ${known})`);
  }
  return { sort: found, label };
}
