import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { Database, DatasetRow, ResourceRow } from '../../db/types.ts';
import { invalid, notFound } from '../../errors.ts';
import { SYSTEM_ACTOR, type Actor, type AuditService } from '../audit/audit.service.ts';
import { SearchEngine, type SearchSort } from '../search/search.engine.ts';
import { writeIndex, writeIndexBatch } from '../search/search.repository.ts';
import { buildIndexEntries, isSearchable, searchTextOf, type Facet } from '../search/search.indexer.ts';
import { parseQuery } from '../search/tokenize.ts';
import type { Unit, UnitsService } from '../units/units.service.ts';
import * as repo from './catalogue.repository.ts';
import type { Dataset, DatasetInput, Resource } from './catalogue.schemas.ts';
import { normalizeDatasetInput, validateDataset, type NormalizedDataset, type ValidationOptions } from './catalogue.validation.ts';
import { licenceById, renderFieldDescription, type DatasetState, type FieldDef, type ProvisionType } from './national.ts';

export interface SearchParams {
  q?: string;
  /** Each must hold (CKAN fq semantics). */
  filters?: [Facet, string][];
  /** At least one value per facet must hold (faceted navigation: OR within a facet). */
  anyOf?: [Facet, string[]][];
  sort?: SearchSort;
  limit?: number;
  offset?: number;
  facets?: Facet[];
}

export interface SearchResult {
  count: number;
  results: Dataset[];
  facets: Partial<Record<Facet, { value: string; count: number }[]>>;
}

export interface SaveResult {
  dataset: Dataset;
  created: boolean;
  warnings: Record<string, string[]>;
}

const now = () => new Date().toISOString();

/** The row as save() writes it; the review columns (004-review) belong to ReviewService. */
type DatasetFields = Omit<DatasetRow, 'seq' | 'indexed_version' | 'submitted_by' | 'submitted_at' | 'review_comment'>;

