import { invalid, notFound } from '../../errors.ts';
import type { Services } from '../../services.ts';
import type { Dataset } from '../catalogue/catalogue.schemas.ts';
import type { Unit } from '../units/units.service.ts';
import { parseFq, parseSort, searchQueryError, splitQ, type Filter } from './ckan.fq.ts';
import { CKAN_FACETS, isCkanFacet, toCkanFacets, toCkanOrganizationDict, toCkanPackage, toCkanResource, toCkanTag } from './ckan.mapper.ts';
import type {
  CkanOrganizationDict,
  CkanPackage,
  CkanResource,
  CurrentPackageListParams,
  IdParams,
  ListParams,
  OrganizationListParams,
  OrganizationShowParams,
  PackageSearchParams,
  PackageSearchResult,
  Status,
  TagListParams,
} from './ckan.schemas.ts';

/** CKAN caps rows at `ckan.search.rows_max` (1000) silently; so do we. */
export const ROWS_MAX = 1000;
const ROWS_DEFAULT = 10;
const FACET_LIMIT_DEFAULT = 50;
/** Facet fields CKAN sites commonly request that have nothing behind them here: answered empty. */
const EMPTY_FACETS = ['groups'];
export const CKAN_VERSION = '2.11.0';

const ORG_SORTS = ['title', 'name', 'package_count'] as const;

/**
 * The read actions of CKAN's Action API over our catalogue. Public data only: what these
 * return is what the public pages show.
 */
export class CkanService {
  constructor(private readonly s: Services) {}

  private async unitMaps(): Promise<{ byId: Map<string, Unit>; byName: Map<string, Unit>; nameById: Map<string, string> }> {
    const units = await this.s.units.list({ includeExternal: true });
    return {
      byId: new Map(units.map((u) => [u.id, u])),
      byName: new Map(units.map((u) => [u.name, u])),
      nameById: new Map(units.map((u) => [u.id, u.name])),
    };
  }

  private packagesOf(datasets: Dataset[], byId: Map<string, Unit>): CkanPackage[] {
    return datasets.flatMap((d) => {
      const unit = byId.get(d.unit.id);
      return unit ? [toCkanPackage(d, unit)] : [];
    });
  }

  async packageSearch(p: PackageSearchParams): Promise<PackageSearchResult> {
    const maps = await this.unitMaps();
    const { sort, label } = parseSort(p.sort);
    const { text, filters: qFilters } = splitQ(p.q, maps.nameById);
    const filters: Filter[] = [...qFilters];
    if (p.fq) filters.push(...parseFq(p.fq, maps.nameById));
    for (const fq of p.fq_list ?? []) filters.push(...parseFq(fq, maps.nameById));

    const wantFacets = p.facet !== false ? (p['facet.field'] ?? []) : [];
    const unknown = wantFacets.filter((f) => !isCkanFacet(f) && !EMPTY_FACETS.includes(f));
    if (unknown.length > 0) {
      const known = [...Object.keys(CKAN_FACETS), ...EMPTY_FACETS].join(', ');
      throw searchQueryError(`無法依「${unknown.join(', ')}」分面（可用：${known}）`, `cannot facet on "${unknown.join(', ')}" (available: ${known})`);
    }
    const facets = [...new Set(wantFacets.filter(isCkanFacet).map((f) => CKAN_FACETS[f]))];

    const found = await this.s.catalogue.search({
      q: text || undefined,
      filters,
      sort,
      limit: Math.min(p.rows ?? ROWS_DEFAULT, ROWS_MAX),
      offset: p.start ?? 0,
      facets,
    });
    const shaped = toCkanFacets(found.facets, { fields: [...new Set(wantFacets)], limit: p['facet.limit'] ?? FACET_LIMIT_DEFAULT, mincount: p['facet.mincount'] ?? 1 }, maps.byName);
    return { count: found.count, sort: label, results: this.packagesOf(found.results, maps.byId), ...shaped };
  }

