import { pickLang, type Lang } from '../../../i18n.ts';
import { DISCONTINUATION_KINDS, type DiscontinuationKind, type ProposeInput } from '../../../modules/discontinuation/discontinuation.schemas.ts';
import { zhPart } from '../../components.tsx';
import type { PageCtx } from '../../context.ts';
import { Layout } from '../../layout.tsx';
import { CsrfField } from '../signin.tsx';
import { manageHref } from './common.tsx';
import type { FieldError } from './dataset-form.tsx';
import { Control, ErrorSummary } from './editor.tsx';
import { manageMessages } from './manage-messages.ts';

/** The proposal form as entered: strings, as the controls hold them (`revocable` is "on" when ticked). */
export interface ProposalValues {
  kind: string;
  reasons: string;
  meetingDate: string;
  resolution: string;
  applicationTerms: string;
  revocable: string;
  withholdingBasis: string;
}

export const emptyProposal = (): ProposalValues => ({ kind: '', reasons: '', meetingDate: '', resolution: '', applicationTerms: '', revocable: '', withholdingBasis: '' });

const one = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Reads the posted form into values (anything else posted is ignored). */
export function readProposal(body: Record<string, unknown>): ProposalValues {
  return {
    kind: one(body.kind),
    reasons: one(body.reasons),
    meetingDate: one(body.meetingDate),
    resolution: one(body.resolution),
    applicationTerms: one(body.applicationTerms),
    revocable: one(body.revocable) === 'on' ? 'on' : '',
    withholdingBasis: one(body.withholdingBasis),
  };
}

const isKind = (k: string): k is DiscontinuationKind => (DISCONTINUATION_KINDS as readonly string[]).includes(k);

/** The element id of each control; the kind's errors link to its first radio button. */
export const proposalFieldId = (key: string): string => (key === 'kind' ? 'd-kind-stop' : `d-${key}`);
const LABEL_KEYS: Record<string, 'discKind' | 'discReasons' | 'discMeetingDate' | 'discResolution' | 'discTerms' | 'discRevocable' | 'discBasis'> = {
  kind: 'discKind',
  reasons: 'discReasons',
  meetingDate: 'discMeetingDate',
  resolution: 'discResolution',
  applicationTerms: 'discTerms',
  revocable: 'discRevocable',
  withholdingBasis: 'discBasis',
};

/**
 * Form values → the service's input, or the errors the form finds itself: no kind chosen (the
 * service cannot be asked without one), with the required texts in the clerk's words so that the
 * first answer lists every problem. Everything else is the service's to check.
 */
export function toProposal(v: ProposalValues): { input?: ProposeInput; errors: Record<string, string[]> } {
  const zh = manageMessages('zh-TW');
  const en = manageMessages('en');
  if (isKind(v.kind)) {
    return {
      input: {
        kind: v.kind,
        reasons: v.reasons,
        meetingDate: v.meetingDate,
        resolution: v.resolution,
        applicationTerms: v.applicationTerms.trim() ? v.applicationTerms : null,
        revocable: v.revocable === 'on',
        withholdingBasis: v.withholdingBasis.trim() ? v.withholdingBasis : null,
      },
      errors: {},
    };
  }
  const errors: Record<string, string[]> = { kind: [`${zh.discKindMissing} / ${en.discKindMissing}`] };
  for (const key of ['meetingDate', 'resolution', 'reasons'] as const) {
    if (!v[key].trim()) errors[key] = [`${zh.discFieldRequired(zh[LABEL_KEYS[key]])} / ${en.discFieldRequired(en[LABEL_KEYS[key]])}`];
  }
  return { errors };
}

/**
 * Service error details (`reasons`, `meetingDate`, `kind` …, messages "zh / en") → errors per
 * control. Details about no control (`dataset`: a proposal is open already; `state`: no longer
 * published) are told once, in the error's own words (`whole`).
 */
export function proposalErrors(details: Record<string, string[]>, lang: Lang, whole?: string): FieldError[] {
  const mm = manageMessages(lang);
  const out: FieldError[] = [];
  let toldWhole = false;
  for (const [key, messages] of Object.entries(details)) {
    const labelKey = LABEL_KEYS[key] as (typeof LABEL_KEYS)[string] | undefined;
    if (!labelKey && whole !== undefined) {
      if (!toldWhole) out.push({ id: null, label: mm.statusHeading, message: whole });
      toldWhole = true;
      continue;
    }
    for (const message of messages) out.push({ id: labelKey ? proposalFieldId(key) : null, label: labelKey ? mm[labelKey] : key, message: pickLang(message, lang) });
  }
  // In the order of the form (the summary is read top to bottom, as the page).
  const order = (e: FieldError) => (e.id === null ? -1 : FORM_ORDER.indexOf(e.id));
  return out.sort((a, b) => order(a) - order(b));
}
const FORM_ORDER = ['kind', 'meetingDate', 'resolution', 'reasons', 'applicationTerms', 'revocable', 'withholdingBasis'].map(proposalFieldId);

