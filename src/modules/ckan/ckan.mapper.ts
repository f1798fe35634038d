/**
 * The one mapper between our catalogue (camelCase, national fields) and CKAN's dicts
 * (snake_case, CKAN names). CKAN clients read `notes`, `organization.title`, `resources[].url`…;
 * the national fields ride along at top level and, as strings, in `extras`.
 */
import { createHash } from 'node:crypto';
import type { Dataset, DatasetInput, Resource, ResourceInput } from '../catalogue/catalogue.schemas.ts';
import { CATEGORY_CODES, PROVISION_LABELS, licenceById, type ProvisionType } from '../catalogue/national.ts';
import type { Facet } from '../search/search.indexer.ts';
import type { Unit } from '../units/units.service.ts';
import type { CkanOrganization, CkanOrganizationDict, CkanPackage, CkanResource, CkanTag, SearchFacets } from './ckan.schemas.ts';

/** CKAN facet / fq field names → our search facets. */
export const CKAN_FACETS = {
  organization: 'unit',
  tags: 'keyword',
  res_format: 'format',
  license_id: 'license',
  category_code: 'category',
  update_frequency: 'frequency',
  provision_type: 'provision',
} as const satisfies Record<string, Facet>;
export type CkanFacetName = keyof typeof CKAN_FACETS;

export const isCkanFacet = (name: string): name is CkanFacetName => Object.hasOwn(CKAN_FACETS, name);

/**
 * Our ISO timestamps (`2026-11-05T10:12:00.123Z`) in CKAN's form: UTC, no zone, microseconds
 * (`2026-11-05T10:12:00.123000`). National `YYYY-MM-DD hh:mm:ss` values get the `T` and no fraction.
 */
export function ckanTimestamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  if (!m) return iso;
  const time = m[2].length === 5 ? `${m[2]}:00` : m[2];
  if (m[4] && m[4] !== 'Z') {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : ckanTimestamp(d.toISOString());
  }
  const frac = m[3] ?? (m[4] === 'Z' ? '0' : undefined);
  return frac === undefined ? `${m[1]}T${time}` : `${m[1]}T${time}.${frac.padEnd(6, '0').slice(0, 6)}`;
}

const MIMETYPES: Record<string, string> = {
  CSV: 'text/csv',
  JSON: 'application/json',
  XML: 'application/xml',
  ODS: 'application/vnd.oasis.opendocument.spreadsheet',
  ODT: 'application/vnd.oasis.opendocument.text',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  XLS: 'application/vnd.ms-excel',
  DOCX: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  TXT: 'text/plain',
  PDF: 'application/pdf',
  ZIP: 'application/zip',
  GEOJSON: 'application/geo+json',
  KML: 'application/vnd.google-earth.kml+xml',
  KMZ: 'application/vnd.google-earth.kmz',
  RDF: 'application/rdf+xml',
};

