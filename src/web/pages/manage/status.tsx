import type { Dataset } from '../../../modules/catalogue/catalogue.schemas.ts';
import { licenceById, renderFieldDescription, type FieldDef } from '../../../modules/catalogue/national.ts';
import type { ReviewDiff, Submission } from '../../../modules/review/review.service.ts';
import { zhPart } from '../../components.tsx';
import type { PageCtx } from '../../context.ts';
import { categoryLabel, provisionLabel, unitTitle } from '../../format.ts';
import { Layout } from '../../layout.tsx';
import { CsrfField } from '../signin.tsx';
import { KIND_LABELS, type Notice, type Proposal } from '../../../modules/discontinuation/discontinuation.schemas.ts';
import { NoticeBox } from '../discontinued.tsx';
import { CopyBadge, manageHref, shortTime, StateBadge } from './common.tsx';
import { DATASET_FIELDS } from './dataset-form.tsx';
import { manageMessages } from './manage-messages.ts';
import { ErrorSummary } from './editor.tsx';
import { DataFileSection, uploadErrors, type DataFileView, type UploadFormState } from './resource.tsx';
import type { ReviewQuality } from '../../../modules/quality/quality-views.service.ts';
import { overrideFieldId, QualityBlockers, ReviewQualitySection, type OverrideFormState } from '../quality-section.tsx';
import { qualityWords } from '../quality-words.ts';

/** The discontinuation part of the status page: proposals of this dataset and what this user may do with them. */
export interface DiscontinuationView {
  /** The open proposal (one per dataset at most). */
  open?: Proposal;
  /** Decided or withdrawn proposals, newest first. */
  past: Proposal[];
  /** The published notice, once one was approved. */
  notice?: Notice;
  /** The user may propose (a contact of the unit, on a published dataset without an open proposal). */
  propose: boolean;
  /** The user may approve or reject the open proposal (the head; never their own). */
  decide: boolean;
  /** The user could decide, but proposed it themself. */
  ownProposal: boolean;
  /** The user proposed the open one and may withdraw it. */
  withdraw: boolean;
}

/** Which buttons this user gets (the services decide; these only hide what would be refused). */
export interface StatusActions {
  edit: boolean;
  submit: boolean;
  approve: boolean;
  return: boolean;
  /** The user could decide, but submitted this themself. */
  ownSubmission: boolean;
}

export interface StatusProps {
  ctx: PageCtx;
  dataset: Dataset;
  diff: ReviewDiff;
  submission: Submission;
  actions: StatusActions;
  /** `?done=` after an action: which one succeeded. */
  done?: string;
  /** A unit's title by name (the diff compares unit names). */
  unitTitle: (name: string) => string;
  /** The return form's comment and error, when a return without a comment was refused. */
  returnForm?: { comment: string; error: string };
  discontinuation: DiscontinuationView;
  /** The reject form's comment and error, when a rejection without a comment was refused. */
  rejectForm?: { comment: string; error: string };
  /** 資料檔: each resource's current version and upload form. */
  dataFiles: DataFileView[];
  /** The upload form's refusal, shown at its control. */
  uploadForm?: UploadFormState;
  /** 品質檢測: each resource's newest report, what blocks approval, overrides. */
  quality?: ReviewQuality;
  /** The override form's reason and error, when a post was refused. */
  overrideForm?: OverrideFormState;
  /** The approval refused by the quality gate (409): its message. */
  approveError?: string;
}

/** Labels of the compared fields (the stored form's keys) beyond the editor's own. */
const EXTRA_LABELS: Record<string, [string, string]> = {
  fields: ['主要欄位說明', 'Main fields'],
  fieldDescriptionRaw: ['主要欄位說明（原文）', 'Main fields (as written)'],
  resources: ['資料資源', 'Resources'],
  isDemo: ['示範資料', 'Demo data'],
  qualityBadge: ['品質檢測', 'Quality badge'],
};

function fieldLabel(key: string, en: boolean): string {
  const spec = DATASET_FIELDS.find((f) => f.key === key);
  if (spec) return en ? spec.en : spec.zh;
  const extra = EXTRA_LABELS[key];
  return extra ? extra[en ? 1 : 0] : key;
}

