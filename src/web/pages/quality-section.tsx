import { pickLang } from '../../i18n.ts';
import type { Dataset, Resource } from '../../modules/catalogue/catalogue.schemas.ts';
import type { Evidence, IndicatorResult } from '../../modules/quality/indicators.ts';
import { badgeLabel, indicatorLabel, triggerLabel, verdictLabel } from '../../modules/quality/labels.ts';
import type { DatasetQuality, ResourceQuality, ReviewQuality } from '../../modules/quality/quality-views.service.ts';
import type { QualityRun } from '../../modules/quality/quality.repository.ts';
import { zhPart } from '../components.tsx';
import type { PageCtx } from '../context.ts';
import { CsrfField } from './signin.tsx';
import { qualityWords, type QualityWords } from './quality-words.ts';

/** An id-safe form of a resource id, for anchors and field ids. */
export const qualityAnchor = (rid: string): string => rid.replace(/[^A-Za-z0-9_-]/g, '_');
/** The override form's reason box of a resource (the error summary links to it). */
export const overrideFieldId = (rid: string): string => `override-reason-${qualityAnchor(rid)}`;

const resourceName = (r: Pick<Resource, 'name' | 'description' | 'resourceId'>): string => r.name.trim() || r.description.trim() || r.resourceId;
/** Taipei date and time of an ISO instant, as people here read it. */
const taipei = (iso: string): string => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 16);
const RANK: Record<string, number> = { fail: 0, warn: 1, pass: 2, na: 3 };

/** The predicted badge, in words (the colour only repeats them). */
export function QualityBadge({ ctx, badge }: { ctx: PageCtx; badge: string }) {
  const w = qualityWords(ctx.lang);
  return <span class={`badge badge-quality quality-${/^[a-z]+$/.test(badge) ? badge : 'none'}`}>{w.badgeText(badgeLabel(badge, ctx.lang))}</span>;
}

export function VerdictBadge({ ctx, result }: { ctx: PageCtx; result: string }) {
  return <span class={`badge badge-verdict verdict-${/^[a-z]+$/.test(result) ? result : 'na'}`}>{verdictLabel(result, ctx.lang)}</span>;
}

/** One piece of evidence as a sentence: where, what, how often. */
function evidenceText(e: Evidence, w: QualityWords, lang: string): string {
  const parts = [
    e.row !== undefined ? w.ev.row(e.row) : '',
    e.line !== undefined ? w.ev.line(e.line) : '',
    e.column !== undefined ? w.ev.column(e.column) : '',
    e.sample !== undefined ? `${w.ev.sample}「${e.sample}」` : '',
    e.count !== undefined ? w.ev.count(e.count) : '',
    e.note ? pickLang(e.note, lang === 'en' ? 'en' : 'zh-TW') : '',
  ].filter(Boolean);
  return parts.join(lang === 'en' ? ', ' : '，');
}

function EvidenceList({ ctx, evidence }: { ctx: PageCtx; evidence: Evidence[] }) {
  const w = qualityWords(ctx.lang);
  if (evidence.length === 0) return null;
  return (
    <ul class="evidence">
      {evidence.map((e) => (
        <li lang={zhPart(ctx)}>{evidenceText(e, w, ctx.lang)}</li>
      ))}
    </ul>
  );
}

