import type { SearchResult } from '../../modules/catalogue/catalogue.service.ts';
import type { Unit, UnitWithCount } from '../../modules/units/units.service.ts';
import { Breadcrumb, SearchForm, SearchResults } from '../components.tsx';
import type { PageCtx } from '../context.ts';
import { unitTitle, type UnitNames } from '../format.ts';
import { Layout } from '../layout.tsx';
import type { SearchState } from '../search-params.ts';

const filterQuery = (state: SearchState) => {
  const out: Record<string, string[]> = {};
  for (const [f, v] of state.filters) (out[f] ??= []).push(v);
  return out;
};

export function SearchPage({ ctx, state, result, units }: { ctx: PageCtx; state: SearchState; result: SearchResult; units: UnitNames }) {
  const { m } = ctx;
  const title = state.q ? m.searchTitleQuery(state.q) : m.searchTitle;
  return (
    <Layout ctx={ctx} title={title} nav="datasets" demo={result.results.some((d) => d.isDemo)}>
      <div class="container">
        <div class="search-head">
          <Breadcrumb ctx={ctx} trail={[{ href: '/', label: m.navHome }, { label: m.navDatasets }]} />
          <h1>{title}</h1>
          {/* Searching again keeps the chosen filters and sort, as catalogue users expect. */}
          <SearchForm ctx={ctx} id="search-q" label={m.searchLabel} action="/datasets" q={state.q} hidden={{ ...filterQuery(state), sort: state.sort }} />
        </div>
        <SearchResults ctx={ctx} state={state} result={result} links={{ basePath: '/datasets' }} units={units} />
      </div>
    </Layout>
  );
}

export function UnitPage(props: { ctx: PageCtx; unit: Unit; total: number; state: SearchState; result: SearchResult; units: UnitNames }) {
  const { ctx, unit, state, result, units } = props;
  const { m } = ctx;
  const title = unitTitle(unit, ctx.lang);
  const basePath = `/units/${encodeURIComponent(unit.name)}`;
  return (
    <Layout ctx={ctx} title={title} nav="units" demo={result.results.some((d) => d.isDemo)}>
      <div class="container">
        <div class="search-head">
          <Breadcrumb ctx={ctx} trail={[{ href: '/', label: m.navHome }, { href: '/units', label: m.navUnits }, { label: title }]} />
          <h1>{title}</h1>
          {ctx.lang === 'en' && unit.titleEn && unit.titleEn !== unit.title ? (
            <p class="subtitle" lang="zh-Hant-TW">
              {unit.title}
            </p>
          ) : null}
          {unit.description ? <p>{unit.description}</p> : null}
          <p>{m.unitLead(props.total)}</p>
          <SearchForm ctx={ctx} id="unit-q" label={m.unitSearchLabel(title)} action={basePath} q={state.q} hidden={{ ...filterQuery(state), sort: state.sort }} />
        </div>
        <SearchResults ctx={ctx} state={state} result={result} links={{ basePath, hiddenFacets: ['unit'] }} units={units} />
      </div>
    </Layout>
  );
}

export function UnitsPage({ ctx, units }: { ctx: PageCtx; units: UnitWithCount[] }) {
  const { m } = ctx;
  const own = units.filter((u) => u.kind !== 'external');
  const other = units.filter((u) => u.kind === 'external').sort((a, b) => b.datasetCount - a.datasetCount || a.title.localeCompare(b.title, 'zh-TW'));
  const list = (items: UnitWithCount[]) => (
    <ul class="unit-list">
      {items.map((u) => (
        <li>
          <a href={ctx.href(`/units/${encodeURIComponent(u.name)}`)}>
            <span class="name">{unitTitle(u, ctx.lang)}</span>
            <span class="count">{m.unitDatasets(u.datasetCount)}</span>
          </a>
        </li>
      ))}
    </ul>
  );
  return (
    <Layout ctx={ctx} title={m.unitsTitle} nav="units">
      <div class="container">
        <Breadcrumb ctx={ctx} trail={[{ href: '/', label: m.navHome }, { label: m.navUnits }]} />
        <h1>{m.unitsTitle}</h1>
        <p>{m.unitsLead}</p>
        <h2>{m.unitsAgency}</h2>
        {list(own.sort((a, b) => (a.kind === 'agency' ? -1 : b.kind === 'agency' ? 1 : 0)))}
        {other.length > 0 ? (
          <>
            <h2>{m.unitsOther}</h2>
            {list(other)}
          </>
        ) : null}
      </div>
    </Layout>
  );
}
