import { AppError, invalid, notFound } from '../../errors.ts';
import { can } from '../policy/policy.ts';
import type { ReviewStatus } from '../review/review.service.ts';
import type { DatasetInput } from '../catalogue/catalogue.schemas.ts';
import { isResourceId } from '../catalogue/national.ts';
import { isSearchable } from '../search/search.indexer.ts';
import { findResourceOwner } from './ckan.repository.ts';
import type { User } from '../users/users.service.ts';
import { uploadedFile } from './ckan.upload.ts';
import { formatOfFileName, resourceFileUrl } from '../datastore/upload.service.ts';
import type { Services } from '../../services.ts';
import type { Dataset } from '../catalogue/catalogue.schemas.ts';
import type { Unit } from '../units/units.service.ts';
import { parseFq, parseSort, searchQueryError, splitQ, type Filter } from './ckan.fq.ts';
import { CKAN_FACETS, fromCkanPackage, fromCkanResource, isCkanFacet, toCkanErrorFields, toCkanFacets, toCkanOrganizationDict, toCkanPackage, toCkanResource, toCkanTag } from './ckan.mapper.ts';
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

  /** A public (or discontinued) dataset; a draft (or one under review) only for a caller who may read its unit's non-public datasets. */
  async packageShow(p: IdParams, user: User | null = null): Promise<CkanPackage> {
    const d = await this.s.catalogue.get(p.id, { includeNonPublic: user !== null });
    if (!isSearchable(d.state) && !can(user, 'dataset.read_nonpublic', { unit: d.unit.name })) throw notFound('dataset', '資料集', p.id);
    const unit = await this.s.units.get(d.unit.id);
    // A discontinued dataset answers with state "discontinued" and its notice.
    return toCkanPackage(await this.s.discontinuation.withNotice(d), unit);
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

  /* ---- Write actions: every one goes through the review gate (ReviewService); none publishes. ---- */

  /** package_create: a new draft in the unit named by `owner_org`. */
  async packageCreate(user: User, dict: Record<string, unknown>): Promise<CkanPackage> {
    assertNoUpload(dict);
    const missing: Record<string, string[]> = {};
    for (const k of ['name', 'title', 'owner_org']) if (typeof dict[k] !== 'string' || dict[k].trim() === '') missing[k] = [REQUIRED];
    if (Object.keys(missing).length > 0) throw ckanInvalid(missing);
    const { input, errors } = fromCkanPackage(dict, null);
    input.unit = await this.unitName(input.unit);
    if (Object.keys(errors).length > 0) throw ckanInvalid(errors);
    const status = await this.inCkanNames(() => this.s.review.createDraft(user, input));
    return this.answer(user, status);
  }

  /** package_update (whole dict replaces the dataset) and package_patch (named fields only). */
  async packageUpdate(user: User, dict: Record<string, unknown>, mode: 'update' | 'patch'): Promise<CkanPackage> {
    assertNoUpload(dict);
    const ref = typeof dict.id === 'string' && dict.id ? dict.id : typeof dict.name === 'string' ? dict.name : '';
    if (!ref) throw ckanInvalid({ id: [REQUIRED] });
    const { input: current, status } = await this.s.review.editableInput(user, ref);
    const { input, errors } = fromCkanPackage(dict, mode === 'patch' ? current : null);
    input.unit = mode === 'update' && !Object.hasOwn(dict, 'owner_org') ? current.unit : await this.unitName(input.unit);
    if (Object.keys(errors).length > 0) throw ckanInvalid(errors);
    const next = await this.inCkanNames(() => this.s.review.edit(user, status.id, input));
    return this.answer(user, next);
  }

  /**
   * resource_create: appends a resource to the draft or working copy of `package_id`. With a
   * multipart `upload` the file becomes the resource's first version (its url is the stored file).
   */
  async resourceCreate(user: User, dict: Record<string, unknown>): Promise<CkanResource> {
    const upload = uploadOf(dict);
    const ref = typeof dict.package_id === 'string' ? dict.package_id : '';
    if (!ref) throw ckanInvalid({ package_id: [REQUIRED] });
    if (!upload && (typeof dict.url !== 'string' || !dict.url.trim())) throw ckanInvalid({ url: [REQUIRED] });
    const { input, status } = await this.s.review.editableInput(user, ref);
    const errors: Record<string, string[]> = {};
    // Numbered now, so a resource waiting in a working copy can be named in resource_update before
    // approval, and an uploaded file's URL can name it.
    const resourceId = (typeof dict.resource_id === 'string' && dict.resource_id.trim()) || nextResourceId(input) || undefined;
    const resource = fromCkanResource(upload && resourceId ? { ...dict, url: resourceFileUrl(this.s.config.baseUrl, resourceId), format: dict.format ?? formatOfFileName(upload.filename) } : dict, 'url', errors);
    if (Object.keys(errors).length > 0) throw ckanInvalid(errors);
    resource.resourceId ??= resourceId;
    const resources = [...(input.resources ?? []), resource];
    let next = await this.inCkanNames(() => this.s.review.edit(user, status.id, { ...input, resources }));
    if (upload && resourceId) next = (await this.s.uploads.upload(user, status.id, resourceId, { source: upload, fileName: upload.filename, mediaType: upload.mimetype }, { encoding: typeof dict.encoding === 'string' ? dict.encoding : null })).status;
    return this.resourceOf(user, next, resources.length - 1);
  }

  /** resource_update: replaces a resource (by id or national resource id) in the draft or working copy; a multipart `upload` adds a version. */
  async resourceUpdate(user: User, dict: Record<string, unknown>): Promise<CkanResource> {
    const upload = uploadOf(dict);
    const id = typeof dict.id === 'string' ? dict.id : '';
    if (!id) throw ckanInvalid({ id: [REQUIRED] });
    // A stored resource is found by its row; one added in a working copy exists only there, under its national id.
    const owner = (await findResourceOwner(this.s.db.kysely, id)) ?? (isResourceId(id) ? { datasetId: id.slice(0, id.lastIndexOf('-')), resourceId: id } : undefined);
    if (!owner) throw notFound('resource', '資料資源', id);
    const { input, status } = await this.s.review.editableInput(user, owner.datasetId);
    const resources = [...(input.resources ?? [])];
    const at = resources.findIndex((_r, i) => resourceIdAt(input, i) === owner.resourceId);
    if (at < 0) throw notFound('resource', '資料資源', id);
    const errors: Record<string, string[]> = {};
    const withUrl = upload ? { ...dict, url: resourceFileUrl(this.s.config.baseUrl, owner.resourceId), format: dict.format ?? resources[at].format } : dict;
    // Like CKAN's resource_update the dict replaces the resource; the national resource id stays.
    resources[at] = { ...fromCkanResource(withUrl, 'url', errors), resourceId: owner.resourceId };
    if (Object.keys(errors).length > 0) throw ckanInvalid(errors);
    let next = await this.inCkanNames(() => this.s.review.edit(user, status.id, { ...input, resources }));
    if (upload) next = (await this.s.uploads.upload(user, status.id, owner.resourceId, { source: upload, fileName: upload.filename, mediaType: upload.mimetype }, { encoding: typeof dict.encoding === 'string' ? dict.encoding : null })).status;
    return this.resourceOf(user, next, at);
  }

  /** `owner_org` as CKAN clients send it (unit name or id) → the unit's name; 409 naming owner_org when unknown. */
  private async unitName(ref: string): Promise<string> {
    if (!ref.trim()) throw ckanInvalid({ owner_org: [REQUIRED] });
    try {
      return (await this.s.units.get(ref.trim())).name;
    } catch (e) {
      if (e instanceof AppError && e.status === 404) throw ckanInvalid({ owner_org: [`找不到此單位：${ref} / Organization does not exist: ${ref}`] });
      throw e;
    }
  }

  /** The catalogue's validation errors renamed to the CKAN fields the client sent. */
  private async inCkanNames(run: () => Promise<ReviewStatus>): Promise<ReviewStatus> {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof AppError) || !e.details) throw e;
      if (e.code === 'VALIDATION_FAILED') throw ckanInvalid(toCkanErrorFields(e.details));
      // A name already taken, a resource id in use, work under review: their own message, CKAN field names.
      if (e.status === 409) throw new AppError(e.code, 409, e.zh, e.en, toCkanErrorFields(e.details));
      throw e;
    }
  }

  /**
   * The answer of a write action: a draft's own dict (state "draft"), or for a published dataset the
   * public dict as it still stands plus `kaifang_working_copy` — what changed waits for review.
   */
  private async answer(user: User, status: ReviewStatus): Promise<CkanPackage> {
    const pkg = await this.packageShow({ id: status.id }, user);
    return status.workingCopy ? { ...pkg, kaifang_working_copy: status.workingCopy } : pkg;
  }

  /** The resource at `index` as the draft or working copy now holds it. */
  private async resourceOf(user: User, status: ReviewStatus, index: number): Promise<CkanResource> {
    if (!status.workingCopy) {
      const pkg = await this.packageShow({ id: status.id }, user);
      const r = pkg.resources[index];
      if (r) return r;
    }
    const { input } = await this.s.review.editableInput(user, status.id);
    const r = input.resources?.[index];
    if (!r) throw notFound('resource', '資料資源', String(index));
    // Not saved as a row yet (it waits in the working copy): no id of its own until approval.
    return {
      id: r.resourceId ?? '',
      package_id: status.id,
      name: r.name ?? r.description,
      description: r.description,
      url: r.downloadUrl ?? r.accessUrl ?? '',
      format: r.format.toUpperCase(),
      mimetype: null,
      size: null,
      hash: '',
      created: '',
      last_modified: null,
      metadata_modified: '',
      position: index,
      url_type: null,
      datastore_active: false,
      state: 'draft',
      resource_id: r.resourceId ?? '',
      encoding: r.encoding,
      access_url: r.accessUrl ?? null,
      download_url: r.downloadUrl ?? null,
      modified: r.modified ?? null,
      metadata_source_url: r.metadataSourceUrl ?? null,
      number_of_data: r.numberOfData ?? null,
      ...(status.workingCopy ? { kaifang_working_copy: status.workingCopy } : {}),
    };
  }
}