export interface ProposalPageProps {
  ctx: PageCtx;
  dataset: { name: string; title: string };
  values: ProposalValues;
  errors: FieldError[];
  /** A proposal is already open: the page says so instead of showing the form. */
  alreadyOpen?: boolean;
  /** The latest date the meeting may have been held (today in Taipei). */
  maxDate: string;
}

/** /manage/datasets/{name}/discontinue: the contact's proposal form; works without JavaScript. */
export function ProposalPage({ ctx, dataset, values, errors, alreadyOpen, maxDate }: ProposalPageProps) {
  const mm = manageMessages(ctx.lang);
  const title = mm.discFormTitle(dataset.title);
  const messagesFor = (key: string) => errors.filter((e) => e.id === proposalFieldId(key)).map((e) => e.message);
  const kindErrors = messagesFor('kind');
  const dateErrors = messagesFor('meetingDate');
  const dateDescribedBy = ['d-meetingDate-hint', dateErrors.length > 0 ? 'd-meetingDate-error' : ''].filter(Boolean).join(' ');
  const text = (key: 'reasons' | 'resolution' | 'applicationTerms' | 'withholdingBasis', label: string, hint: string, required: boolean) => (
    <Control ctx={ctx} id={proposalFieldId(key)} name={key} label={label} hint={hint} required={required} kind={key === 'withholdingBasis' ? 'text' : 'textarea'} value={values[key]} messages={messagesFor(key)} />
  );
  return (
    <Layout ctx={ctx} title={title} nav="manage">
      <div class="container back-office manage">
        <p>
          <a href={ctx.href(manageHref(dataset.name))}>{mm.discToStatus}</a>
        </p>
        <h1 lang={zhPart(ctx)}>{title}</h1>
        <ErrorSummary ctx={ctx} errors={errors} />
        {alreadyOpen ? (
          <p class="notice">{mm.discOpenAlready}</p>
        ) : (
          <>
            <p>{mm.discFormLead}</p>
            <form method="post" action={ctx.href(manageHref(dataset.name, '/discontinue'))} class="form-stack" novalidate>
              <CsrfField ctx={ctx} />
              <fieldset id="d-kind" class={kindErrors.length > 0 ? 'has-error' : undefined} aria-describedby={kindErrors.length > 0 ? 'd-kind-error' : undefined}>
                <legend>
                  {mm.discKindLegend} <span class="req">{`（${mm.required}）`}</span>
                </legend>
                {kindErrors.length > 0 ? (
                  <p id="d-kind-error" class="field-error">
                    {kindErrors.join(' ')}
                  </p>
                ) : null}
                {DISCONTINUATION_KINDS.map((k) => (
                  <div class="radio">
                    <input type="radio" id={`d-kind-${k}`} name="kind" value={k} checked={values.kind === k} aria-describedby={`d-kind-${k}-hint`} />{' '}
                    <label for={`d-kind-${k}`}>{mm.discKinds[k]}</label>
                    <p id={`d-kind-${k}-hint`} class="hint">
                      {mm.discKindHints[k]}
                    </p>
                  </div>
                ))}
              </fieldset>
              <fieldset id="d-meeting">
                <legend>{mm.discMeetingLegend}</legend>
                <div class={`form-field${dateErrors.length > 0 ? ' has-error' : ''}`}>
                  <label for="d-meetingDate">
                    {mm.discMeetingDate} <span class="req">{`（${mm.required}）`}</span>
                  </label>
                  <p id="d-meetingDate-hint" class="hint">
                    {mm.discMeetingDateHint}
                  </p>
                  {dateErrors.length > 0 ? (
                    <p id="d-meetingDate-error" class="field-error">
                      {dateErrors.join(' ')}
                    </p>
                  ) : null}
                  {/* A date input needs no script; browsers without one show a text box taking YYYY-MM-DD. */}
                  <input type="date" id="d-meetingDate" name="meetingDate" value={values.meetingDate} max={maxDate} required aria-describedby={dateDescribedBy} aria-invalid={dateErrors.length > 0 ? 'true' : undefined} />
                </div>
                {text('resolution', mm.discResolution, mm.discResolutionHint, true)}
                {text('reasons', mm.discReasons, mm.discReasonsHint, true)}
              </fieldset>
              <fieldset id="d-on-application">
                <legend>{mm.discOnApplicationLegend}</legend>
                {text('applicationTerms', mm.discTerms, mm.discTermsHint, false)}
                <p class="checkbox">
                  <input type="checkbox" id="d-revocable" name="revocable" checked={values.revocable === 'on'} />{' '}
                  <label for="d-revocable">{mm.discRevocableLabel}</label>
                </p>
              </fieldset>
              <fieldset id="d-withheld">
                <legend>{mm.discWithheldLegend}</legend>
                {text('withholdingBasis', mm.discBasis, mm.discBasisHint, false)}
              </fieldset>
              <div class="actions">
                <button type="submit" class="button">
                  {mm.discSubmit}
                </button>
                <a class="button button-secondary" href={ctx.href(manageHref(dataset.name))}>
                  {mm.cancel}
                </a>
              </div>
            </form>
          </>
        )}
      </div>
    </Layout>
  );
}