/** The catalogue: datasets and their resources, the rules for saving them, and public search. */
export class CatalogueService {
  private readonly engine: SearchEngine;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly units: UnitsService,
    private readonly audit: AuditService,
  ) {
    this.engine = new SearchEngine(db.kysely, config.searchCacheEntries);
  }

  private absolute(url: string | null): string | null {
    if (url === null) return null;
    return url.startsWith('/') ? `${this.config.baseUrl}${url}` : url;
  }

  private toResource(r: ResourceRow): Resource {
    const accessUrl = this.absolute(r.access_url);
    const downloadUrl = this.absolute(r.download_url);
    return {
      id: r.id,
      resourceId: r.resource_id,
      position: r.position,
      name: r.name,
      description: r.description,
      format: r.format,
      encoding: r.encoding,
      accessUrl,
      downloadUrl,
      url: downloadUrl ?? accessUrl ?? '',
      modified: r.modified,
      metadataSourceUrl: r.metadata_source_url,
      numberOfData: r.number_of_data,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  private fromBundle(b: repo.DatasetBundle): Dataset {
    return this.toDataset(b.row, this.units.toUnit(b.unit), b.resources, b.keywords);
  }

  private toDataset(r: DatasetFields, unit: Unit, resources: ResourceRow[], keywords: string[]): Dataset {
    const fields = JSON.parse(r.fields_json) as FieldDef[];
    return {
      id: r.id,
      name: r.name,
      identifier: r.identifier,
      state: r.state as DatasetState,
      provisionType: r.provision_type as ProvisionType,
      unit: { id: unit.id, name: unit.name, title: unit.title, titleEn: unit.titleEn, kind: unit.kind },
      categoryCode: r.category_code,
      title: r.title,
      titleEn: r.title_en,
      description: r.description,
      fields,
      fieldDescription: r.field_description_raw ?? renderFieldDescription(fields),
      datasetType: r.dataset_type,
      licenseId: r.license_id,
      licenseTitle: licenceById(r.license_id)?.zh ?? r.license_id,
      licenseUrl: r.license_url,
      cost: r.cost,
      costUrl: r.cost_url,
      costLaw: r.cost_law,
      applicationTerms: r.application_terms,
      revocable: r.revocable === 1,
      withholdingBasis: r.withholding_basis,
      organizationName: r.organization_name,
      organizationContactName: r.organization_contact_name,
      organizationContactPhone: r.organization_contact_phone,
      organizationContactEmail: r.organization_contact_email,
      publisherName: r.publisher_name,
      publisherContactName: r.publisher_contact_name,
      publisherContactPhone: r.publisher_contact_phone,
      publisherContactEmail: r.publisher_contact_email,
      updateFrequency: r.update_frequency,
      temporalFrom: r.temporal_from,
      temporalTo: r.temporal_to,
      issued: r.issued,
      modified: r.modified,
      spatial: r.spatial,
      language: r.language,
      landingPage: r.landing_page,
      numberOfData: r.number_of_data,
      notes: r.notes,
      keywords,
      resources: resources.map((x) => this.toResource(x)),
      dataAttribute: r.data_attribute,
      listingMethod: r.listing_method,
      qualityBadge: r.quality_badge,
      isDemo: r.is_demo === 1,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      publishedAt: r.published_at,
    };
  }

  private agencyCodeOf(unit: Unit): string {
    return unit.kind === 'external' && unit.agencyCode ? unit.agencyCode : this.config.agency.code;
  }

  /**
   * Creates a dataset, or replaces the one with the same national identifier (imports are
   * idempotent by 資料集識別碼). All of it is written in one transaction or none of it.
   * Throws VALIDATION_FAILED with per-field messages. Records dataset.create / dataset.update with
   * the dataset before and after in the audit trail, in the same transaction; `actor` defaults to system.
   * With `trx` it writes in the caller's transaction (the review gate commits the save together with
   * its own records); it then reads nothing outside it (SQLite has one connection).
   */
  async save(input: DatasetInput, opts: { state: DatasetState; actor?: Actor; trx?: Kysely<Database> } & ValidationOptions): Promise<SaveResult> {
    const d = normalizeDatasetInput(input);
    const { errors, warnings } = validateDataset(d, opts);
    if (Object.keys(errors).length > 0) throw invalid(errors);
    const unitRow = opts.trx ? await opts.trx.selectFrom('units').selectAll().where((eb) => eb.or([eb('name', '=', d.unit), eb('id', '=', d.unit)])).executeTakeFirst() : undefined;
    if (opts.trx && !unitRow) throw notFound('unit', '單位', d.unit);
    const unit = unitRow ? this.units.toUnit(unitRow) : await this.units.get(d.unit);
    const work = async (trx: Kysely<Database>) => {
      // First: the audit head lock serialises saves across instances (and on SQLite takes the write lock before reading).
      await this.audit.lock(trx);
      const existing = d.identifier ? await repo.findIdByIdentifier(trx, d.identifier) : undefined;
      const beforeBundle = existing ? await repo.findBundle(trx, existing.id) : undefined;
      const code = this.agencyCodeOf(unit);
      const identifier = d.identifier ?? `${code}-${String(await repo.nextSerial(trx, code)).padStart(6, '0')}`;
      const id = existing?.id ?? randomUUID();
      const ts = now();
      const row = this.rowOf(d, { id, identifier, unitId: unit.id, state: opts.state, ts, createdAt: existing?.created_at ?? ts });
      // A discontinued dataset keeps the date it was last published (its notice says when it stopped).
      if (opts.state === 'discontinued') row.published_at = beforeBundle?.row.published_at ?? null;
      // Resource ids that stay the same keep their uuid, so links to /resources/{id} survive re-imports.
      const known = existing ? await repo.existingResourceIds(trx, id) : new Map<string, { id: string; created_at: string }>();
      const resourceRows: ResourceRow[] = d.resources.map((r, i) => {
        const resourceId = r.resourceId ?? `${identifier}-${String(i + 1).padStart(3, '0')}`;
        const prior = known.get(resourceId);
        return {
          id: prior?.id ?? randomUUID(),
          dataset_id: id,
          resource_id: resourceId,
          position: i,
          name: r.name,
          description: r.description,
          format: r.format,
          encoding: r.encoding,
          access_url: r.accessUrl,
          download_url: r.downloadUrl,
          modified: r.modified,
          metadata_source_url: r.metadataSourceUrl,
          number_of_data: r.numberOfData,
          created_at: prior?.created_at ?? ts,
          updated_at: ts,
        };
      });
      const dataset = this.toDataset(row, unit, resourceRows, d.keywords);
      row.search_text = searchTextOf(dataset);
      let seq: number;
      if (existing) {
        const { id: _id, created_at: _c, ...update } = row;
        await trx.updateTable('datasets').set(update).where('id', '=', id).execute();
        seq = existing.seq;
      } else {
        const inserted = await trx.insertInto('datasets').values(row).returning('seq').executeTakeFirstOrThrow();
        seq = Number(inserted.seq);
      }
      await repo.replaceResources(trx, id, resourceRows, !existing);
      await repo.replaceKeywords(trx, id, d.keywords, !existing);
      await writeIndex(trx, seq, isSearchable(dataset.state) ? buildIndexEntries(dataset) : null, !existing);
      await this.audit.record(trx, {
        actor: opts.actor ?? SYSTEM_ACTOR,
        action: existing ? 'dataset.update' : 'dataset.create',
        entityType: 'dataset',
        entityId: id,
        before: beforeBundle ? this.fromBundle(beforeBundle) : null,
        after: dataset,
      });
      return { dataset, created: !existing };
    };
    const result = opts.trx ? await work(opts.trx) : await this.db.kysely.transaction().execute(work);
    return { ...result, warnings };
  }

  private rowOf(
    d: NormalizedDataset,
    k: { id: string; identifier: string; unitId: string; state: DatasetState; ts: string; createdAt: string },
  ): DatasetFields {
    return {
      id: k.id,
      name: d.name ?? k.identifier.toLowerCase(),
      identifier: k.identifier,
      unit_id: k.unitId,
      state: k.state,
      provision_type: d.provisionType,
      category_code: d.categoryCode,
      title: d.title,
      title_en: d.titleEn,
      description: d.description,
      fields_json: JSON.stringify(d.fields),
      field_description_raw: d.fieldDescriptionRaw,
      dataset_type: d.datasetType,
      license_id: d.licenseId,
      license_url: d.licenseUrl,
      cost: d.cost,
      cost_url: d.costUrl,
      cost_law: d.costLaw,
      application_terms: d.applicationTerms,
      revocable: d.revocable ? 1 : 0,
      withholding_basis: d.withholdingBasis,
      organization_name: d.organizationName,
      organization_contact_name: d.organizationContactName,
      organization_contact_phone: d.organizationContactPhone,
      organization_contact_email: d.organizationContactEmail,
      publisher_name: d.publisherName ?? this.config.agency.title,
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
      notes: d.notes,
      data_attribute: d.dataAttribute,
      listing_method: d.listingMethod,
      quality_badge: d.qualityBadge,
      is_demo: d.isDemo ? 1 : 0,
      search_text: '',
      created_at: k.createdAt,
      updated_at: k.ts,
      published_at: k.state === 'published' ? k.ts : null,
    };
  }

  /**
   * A dataset by id, name or identifier: published and discontinued ones (the latter stay readable
   * with their notice) for everyone; the rest only with `includeNonPublic` (the caller checks the
   * policy); `trx` reads in the caller's transaction.
   */
  async get(ref: string, opts: { includeNonPublic?: boolean; trx?: Kysely<Database> } = {}): Promise<Dataset> {
    const b = await repo.findBundle(opts.trx ?? this.db.kysely, ref);
    if (!b || (!opts.includeNonPublic && !isSearchable(b.row.state))) throw notFound('dataset', '資料集', ref);
    return this.fromBundle(b);
  }

  /**
   * The input a dataset was saved from, read from the stored rows (relative URLs stay relative,
   * a 主要欄位說明 text that does not round-trip stays as written), so saving it again changes
   * nothing but what the caller changes — e.g. approval publishing a draft as it is.
   */
  async storedInput(ref: string, trx?: Kysely<Database>): Promise<DatasetInput> {
    const b = await repo.findBundle(trx ?? this.db.kysely, ref);
    if (!b) throw notFound('dataset', '資料集', ref);
    // The Dataset view minus what is derived for readers (ids, state, timestamps, licence title,
    // absolute URLs, rendered field text); the stored URLs and raw text go back in their place.
    const {
      id: _id, state: _state, unit, licenseTitle: _lt, createdAt: _c, updatedAt: _u, publishedAt: _p,
      fields, fieldDescription: _fd, resources, ...rest
    } = this.fromBundle(b);
    const raw = b.row.field_description_raw;
    return {
      ...rest,
      unit: unit.name,
      // A kept raw text is what the fields were parsed from; handing it back re-parses to the same fields.
      fields: raw ? [] : fields,
      fieldDescription: raw,
      resources: resources.map(({ id: _rid, position: _pos, url: _url, createdAt: _rc, updatedAt: _ru, ...r }, i) => ({
        ...r,
        accessUrl: b.resources[i].access_url,
        downloadUrl: b.resources[i].download_url,
      })),
    };
  }


  async getResource(id: string): Promise<{ dataset: Dataset; resource: Resource }> {
    const r = await this.db.kysely.selectFrom('resources').select(['dataset_id']).where((eb) => eb.or([eb('id', '=', id), eb('resource_id', '=', id)])).executeTakeFirst();
    if (!r) throw notFound('resource', '資料資源', id);
    const dataset = await this.get(r.dataset_id).catch(() => {
      throw notFound('resource', '資料資源', id);
    });
    const resource = dataset.resources.find((x) => x.id === id || x.resourceId === id);
    if (!resource) throw notFound('resource', '資料資源', id);
    return { dataset, resource };
  }

  async bySeqs(seqs: number[]): Promise<Dataset[]> {
    return (await repo.findBundlesBySeq(this.db.kysely, seqs)).map((b) => this.fromBundle(b));
  }

  /**
   * Public full-text search with facets. Published datasets only, unless the caller filters on
   * `state` (discontinued ones stay findable that way).
   */
  async search(p: SearchParams): Promise<SearchResult> {
    const { terms, phrases } = parseQuery(p.q ?? '');
    const statePicked = (p.filters ?? []).some(([f]) => f === 'state') || (p.anyOf ?? []).some(([f, v]) => f === 'state' && v.length > 0);
    const hits = await this.engine.search({
      terms,
      phrases,
      filters: statePicked ? (p.filters ?? []) : [...(p.filters ?? []), ['state', 'published']],
      anyOf: p.anyOf,
      sort: p.sort ?? (terms.length || phrases.length ? 'relevance' : 'modified_desc'),
      limit: p.limit ?? 20,
      offset: p.offset ?? 0,
      facetFields: p.facets ?? [],
    });
    const results = await this.bySeqs(hits.seqs);
    return { count: hits.count, results, facets: Object.fromEntries(hits.facets) };
  }

  /** Names of public datasets, for package_list. */
  async listNames(limit: number, offset: number): Promise<string[]> {
    const rows = await this.db.kysely.selectFrom('datasets').select('name').where('state', '=', 'published').orderBy('name').limit(limit).offset(offset).execute();
    return rows.map((r) => r.name);
  }

  async keywords(query: string | undefined, limit: number): Promise<string[]> {
    let q = this.db.kysely
      .selectFrom('search_facets')
      .select('value')
      .distinct()
      .where('facet', '=', 'keyword')
      // Keywords of published datasets only: a discontinued one's tags are no longer offered.
      .where('seq', 'in', (eb) => eb.selectFrom('search_facets as s').select('s.seq').where('s.facet', '=', 'state').where('s.value', '=', 'published'));
    if (query) {
      const pattern = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`lower(value) like ${pattern} escape '\\'`);
    }
    const rows = await q.orderBy('value').limit(limit).execute();
    return rows.map((r) => r.value);
  }

  /** Every public dataset in identifier order, a batch at a time (for exports). */
  async *published(batchSize = 500): AsyncGenerator<Dataset[]> {
    let after = '';
    for (;;) {
      const rows: Pick<DatasetRow, 'seq' | 'identifier'>[] = await this.db.kysely
        .selectFrom('datasets')
        .select(['seq', 'identifier'])
        .where('state', '=', 'published')
        .where('identifier', '>', after)
        .orderBy('identifier')
        .limit(batchSize)
        .execute();
      if (rows.length === 0) return;
      yield await this.bySeqs(rows.map((r) => r.seq));
      after = rows[rows.length - 1].identifier;
    }
  }

  async countPublished(): Promise<number> {
    const r = await this.db.kysely.selectFrom('datasets').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'published').executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Rebuilds the public search index from the datasets table. */
  async reindexAll(onProgress?: (done: number, total: number) => void): Promise<void> {
    const all = await this.db.kysely.selectFrom('datasets').select('seq').orderBy('seq').execute();
    for (let i = 0; i < all.length; i += 200) {
      const seqs = all.slice(i, i + 200).map((r) => r.seq);
      const batch = await repo.findBundlesBySeq(this.db.kysely, seqs);
      await this.db.kysely.transaction().execute(async (trx) => {
        const docs = [];
        for (const b of batch) {
          const d = this.fromBundle(b);
          const text = searchTextOf(d);
          if (text !== b.row.search_text) await trx.updateTable('datasets').set({ search_text: text }).where('seq', '=', b.row.seq).execute();
          docs.push({ seq: b.row.seq, entries: isSearchable(d.state) ? buildIndexEntries(d) : null });
        }
        await writeIndexBatch(trx, docs);
      });
      onProgress?.(Math.min(i + 200, all.length), all.length);
    }
  }
}
