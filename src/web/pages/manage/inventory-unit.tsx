import type { Lang } from '../../../i18n.ts';
import type { InventoryView } from '../../../modules/inventory/inventory.service.ts';
import type { WriteFormat } from '../../../modules/inventory/inventory.sheet.ts';
import type { ItemProblem } from '../../../modules/inventory/inventory.types.ts';
import { ITEM_FIELDS } from '../../../modules/inventory/inventory.validation.ts';
import type { PageCtx } from '../../context.ts';
import { Layout } from '../../layout.tsx';
import { CsrfField } from '../signin.tsx';
import { ErrorSummary } from './editor.tsx';
import { inventoryMessages } from './inventory-messages.ts';
import { inventoryHref } from './inventory-overview.tsx';
import { classificationLabel, CommentForm, DoneNotice, InventoryStateBadge, PostButton } from './inventory-parts.tsx';

/** What the list and the template are offered as (the sheet writer's formats). */
export const DOWNLOAD_FORMATS: readonly WriteFormat[] = ['csv', 'ods', 'xlsx'];

export interface UnitActions {
  /** Add, edit, delete, import (the inventory is a draft, or not started, and the viewer may edit). */
  edit: boolean;
  submit: boolean;
  reopen: boolean;
  /** The window returns a submitted inventory. */
  return: boolean;
  /** "Start from last year": the year to copy from, when the list is empty and editable. */
  startFrom: number | null;
}

export interface UploadProblems {
  problems: ItemProblem[];
  /** A refusal of the file itself (no file, unreadable, wrong format). */
  fileError?: string;
}

export interface InventoryUnitProps {
  ctx: PageCtx;
  year: number;
  unit: { name: string; title: string };
  view: InventoryView;
  actions: UnitActions;
  done?: string;
  /** "3 added, 1 updated …" after an import. */
  doneExtra?: string;
  upload?: UploadProblems;
  returnError?: string;
}

const FILE_ID = 'inventory-file';