/** Each indicator's verdict and message (and, for staff, its evidence); `worstFirst` puts failures and warnings on top. */
function IndicatorTable({ ctx, name, indicators, staff, worstFirst }: { ctx: PageCtx; name: string; indicators: IndicatorResult[]; staff: boolean; worstFirst?: boolean }) {
  const w = qualityWords(ctx.lang);
  const rows = worstFirst ? [...indicators].sort((a, b) => (RANK[a.result] ?? 9) - (RANK[b.result] ?? 9)) : indicators;
  return (
    <div class="table-scroll">
      <table class="data quality-indicators">
        <caption>{w.indicatorsCaption(name)}</caption>
        <thead>
          <tr>
            <th scope="col">{w.indicator}</th>
            <th scope="col">{w.result}</th>
            <th scope="col">{w.message}</th>
            {staff ? <th scope="col">{w.evidence}</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr class={`verdict-row-${r.result}`}>
              <th scope="row">
                {indicatorLabel(r.id, ctx.lang)}
                <code class="field-name">{r.id}</code>
              </th>
              <td>
                <VerdictBadge ctx={ctx} result={r.result} />
              </td>
              <td class="wrap-anywhere" lang={ctx.lang === 'en' ? 'en' : 'zh-Hant-TW'}>
                {ctx.lang === 'en' ? r.en : r.zh}
              </td>
              {staff ? (
                <td class="wrap-anywhere">
                  <EvidenceList ctx={ctx} evidence={r.evidence} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Badge, date, file facts, what the next badge needs (staff), the indicators. */
function RunReport({ ctx, name, run, staff, worstFirst }: { ctx: PageCtx; name: string; run: QualityRun; staff: boolean; worstFirst?: boolean }) {
  const w = qualityWords(ctx.lang);
  return (
    <>
      <dl class="status-list quality-facts">
        <dt>{w.badge}</dt>
        <dd>
          <QualityBadge ctx={ctx} badge={run.badge} />
        </dd>
        <dt>{w.checkedAt}</dt>
        <dd>
          <time dateTime={run.checkedAt}>{staff ? taipei(run.checkedAt) : taipei(run.checkedAt).slice(0, 10)}</time>
          {staff ? ` · ${triggerLabel(run.trigger, ctx.lang)}` : ''}
        </dd>
        {staff && run.file ? (
          <>
            <dt>{w.file}</dt>
            <dd>{w.fileFacts(run.file.format, run.file.rows, run.file.encoding)}</dd>
          </>
        ) : null}
      </dl>
      {run.error ? (
        <p class="notice">
          {w.couldNotCheck}
          {staff ? `${ctx.m.colon}${run.error}` : ''}
        </p>
      ) : null}
      {staff ? (
        run.next ? (
          <div class="quality-next">
            <p>{w.next(badgeLabel(run.next.badge, ctx.lang))}</p>
            <ul>
              {run.next.missing.map((id) => (
                <li>{indicatorLabel(id, ctx.lang)}</li>
              ))}
            </ul>
          </div>
        ) : run.badge === 'platinum' ? (
          <p>{w.topBadge}</p>
        ) : null
      ) : null}
      {run.indicators.length > 0 ? <IndicatorTable ctx={ctx} name={name} indicators={run.indicators} staff={staff} worstFirst={worstFirst} /> : null}
    </>
  );
}

function HistoryTable({ ctx, name, rq }: { ctx: PageCtx; name: string; rq: ResourceQuality }) {
  const w = qualityWords(ctx.lang);
  const history = rq.history ?? [];
  if (history.length <= 1) return <p>{w.historyNone}</p>;
  return (
    <details class="quality-history">
      <summary>{`${w.history}（${history.length}）`}</summary>
      <div class="table-scroll">
        <table class="data">
          <caption>{w.historyCaption(name)}</caption>
          <thead>
            <tr>
              <th scope="col">{w.checkedAt}</th>
              <th scope="col">{w.trigger}</th>
              <th scope="col">{w.badge}</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr>
                <td>
                  <time dateTime={h.checkedAt}>{taipei(h.checkedAt)}</time>
                </td>
                <td>{triggerLabel(h.trigger, ctx.lang)}</td>
                <td>{h.error ? w.couldNotCheck : badgeLabel(h.badge, ctx.lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function CheckAgainForm({ ctx, d, rid, name, from }: { ctx: PageCtx; d: Dataset; rid: string; name: string; from: 'public' | 'manage' }) {
  const w = qualityWords(ctx.lang);
  return (
    <form method="post" action={ctx.href(`/manage/datasets/${encodeURIComponent(d.name)}/quality/check`)} class="inline-form">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="resourceId" value={rid} />
      <input type="hidden" name="from" value={from} />
      <button type="submit" class="button button-secondary">
        {w.checkAgain}
        <span class="visually-hidden">{w.checkAgainHidden(name)}</span>
      </button>
    </form>
  );
}

/** Pending / not checked, or the report. */
function ResourceQualityBody({ ctx, name, rq, staff, worstFirst }: { ctx: PageCtx; name: string; rq: ResourceQuality; staff: boolean; worstFirst?: boolean }) {
  const w = qualityWords(ctx.lang);
  return (
    <>
      {rq.pending ? (
        <p class="notice quality-pending">
          <span class="badge badge-load load-queued">{w.checking}</span> {w.checkingLong}
        </p>
      ) : null}
      {rq.run ? <RunReport ctx={ctx} name={name} run={rq.run} staff={staff} worstFirst={worstFirst} /> : !rq.pending ? <p>{w.notChecked}</p> : null}
    </>
  );
}

/**
 * The dataset page's quality section (public): per resource the predicted badge, the date and
 * each indicator's verdict and message; for the unit's people also the evidence, the next badge's
 * needs, the history and "check again".
 */
export function DatasetQualitySection({ ctx, d, q, queued }: { ctx: PageCtx; d: Dataset; q: DatasetQuality; queued?: boolean }) {
  const w = qualityWords(ctx.lang);
  const byId = new Map(q.resources.map((r) => [r.resourceId, r]));
  const anyRun = q.resources.some((r) => r.run || r.pending);
  return (
    <section aria-labelledby="quality">
      <h2 id="quality">{w.heading}</h2>
      <p>{w.lead}</p>
      {queued ? (
        <p class="notice notice-ok" role="status">
          {w.checkingLong}
        </p>
      ) : null}
      {!anyRun && !q.staff ? (
        <p>{w.notChecked}</p>
      ) : (
        d.resources.map((r) => {
          const rq = byId.get(r.resourceId) ?? { resourceId: r.resourceId, pending: false };
          const name = resourceName(r);
          return (
            <div class="quality-resource" id={`quality-${qualityAnchor(r.resourceId)}`}>
              <h3 lang={zhPart(ctx)}>{name}</h3>
              <ResourceQualityBody ctx={ctx} name={name} rq={rq} staff={q.staff} />
              {q.staff ? (
                <>
                  <HistoryTable ctx={ctx} name={name} rq={rq} />
                  {!rq.pending ? <CheckAgainForm ctx={ctx} d={d} rid={r.resourceId} name={name} from="public" /> : null}
                </>
              ) : null}
            </div>
          );
        })
      )}
      {q.staff ? <p class="hint">{w.staffOnly}</p> : null}
    </section>
  );
}

/** The override form's reason and error, when a post was refused. */
export interface OverrideFormState {
  resourceId: string;
  reason: string;
  error: string;
}

function OverrideForm({ ctx, d, rid, state }: { ctx: PageCtx; d: Dataset; rid: string; state?: OverrideFormState }) {
  const w = qualityWords(ctx.lang);
  const id = overrideFieldId(rid);
  const error = state?.resourceId === rid ? state.error : undefined;
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <section class="action-box quality-override" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{w.overrideHeading}</h3>
      <form method="post" action={ctx.href(`/manage/datasets/${encodeURIComponent(d.name)}/quality/override`)} class="form-stack" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="resourceId" value={rid} />
        <input type="hidden" name="indicator" value="personal_data" />
        <div class={`form-field${error ? ' has-error' : ''}`}>
          <label for={id}>{w.overrideReason}</label>
          <p id={`${id}-hint`} class="hint">
            {w.overrideLead}
          </p>
          {error ? (
            <p id={`${id}-error`} class="field-error">
              {error}
            </p>
          ) : null}
          <textarea id={id} name="reason" rows={3} required minLength={10} aria-describedby={describedBy} aria-invalid={error ? 'true' : undefined} value={state?.resourceId === rid ? state.reason : ''} />
        </div>
        <p>
          <button type="submit" class="button">
            {w.overrideButton}
          </button>
        </p>
      </form>
    </section>
  );
}

/** What blocks the approval, with the reason (shown above the approve button). */
export function QualityBlockers({ ctx, q }: { ctx: PageCtx; q: ReviewQuality }) {
  const w = qualityWords(ctx.lang);
  if (q.blockers.length === 0) return null;
  return (
    <div class="notice quality-blockers" role="note" aria-labelledby="quality-blockers-heading">
      <h3 id="quality-blockers-heading">{w.blockersHeading}</h3>
      <p>{w.blockersLead}</p>
      <ul>
        {q.blockers.map((b) => (
          <li>
            <a href={`#quality-${qualityAnchor(b.resourceId)}`}>{ctx.lang === 'en' ? b.en : b.zh}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The review screen's quality panel (beside the diff): each resource's newest report, failing and
 * warning indicators first, the overrides given, and the override form for who may give one.
 */
export function ReviewQualitySection({ ctx, d, q, overrideForm, ownSubmission }: { ctx: PageCtx; d: Dataset; q: ReviewQuality; overrideForm?: OverrideFormState; ownSubmission?: boolean }) {
  const w = qualityWords(ctx.lang);
  const byId = new Map(q.resources.map((r) => [r.resourceId, r]));
  // Runs of resources the dataset no longer (or not yet) lists are shown too: they may block approval.
  const listed = new Set(d.resources.map((r) => r.resourceId));
  const items = [...d.resources.map((r) => ({ rid: r.resourceId, name: resourceName(r), listed: true })), ...q.resources.filter((r) => !listed.has(r.resourceId)).map((r) => ({ rid: r.resourceId, name: r.resourceId, listed: false }))];
  return (
    <section aria-labelledby="quality">
      <h2 id="quality">{w.heading}</h2>
      <p>{w.reviewLead}</p>
      {items.map(({ rid, name, listed: inDataset }) => {
        const rq = byId.get(rid) ?? { resourceId: rid, pending: false };
        const run = rq.run;
        const personal = run?.indicators.find((x) => x.id === 'personal_data' && x.result === 'fail');
        const given = run ? q.overrides.filter((o) => o.runId === run.id && o.indicator === 'personal_data') : [];
        return (
          <div class="quality-resource" id={`quality-${qualityAnchor(rid)}`}>
            <h3 lang={zhPart(ctx)}>{name}</h3>
            <ResourceQualityBody ctx={ctx} name={name} rq={rq} staff worstFirst />
            {rq.pending && run ? <p class="hint">{w.pendingNote}</p> : null}
            {given.map((o) => (
              <p class="notice notice-ok">{w.overridden(o.decidedBy, taipei(o.decidedAt), o.reason)}</p>
            ))}
            {personal && given.length === 0 ? (
              q.canOverride ? <OverrideForm ctx={ctx} d={d} rid={rid} state={overrideForm} /> : ownSubmission ? <p class="notice">{w.overrideOwn}</p> : null
            ) : null}
            <HistoryTable ctx={ctx} name={name} rq={rq} />
            {!rq.pending && inDataset ? <CheckAgainForm ctx={ctx} d={d} rid={rid} name={name} from="manage" /> : null}
          </div>
        );
      })}
    </section>
  );
}
