import type { Dataset } from '../modules/catalogue/catalogue.schemas.ts';
import type { SearchResult } from '../modules/catalogue/catalogue.service.ts';
import type { Facet } from '../modules/search/search.indexer.ts';
import type { PageCtx, QueryValue } from './context.ts';
import { dateOnly, datasetTitle, excerpt, facetValueLabel, frequencyLabel, unitTitle, type UnitNames } from './format.ts';
import { PAGE_SIZE, stateQuery, toggleFilter, type SearchState, type WebSort } from './search-params.ts';

/** Lang attribute for content that stays in Chinese on English pages (WCAG 3.1.2). */
export const zhPart = (ctx: PageCtx): string | undefined => (ctx.lang === 'en' ? 'zh-Hant-TW' : undefined);

export interface Crumb {
  label: string;
  /** Absent on the last crumb: the current page. */
  href?: string;
  lang?: string;
}

/** The breadcrumb trail: links up to the current page, which is marked aria-current. */
export function Breadcrumb({ ctx, trail }: { ctx: PageCtx; trail: Crumb[] }) {
  return (
    <nav class="breadcrumb" aria-label={ctx.m.breadcrumb}>
      <ol>
        {trail.map((c) =>
          c.href ? (
            <li lang={c.lang}>
              <a href={ctx.href(c.href)}>{c.label}</a>
            </li>
          ) : (
            <li aria-current="page" lang={c.lang}>
              {c.label}
            </li>
          ),
        )}
      </ol>
    </nav>
  );
}

export function DemoBadge({ ctx }: { ctx: PageCtx }) {
  return <span class="badge badge-demo">{ctx.m.demoBadge}</span>;
}