  async packageShow(p: IdParams): Promise<CkanPackage> {
    const d = await this.s.catalogue.get(p.id);
    const unit = await this.s.units.get(d.unit.id);
    return toCkanPackage(d, unit);
  }

  async packageList(p: ListParams): Promise<string[]> {
    return this.s.catalogue.listNames(p.limit ?? Number.MAX_SAFE_INTEGER, p.offset ?? 0);
  }

  async currentPackageListWithResources(p: CurrentPackageListParams): Promise<CkanPackage[]> {
    const limit = Math.min(p.limit ?? ROWS_DEFAULT, ROWS_MAX);
    const offset = p.offset ?? (p.page ? (p.page - 1) * limit : 0);
    const [maps, found] = await Promise.all([this.unitMaps(), this.s.catalogue.search({ sort: 'modified_desc', limit, offset })]);
    return this.packagesOf(found.results, maps.byId);
  }

  async organizationList(p: OrganizationListParams): Promise<string[] | CkanOrganizationDict[]> {
    const [field, dir] = (p.sort ?? 'title asc').trim().toLowerCase().split(/\s+/);
    const direction = dir ?? 'asc';
    const sortField = ORG_SORTS.find((s) => s === field);
    if (!sortField || (direction !== 'asc' && direction !== 'desc')) {
      throw invalid({ sort: [`排序須為 ${ORG_SORTS.join('、')} 加上 asc 或 desc / sort must be one of ${ORG_SORTS.join(', ')} followed by asc or desc`] });
    }
    let units = await this.s.units.listWithCounts();
    if (p.organizations) {
      const wanted = new Set(p.organizations);
      units = units.filter((u) => wanted.has(u.name));
    }
    if (p.q) {
      const needle = p.q.toLowerCase();
      units = units.filter((u) => [u.name, u.title, u.titleEn].some((t) => t.toLowerCase().includes(needle)));
    }
    const key = (u: (typeof units)[number]): string | number => (sortField === 'package_count' ? u.datasetCount : sortField === 'name' ? u.name : u.title);
    const sign = direction === 'asc' ? 1 : -1;
    units.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return sign * (ka < kb ? -1 : ka > kb ? 1 : 0) || (a.name < b.name ? -1 : 1);
    });
    const offset = p.offset ?? 0;
    const page = units.slice(offset, p.limit === undefined ? undefined : offset + p.limit);
    return p.all_fields ? page.map((u) => toCkanOrganizationDict(u, u.datasetCount)) : page.map((u) => u.name);
  }

  async organizationShow(p: OrganizationShowParams): Promise<CkanOrganizationDict> {
    const unit = await this.s.units.get(p.id);
    const found = await this.s.catalogue.search({ filters: [['unit', unit.name]], sort: 'modified_desc', limit: p.include_datasets ? ROWS_MAX : 0 });
    const packages = p.include_datasets ? found.results.map((d) => toCkanPackage(d, unit)) : undefined;
    return toCkanOrganizationDict(unit, found.count, packages);
  }

  async tagList(p: TagListParams): Promise<string[] | ReturnType<typeof toCkanTag>[]> {
    if (p.vocabulary_id) throw notFound('vocabulary', '詞彙表', p.vocabulary_id);
    const names = await this.s.catalogue.keywords(p.query || undefined, Number.MAX_SAFE_INTEGER);
    return p.all_fields ? names.map(toCkanTag) : names;
  }

  async resourceShow(p: IdParams): Promise<CkanResource> {
    const { dataset, resource } = await this.s.catalogue.getResource(p.id);
    return toCkanResource(resource, dataset.id);
  }

  statusShow(): Status {
    const { config } = this.s;
    return {
      site_title: config.siteTitle,
      site_url: config.baseUrl,
      site_description: `${config.agency.title}開放資料目錄 / Open data catalogue of the ${config.agency.titleEn}`,
      ckan_version: CKAN_VERSION,
      locale_default: 'zh_Hant_TW',
      extensions: [],
    };
  }
}
