import type { Dataset } from '../catalogue/catalogue.schemas.ts';
import type { IndexEntries } from './search.repository.ts';
import { indexTerms, normalizeText } from './tokenize.ts';

/**
 * Field weights: a term's weight in a dataset is the heaviest field it occurs in, and a hit's
 * score is the sum over the query's terms, so a title match always outranks description-only ones.
 */
export const FIELD_WEIGHTS = { title: 100, identifier: 50, keywords: 40, unit: 20, fields: 10, description: 5 } as const;

/** The facets the public search offers, by the names the APIs use. `state` is published (the default filter) or discontinued. */
export const FACETS = ['unit', 'category', 'format', 'frequency', 'keyword', 'provision', 'license', 'state'] as const;
export type Facet = (typeof FACETS)[number];

function fieldTexts(d: Dataset): Record<keyof typeof FIELD_WEIGHTS, string[]> {
  return {
    title: [d.title, d.titleEn ?? ''],
    identifier: [d.identifier],
    keywords: d.keywords,
    unit: [d.unit.title, d.unit.titleEn, d.unit.name],
    fields: [d.fieldDescription, ...d.fields.map((f) => [f.type ?? '', ...(f.codes ?? []).map((c) => c.meaning)].join(' '))],
    description: [d.description],
  };
}

/** The lower-cased text that phrase queries are checked against. */
export function searchTextOf(d: Dataset): string {
  return Object.values(fieldTexts(d))
    .flat()
    .map(normalizeText)
    .join('\n');
}

/** The states the public search holds: published, and discontinued (found only through the `state` filter). */
export const SEARCHABLE_STATES = ['published', 'discontinued'] as const;
export type SearchableState = (typeof SEARCHABLE_STATES)[number];
export const isSearchable = (state: string): boolean => (SEARCHABLE_STATES as readonly string[]).includes(state);

export function buildIndexEntries(d: Dataset): IndexEntries {
  const postings = new Map<string, number>();
  for (const [field, texts] of Object.entries(fieldTexts(d)) as [keyof typeof FIELD_WEIGHTS, string[]][]) {
    const w = FIELD_WEIGHTS[field];
    for (const text of texts) {
      for (const term of indexTerms(text)) {
        if ((postings.get(term) ?? 0) < w) postings.set(term, w);
      }
    }
  }
  const facets: [string, string][] = [
    ['all', ''],
    ['unit', d.unit.name],
    ['category', d.categoryCode],
    ['frequency', d.updateFrequency],
    ['provision', d.provisionType],
    ['license', d.licenseId],
    ['state', d.state],
    ...d.resources.map((r): [string, string] => ['format', r.format]),
    ...d.keywords.map((k): [string, string] => ['keyword', k]),
  ];
  return { postings, facets };
}