/** Tags have no row of their own here; a stable UUID-shaped id derived from the name stands in. */
export function tagId(name: string): string {
  const h = createHash('sha1').update(`kaifang-tag:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function toCkanTag(name: string): CkanTag {
  return { id: tagId(name), name, display_name: name, state: 'active', vocabulary_id: null };
}

export function toCkanOrganization(unit: Unit): CkanOrganization {
  return {
    id: unit.id,
    name: unit.name,
    title: unit.title,
    title_en: unit.titleEn,
    display_name: unit.title,
    description: unit.description,
    image_url: '',
    image_display_url: '',
    created: ckanTimestamp(unit.createdAt),
    type: 'organization',
    is_organization: true,
    state: 'active',
    approval_status: 'approved',
  };
}

export function toCkanOrganizationDict(unit: Unit, packageCount: number, packages?: CkanPackage[]): CkanOrganizationDict {
  return {
    ...toCkanOrganization(unit),
    package_count: packageCount,
    num_followers: 0,
    ...(packages ? { packages } : {}),
    users: [],
    extras: [
      { key: 'kind', value: unit.kind },
      { key: 'agency_code', value: unit.agencyCode },
    ],
    groups: [],
    tags: [],
  };
}

export function toCkanResource(r: Resource, packageId: string): CkanResource {
  const format = r.format;
  return {
    id: r.id,
    package_id: packageId,
    name: r.name || r.description,
    description: r.description,
    url: r.url,
    format,
    mimetype: MIMETYPES[format.toUpperCase()] ?? null,
    size: null,
    hash: '',
    created: ckanTimestamp(r.createdAt),
    last_modified: r.modified ? ckanTimestamp(r.modified) : null,
    metadata_modified: ckanTimestamp(r.updatedAt),
    position: r.position,
    url_type: null,
    datastore_active: false,
    state: 'active',
    resource_id: r.resourceId,
    encoding: r.encoding,
    access_url: r.accessUrl,
    download_url: r.downloadUrl,
    modified: r.modified,
    metadata_source_url: r.metadataSourceUrl,
    number_of_data: r.numberOfData,
  };
}

const CKAN_STATE: Record<Dataset['state'], string> = {
  published: 'active',
  draft: 'draft',
  submitted: 'draft',
  returned: 'draft',
  // Readable with its notice (docs/governance-design.md), which CKAN's `deleted` would not say.
  discontinued: 'discontinued',
  withheld: 'withheld',
};

/** The national fields, snake_case, as they appear at top level of the package dict. */
function nationalFields(d: Dataset) {
  return {
    identifier: d.identifier,
    title_en: d.titleEn,
    category_code: d.categoryCode,
    category_name: CATEGORY_CODES[d.categoryCode]?.zh ?? d.categoryCode,
    dataset_type: d.datasetType,
    provision_type: d.provisionType,
    field_description: d.fieldDescription,
    fields: d.fields,
    cost: d.cost,
    cost_url: d.costUrl,
    cost_law: d.costLaw,
    application_terms: d.applicationTerms,
    revocable: d.revocable,
    withholding_basis: d.withholdingBasis,
    organization_name: d.organizationName,
    organization_contact_name: d.organizationContactName,
    organization_contact_phone: d.organizationContactPhone,
    organization_contact_email: d.organizationContactEmail,
    publisher_name: d.publisherName,
    publisher_contact_name: d.publisherContactName,
    publisher_contact_phone: d.publisherContactPhone,
    publisher_contact_email: d.publisherContactEmail,
    update_frequency: d.updateFrequency,
    temporal_from: d.temporalFrom,
    temporal_to: d.temporalTo,
    issued: d.issued,
    modified: d.modified,
    spatial: d.spatial,
    language: d.language,
    landing_page: d.landingPage,
    number_of_data: d.numberOfData,
    remarks: d.notes,
    keywords: d.keywords,
    data_attribute: d.dataAttribute,
    listing_method: d.listingMethod,
    quality_badge: d.qualityBadge,
    is_demo: d.isDemo,
  };
}

/** CKAN extras are string pairs: lists and objects as JSON, null as the empty string. */
function extrasOf(national: ReturnType<typeof nationalFields>): { key: string; value: string }[] {
  return Object.entries(national).map(([key, v]) => ({
    key,
    value: v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v),
  }));
}

/**
 * A dataset as CKAN's package dict. `unit` is the full unit (the dataset carries only a summary)
 * so `organization` has its description and creation time.
 */
export function toCkanPackage(d: Dataset, unit: Unit): CkanPackage {
  const national = nationalFields(d);
  return {
    id: d.id,
    name: d.name,
    title: d.title,
    notes: d.description,
    url: d.landingPage,
    version: null,
    state: CKAN_STATE[d.state],
    private: false,
    type: 'dataset',
    isopen: d.provisionType === 'open',
    license_id: d.licenseId,
    license_title: d.licenseTitle,
    license_url: d.licenseUrl,
    maintainer: d.publisherContactName,
    maintainer_email: d.publisherContactEmail,
    author: d.publisherName,
    author_email: null,
    creator_user_id: null,
    metadata_created: ckanTimestamp(d.createdAt),
    metadata_modified: ckanTimestamp(d.updatedAt),
    owner_org: unit.id,
    organization: toCkanOrganization(unit),
    tags: d.keywords.map(toCkanTag),
    groups: [],
    relationships_as_object: [],
    relationships_as_subject: [],
    extras: extrasOf(national),
    num_resources: d.resources.length,
    num_tags: d.keywords.length,
    resources: d.resources.map((r) => toCkanResource(r, d.id)),
    ...national,
    ...(d.notice ? { kaifang_discontinuation: d.notice } : {}),
  };
}

/** The label a facet value shows: a unit's title, a licence's or category's name. */
function displayName(field: CkanFacetName, value: string, units: Map<string, Unit>): string {
  switch (field) {
    case 'organization':
      return units.get(value)?.title ?? value;
    case 'license_id':
      return licenceById(value)?.zh ?? value;
    case 'category_code':
      return CATEGORY_CODES[value]?.zh ?? value;
    case 'provision_type':
      return PROVISION_LABELS[value as ProvisionType]?.zh ?? value;
    case 'tags':
    case 'res_format':
    case 'update_frequency':
      return value;
  }
}

export interface FacetShaping {
  fields: string[];
  limit: number;
  mincount: number;
}

/**
 * Our facet counts in CKAN's two forms: `search_facets` (items with display names, by count)
 * and the deprecated `facets` ({value: count}). `facet.limit` and `facet.mincount` apply here;
 * fields we do not facet on (e.g. `groups`) come back empty, as CKAN's do for an unused field.
 */
export function toCkanFacets(
  found: Partial<Record<Facet, { value: string; count: number }[]>>,
  shaping: FacetShaping,
  unitsByName: Map<string, Unit>,
): { search_facets: SearchFacets; facets: Record<string, Record<string, number>> } {
  const search_facets: SearchFacets = {};
  const facets: Record<string, Record<string, number>> = {};
  for (const field of shaping.fields) {
    const list = isCkanFacet(field) ? (found[CKAN_FACETS[field]] ?? []) : [];
    const kept = list.filter((f) => f.count >= shaping.mincount);
    const limited = shaping.limit < 0 ? kept : kept.slice(0, shaping.limit);
    const items = limited.map((f) => ({ name: f.value, display_name: isCkanFacet(field) ? displayName(field, f.value, unitsByName) : f.value, count: f.count }));
    search_facets[field] = { title: field, items };
    facets[field] = Object.fromEntries(limited.map((f) => [f.value, f.count]));
  }
  return { search_facets, facets };
}

/* ---- CKAN package dict → our input (the write actions) ---- */

type Dict = Record<string, unknown>;
type Errors = Record<string, string[]>;

/** National fields a package dict carries (top level as package_show emits them, or in `extras`) → DatasetInput keys. */
const NATIONAL_IN = {
  identifier: 'identifier',
  title_en: 'titleEn',
  category_code: 'categoryCode',
  dataset_type: 'datasetType',
  provision_type: 'provisionType',
  field_description: 'fieldDescription',
  license_url: 'licenseUrl',
  cost: 'cost',
  cost_url: 'costUrl',
  cost_law: 'costLaw',
  application_terms: 'applicationTerms',
  withholding_basis: 'withholdingBasis',
  organization_name: 'organizationName',
  organization_contact_name: 'organizationContactName',
  organization_contact_phone: 'organizationContactPhone',
  organization_contact_email: 'organizationContactEmail',
  publisher_name: 'publisherName',
  publisher_contact_name: 'publisherContactName',
  publisher_contact_phone: 'publisherContactPhone',
  publisher_contact_email: 'publisherContactEmail',
  update_frequency: 'updateFrequency',
  temporal_from: 'temporalFrom',
  temporal_to: 'temporalTo',
  issued: 'issued',
  modified: 'modified',
  spatial: 'spatial',
  language: 'language',
  landing_page: 'landingPage',
  remarks: 'notes',
  data_attribute: 'dataAttribute',
  listing_method: 'listingMethod',
  quality_badge: 'qualityBadge',
} as const satisfies Record<string, keyof DatasetInput>;

/** Our validation field names → the CKAN field a client sent (where one maps). */
const CKAN_FIELD_OF: Record<string, string> = {
  unit: 'owner_org',
  description: 'notes',
  keywords: 'tags',
  licenseId: 'license_id',
  fields: 'fields',
  ...Object.fromEntries(Object.entries(NATIONAL_IN).map(([ckan, ours]) => [ours, ckan])),
  // A dict says `url`; the national landing page is the same thing.
  landingPage: 'url',
  notes: 'remarks',
};

/** Per-field validation messages in the names a CKAN client sent: `notes`, `owner_org`, `resources`… */
export function toCkanErrorFields(details: Record<string, string[]>): Errors {
  const out: Errors = {};
  for (const [field, msgs] of Object.entries(details)) {
    const res = /^resources(?:\[(\d+)\]|\.(\d+))\.?(.*)$/.exec(field);
    const key = res ? 'resources' : (CKAN_FIELD_OF[field] ?? (/^fields\[/.test(field) ? 'fields' : field));
    const prefix = res ? `#${Number(res[1] ?? res[2]) + 1} ${res[3] === 'downloadUrl' ? 'url' : (res[3] ?? '')}: ` : '';
    (out[key] ??= []).push(...msgs.map((m) => prefix + m));
  }
  return out;
}

