import type { JSX } from 'preact';
import { COLUMN_TYPES } from '../../../modules/ingest/infer.ts';
import type { ReadIssue } from '../../../modules/ingest/table.ts';
import { formatBytes } from '../../../modules/storage/file-store.ts';
import { zhPart } from '../../components.tsx';
import type { PageCtx } from '../../context.ts';
import { Layout } from '../../layout.tsx';
import { CsrfField } from '../signin.tsx';
import { manageHref, shortTime } from './common.tsx';
import type { FieldError } from './dataset-form.tsx';
import { ErrorSummary } from './editor.tsx';
import { manageMessages, type ManageMessages } from './manage-messages.ts';

/** The encodings a clerk may declare on the upload form ('' = let the bytes decide); the loader reads each. */
export const DECLARABLE_ENCODINGS = ['', 'UTF-8', 'Big5', 'CP950', 'UTF-16', 'GB18030', 'ISO-8859-1'] as const;

/** One uploaded version, as the back office shows it. */
export interface VersionView {
  version: number;
  fileName: string;
  size: number;
  format: string;
  uploadedBy: string | null;
  uploadedAt: string;
  encodingDeclared: string | null;
  encodingDetected: string | null;
  /** none | queued | loading | ready | failed */
  state: string;
  rows: number | null;
  /** Why the load failed (or why a reload with new types was refused), "zh / en". */
  error: string | null;
  published: boolean;
  issues: ReadIssue[];
  /** The UTF-8 copy published beside a text original in another encoding. */
  hasUtf8Copy: boolean;
  /** The header lines the contact gave ("4-6"). */
  headerRows: string | null;
}

/** The background load of a version, from its job. */
export interface ProgressView {
  version: number;
  /** queued | running | done | failed */
  state: string;
  phase: string | null;
  rows: number | null;
  attempts: number;
  error: string | null;
}

/** One resource's data file on the status page. */
export interface DataFileView {
  resourceId: string;
  label: string;
  /** The newest version, if any was uploaded. */
  current?: VersionView;
  versions: number;
  /** The user may upload (UploadService.check said so); the form is hidden otherwise. */
  canUpload: boolean;
}

/** The upload form of one resource after a refusal: what was chosen, and why it was refused. */
export interface UploadFormState {
  resourceId: string;
  encoding: string;
  /** The header lines as typed ("4-6"). */
  header?: string;
  field: 'file' | 'encoding' | 'header';
  message: string;
}

/** One column of the dictionary form: as stored, or as the clerk typed it. */
export interface DictionaryRow {
  name: string;
  inferredType: string;
  type: string;
  title: string;
  description: string;
  unit: string;
  /** One `code=meaning` per line. */
  codes: string;
}

export interface DictionaryView {
  /** The version whose table the dictionary describes (the newest ready one). */
  version: number;
  rows: DictionaryRow[];
  canEdit: boolean;
}

export const dictionaryFieldId = (i: number, key: string): string => `col-${i}-${key}`;
export const dictionaryFieldName = (i: number, key: string): string => `c${i}.${key}`;

/** "zh / en (line 3)" → the page language's part, keeping where it happened. */
export function messageIn(message: string, lang: PageCtx['lang']): string {
  const at = / \(((?:sheet [^,)]+|line \d+|column [^,)]+)(?:, (?:sheet [^,)]+|line \d+|column [^,)]+))*)\)$/.exec(message);
  const body = at ? message.slice(0, at.index) : message;
  const i = body.indexOf(' / ');
  const text = i < 0 ? body : lang === 'en' ? body.slice(i + 3) : body.slice(0, i);
  if (!at) return text;
  if (lang === 'en') return `${text} (${at[1]})`;
  const zhAt = at[1]
    .split(', ')
    .map((p) => p.replace(/^sheet (.+)$/, '工作表「$1」').replace(/^line (\d+)$/, '第 $1 行').replace(/^column (.+)$/, '欄「$1」'))
    .join('、');
  return `${text}（${zhAt}）`;
}

