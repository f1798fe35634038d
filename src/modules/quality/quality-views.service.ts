import { AppError } from '../../errors.ts';
import type { Dataset } from '../catalogue/catalogue.schemas.ts';
import type { CatalogueService } from '../catalogue/catalogue.service.ts';
import type { DatastoreService } from '../datastore/datastore.service.ts';
import type { JobService } from '../jobs/jobs.service.ts';
import { assertCan, can } from '../policy/policy.ts';
import type { Unit, UnitsService } from '../units/units.service.ts';
import type { User, UsersService } from '../users/users.service.ts';
import type { IndicatorResult } from './indicators.ts';
import type { PeriodSummary, QualityRun } from './quality.repository.ts';
import { QUALITY_JOB, type QualityService } from './quality.service.ts';

/** A run's line in a resource's history. */
export type RunSummary = Omit<QualityRun, 'indicators'>;

/** What a page shows of one resource's quality. */
export interface ResourceQuality {
  resourceId: string;
  /** The newest run this viewer may see (the public: of a published file or of the URL). */
  run?: QualityRun;
  /** A check is queued or running. */
  pending: boolean;
  /** Staff only: every run, newest first. */
  history?: RunSummary[];
}

export interface DatasetQuality {
  /** The viewer holds a role in the dataset's unit (or reads every unit): evidence, history, "check again". */
  staff: boolean;
  resources: ResourceQuality[];
}

export interface Override {
  runId: string;
  indicator: string;
  reason: string;
  /** Who decided, by name. */
  decidedBy: string;
  decidedAt: string;
}

/** The review screen's quality part: each resource's newest run, what blocks approval, the overrides given. */
export interface ReviewQuality extends DatasetQuality {
  blockers: Awaited<ReturnType<QualityService['blockers']>>;
  overrides: Override[];
  /** The viewer may override a failing personal_data (a reviewer of the unit, not the submitter). */
  canOverride: boolean;
}

export interface UnitReport {
  unit: Unit;
  /** The units this user may see the report of (the unit select). */
  choices: Unit[];
  /** Per half-year, oldest first. */
  periods: PeriodSummary[];
}

export interface AgencyReport {
  periods: PeriodSummary[];
  /** One summary per half-year and unit. */
  byUnit: PeriodSummary[];
  units: Unit[];
}

/**
 * Who sees which quality results, and the actions behind the quality pages (issue 5): the public
 * sees verdicts and messages of published files; the people of a unit see the evidence, the
 * history and may check again; a unit's report is for the people of the unit, the agency's for
 * the admin, the head and the CIO. QualityService runs and records the checks; this decides.
 */
export class QualityViewsService {
  constructor(
    private readonly quality: QualityService,
    private readonly catalogue: CatalogueService,
    private readonly datastore: DatastoreService,
    private readonly jobs: JobService,
    private readonly units: UnitsService,
    private readonly users: UsersService,
  ) {}

  /** Holds a role in the unit, or reads every unit's non-public work (admin, head). */
  isStaff(user: User | null | undefined, unit: string): boolean {
    if (!user) return false;
    return user.roles.some((r) => r.unit === unit) || can(user, 'dataset.read_nonpublic', { unit });
  }

  /**
   * The quality section of a dataset's public page. The public sees each resource's newest run of
   * a published file (or of its URL) with verdicts and messages only; staff see the newest run
   * whatever it checked, with evidence and history.
   */
  async forDatasetPage(user: User | null | undefined, d: Dataset): Promise<DatasetQuality> {
    const staff = this.isStaff(user, d.unit.name);
    const latest = new Map((await this.quality.latest(d.id)).map((r) => [r.resourceId, r]));
    const resources = await Promise.all(
      d.resources.map(async (r): Promise<ResourceQuality> => {
        const pending = await this.pending(r.resourceId);
        if (staff) return { resourceId: r.resourceId, run: latest.get(r.resourceId), pending, history: await this.quality.repo.history(r.resourceId) };
        const run = await this.publicRun(r.resourceId, latest.get(r.resourceId));
        return { resourceId: r.resourceId, run: run ? redact(run) : undefined, pending };
      }),
    );
    return { staff, resources };
  }