const mustBe = (zh: string, en: string) => `${zh} / ${en}`;

/** A string value, or null for null/''; anything else is an error on `key`. */
function str(v: unknown, key: string, errors: Errors): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  (errors[key] ??= []).push(mustBe('須為字串', 'Must be a string'));
  return null;
}

/** Lists may arrive as JSON text (extras are strings). */
function list(v: unknown, key: string, errors: Errors): unknown[] | null {
  if (v === null || v === undefined || v === '') return null;
  if (Array.isArray(v)) return v as unknown[];
  if (typeof v === 'string' && v.trim().startsWith('[')) {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (Array.isArray(parsed)) return parsed as unknown[];
    } catch {
      /* reported below */
    }
  }
  (errors[key] ??= []).push(mustBe('須為清單', 'Must be a list'));
  return null;
}

const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * One CKAN resource dict → ResourceInput. `url` is the download URL unless it is the access URL
 * package_show emitted; `encoding` defaults to UTF-8 and `description` falls back to `name`.
 */
export function fromCkanResource(r: Dict, key: string, errors: Errors, base?: ResourceInput): ResourceInput {
  const get = (k: string) => str(r[k], `${key}`, errors);
  const has = (k: string) => Object.hasOwn(r, k);
  const url = get('url');
  const accessUrl = has('access_url') ? get('access_url') : (base?.accessUrl ?? null);
  const downloadUrl = has('url') ? (url && url === accessUrl ? get('download_url') : url) : has('download_url') ? get('download_url') : (base?.downloadUrl ?? null);
  const name = has('name') ? get('name') : (base?.name ?? null);
  const description = (has('description') ? get('description') : (base?.description ?? null)) || name || '';
  const n = has('number_of_data') ? r.number_of_data : base?.numberOfData;
  return {
    resourceId: has('resource_id') ? get('resource_id') : (base?.resourceId ?? null),
    name,
    description,
    format: (has('format') ? get('format') : base?.format) ?? '',
    encoding: (has('encoding') ? get('encoding') : base?.encoding) || 'UTF-8',
    accessUrl,
    downloadUrl,
    modified: has('modified') ? get('modified') : (base?.modified ?? null),
    metadataSourceUrl: has('metadata_source_url') ? get('metadata_source_url') : (base?.metadataSourceUrl ?? null),
    numberOfData: n === null || n === undefined || n === '' ? null : Number.isInteger(Number(n)) ? Number(n) : null,
  };
}

