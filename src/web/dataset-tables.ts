/**
 * What the public dataset page shows of each resource's files and tables: its public versions,
 * a sortable, paged preview and, for time series, the chart's lines. Everything is read through
 * DatastoreQuery (its access rules, its search with sort/offset/limit): no SQL here.
 */
import type { Dataset, Resource } from '../modules/catalogue/catalogue.schemas.ts';
import { AppError } from '../errors.ts';
import type { DatastoreQuery } from '../modules/datastore/datastore.query.ts';
import type { DatastoreColumn, VersionRow } from '../modules/datastore/datastore.service.ts';
import { type ChartColumn, type ChartData, isMeasure, MAX_CHART_ROWS, planTimeSeries, seriesFromRows } from './chart.ts';

/** Rows per preview page. */
export const PREVIEW_ROWS = 20;

export type Cell = string | number | boolean | null;

/** The page's query: which resource the preview parameters are for, and its sort and page. */
export interface PreviewParams {
  r?: string;
  sort?: string;
  dir?: string;
  page?: string;
}

export interface VersionView {
  version: number;
  /** When the public got it (approved), else when it was uploaded. */
  date: string;
  uploadedAt: string;
  fileName: string;
  size: number;
  encoding: string | null;
  /** Rows of its table, when loaded. */
  rows: number | null;
  /** Its table is loaded: the machine-readable downloads exist. */
  ready: boolean;
  cube: boolean;
  /** A UTF-8 copy is published beside the original (a text file in another encoding). */
  utf8: boolean;
}

export interface PreviewColumn extends ChartColumn {
  /** Sort links are offered (the query API's sort syntax cannot name a column with a comma). */
  sortable: boolean;
  /** Numbers that measure: right-aligned, with separators. */
  measure: boolean;
}

export interface Preview {
  columns: PreviewColumn[];
  rows: Cell[][];
  total: number;
  page: number;
  pages: number;
  /** 1-based number of the first row shown. */
  first: number;
  sort?: { column: string; dir: 'asc' | 'desc' };
}

export interface ResourceTable {
  /** Public versions, newest first (at least one). */
  versions: VersionView[];
  preview?: Preview;
  chart?: ChartData;
  /** The chart read MAX_CHART_ROWS rows: it shows the latest part of the table. */
  chartCapped?: boolean;
}

const toVersionView = (v: VersionRow): VersionView => ({
  version: v.version,
  date: v.published_at ?? v.uploaded_at,
  uploadedAt: v.uploaded_at,
  fileName: v.file_name,
  size: v.size,
  encoding: v.encoding_detected,
  rows: v.datastore_state === 'ready' ? v.datastore_rows : null,
  ready: v.datastore_state === 'ready',
  cube: v.cube_sha256 !== null,
  utf8: v.utf8_sha256 !== null,
});

/** The query API's sort syntax splits on commas; a quoted name may hold anything else. */
const sortable = (name: string): boolean => !name.includes(',');
const sortSpec = (name: string, dir: 'asc' | 'desc'): string => `"${name}" ${dir}`;

/** The table's dictionary as the page labels it: its titles, else the dataset's field titles, else the names. */
function columnsOf(columns: DatastoreColumn[], d: Dataset): PreviewColumn[] {
  const fields = new Map(d.fields.map((f) => [f.name, f]));
  return columns.map((c) => {
    const f = fields.get(c.name);
    const col: ChartColumn = { name: c.name, type: c.type, label: c.title ?? f?.title ?? c.name, unit: c.unit, codes: c.codes ?? f?.codes ?? null };
    return { ...col, sortable: sortable(c.name), measure: isMeasure(col) };
  });
}

/** A whole number from a query parameter (anything else is the default). */
const pageNumber = (s: string | undefined): number => {
  const n = s !== undefined && /^\d{1,9}$/.test(s) ? Number(s) : 1;
  return Math.max(1, n);
};