function where(mm: ManageMessages, issue: ReadIssue): string {
  return [issue.sheet !== undefined ? mm.df.atSheet(issue.sheet) : '', issue.line !== undefined ? mm.df.atLine(issue.line) : '', issue.column !== undefined ? mm.df.atColumn(issue.column) : '']
    .filter(Boolean)
    .join(mm.df.listSep);
}

const encodingLabel = (mm: ManageMessages, e: string): string => mm.df.encodings[e] ?? e;

/** Detected next to declared, with a warning sign when they differ. */
function Encodings({ ctx, v }: { ctx: PageCtx; v: VersionView }) {
  const mm = manageMessages(ctx.lang);
  return (
    <>
      {mm.df.detected}
      {ctx.m.colon}
      {v.encodingDetected ?? (v.state === 'ready' ? mm.df.notText : mm.df.notYet)}
      {mm.df.listSep}
      {mm.df.declared}
      {ctx.m.colon}
      {v.encodingDeclared ?? mm.df.auto}
    </>
  );
}

/** The datastore state of a version in words: rows when loaded, the reason when it failed. */
function StateText({ ctx, v, rows = true }: { ctx: PageCtx; v: VersionView; rows?: boolean }) {
  const mm = manageMessages(ctx.lang);
  const label = mm.df.states[v.state] ?? v.state;
  return (
    <>
      <span class={`badge badge-load load-${/^[a-z]+$/.test(v.state) ? v.state : 'other'}`}>{label}</span>
      {rows && v.state === 'ready' && v.rows !== null ? ` ${mm.df.rowsCount(v.rows)}` : ''}
    </>
  );
}

/** The upload form of one resource (index `i` keeps ids unique on the status page). */
export function UploadForm({ ctx, datasetName, resourceId, i, state }: { ctx: PageCtx; datasetName: string; resourceId: string; i: number; state?: UploadFormState }) {
  const mm = manageMessages(ctx.lang);
  const fileId = `upload-${i}-file`;
  const encId = `upload-${i}-encoding`;
  const headerId = `upload-${i}-header`;
  const err = (f: UploadFormState['field']) => (state && state.field === f ? state.message : undefined);
  const field = (id: string, f: UploadFormState['field'], label: string, hint: string, control: (describedBy: string, invalid: 'true' | undefined) => JSX.Element) => {
    const e = err(f);
    const describedBy = [`${id}-hint`, e ? `${id}-error` : ''].filter(Boolean).join(' ');
    return (
      <div class={`form-field${e ? ' has-error' : ''}`}>
        <label for={id}>{label}</label>
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
        {e ? (
          <p id={`${id}-error`} class="field-error">
            {e}
          </p>
        ) : null}
        {control(describedBy, e ? 'true' : undefined)}
      </div>
    );
  };
  return (
    <form method="post" action={ctx.href(manageHref(datasetName, `/resources/${encodeURIComponent(resourceId)}/upload`))} enctype="multipart/form-data" class="form-stack upload-form" novalidate>
      {/* The token comes before the file: the server checks it before a byte of the file is stored. */}
      <CsrfField ctx={ctx} />
      <fieldset>
        <legend>{mm.df.uploadHeading}</legend>
        {field(encId, 'encoding', mm.df.encodingLabel, mm.df.encodingHint, (describedBy, invalid) => (
          <select id={encId} name="encoding" aria-describedby={describedBy} aria-invalid={invalid}>
            {DECLARABLE_ENCODINGS.map((e) => (
              <option value={e} selected={(state?.encoding ?? '') === e}>
                {encodingLabel(mm, e)}
              </option>
            ))}
          </select>
        ))}
        {field(headerId, 'header', mm.df.headerLabel, mm.df.headerHint, (describedBy, invalid) => (
          <input type="text" id={headerId} name="header" inputmode="numeric" size={8} maxlength={20} value={state?.header ?? ''} aria-describedby={describedBy} aria-invalid={invalid} />
        ))}
        {field(fileId, 'file', mm.df.fileLabel, mm.df.fileHint(formatBytes(ctx.config.uploadMaxBytes)), (describedBy, invalid) => (
          <input type="file" id={fileId} name="file" aria-describedby={describedBy} aria-invalid={invalid} />
        ))}
        <p>
          <button type="submit" class="button">
            {mm.df.upload}
          </button>
        </p>
      </fieldset>
    </form>
  );
}