const isFieldDefs = (v: unknown[]): v is FieldDef[] => v.every((x) => x !== null && typeof x === 'object' && 'name' in x);

/** One compared value, readable: labels for codes, the national text for fields, a list for resources. */
function Value({ ctx, field, value, unitTitle }: { ctx: PageCtx; field: string; value: unknown; unitTitle: (name: string) => string }) {
  const mm = manageMessages(ctx.lang);
  const en = ctx.lang === 'en';
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return <span class="none">{mm.notGiven}</span>;
  if (typeof value === 'boolean') return <>{value ? mm.yes : mm.no}</>;
  if (typeof value === 'number') return <>{String(value)}</>;
  if (typeof value === 'string') {
    if (field === 'categoryCode') return <>{`${value} ${categoryLabel(value, ctx.lang)}`}</>;
    if (field === 'licenseId') {
      const l = licenceById(value);
      return <>{l ? `${en ? l.en : l.zh} (${value})` : value}</>;
    }
    if (field === 'provisionType') return <>{provisionLabel(value, ctx.lang)}</>;
    if (field === 'unit') return <>{`${unitTitle(value)} (${value})`}</>;
    return <span lang={zhPart(ctx)}>{value}</span>;
  }
  if (Array.isArray(value)) {
    if (field === 'resources') {
      return (
        <ul>
          {value.map((r) => {
            const x = (r ?? {}) as Record<string, unknown>;
            const s = (k: string): string => {
              const v = x[k];
              return typeof v === 'string' ? v : '';
            };
            return (
              <li lang={zhPart(ctx)}>
                {[s('resourceId'), s('name') !== s('description') ? s('name') : '', s('description')].filter(Boolean).join('：')}
                {`（${[s('format'), s('encoding')].filter(Boolean).join(', ')}）`}
                {s('downloadUrl') || s('accessUrl') ? <span class="url">{` ${s('downloadUrl') || s('accessUrl')}`}</span> : null}
              </li>
            );
          })}
        </ul>
      );
    }
    if (field === 'fields' && isFieldDefs(value)) return <span lang={zhPart(ctx)}>{renderFieldDescription(value)}</span>;
    return <span lang={zhPart(ctx)}>{value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('、')}</span>;
  }
  return <code>{JSON.stringify(value)}</code>;
}