/**
 * A CKAN package dict → DatasetInput, field by field onto `base`: package_create and package_update
 * start from nothing, package_patch from the stored input (only what the dict names changes).
 * `owner_org` must already be resolved to a unit name. Returns per-field errors in CKAN names for
 * values of the wrong shape; the national rules are checked later by the catalogue.
 */
export function fromCkanPackage(dict: Dict, base: DatasetInput | null): { input: DatasetInput; errors: Errors } {
  const errors: Errors = {};
  const extras: Dict = {};
  for (const e of list(dict.extras, 'extras', errors) ?? []) {
    if (isDict(e) && typeof e.key === 'string') extras[e.key] = e.value;
    else (errors.extras ??= []).push(mustBe('每一項須為 {key, value}', 'Each item must be {key, value}'));
  }
  // Top level wins over extras: it is where package_show puts the national fields.
  const has = (k: string) => Object.hasOwn(dict, k) || Object.hasOwn(extras, k);
  const raw = (k: string): unknown => (Object.hasOwn(dict, k) ? dict[k] : extras[k]);
  const input: DatasetInput = base
    ? { ...base, resources: base.resources?.map((r) => ({ ...r })) }
    : { unit: '', categoryCode: '', title: '', description: '', updateFrequency: '' };
  const setStr = (ckan: string, apply: (v: string | null) => void) => {
    if (has(ckan)) apply(str(raw(ckan), ckan, errors));
  };

  setStr('owner_org', (v) => (input.unit = v ?? ''));
  setStr('name', (v) => (input.name = v));
  setStr('title', (v) => (input.title = v ?? ''));
  setStr('notes', (v) => (input.description = v ?? ''));
  setStr('license_id', (v) => (input.licenseId = v ?? undefined));
  setStr('maintainer', (v) => (input.publisherContactName = v));
  setStr('maintainer_email', (v) => (input.publisherContactEmail = v));
  setStr('author', (v) => (input.publisherName = v));
  for (const [ckan, ours] of Object.entries(NATIONAL_IN)) {
    setStr(ckan, (v) => {
      if (ours === 'categoryCode' || ours === 'updateFrequency') input[ours] = v ?? '';
      else if (ours === 'datasetType' || ours === 'cost') input[ours] = v ?? undefined;
      else if (ours === 'provisionType') {
        if (v === 'open' || v === 'on_application' || v === 'withheld') input.provisionType = v;
        else if (v !== null) (errors[ckan] ??= []).push(mustBe(`須為 ${PROVISION_TYPES_TEXT}`, `Must be one of ${PROVISION_TYPES_TEXT}`));
      } else input[ours] = v;
    });
  }
  setStr('url', (v) => (input.landingPage = v));
  if (has('number_of_data')) {
    const n = raw('number_of_data');
    input.numberOfData = n === null || n === '' ? null : Number.isInteger(Number(n)) ? Number(n) : null;
    if (input.numberOfData === null && n !== null && n !== '') (errors.number_of_data ??= []).push(mustBe('須為非負整數', 'Must be a natural number'));
  }
  if (has('revocable')) {
    const v = raw('revocable');
    input.revocable = v === true || v === 'true' || v === 'True';
  }
  if (has('is_demo')) {
    const v = raw('is_demo');
    input.isDemo = v === true || v === 'true' || v === 'True';
  }
  if (has('fields')) {
    const fields = list(raw('fields'), 'fields', errors);
    if (fields) input.fields = fields.filter(isDict).map((f) => ({ ...(f as { name: string }) }));
  }
  // Tags are CKAN's keywords: [{name}] (or plain strings, or `tag_string` "a,b"); our own `keywords` is the fallback.
  if (Object.hasOwn(dict, 'tags')) {
    input.keywords = (list(dict.tags, 'tags', errors) ?? []).map((t) => (isDict(t) ? (typeof t.name === 'string' ? t.name : '') : String(t)));
  } else if (Object.hasOwn(dict, 'tag_string')) {
    input.keywords = (str(dict.tag_string, 'tag_string', errors) ?? '').split(',');
  } else if (has('keywords')) {
    input.keywords = (list(raw('keywords'), 'keywords', errors) ?? []).map(String);
  }
  if (Object.hasOwn(dict, 'resources')) {
    const items = list(dict.resources, 'resources', errors) ?? [];
    input.resources = items.map((r, i) => {
      if (!isDict(r)) {
        (errors.resources ??= []).push(mustBe(`第${i + 1}項須為資源字典`, `item ${i + 1} must be a resource dict`));
        return { description: '', format: '', encoding: 'UTF-8' };
      }
      return fromCkanResource(r, 'resources', errors);
    });
  }
  return { input, errors };
}

const PROVISION_TYPES_TEXT = 'open, on_application, withheld';
