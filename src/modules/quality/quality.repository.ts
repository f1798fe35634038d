import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import { BADGES, type Badge } from './badges.ts';
import { INDICATOR_IDS, type Evidence, type IndicatorId, type IndicatorResult, type Verdict } from './indicators.ts';
import type { FileFacts, QualityReport } from './engine.ts';

/** Why a check ran: a dataset submitted for review, a new version, the weekly link sweep, the half-yearly full check, or by hand. */
export const TRIGGERS = ['submission', 'version', 'links', 'full', 'manual'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** The half-year a date falls in, as the national evaluation counts them: 2026H1 (Jan–Jun), 2026H2. */
export const periodOf = (isoDate: string): string => `${isoDate.slice(0, 4)}H${Number(isoDate.slice(5, 7)) <= 6 ? 1 : 2}`;

export interface QualityRun {
  id: string;
  datasetId: string;
  unitId: string;
  resourceId: string;
  versionId: string | null;
  trigger: Trigger;
  period: string;
  checkedAt: string;
  badge: Badge;
  next: { badge: Badge; missing: IndicatorId[] } | null;
  file: FileFacts | null;
  error: string | null;
  indicators: IndicatorResult[];
}

/** Badge counts and failing-indicator counts of one half-year (and one unit, or the agency). */
export interface PeriodSummary {
  period: string;
  unitId: string | null;
  resources: number;
  badges: Record<Badge, number>;
  /** Resources failing each indicator. */
  failing: Partial<Record<IndicatorId, number>>;
}

/**
 * Quality runs and their results, kept as history (issue 5): the latest run per resource is what
 * pages show; the latest run per resource within each half-year is what reports compare.
 */
export class QualityRepository {
  constructor(private readonly k: Kysely<Database>) {}

  async record(run: { datasetId: string; unitId: string; resourceId: string; versionId: string | null; trigger: Trigger; checkedAt?: string }, outcome: QualityReport | { error: string }): Promise<QualityRun> {
    const checkedAt = run.checkedAt ?? ('checkedAt' in outcome ? outcome.checkedAt : new Date().toISOString());
    const id = randomUUID();
    const report = 'indicators' in outcome ? outcome : undefined;
    const row = {
      id,
      dataset_id: run.datasetId,
      unit_id: run.unitId,
      resource_id: run.resourceId,
      version_id: run.versionId,
      trigger: run.trigger,
      period: periodOf(taipeiIso(checkedAt)),
      checked_at: checkedAt,
      badge: report?.badge ?? 'none',
      next_badge: report?.next?.badge ?? null,
      missing_json: report?.next ? JSON.stringify(report.next.missing) : null,
      file_json: report?.file ? JSON.stringify(report.file) : null,
      error: 'error' in outcome ? outcome.error : null,
    };
    await this.k.transaction().execute(async (trx) => {
      await trx.insertInto('quality_runs').values(row).execute();
      for (const r of report?.indicators ?? []) {
        await trx
          .insertInto('quality_results')
          .values({ run_id: id, indicator: r.id, result: r.result, zh: r.zh, en: r.en, evidence_json: JSON.stringify(r.evidence), data_json: r.data ? JSON.stringify(r.data) : null })
          .execute();
      }
    });
    return toRun(row, report?.indicators ?? []);
  }

  async run(id: string): Promise<QualityRun | undefined> {
    const row = await this.k.selectFrom('quality_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.withResults([row]))[0] : undefined;
  }

  /**
   * The newest run of each resource the dataset lists now (a resource since removed no longer
   * counts), read without the rest of the history.
   */
  async latestForDataset(datasetId: string): Promise<QualityRun[]> {
    const rows = await this.k
      .selectFrom('quality_runs as q')
      .selectAll('q')
      .where('q.dataset_id', '=', datasetId)
      .where('q.resource_id', 'in', (eb) => eb.selectFrom('resources').select('resource_id').where('dataset_id', '=', datasetId))
      .where((w) =>
        w.not(
          w.exists(
            w
              .selectFrom('quality_runs as n')
              .select('n.id')
              .whereRef('n.resource_id', '=', 'q.resource_id')
              .where((eb) => eb.or([eb('n.checked_at', '>', eb.ref('q.checked_at')), eb.and([eb('n.checked_at', '=', eb.ref('q.checked_at')), eb('n.id', '>', eb.ref('q.id'))])])),
          ),
        ),
      )
      .orderBy('q.resource_id')
      .execute();
    return this.withResults(rows);
  }

  /** The newest run of one resource, with its results. */
  async latestForResource(resourceId: string): Promise<QualityRun | undefined> {
    const row = await this.k.selectFrom('quality_runs').selectAll().where('resource_id', '=', resourceId).orderBy('checked_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? (await this.withResults([row]))[0] : undefined;
  }

  /** Every run of a resource, newest first (without their results). */
  async history(resourceId: string, limit = 50): Promise<Omit<QualityRun, 'indicators'>[]> {
    const rows = await this.k.selectFrom('quality_runs').selectAll().where('resource_id', '=', resourceId).orderBy('checked_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => toRun(r, []));
  }

  /**
   * Per half-year (and per unit when `byUnit`), over each resource's latest run in that half-year:
   * how many resources hold each badge and how many fail each indicator. `unitId` narrows to one unit.
   */
  async summaries(opts: { unitId?: string; byUnit?: boolean; periods?: string[] } = {}): Promise<PeriodSummary[]> {
    let q = this.k.selectFrom('quality_runs').select(['id', 'resource_id', 'unit_id', 'period', 'badge', 'checked_at']).where('error', 'is', null);
    if (opts.unitId) q = q.where('unit_id', '=', opts.unitId);
    if (opts.periods?.length) q = q.where('period', 'in', opts.periods);
    const rows = await q.orderBy('checked_at', 'desc').orderBy('id', 'desc').execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const key = `${r.period}\u0000${r.resource_id}`;
      if (!latest.has(key)) latest.set(key, r);
    }
    const runs = [...latest.values()];
    const failing = new Map<string, Set<string>>();
    for (let i = 0; i < runs.length; i += 500) {
      const ids = runs.slice(i, i + 500).map((r) => r.id);
      const res = await this.k.selectFrom('quality_results').select(['run_id', 'indicator']).where('run_id', 'in', ids).where('result', '=', 'fail').execute();
      for (const r of res) failing.set(r.run_id, (failing.get(r.run_id) ?? new Set()).add(r.indicator));
    }
    const groups = new Map<string, PeriodSummary>();
    for (const r of runs) {
      const unitId = opts.byUnit ? r.unit_id : (opts.unitId ?? null);
      const key = `${r.period}\u0000${unitId ?? ''}`;
      const g = groups.get(key) ?? { period: r.period, unitId, resources: 0, badges: Object.fromEntries(BADGES.map((b) => [b, 0])) as Record<Badge, number>, failing: {} };
      g.resources++;
      g.badges[(BADGES as readonly string[]).includes(r.badge) ? (r.badge as Badge) : 'none']++;
      for (const id of failing.get(r.id) ?? []) if ((INDICATOR_IDS as readonly string[]).includes(id)) g.failing[id as IndicatorId] = (g.failing[id as IndicatorId] ?? 0) + 1;
      groups.set(key, g);
    }
    return [...groups.values()].sort((a, b) => a.period.localeCompare(b.period) || (a.unitId ?? '').localeCompare(b.unitId ?? ''));
  }

  async addOverride(o: { datasetId: string; runId: string; indicator: IndicatorId; reason: string; decidedBy: string }, trx: Kysely<Database> = this.k): Promise<string> {
    const id = randomUUID();
    await trx.insertInto('quality_overrides').values({ id, dataset_id: o.datasetId, run_id: o.runId, indicator: o.indicator, reason: o.reason, decided_by: o.decidedBy, decided_at: new Date().toISOString() }).execute();
    return id;
  }

  /** Overrides given for these runs (an override covers the run it was given on, not later ones). */
  async overridesFor(runIds: readonly string[]): Promise<{ runId: string; indicator: string; reason: string; decidedBy: string; decidedAt: string }[]> {
    if (runIds.length === 0) return [];
    const rows = await this.k.selectFrom('quality_overrides').selectAll().where('run_id', 'in', [...runIds]).execute();
    return rows.map((r) => ({ runId: r.run_id, indicator: r.indicator, reason: r.reason, decidedBy: r.decided_by, decidedAt: r.decided_at }));
  }

  private async withResults(rows: Database['quality_runs'][]): Promise<QualityRun[]> {
    if (rows.length === 0) return [];
    const results = await this.k.selectFrom('quality_results').selectAll().where('run_id', 'in', rows.map((r) => r.id)).execute();
    const byRun = new Map<string, IndicatorResult[]>();
    for (const r of results) {
      const list = byRun.get(r.run_id) ?? [];
      list.push({ id: r.indicator as IndicatorId, result: r.result as Verdict, zh: r.zh, en: r.en, evidence: JSON.parse(r.evidence_json) as Evidence[], ...(r.data_json ? { data: JSON.parse(r.data_json) as Record<string, unknown> } : {}) });
      byRun.set(r.run_id, list);
    }
    const order = (l: IndicatorResult[]) => l.sort((a, b) => INDICATOR_IDS.indexOf(a.id) - INDICATOR_IDS.indexOf(b.id));
    return rows.map((r) => toRun(r, order(byRun.get(r.id) ?? [])));
  }
}

/** The Taipei calendar date of an ISO instant (half-years turn at Taipei midnight). */
function taipeiIso(instant: string): string {
  return new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 10);
}

function toRun(r: Database['quality_runs'], indicators: IndicatorResult[]): QualityRun {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    unitId: r.unit_id,
    resourceId: r.resource_id,
    versionId: r.version_id,
    trigger: r.trigger as Trigger,
    period: r.period,
    checkedAt: r.checked_at,
    badge: r.badge as Badge,
    next: r.next_badge ? { badge: r.next_badge as Badge, missing: r.missing_json ? (JSON.parse(r.missing_json) as IndicatorId[]) : [] } : null,
    file: r.file_json ? (JSON.parse(r.file_json) as FileFacts) : null,
    error: r.error,
    indicators,
  };
}