/** 資料檔 Data file: per resource, the current version and (for who may) the upload form. On the status page. */
export function DataFileSection({ ctx, datasetName, files, uploadForm }: { ctx: PageCtx; datasetName: string; files: DataFileView[]; uploadForm?: UploadFormState }) {
  const mm = manageMessages(ctx.lang);
  if (files.length === 0) return null;
  return (
    <section aria-labelledby="data-file-heading" class="data-files">
      <h2 id="data-file-heading">{mm.df.heading}</h2>
      <p>{mm.df.lead}</p>
      {files.map((f, i) => {
        const v = f.current;
        const page = ctx.href(manageHref(datasetName, `/resources/${encodeURIComponent(f.resourceId)}`));
        return (
          <section class="data-file" id={`data-file-${i}`} aria-labelledby={`data-file-${i}-heading`}>
            <h3 id={`data-file-${i}-heading`} lang={zhPart(ctx)}>
              {f.label}
              <span class="resource-id">{` ${f.resourceId}`}</span>
            </h3>
            {v ? (
              <dl class="status-list">
                <dt>{mm.df.currentVersion}</dt>
                <dd>{mm.df.versionOf(v.version, f.versions)}</dd>
                <dt>{mm.df.file}</dt>
                <dd>
                  <span class="file-name">{v.fileName}</span>
                  {`（${formatBytes(v.size)}${mm.df.listSep}${v.format}）`}
                </dd>
                <dt>{mm.df.uploaded}</dt>
                <dd>{`${v.uploadedBy ?? mm.none}${mm.df.listSep}${shortTime(v.uploadedAt)}`}</dd>
                <dt>{mm.df.encoding}</dt>
                <dd>
                  <Encodings ctx={ctx} v={v} />
                </dd>
                <dt>{mm.df.datastore}</dt>
                <dd>
                  <StateText ctx={ctx} v={v} />
                  {v.error ? <p class="load-error">{messageIn(v.error, ctx.lang)}</p> : null}
                </dd>
                <dt>{mm.df.publication}</dt>
                <dd>{v.published ? mm.df.published : mm.df.waiting}</dd>
              </dl>
            ) : (
              <p>{mm.df.noVersion}</p>
            )}
            <p>
              <a href={page}>{mm.df.toResource(f.label)}</a>
            </p>
            {f.canUpload ? <UploadForm ctx={ctx} datasetName={datasetName} resourceId={f.resourceId} i={i} state={uploadForm?.resourceId === f.resourceId ? uploadForm : undefined} /> : null}
          </section>
        );
      })}
    </section>
  );
}

/** The upload refusal as the error summary's one entry, linking to the control. */
export function uploadErrors(ctx: PageCtx, files: DataFileView[], state: UploadFormState): FieldError[] {
  const mm = manageMessages(ctx.lang);
  const i = files.findIndex((f) => f.resourceId === state.resourceId);
  // A link to the control only where the form is shown (not to someone the service refused).
  const id = i < 0 || !files[i].canUpload ? null : `upload-${i}-${state.field}`;
  const label = state.field === 'file' ? mm.df.fileLabel : state.field === 'header' ? mm.df.headerLabel : mm.df.encodingLabel;
  return [{ id, label, message: state.message }];
}

export interface ResourcePageProps {
  ctx: PageCtx;
  dataset: { name: string; title: string };
  resource: { resourceId: string; label: string };
  versions: VersionView[];
  /** The load or reload under way, if any. */
  progress?: ProgressView;
  /** The user asked the page to refresh itself while the load runs. */
  follow: boolean;
  dictionary?: DictionaryView;
  canUpload: boolean;
  errors: FieldError[];
  /** Messages at the dictionary form's controls, by control id (col-<i>-type …; col-<i>-set for the column as a whole). */
  columnErrors: Record<string, string[]>;
  done?: string;
}