const REQUIRED = '缺少此欄位 / Missing value';

/** CKAN's Validation Error (409) with per-field lists. */
function ckanInvalid(fields: Record<string, string[]>): AppError {
  const summary = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v.map((m) => m.split(' / ')[0]).join('；')}`)
    .join('，');
  const summaryEn = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v.map((m) => m.split(' / ')[1] ?? m).join('; ')}`)
    .join(', ');
  return new AppError('CKAN_VALIDATION', 409, `資料驗證錯誤 - ${summary}`, `Validation Error - ${summaryEn}`, fields);
}

/** Files go with resources: package_create/update/patch refuse an `upload` instead of ignoring it. */
function assertNoUpload(dict: Record<string, unknown>): void {
  if (!Object.hasOwn(dict, 'upload')) return;
  throw ckanInvalid({ upload: ['檔案請以 resource_create 或 resource_update 上傳 / upload files with resource_create or resource_update'] });
}

/** The file a multipart `upload` brought; an `upload` that is not a file (a JSON string, say) is refused by name. */
function uploadOf(dict: Record<string, unknown>): { sha256: string; size: number; filename: string; mimetype: string } | undefined {
  if (!Object.hasOwn(dict, 'upload') || dict.upload === null || dict.upload === '') return undefined;
  const file = uploadedFile(dict.upload);
  if (!file) throw ckanInvalid({ upload: ['upload 須以 multipart/form-data 傳送檔案 / upload must be a file sent as multipart/form-data'] });
  return file;
}

/** A resource's national id: its own, or the `<identifier>-NNN` save() gives it by position. */
function resourceIdAt(input: DatasetInput, i: number): string | null {
  return input.resources?.[i]?.resourceId ?? (input.identifier ? `${input.identifier}-${String(i + 1).padStart(3, '0')}` : null);
}

/** `<identifier>-NNN` after the highest number the dataset's resources use. */
function nextResourceId(input: DatasetInput): string | null {
  if (!input.identifier) return null;
  const numbers = (input.resources ?? []).map((_r, i) => Number(/-(\d{3})$/.exec(resourceIdAt(input, i) ?? '')?.[1] ?? 0));
  return `${input.identifier}-${String(Math.max(0, ...numbers) + 1).padStart(3, '0')}`;
}
