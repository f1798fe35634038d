import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { taipeiDate } from '../../time.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Dataset } from '../catalogue/catalogue.schemas.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { DatastoreService, VersionRow } from '../datastore/datastore.service.ts';
import type { JobService } from '../jobs/jobs.service.ts';
import { assertCan, can } from '../policy/policy.ts';
import type { FileStore } from '../storage/file-store.ts';
import type { User } from '../users/users.service.ts';
import { BADGE_LABELS, badgeAtLeast, datasetBadge, loadBadgeRules, predictBadge, type Badge, type BadgeRules } from './badges.ts';
import { lastUpdateOf } from './checks/dataset.ts';
import { checkLink } from './checks/link.ts';
import { checkFile, linkCheckOptions, reportWithoutFile, type DatasetContext, type QualityReport } from './engine.ts';
import { indicator, INDICATOR_IDS, type IndicatorId } from './indicators.ts';
import { QualityRepository, type QualityRun, type Trigger } from './quality.repository.ts';

export const QUALITY_JOB = 'quality.check';
export interface QualityJob {
  resourceId: string;
  trigger: Trigger;
}

/**
 * The quality engine as a service (issue 5): checks a resource — its newest uploaded version, or
 * the file its URL gives — with the dataset around it, and keeps every run as history. It runs
 * as a job at submission, after every new version's load, weekly on links and half-yearly in
 * full; the review gate asks it before publishing.
 */