async function readPreview(query: DatastoreQuery, rid: string, version: VersionRow, columns: PreviewColumn[], p: PreviewParams): Promise<Preview> {
  // Parameters for another resource's preview leave this one at its first page, unsorted.
  const mine = p.r === rid;
  const col = mine && p.sort ? columns.find((c) => c.name === p.sort && c.sortable) : undefined;
  const sort = col ? { column: col.name, dir: mine && p.dir === 'desc' ? ('desc' as const) : ('asc' as const) } : undefined;
  let page = mine ? pageNumber(p.page) : 1;
  // The loaded table's row count is known: no count(*) over a large table on every page view.
  const known = version.datastore_rows;
  const ask = (n: number) =>
    query.search(
      { resource_id: rid, version: version.version, limit: PREVIEW_ROWS, offset: (n - 1) * PREVIEW_ROWS, records_format: 'lists', include_total: known === null, ...(sort ? { sort: sortSpec(sort.column, sort.dir) } : {}) },
      null,
      '',
    );
  let res = await ask(page);
  const total = known ?? res.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PREVIEW_ROWS));
  // A page past the end (an old link, a hand-typed number) shows the last page.
  if (page > pages) res = await ask((page = pages));
  const rows = (res.records as Cell[][]).map((row) => row.slice(1));
  return { columns, rows, total, page, pages, first: (page - 1) * PREVIEW_ROWS + 1, ...(sort ? { sort } : {}) };
}

/** Oldest first: dates as ISO text (one precision sorts as text), years as numbers. A stable sort keeps the table's order within a date. */
const byDate = (a: Cell[], b: Cell[]): number => (typeof a[0] === 'number' && typeof b[0] === 'number' ? a[0] - b[0] : String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0);

/**
 * The chart's lines: the latest MAX_CHART_ROWS rows by date, through the query API, when the table
 * is a time series. With more lines than are drawn, the rows are read again for the drawn lines
 * only (a filter on their category values), so they reach further back.
 */
async function readChart(query: DatastoreQuery, rid: string, version: number, columns: PreviewColumn[], lang: string): Promise<{ chart: ChartData; capped: boolean } | undefined> {
  const plan = planTimeSeries(columns);
  if (!plan || !plan.date.sortable) return undefined;
  const fields = [plan.date, ...plan.values, ...plan.categories].map((c) => c.name);
  const read = async (filters?: Record<string, Cell[]>) => {
    const res = await query.search({ resource_id: rid, version, fields, filters, sort: sortSpec(plan.date.name, 'desc'), limit: MAX_CHART_ROWS, include_total: false, records_format: 'lists' }, null, '');
    let rows = (res.records as Cell[][]).map((row) => row.slice(1)).sort(byDate);
    const capped = rows.length === MAX_CHART_ROWS;
    // When capped, the oldest date read may be incomplete: leave it out rather than draw a partial period.
    if (capped && rows.length > 0) {
      const oldest = rows[0][0];
      rows = rows.filter((r) => r[0] !== oldest);
    }
    return { chart: seriesFromRows(plan, rows, lang), capped };
  };
  const first = await read();
  if (!first.chart) return undefined;
  if (first.capped && plan.categories.length > 0 && first.chart.seriesFound > first.chart.series.length) {
    const drawn = first.chart.series;
    const filters = Object.fromEntries(plan.categories.map((c, k) => [c.name, [...new Set(drawn.map((s) => s.categories[k] ?? null))]]));
    const again = await read(filters);
    if (again.chart) return { chart: { ...again.chart, seriesFound: first.chart.seriesFound }, capped: again.capped };
  }
  return { chart: first.chart, capped: first.capped };
}

/**
 * Per resource of a published, openly provided dataset: its public versions and, when its newest
 * version's table is loaded, the preview (sorted and paged as the page's query asks) and the chart.
 */
export async function loadResourceTables(query: DatastoreQuery, d: Dataset, params: PreviewParams, lang: string): Promise<Map<string, ResourceTable>> {
  const tables = new Map<string, ResourceTable>();
  if (d.state !== 'published' || d.provisionType !== 'open') return tables;
  for (const r of d.resources) {
    const t = await resourceTable(query, d, r, params, lang);
    if (t) tables.set(r.resourceId, t);
  }
  return tables;
}

async function resourceTable(query: DatastoreQuery, d: Dataset, r: Resource, params: PreviewParams, lang: string): Promise<ResourceTable | undefined> {
  const versions = await query.visibleVersions(r.resourceId, null).catch(() => []);
  const newest = versions[0];
  if (!newest) return undefined;
  const out: ResourceTable = { versions: versions.map(toVersionView) };
  if (newest.datastore_state !== 'ready') return out;
  try {
    const readable = await query.resolve(r.resourceId, null, newest.version);
    const columns = columnsOf(readable.columns, d);
    out.preview = await readPreview(query, r.resourceId, newest, columns, params);
    const chart = await readChart(query, r.resourceId, newest.version, columns, lang);
    if (chart) {
      out.chart = chart.chart;
      out.chartCapped = chart.capped;
    }
  } catch (err) {
    // A table replaced between the two reads (a reload finishing) is simply not previewed this time.
    if (err instanceof AppError && err.status < 500) return out;
    throw err;
  }
  return out;
}
