import type { Dataset } from '../../modules/catalogue/catalogue.schemas.ts';
import type { UnitWithCount } from '../../modules/units/units.service.ts';
import { DatasetList, SearchForm } from '../components.tsx';
import type { PageCtx } from '../context.ts';
import { categoryLabel, unitTitle } from '../format.ts';
import { Layout, siteTitle } from '../layout.tsx';

export interface HomeData {
  total: number;
  units: UnitWithCount[];
  latest: Dataset[];
  categories: { value: string; count: number }[];
}

/** Units shown in the chart: the agency's own (even at zero) and other agencies that have data. */
const CHART_MAX = 14;

export function HomePage({ ctx, data }: { ctx: PageCtx; data: HomeData }) {
  const { m } = ctx;
  const units = data.units
    .filter((u) => u.kind !== 'external' || u.datasetCount > 0)
    .sort((a, b) => b.datasetCount - a.datasetCount || a.name.localeCompare(b.name))
    .slice(0, CHART_MAX);
  const max = Math.max(1, ...units.map((u) => u.datasetCount));
  const demo = data.latest.some((d) => d.isDemo);
  return (
    <Layout ctx={ctx} title={siteTitle(ctx)} nav="home" demo={demo}>
      <section class="hero">
        <div class="container">
          <h1>{siteTitle(ctx)}</h1>
          <p class="lead">
            {m.homeLead} <span class="hero-total">{m.homeTotal(data.total)}</span>
          </p>
          <SearchForm ctx={ctx} id="home-q" label={m.searchLabel} action="/datasets" />
        </div>
      </section>
      <div class="container">
        <div class="home-grid">
          <section aria-labelledby="by-unit">
            <h2 id="by-unit">{m.homeByUnit}</h2>
            <table class="bar-table">
              <caption>{m.homeByUnitCaption}</caption>
              <thead>
                <tr>
                  <th scope="col" class="unit-cell">
                    {m.homeUnitColumn}
                  </th>
                  <th scope="col">{m.homeCountColumn}</th>
                </tr>
              </thead>
              <tbody>
                {units.map((u) => (
                  <tr>
                    <th scope="row" class="unit-cell">
                      <a href={ctx.href(`/units/${encodeURIComponent(u.name)}`)}>{unitTitle(u, ctx.lang)}</a>
                    </th>
                    <td>
                      <span class="bar-cell">
                        <span class="bar-track" aria-hidden="true">
                          <span class={u.datasetCount === 0 ? 'bar bar-zero' : 'bar'} style={{ width: `${Math.max(1, Math.round((u.datasetCount / max) * 100))}%` }} />
                        </span>
                        <span class="bar-value">{u.datasetCount.toLocaleString(ctx.lang)}</span>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <a class="more-link" href={ctx.href('/units')}>
              {m.homeAllUnits}
            </a>
          </section>
          <section aria-labelledby="latest">
            <h2 id="latest">{m.homeLatest}</h2>
            <DatasetList ctx={ctx} datasets={data.latest} />
            <a class="more-link" href={ctx.href('/datasets', { sort: 'modified_desc' })}>
              {m.homeAllDatasets}
            </a>
          </section>
        </div>
        {data.categories.length > 0 ? (
          <section aria-labelledby="by-category">
            <h2 id="by-category">{m.homeByCategory}</h2>
            <ul class="category-list">
              {data.categories.map((c) => (
                <li>
                  <a href={ctx.href('/datasets', { category: c.value })}>
                    <span>{categoryLabel(c.value, ctx.lang)}</span>
                    <span class="count">
                      <span aria-hidden="true">{c.count}</span>
                      <span class="visually-hidden">（{m.facetCount(c.count)}）</span>
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </Layout>
  );
}