export class QualityService {
  readonly repo: QualityRepository;
  readonly rules: BadgeRules;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly catalogue: CatalogueService,
    private readonly datastore: DatastoreService,
    private readonly files: FileStore,
    private readonly jobs: JobService,
    private readonly audit: AuditService,
  ) {
    this.repo = new QualityRepository(db.kysely);
    this.rules = loadBadgeRules(config.quality.badgeRulesFile);
  }

  /** Queues a check of every resource of a dataset (in the caller's transaction when given). */
  async enqueueDataset(datasetId: string, trigger: Trigger, trx: Kysely<Database> = this.db.kysely): Promise<number> {
    const rows = await trx.selectFrom('resources').select('resource_id').where('dataset_id', '=', datasetId).execute();
    for (const r of rows) await this.jobs.enqueue(QUALITY_JOB, { resourceId: r.resource_id, trigger } satisfies QualityJob, trx);
    return rows.length;
  }

  async enqueueResource(resourceId: string, trigger: Trigger): Promise<string> {
    return this.jobs.enqueue(QUALITY_JOB, { resourceId, trigger } satisfies QualityJob);
  }

  /**
   * Checks one resource now and records the run. The file: the newest uploaded version (stored
   * here, so linkable and downloadable hold by construction), else the resource's download or
   * access URL fetched (with the link checks). A resource with neither is recorded with what can
   * be said (metadata) and linkable failing.
   */
  async checkResource(resourceId: string, trigger: Trigger, opts: { asOf?: string } = {}): Promise<QualityRun> {
    const owner = await this.db.kysely.selectFrom('resources').select('dataset_id').where('resource_id', '=', resourceId).executeTakeFirst();
    if (!owner) throw new AppError('RESOURCE_NOT_FOUND', 404, `找不到資料資源 ${resourceId}`, `resource not found: ${resourceId}`);
    const dataset = await this.catalogue.get(owner.dataset_id, { includeNonPublic: true });
    const resource = dataset.resources.find((r) => r.resourceId === resourceId);
    if (!resource) throw new AppError('RESOURCE_NOT_FOUND', 404, `找不到資料資源 ${resourceId}`, `resource not found: ${resourceId}`);
    const context = await this.context(dataset, opts.asOf);
    const declared = { format: resource.format, encoding: resource.encoding, fields: dataset.fields };
    const base = { datasetId: dataset.id, unitId: dataset.unit.id, resourceId, trigger };
    const [version] = await this.datastore.versions(resourceId);
    const stored = version ? this.files.localPath(version.sha256) : undefined;
    if (version && stored) {
      const here = indicator('linkable', 'pass', '檔案存放於本平臺', 'the file is stored on this portal', [], { hosted: true });
      const report = await checkFile({
        path: stored,
        fileName: version.file_name,
        sha256: version.sha256,
        declared: { ...declared, header: version.header_rows },
        link: { linkable: here, downloadable: { ...here, id: 'downloadable', zh: '檔案可直接下載（本平臺）', en: 'the file downloads directly (this portal)' } },
        dataset: context,
        rules: this.rules,
      });
      return this.repo.record({ ...base, versionId: version.id }, report);
    }
    const url = resource.downloadUrl ?? resource.accessUrl;
    if (!url) {
      const none = indicator('linkable', 'fail', '資料資源沒有下載網址或存取網址', 'the resource has neither a download URL nor an access URL');
      return this.repo.record({ ...base, versionId: null }, reportWithoutFile([none, { ...none, id: 'downloadable' }], context, this.rules));
    }
    const tmpDir = path.join(this.config.dataDir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const link = await checkLink(url, { ...linkCheckOptions(this.config, this.allowPrivate(url)), tmpDir });
    const file = link.download?.path;
    if (!file) return this.repo.record({ ...base, versionId: null }, reportWithoutFile([link.linkable, link.downloadable], context, this.rules));
    try {
      const report = await checkFile({ path: file, fileName: link.download?.fileName, contentType: link.download?.contentType, declared, link: { linkable: link.linkable, downloadable: link.downloadable }, dataset: context, rules: this.rules });
      return await this.repo.record({ ...base, versionId: null }, report);
    } finally {
      await rm(file, { force: true });
    }
  }

  /**
   * The weekly link sweep of one resource: only linkable and downloadable are checked again (the
   * first bytes, no download); the other indicators are carried from the resource's last run and
   * the badge computed afresh. Resources stored here have nothing to sweep.
   */
  async sweepLink(resourceId: string): Promise<QualityRun | undefined> {
    const [version] = await this.datastore.versions(resourceId);
    if (version) return undefined;
    const owner = await this.db.kysely.selectFrom('resources').select(['dataset_id', 'download_url', 'access_url']).where('resource_id', '=', resourceId).executeTakeFirst();
    const url = owner?.download_url ?? owner?.access_url;
    if (!owner || !url) return undefined;
    const unit = await this.db.kysely.selectFrom('datasets').select('unit_id').where('id', '=', owner.dataset_id).executeTakeFirstOrThrow();
    const last = await this.repo.latestForResource(resourceId);
    const link = await checkLink(url, { ...linkCheckOptions(this.config, this.allowPrivate(url)), download: false });
    const carried = (last?.indicators ?? []).filter((r) => r.id !== 'linkable' && r.id !== 'downloadable');
    const indicators = INDICATOR_IDS.map((id) => (id === 'linkable' ? link.linkable : id === 'downloadable' ? link.downloadable : (carried.find((r) => r.id === id) ?? indicator(id, 'na', '尚未完整檢查', 'not fully checked yet', [], { notDeclared: true }))));
    const report: QualityReport = { ...predictBadge(indicators, this.rules), indicators, file: last?.file ?? undefined, checkedAt: new Date().toISOString() };
    return this.repo.record({ datasetId: owner.dataset_id, unitId: unit.unit_id, resourceId, versionId: null, trigger: 'links' }, report);
  }

  /**
   * Queues the checks that are due (issue 5: links weekly, everything half-yearly, both
   * configurable), for every resource of every published dataset: a full check when it has none,
   * or its last full one is older than KAIFANG_QUALITY_FULL_MONTHS; a link check when its file is
   * elsewhere and its last check of any kind is older than KAIFANG_QUALITY_LINK_DAYS. A resource
   * with a check already queued or running gets nothing more, so running this twice queues nothing
   * twice. Returns what it queued.
   */
  async scheduleDue(now: Date = new Date()): Promise<{ full: number; links: number }> {
    const k = this.db.kysely;
    const resources = await k
      .selectFrom('resources as r')
      .innerJoin('datasets as d', 'd.id', 'r.dataset_id')
      .select(['r.resource_id', 'r.download_url', 'r.access_url'])
      .where('d.state', '=', 'published')
      .execute();
    const lastAny = new Map<string, string>();
    const lastFull = new Map<string, string>();
    const runs = await k.selectFrom('quality_runs').select(['resource_id', 'trigger']).select((eb) => eb.fn.max('checked_at').as('at')).groupBy(['resource_id', 'trigger']).execute();
    for (const r of runs) {
      const at = String(r.at);
      if ((lastAny.get(r.resource_id) ?? '') < at) lastAny.set(r.resource_id, at);
      if (r.trigger !== 'links' && (lastFull.get(r.resource_id) ?? '') < at) lastFull.set(r.resource_id, at);
    }
    const pending = new Set(
      (await k.selectFrom('jobs').select('payload_json').where('kind', '=', QUALITY_JOB).where('state', 'in', ['queued', 'running']).execute()).map((j) => (JSON.parse(j.payload_json) as QualityJob).resourceId),
    );
    const stored = new Set((await k.selectFrom('resource_versions').select('resource_id').distinct().execute()).map((v) => v.resource_id));
    const fullBefore = new Date(now);
    fullBefore.setUTCMonth(fullBefore.getUTCMonth() - this.config.quality.fullMonths);
    const linksBefore = new Date(now.getTime() - this.config.quality.linkDays * 86_400_000).toISOString();
    let full = 0;
    let links = 0;
    for (const r of resources) {
      if (pending.has(r.resource_id)) continue;
      const lf = lastFull.get(r.resource_id);
      if (!lf || lf < fullBefore.toISOString()) {
        await this.enqueueResource(r.resource_id, 'full');
        full++;
      } else if (!stored.has(r.resource_id) && (r.download_url || r.access_url) && (lastAny.get(r.resource_id) ?? '') < linksBefore) {
        await this.enqueueResource(r.resource_id, 'links');
        links++;
      }
    }
    return { full, links };
  }

  /**
   * A dataset's quality as a caller may see it: the predicted badge of the dataset (its weakest
   * resource) and each resource's newest run. The public sees published datasets only, without
   * evidence (the samples stay with the unit); the unit's staff see everything.
   */
  async forDataset(user: User | null, ref: string): Promise<{ datasetId: string; badge: Badge; staff: boolean; resources: QualityRun[] }> {
    const staffView = user !== null && (await this.catalogue.get(ref, { includeNonPublic: true }).then((d) => can(user, 'dataset.read_nonpublic', { unit: d.unit.name }), () => false));
    const dataset = await this.catalogue.get(ref, { includeNonPublic: staffView });
    const runs = await this.repo.latestForDataset(dataset.id);
    const resources = staffView ? runs : runs.map((r) => ({ ...r, indicators: r.indicators.map((i) => ({ ...i, evidence: [] })) }));
    return { datasetId: dataset.id, badge: runs.length ? datasetBadge(runs.map((r) => r.badge)) : 'none', staff: staffView, resources };
  }

  /** Queues a check of one resource now, for whoever may edit or review the dataset. */
  async requestCheck(user: User, ref: string, resourceId: string): Promise<string> {
    const dataset = await this.catalogue.get(ref, { includeNonPublic: true });
    const target = { unit: dataset.unit.name };
    // Who may not see a non-public dataset is told it does not exist.
    if (!can(user, 'dataset.edit', target) && !can(user, 'dataset.approve', target)) assertCan(user, 'dataset.edit', target, { hidden: dataset.state !== 'published' });
    if (!dataset.resources.some((r) => r.resourceId === resourceId)) throw new AppError('RESOURCE_NOT_FOUND', 404, `資料集中沒有資料資源 ${resourceId}`, `The dataset has no resource ${resourceId}`);
    return this.enqueueResource(resourceId, 'manual');
  }

  /** The newest run of each resource of a dataset (what pages show). */
  async latest(datasetId: string): Promise<QualityRun[]> {
    return this.repo.latestForDataset(datasetId);
  }

  /**
   * What stands between a dataset and publication, in the approving transaction: a resource whose
   * newest check finds personal data without an override on that run, and — when configured — a
   * badge below the minimum. Checks still running do not block (they are shown as pending).
   */
  async blockers(datasetId: string, trx?: Kysely<Database>): Promise<{ zh: string; en: string; resourceId: string; runId: string; indicator: IndicatorId | 'badge' }[]> {
    // Inside the approving transaction when given (on SQLite its one connection is held by it).
    const repo = trx ? new QualityRepository(trx) : this.repo;
    const runs = await repo.latestForDataset(datasetId);
    const overrides = await repo.overridesFor(runs.map((r) => r.id));
    const out: { zh: string; en: string; resourceId: string; runId: string; indicator: IndicatorId | 'badge' }[] = [];
    for (const run of runs) {
      const personal = run.indicators.find((r) => r.id === 'personal_data');
      if (personal?.result === 'fail' && !overrides.some((o) => o.runId === run.id && o.indicator === 'personal_data')) {
        out.push({
          resourceId: run.resourceId,
          runId: run.id,
          indicator: 'personal_data',
          zh: `資料資源 ${run.resourceId} 含個人資料（${personal.zh}）：須去識別化後重新上傳，或由審查者說明理由後核准公開`,
          en: `resource ${run.resourceId} holds personal data (${personal.en}): anonymise it and upload it again, or a reviewer approves publishing with a stated reason`,
        });
      }
      const min = this.config.quality.minBadge;
      if (min !== 'none' && !badgeAtLeast(run.badge, min)) {
        out.push({
          resourceId: run.resourceId,
          runId: run.id,
          indicator: 'badge',
          zh: `資料資源 ${run.resourceId} 預估品質標章為「${BADGE_LABELS[run.badge].zh}」，低於發布所需的「${BADGE_LABELS[min].zh}」`,
          en: `resource ${run.resourceId} is predicted the ${BADGE_LABELS[run.badge].en} badge, below the ${BADGE_LABELS[min].en} needed to publish`,
        });
      }
    }
    return out;
  }

  /** Refuses the approval (409) while something blocks it. Called by the review gate inside its transaction. */
  async assertPublishable(datasetId: string, trx?: Kysely<Database>): Promise<void> {
    const b = await this.blockers(datasetId, trx);
    if (b.length) throw new AppError('QUALITY_BLOCKED', 409, b.map((x) => x.zh).join('；'), b.map((x) => x.en).join('; '), { quality: b.map((x) => `${x.zh} / ${x.en}`) });
  }

  /**
   * A reviewer's explicit decision to publish despite a failing indicator (personal data) on the
   * resource's newest run, with the reason, recorded in the audit trail. Never on one's own submission.
   */
  async override(user: User, datasetRef: string, resourceId: string, which: IndicatorId, reason: string): Promise<string> {
    const dataset = await this.catalogue.get(datasetRef, { includeNonPublic: true });
    const submittedBy = await this.db.kysely.selectFrom('datasets').select('submitted_by').where('id', '=', dataset.id).executeTakeFirst();
    assertCan(user, 'quality.override', { unit: dataset.unit.name, submittedBy: submittedBy?.submitted_by ?? null });
    const why = reason.trim();
    if (why.length < 10) throw new AppError('VALIDATION', 400, '請說明核准公開的理由（至少 10 字）', 'give the reason for publishing anyway (at least 10 characters)', { reason: ['必填 / required'] });
    const run = (await this.repo.latestForDataset(dataset.id)).find((r) => r.resourceId === resourceId);
    const failing = run?.indicators.find((r) => r.id === which && r.result === 'fail');
    if (!run || !failing) throw new AppError('NOTHING_TO_OVERRIDE', 409, `資料資源 ${resourceId} 的最新檢查沒有「${which}」未通過`, `the newest check of resource ${resourceId} does not fail "${which}"`);
    return this.audit.transaction(async (trx) => {
      const id = await this.repo.addOverride({ datasetId: dataset.id, runId: run.id, indicator: which, reason: why, decidedBy: user.id }, trx);
      await this.audit.record(trx, { actor: { id: user.id, label: user.email }, action: 'quality.override', entityType: 'dataset', entityId: dataset.id, before: { run: run.id, indicator: which, result: 'fail' }, after: { override: id, reason: why } });
      return id;
    });
  }

  /**
   * Private addresses are refused (SSRF guard) unless configured — except the portal's own: a
   * resource may point at a file this portal serves (the demo files, an intranet deployment).
   */
  private allowPrivate(url: string): boolean {
    if (this.config.quality.linkAllowPrivate) return true;
    try {
      return new URL(url).origin === new URL(this.config.baseUrl).origin;
    } catch {
      return false;
    }
  }

  /** The dataset around a resource, for the dataset-level indicators. */
  private async context(d: Dataset, asOf?: string): Promise<DatasetContext> {
    const input = await this.catalogue.storedInput(d.id);
    const columns = new Map<string, string[]>();
    for (const r of d.resources) {
      const v: VersionRow | undefined = await this.datastore.readyVersion(r.resourceId);
      if (v) columns.set(r.resourceId, (await this.datastore.columns(v.id)).map((c) => c.name));
    }
    return {
      input,
      resources: d.resources.map((r) => ({ name: r.name, columns: columns.get(r.resourceId) ?? null })),
      lastUpdate: lastUpdateOf([d.modified, ...d.resources.map((r) => r.modified)], d.updatedAt),
      asOf: asOf ?? taipeiDate(),
      graceDays: this.config.quality.graceDays,
    };
  }
}