  /** The review screen's part; the caller has checked that the user may see the dataset's non-public work. */
  async forReview(user: User, d: Dataset, submittedBy: string | null): Promise<ReviewQuality> {
    const runs = await this.quality.latest(d.id);
    const byResource = new Map(runs.map((r) => [r.resourceId, r]));
    const [blockers, given] = await Promise.all([this.quality.blockers(d.id), this.quality.repo.overridesFor(runs.map((r) => r.id))]);
    const names = await this.users.namesByIds(given.map((o) => o.decidedBy));
    const overrides = given.map((o) => ({ ...o, decidedBy: names.get(o.decidedBy) ?? o.decidedBy }));
    // The dataset's resources, and any other resource a run was recorded for (what blockers() also reads).
    const ids = [...new Set([...d.resources.map((r) => r.resourceId), ...runs.map((r) => r.resourceId)])];
    const resources = await Promise.all(ids.map(async (rid) => ({ resourceId: rid, run: byResource.get(rid), pending: await this.pending(rid), history: await this.quality.repo.history(rid, 10) })));
    return { staff: true, resources, blockers, overrides, canOverride: can(user, 'quality.override', { unit: d.unit.name, submittedBy }) };
  }

  /** "Check again": queues a manual check of one resource, for the people of its unit. */
  async checkAgain(user: User, datasetRef: string, resourceId: string): Promise<Dataset> {
    const d = await this.catalogue.get(datasetRef, { includeNonPublic: true });
    if (!this.isStaff(user, d.unit.name)) {
      // As elsewhere: who may not even read non-public work does not learn that a draft exists.
      assertCan(user, 'dataset.read_nonpublic', { unit: d.unit.name }, { hidden: d.state !== 'published' && d.state !== 'discontinued' });
    }
    if (!d.resources.some((r) => r.resourceId === resourceId)) throw new AppError('RESOURCE_NOT_FOUND', 404, `資料集中沒有資料資源 ${resourceId}`, `The dataset has no resource ${resourceId}`);
    if (!(await this.pending(resourceId))) await this.quality.enqueueResource(resourceId, 'manual');
    return d;
  }

  /** A unit's report: for who holds a role in it, and for who reads the agency's. `unitName` unset: the user's first unit. */
  async unitReport(user: User, unitName?: string): Promise<UnitReport> {
    const all = (await this.units.list()).filter((u) => u.kind !== 'external');
    const agency = can(user, 'quality.report_agency');
    const choices = agency ? all : all.filter((u) => user.roles.some((r) => r.unit === u.name));
    // The user's own unit first (the admin's is the open-data window), else the first offered.
    const name = unitName || choices.find((c) => user.roles.some((r) => r.unit === c.name))?.name || choices[0]?.name;
    if (!name) throw new AppError('FORBIDDEN', 403, '您不屬於任何單位，沒有可檢視的品質報告', 'You hold no role in a unit, so there is no quality report for you');
    const unit = await this.units.get(name);
    if (!choices.some((u) => u.id === unit.id)) {
      throw new AppError('FORBIDDEN', 403, `您沒有權限檢視單位 ${unit.name} 的品質報告`, `You are not allowed to read the quality report of unit ${unit.name}`);
    }
    return { unit, choices, periods: await this.quality.repo.summaries({ unitId: unit.id }) };
  }

  /** The agency's report: the admin, the head of agency and the CIO. */
  async agencyReport(user: User): Promise<AgencyReport> {
    assertCan(user, 'quality.report_agency');
    const [periods, byUnit, units] = await Promise.all([this.quality.repo.summaries(), this.quality.repo.summaries({ byUnit: true }), this.units.list({ includeExternal: true })]);
    return { periods, byUnit, units };
  }

  private async pending(resourceId: string): Promise<boolean> {
    const job = await this.jobs.latestFor(QUALITY_JOB, 'resourceId', resourceId);
    return job !== undefined && (job.state === 'queued' || job.state === 'running');
  }

  /** The newest run of a file the public can download: a published version, or the URL (no version). */
  private async publicRun(resourceId: string, latest: QualityRun | undefined): Promise<QualityRun | undefined> {
    if (!latest) return undefined;
    const published = new Set((await this.datastore.versions(resourceId)).filter((v) => v.published_at !== null).map((v) => v.id));
    const visible = (r: { versionId: string | null }) => r.versionId === null || published.has(r.versionId);
    if (visible(latest)) return latest;
    const older = (await this.quality.repo.history(resourceId)).find(visible);
    return older ? this.quality.repo.run(older.id) : undefined;
  }
}

/** The public's view of a run: verdicts and messages, no evidence, no figures, no file facts. */
function redact(run: QualityRun): QualityRun {
  const indicators: IndicatorResult[] = run.indicators.map((r) => ({ id: r.id, result: r.result, zh: r.zh, en: r.en, evidence: [] }));
  return { ...run, indicators, file: null, next: null, error: run.error ? 'error' : null };
}