export function SearchForm(props: { ctx: PageCtx; id: string; label: string; action: string; q?: string; hidden?: Record<string, QueryValue> }) {
  const { ctx, id } = props;
  const hidden: [string, string][] = [];
  for (const [k, v] of Object.entries(props.hidden ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'string' || typeof v === 'number') hidden.push([k, String(v)]);
    else for (const x of v) hidden.push([k, x]);
  }
  if (ctx.lang === 'en') hidden.push(['lang', 'en']);
  return (
    <form class="search-form" role="search" action={props.action} method="get">
      <div class="field">
        <label for={id}>{props.label}</label>
        <input type="search" id={id} name="q" value={props.q ?? ''} placeholder={ctx.m.searchPlaceholder} maxLength={200} autocomplete="off" />
      </div>
      {hidden.map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button class="button" type="submit">
        {ctx.m.searchButton}
      </button>
    </form>
  );
}

/** Distinct resource formats of a dataset, in resource order. */
const formatsOf = (d: Dataset): string[] => [...new Set(d.resources.map((r) => r.format))];

export function DatasetItem({ ctx, d, headingLevel = 3 }: { ctx: PageCtx; d: Dataset; headingLevel?: 2 | 3 }) {
  const { m } = ctx;
  const title = datasetTitle(d, ctx.lang);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const modified = dateOnly(d.modified) ?? dateOnly(d.updatedAt);
  return (
    <li class="dataset-item">
      <H>
        <a href={ctx.href(`/datasets/${encodeURIComponent(d.name)}`)} lang={title === d.title ? zhPart(ctx) : undefined}>
          {title}
        </a>{' '}
        {d.isDemo ? <DemoBadge ctx={ctx} /> : null}
      </H>
      <p class="desc" lang={zhPart(ctx)}>
        {excerpt(d.description)}
      </p>
      <dl class="meta-line">
        <div>
          <dt>{m.datasetUnit}{m.colon}</dt>
          <dd>
            <a href={ctx.href(`/units/${encodeURIComponent(d.unit.name)}`)}>{unitTitle(d.unit, ctx.lang)}</a>
          </dd>
        </div>
        {modified ? (
          <div>
            <dt>{m.datasetModified}{m.colon}</dt>
            <dd>
              <time dateTime={modified}>{modified}</time>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>{m.datasetFrequency}{m.colon}</dt>
          <dd>{frequencyLabel(d.updateFrequency, ctx.lang)}</dd>
        </div>
        {d.resources.length > 0 ? (
          <div>
            <dt>{m.datasetFormats}{m.colon}</dt>
            <dd class="formats">
              {formatsOf(d).map((f) => (
                <span class="badge badge-format">{f}</span>
              ))}
            </dd>
          </div>
        ) : null}
      </dl>
    </li>
  );
}

export function DatasetList({ ctx, datasets }: { ctx: PageCtx; datasets: Dataset[] }) {
  return (
    <ul class="dataset-list">
      {datasets.map((d) => (
        <DatasetItem ctx={ctx} d={d} />
      ))}
    </ul>
  );
}

/** How the search view builds links: the page's path and parameters it always keeps. */
export interface SearchLinks {
  basePath: string;
  /** Facets not offered (e.g. unit on a unit's own page). */
  hiddenFacets?: Facet[];
}

const FACET_ORDER: Facet[] = ['unit', 'category', 'provision', 'format', 'frequency', 'keyword', 'license'];
const FACET_VISIBLE = 8;
const FACET_MAX = 60;

function FacetBlock(props: { ctx: PageCtx; facet: Facet; values: { value: string; count: number }[]; state: SearchState; links: SearchLinks; units: UnitNames }) {
  const { ctx, facet, state, links, units } = props;
  const values = props.values.slice(0, FACET_MAX);
  const headingId = `facet-${facet}`;
  const item = (v: { value: string; count: number }) => {
    const active = state.filters.some(([f, x]) => f === facet && x === v.value);
    const label = facetValueLabel(facet, v.value, ctx.lang, units);
    return (
      <li>
        <a href={ctx.href(links.basePath, stateQuery(toggleFilter(state, facet, v.value)))} aria-current={active ? 'true' : undefined}>
          <span class="label">
            {active ? <span class="visually-hidden">{ctx.m.selected}{ctx.m.colon}</span> : null}
            {label}
          </span>
          <span class="count">
            <span aria-hidden="true">{v.count}</span>
            <span class="visually-hidden">（{ctx.m.facetCount(v.count)}）</span>
          </span>
        </a>
      </li>
    );
  };
  const rest = values.slice(FACET_VISIBLE);
  return (
    <section class="facet" aria-labelledby={headingId}>
      <h3 id={headingId}>{ctx.m.facetNames[facet]}</h3>
      <ul>{values.slice(0, FACET_VISIBLE).map(item)}</ul>
      {rest.length > 0 ? (
        <details>
          <summary>{ctx.m.facetMore(rest.length)}</summary>
          <ul>{rest.map(item)}</ul>
        </details>
      ) : null}
    </section>
  );
}

function ActiveFilters({ ctx, state, links, units }: { ctx: PageCtx; state: SearchState; links: SearchLinks; units: UnitNames }) {
  if (state.filters.length === 0) return null;
  return (
    <div>
      <h2 class="visually-hidden">{ctx.m.activeFilters}</h2>
      <ul class="active-filters">
        {state.filters.map(([facet, value]) => {
          const label = `${ctx.m.facetNames[facet]}${ctx.m.colon}${facetValueLabel(facet, value, ctx.lang, units)}`;
          return (
            <li>
              <a class="chip" href={ctx.href(links.basePath, stateQuery(toggleFilter(state, facet, value)))}>
                <span class="visually-hidden">{ctx.m.removeFilter(label)}</span>
                <span aria-hidden="true">{label}</span>
                <span class="x" aria-hidden="true">
                  ×
                </span>
              </a>
            </li>
          );
        })}
        <li>
          <a href={ctx.href(links.basePath, stateQuery({ ...state, filters: [], page: 1 }))}>{ctx.m.clearAll}</a>
        </li>
      </ul>
    </div>
  );
}

function SortLinks({ ctx, state, links }: { ctx: PageCtx; state: SearchState; links: SearchLinks }) {
  const current: WebSort = state.sort ?? (state.q ? 'relevance' : 'modified_desc');
  const options: [WebSort, string][] = [
    ...(state.q ? [['relevance', ctx.m.sortRelevance] as [WebSort, string]] : []),
    ['modified_desc', ctx.m.sortModified],
    ['title_asc', ctx.m.sortTitle],
  ];
  return (
    <nav aria-label={ctx.m.sortLabel}>
      <ul class="sort-links">
        <li class="sort-label" aria-hidden="true">
          {ctx.m.sortLabel}{ctx.m.colon}
        </li>
        {options.map(([value, label]) => (
          <li>
            <a href={ctx.href(links.basePath, stateQuery({ ...state, sort: value, page: 1 }))} aria-current={current === value ? 'true' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Page numbers around the current one, with the first and last; null marks a gap. */
export function pageWindow(page: number, last: number): (number | null)[] {
  const pages = new Set([1, last, page - 2, page - 1, page, page + 1, page + 2].filter((p) => p >= 1 && p <= last));
  const sorted = [...pages].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  sorted.forEach((p, i) => {
    if (i > 0 && p - sorted[i - 1] > 1) out.push(null);
    out.push(p);
  });
  return out;
}

function Pager({ ctx, state, count, links }: { ctx: PageCtx; state: SearchState; count: number; links: SearchLinks }) {
  const last = Math.max(1, Math.ceil(count / PAGE_SIZE));
  if (last <= 1) return null;
  const link = (p: number) => ctx.href(links.basePath, stateQuery({ ...state, page: p }));
  return (
    <nav class="pager" aria-label={ctx.m.pagination}>
      <ul>
        {state.page > 1 ? (
          <li>
            <a href={link(Math.min(state.page - 1, last))} rel="prev">
              {ctx.m.prevPage}
            </a>
          </li>
        ) : null}
        {pageWindow(state.page, last).map((p) =>
          p === null ? (
            <li>
              <span class="gap" aria-hidden="true">
                …
              </span>
            </li>
          ) : (
            <li>
              {p === state.page ? (
                <span aria-current="page">
                  <span class="visually-hidden">{ctx.m.pageN(p)}</span>
                  <span aria-hidden="true">{p}</span>
                </span>
              ) : (
                <a href={link(p)}>
                  <span class="visually-hidden">{ctx.m.pageN(p)}</span>
                  <span aria-hidden="true">{p}</span>
                </a>
              )}
            </li>
          ),
        )}
        {state.page < last ? (
          <li>
            <a href={link(state.page + 1)} rel="next">
              {ctx.m.nextPage}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/** Facets, active filters, sort, results and paging: shared by /datasets and /units/:name. */
export function SearchResults(props: { ctx: PageCtx; state: SearchState; result: SearchResult; links: SearchLinks; units: UnitNames }) {
  const { ctx, state, result, links, units } = props;
  const { m } = ctx;
  const from = (state.page - 1) * PAGE_SIZE + 1;
  const to = from + result.results.length - 1;
  const facets = FACET_ORDER.filter((f) => !(links.hiddenFacets ?? []).includes(f)).filter((f) => (result.facets[f] ?? []).length > 0);
  return (
    // Results come first in reading order (small screens show them before the filters);
    // wide screens place the filters in the left column.
    <div class="search-layout">
      <div class="results">
        <ActiveFilters ctx={ctx} state={state} links={links} units={units} />
        <div class="result-toolbar">
          <p class="result-count" role="status">
            {result.count === 0 ? m.resultCount(0) : result.results.length === 0 ? m.resultCount(result.count) : m.resultRange(from, to, result.count)}
          </p>
          {result.count > 0 ? <SortLinks ctx={ctx} state={state} links={links} /> : null}
        </div>
        <h2 class="visually-hidden">{m.navDatasets}</h2>
        {result.count === 0 ? (
          <div class="empty">
            <p>{m.noResults}</p>
            <p>{m.noResultsHint}</p>
          </div>
        ) : result.results.length === 0 ? (
          <div class="empty">
            <p>{m.pageEmpty}</p>
            <p>
              <a href={ctx.href(links.basePath, stateQuery({ ...state, page: 1 }))}>{m.backToFirstPage}</a>
            </p>
          </div>
        ) : (
          <DatasetList ctx={ctx} datasets={result.results} />
        )}
        <Pager ctx={ctx} state={state} count={result.count} links={links} />
      </div>
      <aside class="facets" aria-labelledby="filters-heading">
        <h2 id="filters-heading">{m.filters}</h2>
        {facets.map((f) => (
          <FacetBlock ctx={ctx} facet={f} values={result.facets[f] ?? []} state={state} links={links} units={units} />
        ))}
      </aside>
    </div>
  );
}