function ProgressBox({ ctx, p, follow, selfHref }: { ctx: PageCtx; p: ProgressView; follow: boolean; selfHref: string }) {
  const mm = manageMessages(ctx.lang);
  const phase = p.phase ? (mm.df.phases[p.phase] ?? p.phase) : null;
  return (
    <section class="notice load-progress" aria-labelledby="progress-heading">
      <h2 id="progress-heading">{mm.df.progressHeading(p.version)}</h2>
      <p role="status">
        {p.state === 'queued' ? (p.attempts > 0 ? mm.df.retrying(p.attempts) : mm.df.queued) : mm.df.running(phase ?? mm.df.phases.reading, p.rows ?? 0)}
      </p>
      {p.error ? <p class="load-error">{messageIn(p.error, ctx.lang)}</p> : null}
      <p>
        <a href={selfHref}>{mm.df.refresh}</a>
        {' · '}
        {follow ? <a href={selfHref}>{mm.df.stopFollowing}</a> : <a href={`${selfHref}${selfHref.includes('?') ? '&' : '?'}follow=1`}>{mm.df.follow}</a>}
      </p>
    </section>
  );
}

function IssuesList({ ctx, v }: { ctx: PageCtx; v: VersionView }) {
  const mm = manageMessages(ctx.lang);
  if (v.issues.length === 0) return <p>{mm.df.noIssues}</p>;
  return (
    <ul class="read-issues">
      {v.issues.map((issue) => {
        const at = where(mm, issue);
        return (
          <li class={`issue issue-${issue.level === 'error' ? 'error' : 'warning'}`}>
            <strong>{issue.level === 'error' ? mm.df.issueError : mm.df.issueWarning}</strong>
            {ctx.m.colon}
            {at ? `${at}${ctx.m.colon}` : ''}
            <span lang={ctx.lang === 'en' ? 'en' : undefined}>{ctx.lang === 'en' ? issue.en : issue.zh}</span>
          </li>
        );
      })}
    </ul>
  );
}

function typeLabel(mm: ManageMessages, t: string): string {
  return mm.df.types[t] ?? t;
}

