import type { ReviewStatus } from '../../../modules/review/review.service.ts';
import type { PageCtx } from '../../context.ts';
import { Layout } from '../../layout.tsx';
import { CsrfField } from '../signin.tsx';
import { manageHref } from './common.tsx';
import { DATASET_FIELDS, fieldId, GROUPS, RESOURCE_FIELDS, resourceFieldId, resourceFieldName, type FieldError, type FieldSpec, type FormValues, type Option } from './dataset-form.tsx';
import { manageMessages } from './manage-messages.ts';

export interface EditorProps {
  ctx: PageCtx;
  values: FormValues;
  errors: FieldError[];
  /** Units offered in the unit select. */
  units: Option[];
  /** The dataset being edited; absent for a new one. */
  dataset?: { name: string; identifier: string; title: string; status: ReviewStatus };
}

/** The error summary: a count, then one link per problem to its control. */
export function ErrorSummary({ ctx, errors }: { ctx: PageCtx; errors: FieldError[] }) {
  const mm = manageMessages(ctx.lang);
  if (errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} id="error-summary">
      <h2 id="error-summary-title">{mm.errorSummaryTitle(errors.length)}</h2>
      <p>{mm.errorSummaryLead}</p>
      <ul>
        {errors.map((e) => (
          <li>
            {e.id ? (
              <a href={`#${e.id}`}>
                {e.label}
                {ctx.m.colon}
                {e.message}
              </a>
            ) : (
              <>
                {e.label}
                {ctx.m.colon}
                {e.message}
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface ControlProps {
  ctx: PageCtx;
  id: string;
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  kind: FieldSpec['kind'];
  value: string;
  options?: Option[];
  messages: string[];
}

/** One labelled control with its hint and error, tied together by aria-describedby. */
export function Control({ ctx, id, name, label, hint, required, kind, value, options, messages }: ControlProps) {
  const mm = manageMessages(ctx.lang);
  const hintId = hint ? `${id}-hint` : '';
  const errorId = messages.length > 0 ? `${id}-error` : '';
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const invalid = messages.length > 0 ? ('true' as const) : undefined;
  const common = { id, name, 'aria-describedby': describedBy, 'aria-invalid': invalid, required };
  let control;
  if (kind === 'textarea') control = <textarea {...common} rows={name === 'fieldDescription' ? 6 : 4} value={value} />;
  else if (kind === 'select' || kind === 'boolean') {
    const opts: Option[] = kind === 'boolean' ? [{ value: 'true', label: mm.yes }, { value: 'false', label: mm.no }] : (options ?? []);
    const known = opts.some((o) => o.value === value);
    control = (
      <select {...common}>
        {!required || !known ? <option value="">{kind === 'boolean' ? mm.boolUnset : mm.chooseOne}</option> : null}
        {/* A stored value outside the list stays selectable, so saving does not silently change it. */}
        {value && !known ? <option value={value} selected>{value}</option> : null}
        {opts.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else {
    const type = kind === 'email' ? 'email' : kind === 'url' ? 'url' : 'text';
    control = <input {...common} type={type} inputMode={kind === 'number' ? ('numeric' as const) : undefined} value={value} spellcheck={kind === 'url' || kind === 'email' ? false : undefined} />;
  }
  return (
    <div class={`form-field${messages.length > 0 ? ' has-error' : ''}`}>
      <label for={id}>
        {label} <span class="req">{required ? `（${mm.required}）` : ''}</span>
      </label>
      {hint ? (
        <p id={hintId} class="hint">
          {hint}
        </p>
      ) : null}
      {messages.length > 0 ? (
        <p id={errorId} class="field-error">
          {messages.join(' ')}
        </p>
      ) : null}
      {control}
    </div>
  );
}

/** The dataset editor: every national field in fieldsets, resources as blocks; works without JavaScript. */
export function EditorPage({ ctx, values, errors, units, dataset }: EditorProps) {
  const mm = manageMessages(ctx.lang);
  const en = ctx.lang === 'en';
  const title = dataset ? mm.editTitle(dataset.title) : mm.newTitle;
  const messagesFor = (id: string) => errors.filter((e) => e.id === id).map((e) => e.message);
  const action = dataset ? manageHref(dataset.name, '/edit') : '/manage/datasets/new';
  const published = dataset?.status.state === 'published';
  const field = (f: FieldSpec) => {
    if (dataset && f.createOnly) {
      return (
        <div class="form-field">
          <span class="label">{en ? f.en : f.zh}</span>
          <p class="fixed-value">{f.key === 'identifier' ? dataset.identifier : dataset.name}</p>
        </div>
      );
    }
    return (
      <Control
        ctx={ctx}
        id={fieldId(f.key)}
        name={f.key}
        label={en ? f.en : f.zh}
        hint={f.hint ? (en ? f.hint.en : f.hint.zh) : undefined}
        required={f.required}
        kind={f.kind}
        value={values.fields[f.key] ?? ''}
        options={f.key === 'unit' ? units : f.options?.(ctx.lang)}
        messages={messagesFor(fieldId(f.key))}
      />
    );
  };
  return (
    <Layout ctx={ctx} title={title} nav="manage">
      <div class="container back-office manage">
        <p>
          <a href={ctx.href(dataset ? manageHref(dataset.name) : '/manage')}>{dataset ? mm.statusTitle(dataset.title) : mm.backToDashboard}</a>
        </p>
        <h1>{title}</h1>
        <ErrorSummary ctx={ctx} errors={errors} />
        <p>{mm.editLead}</p>
        {published ? <p class="notice">{mm.editPublishedLead}</p> : null}
        {dataset ? <p class="hint">{mm.identifierFixed}</p> : null}
        <form method="post" action={ctx.href(action)} class="form-stack dataset-form" id="dataset-form" novalidate>
          <CsrfField ctx={ctx} />
          {/* Enter in a field submits with the first submit button: make that "save", not "add a resource block". */}
          <button type="submit" name="action" value="save" class="visually-hidden" tabIndex={-1} aria-hidden="true">
            {mm.save}
          </button>
          <input type="hidden" name="resourceCount" value={String(values.resources.length)} />
          {GROUPS.map((g) => (
            <fieldset id={`group-${g.key}`}>
              <legend>{en ? g.en : g.zh}</legend>
              {DATASET_FIELDS.filter((f) => f.group === g.key).map(field)}
            </fieldset>
          ))}
          <fieldset id="group-resources">
            <legend>{mm.resourcesLegend}</legend>
            <p class="hint">{mm.resourcesLead}</p>
            {values.resources.map((r, i) => (
              <fieldset class="resource-block">
                <legend>{r.resourceId ? `${mm.resourceLegend(i + 1)}：${r.resourceId}` : mm.resourceNewLegend(i + 1)}</legend>
                <input type="hidden" name={resourceFieldName(i, 'resourceId')} value={r.resourceId ?? ''} />
                {RESOURCE_FIELDS.map((f) => (
                  <Control
                    ctx={ctx}
                    id={resourceFieldId(i, f.key)}
                    name={resourceFieldName(i, f.key)}
                    label={en ? f.en : f.zh}
                    hint={f.hint ? (en ? f.hint.en : f.hint.zh) : undefined}
                    required={f.required}
                    kind={f.kind}
                    value={r[f.key] ?? ''}
                    messages={messagesFor(resourceFieldId(i, f.key))}
                  />
                ))}
                {r.resourceId ? (
                  <p class="checkbox">
                    <input type="checkbox" id={resourceFieldId(i, 'remove')} name={resourceFieldName(i, 'remove')} checked={r.remove === 'on'} />{' '}
                    <label for={resourceFieldId(i, 'remove')}>{mm.resourceRemove}</label>
                  </p>
                ) : null}
              </fieldset>
            ))}
            <p>
              <button type="submit" name="action" value="addResource" class="button button-secondary">
                {mm.addResource}
              </button>
            </p>
          </fieldset>
          <div class="actions">
            <button type="submit" name="action" value="save" class="button">
              {mm.save}
            </button>
            <a class="button button-secondary" href={ctx.href(dataset ? manageHref(dataset.name) : '/manage')}>
              {mm.cancel}
            </a>
          </div>
        </form>
      </div>
    </Layout>
  );
}