/** A decision form with a comment box; `id` names the box (`comment-<id>`), `action` is where it posts. */
function CommentForm(props: { ctx: PageCtx; action: string; id: string; heading: string; button: string; label: string; required?: boolean; hint?: string; value?: string; error?: string }) {
  const { ctx } = props;
  const id = `comment-${props.id}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <section class="action-box" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>{props.heading}</h3>
      <form method="post" action={ctx.href(props.action)} class="form-stack" novalidate>
        <CsrfField ctx={ctx} />
        <div class={`form-field${props.error ? ' has-error' : ''}`}>
          <label for={id}>{props.label}</label>
          {props.hint ? (
            <p id={`${id}-hint`} class="hint">
              {props.hint}
            </p>
          ) : null}
          {props.error ? (
            <p id={`${id}-error`} class="field-error">
              {props.error}
            </p>
          ) : null}
          <textarea id={id} name="comment" rows={3} required={props.required} aria-describedby={describedBy} aria-invalid={props.error ? 'true' : undefined} value={props.value ?? ''} />
        </div>
        <p>
          <button type="submit" class="button">
            {props.button}
          </button>
        </p>
      </form>
    </section>
  );
}

/** One proposal's facts, as a definition list. */
function ProposalFacts({ ctx, p }: { ctx: PageCtx; p: Proposal }) {
  const mm = manageMessages(ctx.lang);
  return (
    <dl class="status-list">
      <dt>{mm.discKind}</dt>
      <dd>{ctx.lang === 'en' ? KIND_LABELS[p.kind].en : KIND_LABELS[p.kind].zh}</dd>
      <dt>{mm.discReasons}</dt>
      <dd class="comment" lang={zhPart(ctx)}>
        {p.reasons}
      </dd>
      <dt>{mm.discMeetingDate}</dt>
      <dd>
        <time dateTime={p.meetingDate}>{p.meetingDate}</time>
      </dd>
      <dt>{mm.discResolution}</dt>
      <dd class="comment" lang={zhPart(ctx)}>
        {p.resolution}
      </dd>
      {p.kind === 'to_on_application' ? (
        <>
          <dt>{mm.discTerms}</dt>
          <dd class="comment" lang={zhPart(ctx)}>
            {p.applicationTerms ?? mm.none}
          </dd>
          <dt>{mm.discRevocable}</dt>
          <dd>{p.revocable ? mm.yes : mm.no}</dd>
        </>
      ) : null}
      {p.kind === 'to_withheld' ? (
        <>
          <dt>{mm.discBasis}</dt>
          <dd lang={zhPart(ctx)}>{p.withholdingBasis ?? mm.none}</dd>
        </>
      ) : null}
      <dt>{mm.discProposer}</dt>
      <dd>{p.proposedBy.name}</dd>
      <dt>{mm.discProposedAt}</dt>
      <dd>{shortTime(p.proposedAt)}</dd>
    </dl>
  );
}

/** 停止提供或變更提供方式: the open proposal with the head's and the proposer's forms, the notice, earlier proposals. */
function DiscontinuationSection({ ctx, d, view, rejectForm }: { ctx: PageCtx; d: Dataset; view: DiscontinuationView; rejectForm?: { comment: string; error: string } }) {
  const mm = manageMessages(ctx.lang);
  const { open } = view;
  // Only where there is something to show: a published dataset, a proposal, or a notice.
  if (d.state !== 'published' && !open && !view.notice && view.past.length === 0) return null;
  return (
    <section aria-labelledby="disc-heading">
      <h2 id="disc-heading">{mm.discHeading}</h2>
      {view.notice ? (
        <>
          <NoticeBox ctx={ctx} n={view.notice} discontinued={d.state === 'discontinued'} />
          <p>
            <a href={ctx.href(`/datasets/${encodeURIComponent(d.name)}`)}>{mm.publicPage}</a>
            {' · '}
            <a href={ctx.href('/discontinued')}>{mm.noticesPage}</a>
          </p>
        </>
      ) : d.state === 'published' ? (
        <p>{mm.discLead}</p>
      ) : null}
      {view.propose ? (
        <p>
          <a class="button" href={ctx.href(manageHref(d.name, '/discontinue'))}>
            {mm.discPropose}
          </a>
        </p>
      ) : null}
      {open ? (
        <>
          <h3 id="disc-open-heading">
            {mm.discOpenHeading} <span class="badge badge-state state-submitted">{mm.discStates.proposed}</span>
          </h3>
          <ProposalFacts ctx={ctx} p={open} />
          {view.ownProposal ? <p class="notice">{mm.discOwnProposal}</p> : null}
          <div class="action-grid">
            {view.decide ? (
              <CommentForm ctx={ctx} action={`/manage/discontinuations/${encodeURIComponent(open.id)}/approve`} id="disc-approve" heading={mm.discApproveHeading} button={mm.discApprove} label={mm.commentOptional} />
            ) : null}
            {view.decide ? (
              <CommentForm
                ctx={ctx}
                action={`/manage/discontinuations/${encodeURIComponent(open.id)}/reject`}
                id="disc-reject"
                heading={mm.discRejectHeading}
                button={mm.discReject}
                label={mm.discRejectLabel}
                required
                hint={mm.discRejectHint}
                value={rejectForm?.comment}
                error={rejectForm?.error}
              />
            ) : null}
            {view.withdraw ? (
              <section class="action-box" aria-labelledby="disc-withdraw-heading">
                <h3 id="disc-withdraw-heading">{mm.discWithdrawHeading}</h3>
                <form method="post" action={ctx.href(`/manage/discontinuations/${encodeURIComponent(open.id)}/withdraw`)}>
                  <CsrfField ctx={ctx} />
                  <p>{mm.discWithdrawLead}</p>
                  <p>
                    <button type="submit" class="button button-secondary">
                      {mm.discWithdraw}
                    </button>
                  </p>
                </form>
              </section>
            ) : null}
          </div>
        </>
      ) : d.state === 'published' && !view.propose ? (
        <p>{mm.discNoneOpen}</p>
      ) : null}
      {view.past.length > 0 ? (
        <>
          <h3 id="disc-past-heading">{mm.discPastHeading}</h3>
          <div class="table-scroll">
            <table class="data" aria-labelledby="disc-past-heading">
              <thead>
                <tr>
                  <th scope="col">{mm.discProposedAt}</th>
                  <th scope="col">{mm.discKind}</th>
                  <th scope="col">{mm.discProposer}</th>
                  <th scope="col">{mm.discState}</th>
                  <th scope="col">{mm.discDecidedBy}</th>
                  <th scope="col">{mm.discDecision}</th>
                </tr>
              </thead>
              <tbody>
                {view.past.map((p) => (
                  <tr>
                    <td>{shortTime(p.proposedAt)}</td>
                    <td>{ctx.lang === 'en' ? KIND_LABELS[p.kind].en : KIND_LABELS[p.kind].zh}</td>
                    <td>{p.proposedBy.name}</td>
                    <td>{mm.discStates[p.state] ?? p.state}</td>
                    <td>{p.decidedBy ? `${p.decidedBy.name}（${shortTime(p.decidedAt)}）` : ''}</td>
                    <td class="comment">{p.decisionComment ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}

/** /manage/datasets/{name}: where the dataset stands, what changed, and the actions this user may take. */
export function StatusPage({ ctx, dataset: d, diff, submission, actions, done, returnForm, discontinuation, rejectForm, unitTitle: titleOf, dataFiles, uploadForm, quality, overrideForm, approveError }: StatusProps) {
  const mm = manageMessages(ctx.lang);
  const en = ctx.lang === 'en';
  const title = mm.statusTitle(d.title);
  const anyAction = actions.edit || actions.submit || actions.approve || actions.return;
  // Someone whose only actions are on a discontinuation finds them in its own section below.
  const discAction = discontinuation.propose || discontinuation.decide || discontinuation.withdraw;
  const showActions = anyAction || actions.ownSubmission || !discAction;
  const doneMessage = done ? mm.done[done] : undefined;
  return (
    <Layout ctx={ctx} title={title} nav="manage">
      <div class="container back-office manage">
        <p>
          <a href={ctx.href('/manage')}>{mm.backToDashboard}</a>
        </p>
        <h1 lang={zhPart(ctx)}>{d.title}</h1>
        {doneMessage ? (
          <p class="notice notice-ok" role="status">
            {doneMessage}
          </p>
        ) : null}
        {returnForm ? (
          <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">{mm.errorSummaryTitle(1)}</h2>
            <ul>
              <li>
                <a href="#comment-return">{`${mm.commentRequired}${ctx.m.colon}${returnForm.error}`}</a>
              </li>
            </ul>
          </div>
        ) : null}
        {rejectForm ? (
          <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
            <h2 id="error-summary-title">{mm.errorSummaryTitle(1)}</h2>
            <ul>
              <li>
                <a href="#comment-disc-reject">{`${mm.discRejectLabel}${ctx.m.colon}${rejectForm.error}`}</a>
              </li>
            </ul>
          </div>
        ) : null}
        {uploadForm ? <ErrorSummary ctx={ctx} errors={uploadErrors(ctx, dataFiles, uploadForm)} /> : null}
        {overrideForm ? <ErrorSummary ctx={ctx} errors={[{ id: overrideFieldId(overrideForm.resourceId), label: qualityWords(ctx.lang).overrideErrorLabel, message: overrideForm.error }]} /> : null}
        {approveError ? <ErrorSummary ctx={ctx} errors={[{ id: 'quality', label: mm.approveHeading, message: approveError }]} /> : null}
        <h2>{mm.statusHeading}</h2>
        <dl class="status-list">
          <dt>{mm.state}</dt>
          <dd>
            <StateBadge ctx={ctx} state={diff.state} />
            {diff.workingCopy ? (
              <>
                {' '}
                <CopyBadge ctx={ctx} state={diff.workingCopy.state} />
                <span class="visually-hidden">{mm.workingCopyLong(diff.workingCopy.version, mm.states[diff.workingCopy.state] ?? diff.workingCopy.state)}</span>
              </>
            ) : null}
          </dd>
          <dt>{mm.identifier}</dt>
          <dd>{d.identifier}</dd>
          <dt>{mm.unit}</dt>
          <dd>{unitTitle(d.unit, ctx.lang)}</dd>
          <dt>{mm.submittedBy}</dt>
          <dd>{submission.submittedBy ? `${submission.submittedBy.name}（${submission.submittedBy.email}）` : mm.none}</dd>
          <dt>{mm.submittedAt}</dt>
          <dd>{submission.submittedAt ? shortTime(submission.submittedAt) : mm.none}</dd>
          <dt>{mm.lastComment}</dt>
          <dd class="comment">{submission.comment ?? mm.none}</dd>
          {d.state === 'published' || d.state === 'discontinued' ? (
            <>
              <dt>{mm.publicPage}</dt>
              <dd>
                <a href={ctx.href(`/datasets/${encodeURIComponent(d.name)}`)}>{`${ctx.config.baseUrl}/datasets/${encodeURIComponent(d.name)}`}</a>
              </dd>
            </>
          ) : null}
        </dl>

        <h2 id="diff-heading">{mm.diffHeading}</h2>
        {diff.changes.length === 0 ? (
          <p>{mm.diffNoChanges}</p>
        ) : (
          <div class="table-scroll">
            <table class="data diff">
              <caption>{diff.against === 'published' ? mm.diffAgainstPublished : d.state === 'discontinued' || d.state === 'withheld' ? mm.diffStored : mm.diffAgainstNothing}</caption>
              <thead>
                <tr>
                  <th scope="col">{mm.diffField}</th>
                  {diff.against === 'published' ? <th scope="col">{mm.diffBefore}</th> : null}
                  <th scope="col">{diff.against === 'published' ? mm.diffAfter : mm.diffValue}</th>
                </tr>
              </thead>
              <tbody>
                {diff.changes.map((c) => (
                  <tr>
                    <th scope="row">{fieldLabel(c.field, en)}</th>
                    {diff.against === 'published' ? (
                      <td class="before">
                        <Value ctx={ctx} field={c.field} value={c.before} unitTitle={titleOf} />
                      </td>
                    ) : null}
                    <td class="after">
                      <Value ctx={ctx} field={c.field} value={c.after} unitTitle={titleOf} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        {quality ? <ReviewQualitySection ctx={ctx} d={d} q={quality} overrideForm={overrideForm} ownSubmission={actions.ownSubmission} /> : null}

        {showActions ? <h2>{mm.actionsHeading}</h2> : null}
        {quality ? <QualityBlockers ctx={ctx} q={quality} /> : null}
        {actions.ownSubmission ? <p class="notice">{mm.ownSubmission}</p> : null}
        {!anyAction && !discAction ? <p>{mm.noActions}</p> : null}
        {actions.edit ? (
          <p>
            <a class="button" href={ctx.href(manageHref(d.name, '/edit'))}>
              {mm.editDataset}
            </a>
          </p>
        ) : null}
        <div class="action-grid">
          {actions.submit ? <CommentForm ctx={ctx} action={manageHref(d.name, '/submit')} id="submit" heading={mm.submitHeading} button={mm.submit} label={mm.commentOptional} /> : null}
          {actions.approve ? <CommentForm ctx={ctx} action={manageHref(d.name, '/approve')} id="approve" heading={mm.approveHeading} button={mm.approve} label={mm.commentOptional} /> : null}
          {actions.return ? (
            <CommentForm ctx={ctx} action={manageHref(d.name, '/return')} id="return" heading={mm.returnHeading} button={mm.return} label={mm.commentRequired} required hint={mm.commentRequiredHint} value={returnForm?.comment} error={returnForm?.error} />
          ) : null}
        </div>

        <DataFileSection ctx={ctx} datasetName={d.name} files={dataFiles} uploadForm={uploadForm} />

        <DiscontinuationSection ctx={ctx} d={d} view={discontinuation} rejectForm={rejectForm} />
      </div>
    </Layout>
  );
}