/** A problem's reason without its "row n, column" prefix (the table and the summary say those). */
const problemReason = (p: ItemProblem, lang: Lang): string => (lang === 'en' ? p.en.replace(/^row \d+, "[^"]*"(?: \([^)]*\))?: /, '') : p.zh.replace(/^第 \d+ 列「[^」]*」：/, ''));

/** The problems of an uploaded file: every one in a table by row, nothing stored. */
function ProblemsTable({ ctx, problems }: { ctx: PageCtx; problems: ItemProblem[] }) {
  const w = inventoryMessages(ctx.lang);
  const en = ctx.lang === 'en';
  const headingEn = (column: string) => ITEM_FIELDS.find((f) => f.heading === column)?.headingEn;
  return (
    <div class="table-scroll" id="upload-problems" tabIndex={-1}>
      <table class="data problems">
        <caption>{w.problemsCaption}</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              {w.colLine}
            </th>
            <th scope="col">{w.colColumn}</th>
            <th scope="col">{w.colProblem}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => (
            <tr id={`problem-${i + 1}`}>
              <td class="num">{p.row}</td>
              <td>
                <span lang={en ? 'zh-Hant-TW' : undefined}>{p.column}</span>
                {en && headingEn(p.column) ? ` (${headingEn(p.column)})` : ''}
              </td>
              <td>{problemReason(p, ctx.lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** /manage/inventory/<year>/<unit>: a unit's list, its upload and downloads, and its workflow buttons. */
export function InventoryUnitPage({ ctx, year, unit, view, actions, done, doneExtra, upload, returnError }: InventoryUnitProps) {
  const w = inventoryMessages(ctx.lang);
  const en = ctx.lang === 'en';
  const title = w.unitTitle(unit.title, year);
  const state = view.inventory?.state ?? 'none';
  const items = view.items;
  const base = inventoryHref(year, unit.name);
  const problems = upload?.problems ?? [];
  // Every problem in the summary (its count is the file's), each leading to its row of the table; the file control says what to do.
  const errors = upload
    ? [
        ...(upload.fileError ? [{ id: FILE_ID, label: w.uploadFile, message: upload.fileError }] : []),
        ...problems.map((p, i) => ({ id: `problem-${i + 1}`, label: en ? `row ${p.row}, ${p.column}` : `第 ${p.row} 列「${p.column}」`, message: problemReason(p, ctx.lang) })),
      ]
    : returnError
      ? [{ id: 'return-comment', label: w.returnUnitComment(unit.title), message: returnError }]
      : [];
  const fileMessage = upload?.fileError ?? (problems.length ? w.chooseFixed : undefined);
  return (
    <Layout ctx={ctx} title={title} nav="manage">
      <div class="container back-office manage inventory">
        <p>
          <a href={ctx.href('/manage/inventory', { year })}>{w.backToOverview(year)}</a>
        </p>
        <h1>{title}</h1>
        <ErrorSummary ctx={ctx} errors={errors} />
        {problems.length ? (
          <p>
            <strong>{w.problemsTitle(problems.length)}</strong> {w.problemsLead}
          </p>
        ) : null}
        {problems.length ? <ProblemsTable ctx={ctx} problems={problems} /> : null}
        <DoneNotice ctx={ctx} done={done} extra={doneExtra} />
        <p>
          {w.colState}
          {w.colon}
          <InventoryStateBadge ctx={ctx} state={state} />
        </p>
        {state === 'draft' && view.inventory?.comment ? (
          <div class="notice">
            <p>{w.returnedNotice}</p>
            <p class="comment">{view.inventory.comment}</p>
          </div>
        ) : null}
        {state === 'submitted' ? <p class="notice">{w.lockedSubmitted}</p> : null}

        {actions.edit ? (
          <p>
            <a class="button" href={ctx.href(`${base}/items/new`)}>
              {w.addItem}
            </a>
          </p>
        ) : null}
        {items.length === 0 ? (
          <p>{w.noItems}</p>
        ) : (
          <div class="table-scroll">
            <table class="data inventory-items">
              <caption>{w.itemsCaption(items.length)}</caption>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    {w.colPos}
                  </th>
                  <th scope="col">{w.colName}</th>
                  <th scope="col">{w.colClassification}</th>
                  <th scope="col">{w.colPlanned}</th>
                  <th scope="col">{w.colLegal}</th>
                  <th scope="col">{w.colFrequency}</th>
                  <th scope="col">{w.colDataset}</th>
                  {actions.edit ? <th scope="col">{w.colActions}</th> : null}
                </tr>
              </thead>
              <tbody>
                {items.map((it, i) => (
                  <tr>
                    <td class="num">{i + 1}</td>
                    <th scope="row" lang={en ? 'zh-Hant-TW' : undefined}>
                      {it.name}
                    </th>
                    <td>{classificationLabel(ctx, it.classification)}</td>
                    <td>{it.plannedDate ?? ''}</td>
                    <td lang={en ? 'zh-Hant-TW' : undefined}>{it.legalBasis ?? ''}</td>
                    <td lang={en ? 'zh-Hant-TW' : undefined}>{it.updateFrequency ?? ''}</td>
                    <td>{it.datasetId ? <a href={ctx.href(`/manage/datasets/${encodeURIComponent(it.datasetId)}`)}>{w.colDataset}</a> : ''}</td>
                    {actions.edit ? (
                      <td class="row-actions">
                        <a href={ctx.href(`${base}/items/${encodeURIComponent(it.id)}/edit`)} aria-label={w.editItemLabel(it.name)}>
                          {w.edit}
                        </a>{' '}
                        {/* Asked twice, without JavaScript: the button is inside a disclosure. */}
                        <details class="confirm-delete">
                          <summary aria-label={w.deleteItemLabel(it.name)}>{w.del}</summary>
                          <p>{w.confirmDelete(it.name)}</p>
                          <PostButton ctx={ctx} action={`${base}/items/${encodeURIComponent(it.id)}/delete`} label={w.confirmDeleteButton} ariaLabel={w.deleteItemLabel(it.name)} secondary />
                        </details>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        {actions.startFrom !== null ? (
          <div class="action-box">
            <p class="hint">{w.startFromLead}</p>
            <PostButton ctx={ctx} action={`${base}/start-from`} label={w.startFromLastYear(actions.startFrom)} secondary>
              <input type="hidden" name="fromYear" value={String(actions.startFrom)} />
            </PostButton>
          </div>
        ) : null}

        {actions.submit ? (
          <div class="action-box">
            <p class="hint">{w.submitLead}</p>
            <PostButton ctx={ctx} action={`${base}/submit`} label={w.submit} />
          </div>
        ) : null}
        {actions.reopen ? (
          <div class="action-box">
            <p class="hint">{w.reopenLead}</p>
            <PostButton ctx={ctx} action={`${base}/reopen`} label={w.reopen} secondary />
          </div>
        ) : null}
        {actions.return ? (
          <div class="action-box">
            <CommentForm ctx={ctx} action={`${base}/return`} id="return-comment" label={w.returnUnitComment(unit.title)} button={w.returnUnit} error={returnError} />
          </div>
        ) : null}

        {actions.edit ? (
          <section aria-labelledby="upload-heading">
            <h2 id="upload-heading">{w.uploadHeading}</h2>
            <p>{w.uploadLead}</p>
            {/* The CSRF token comes before the file: the server keeps no file it has not seen a valid token for. */}
            <form method="post" action={ctx.href(`${base}/upload`)} enctype="multipart/form-data" class="form-stack" novalidate>
              <CsrfField ctx={ctx} />
              <div class={`form-field${fileMessage ? ' has-error' : ''}`}>
                <label for={FILE_ID}>{w.uploadFile}</label>
                {fileMessage ? (
                  <p id={`${FILE_ID}-error`} class="field-error">
                    {fileMessage}
                  </p>
                ) : null}
                <input type="file" id={FILE_ID} name="file" accept=".ods,.xlsx,.csv" required aria-invalid={fileMessage ? 'true' : undefined} aria-describedby={fileMessage ? `${FILE_ID}-error` : undefined} />
              </div>
              <button type="submit" class="button">
                {w.uploadButton}
              </button>
            </form>
          </section>
        ) : null}

        <section aria-labelledby="downloads-heading">
          <h2 id="downloads-heading">{w.downloadsHeading}</h2>
          <ul>
            {items.length > 0
              ? DOWNLOAD_FORMATS.map((f) => (
                  <li>
                    <a href={ctx.href(`${base}/download.${f}`)} download>
                      {w.downloadList(f.toUpperCase())}
                    </a>
                  </li>
                ))
              : null}
            {DOWNLOAD_FORMATS.map((f) => (
              <li>
                <a href={ctx.href(`/manage/inventory/template.${f}`)} download>
                  {w.downloadTemplate(f.toUpperCase())}
                </a>
              </li>
            ))}
          </ul>
          <details>
            <summary>{w.templateLead}</summary>
            <dl class="status-list">
              {ITEM_FIELDS.map((f) => (
                <>
                  <dt lang={en ? 'zh-Hant-TW' : undefined}>
                    {f.heading}
                    {en ? ` (${f.headingEn})` : ''}
                  </dt>
                  <dd>{(en ? f.hintEn : f.hint) || '—'}</dd>
                </>
              ))}
            </dl>
          </details>
        </section>
      </div>
    </Layout>
  );
}