/** The dictionary: a form for who may edit it, a table for everyone else. */
function DictionaryForm({ ctx, dataset, resource, d, columnErrors }: { ctx: PageCtx; dataset: { name: string }; resource: { resourceId: string }; d: DictionaryView; columnErrors: Record<string, string[]> }) {
  const mm = manageMessages(ctx.lang);
  if (!d.canEdit) {
    return (
      <div class="table-scroll">
        <table class="data">
          <caption>{mm.df.dictionaryCaption(d.version)}</caption>
          <thead>
            <tr>
              <th scope="col">{mm.df.colName}</th>
              <th scope="col">{mm.df.colType}</th>
              <th scope="col">{mm.df.colTitle}</th>
              <th scope="col">{mm.df.colDescription}</th>
              <th scope="col">{mm.df.colUnit}</th>
              <th scope="col">{mm.df.colCodes}</th>
            </tr>
          </thead>
          <tbody>
            {d.rows.map((r) => (
              <tr>
                <th scope="row">{r.name}</th>
                <td>{typeLabel(mm, r.type)}</td>
                <td>{r.title}</td>
                <td class="comment">{r.description}</td>
                <td>{r.unit}</td>
                <td class="comment">{r.codes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  /** A labelled control with its hint and its own error, tied together by aria-describedby. */
  const control = (i: number, key: 'type' | 'title' | 'unit' | 'description' | 'codes', label: string, hint: string | undefined, render: (a: { id: string; name: string; 'aria-describedby'?: string; 'aria-invalid'?: 'true' }) => JSX.Element) => {
    const id = dictionaryFieldId(i, key);
    const errs = columnErrors[id] ?? [];
    const describedBy = [hint ? `${id}-hint` : '', errs.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <div class={`form-field${errs.length ? ' has-error' : ''}`}>
        <label for={id}>{label}</label>
        {hint ? (
          <p id={`${id}-hint`} class="hint">
            {hint}
          </p>
        ) : null}
        {errs.length ? (
          <p id={`${id}-error`} class="field-error">
            {errs.join(' ')}
          </p>
        ) : null}
        {render({ id, name: dictionaryFieldName(i, key), 'aria-describedby': describedBy, 'aria-invalid': errs.length ? 'true' : undefined })}
      </div>
    );
  };
  return (
    <form method="post" action={ctx.href(manageHref(dataset.name, `/resources/${encodeURIComponent(resource.resourceId)}/dictionary`))} class="form-stack dictionary-form" novalidate>
      <CsrfField ctx={ctx} />
      <input type="hidden" name="version" value={String(d.version)} />
      <input type="hidden" name="columnCount" value={String(d.rows.length)} />
      <p class="hint">{mm.df.dictionaryLead(d.version)}</p>
      {d.rows.map((r, i) => {
        const general = columnErrors[dictionaryFieldId(i, 'set')] ?? [];
        return (
          <fieldset class="dictionary-column" id={dictionaryFieldId(i, 'set')}>
            <legend>
              {mm.df.columnLegend(i + 1)}
              <span class="column-name">{r.name}</span>
            </legend>
            <input type="hidden" name={dictionaryFieldName(i, 'name')} value={r.name} />
            {general.length ? <p class="field-error">{general.join(' ')}</p> : null}
            <div class="dictionary-grid">
              {control(i, 'type', mm.df.colType, mm.df.inferred(typeLabel(mm, r.inferredType)), (a) => (
                <select {...a}>
                  {COLUMN_TYPES.map((t) => (
                    <option value={t} selected={t === r.type}>
                      {t === r.inferredType ? `${typeLabel(mm, t)}${mm.df.inferredMark}` : typeLabel(mm, t)}
                    </option>
                  ))}
                </select>
              ))}
              {control(i, 'title', mm.df.colTitle, undefined, (a) => <input type="text" {...a} value={r.title} />)}
              {control(i, 'unit', mm.df.colUnit, undefined, (a) => <input type="text" {...a} value={r.unit} />)}
              {control(i, 'description', mm.df.colDescription, undefined, (a) => <textarea {...a} rows={2} value={r.description} />)}
              {control(i, 'codes', mm.df.colCodes, mm.df.codesHint, (a) => <textarea {...a} rows={2} value={r.codes} />)}
            </div>
          </fieldset>
        );
      })}
      <p class="hint">{mm.df.dictionaryReviewHint}</p>
      <p>
        <button type="submit" class="button">
          {mm.df.saveDictionary}
        </button>
      </p>
    </form>
  );
}

/** /manage/datasets/{name}/resources/{rid}: every version, the load's progress and issues, the data dictionary. */
export function ResourcePage({ ctx, dataset, resource, versions, progress, follow, dictionary, canUpload, errors, columnErrors, done }: ResourcePageProps) {
  const mm = manageMessages(ctx.lang);
  const title = mm.df.resourceTitle(resource.label);
  const base = manageHref(dataset.name, `/resources/${encodeURIComponent(resource.resourceId)}`);
  const selfHref = ctx.href(base);
  const newest = versions[0];
  // The issues of the table in use (a failed version has its reason above instead).
  const read = versions.find((v) => v.state === 'ready');
  const doneMessage = done ? mm.df.done[done] : undefined;
  const fileHref = (n: number) => `/api/v1/resources/${encodeURIComponent(resource.resourceId)}/file?version=${n}`;
  return (
    <Layout ctx={ctx} title={title} nav="manage" head={follow && progress ? <meta httpEquiv="refresh" content="3" /> : undefined}>
      <div class="container back-office manage resource-page">
        <p>
          <a href={ctx.href(manageHref(dataset.name))}>{mm.statusTitle(dataset.title)}</a>
        </p>
        <h1 lang={zhPart(ctx)}>{title}</h1>
        <p class="resource-id">{`${mm.df.resourceId}${ctx.m.colon}${resource.resourceId}`}</p>
        {doneMessage ? (
          <p class="notice notice-ok" role="status">
            {doneMessage}
          </p>
        ) : null}
        <ErrorSummary ctx={ctx} errors={errors} />
        {progress ? <ProgressBox ctx={ctx} p={progress} follow={follow} selfHref={selfHref} /> : null}
        {newest?.state === 'failed' && newest.error ? (
          <section class="notice notice-error" aria-labelledby="failure-heading">
            <h2 id="failure-heading">{mm.df.failedHeading(newest.version)}</h2>
            <p>{messageIn(newest.error, ctx.lang)}</p>
            <p>{newest.version > 1 && versions.some((v) => v.state === 'ready') ? mm.df.failedKeeps : mm.df.failedNothing}</p>
            <p>{mm.df.failedAction}</p>
          </section>
        ) : null}

        <h2 id="versions-heading">{mm.df.versionsHeading}</h2>
        {versions.length === 0 ? (
          <p>{mm.df.noVersion}</p>
        ) : (
          <div class="table-scroll">
            <table class="data versions" aria-labelledby="versions-heading">
              <thead>
                <tr>
                  <th scope="col">{mm.df.colVersion}</th>
                  <th scope="col">{mm.df.file}</th>
                  <th scope="col">{mm.df.colSize}</th>
                  <th scope="col">{mm.df.uploaded}</th>
                  <th scope="col">{mm.df.encoding}</th>
                  <th scope="col">{mm.df.datastore}</th>
                  <th scope="col">{mm.df.colRows}</th>
                  <th scope="col">{mm.df.publication}</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr>
                    <th scope="row">{String(v.version)}</th>
                    <td>
                      <a href={fileHref(v.version)} class="file-name" aria-label={mm.df.downloadOriginal(v.fileName, v.version)}>
                        {v.fileName}
                      </a>
                      <span class="format">{` ${v.format}`}</span>
                      {v.hasUtf8Copy ? (
                        <>
                          {' · '}
                          <a href={`${fileHref(v.version)}&utf8=true`}>{mm.df.utf8Copy}</a>
                        </>
                      ) : null}
                      {v.headerRows ? <p class="hint">{mm.df.headerRowsGiven(v.headerRows)}</p> : null}
                    </td>
                    <td>{formatBytes(v.size)}</td>
                    <td>{`${v.uploadedBy ?? mm.none}${mm.df.listSep}${shortTime(v.uploadedAt)}`}</td>
                    <td>
                      <Encodings ctx={ctx} v={v} />
                    </td>
                    <td>
                      <StateText ctx={ctx} v={v} rows={false} />
                      {/* The newest version's failure has its own box above. */}
                      {v.error && !(v === newest && v.state === 'failed') ? <p class="load-error">{messageIn(v.error, ctx.lang)}</p> : null}
                    </td>
                    <td>{v.rows === null ? '' : v.rows.toLocaleString('en')}</td>
                    <td>{v.published ? mm.df.published : mm.df.waiting}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canUpload ? (
          <p>
            <a class="button button-secondary" href={`${ctx.href(manageHref(dataset.name))}#data-file-heading`}>
              {mm.df.uploadAnother}
            </a>
          </p>
        ) : null}

        {read ? (
          <>
            <h2 id="issues-heading">{mm.df.issuesHeading(read.version)}</h2>
            <IssuesList ctx={ctx} v={read} />
          </>
        ) : null}

        <h2 id="dictionary-heading">{mm.df.dictionaryHeading}</h2>
        {dictionary ? <DictionaryForm ctx={ctx} dataset={dataset} resource={resource} d={dictionary} columnErrors={columnErrors} /> : <p>{mm.df.noDictionary}</p>}
      </div>
    </Layout>
  );
}
