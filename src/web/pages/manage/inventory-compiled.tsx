import type { CompiledList, ListStatus } from '../../../modules/inventory/inventory.service.ts';
import type { ApprovedItem, ListDiff } from '../../../modules/inventory/inventory.types.ts';
import type { PageCtx } from '../../context.ts';
import { Layout } from '../../layout.tsx';
import { ErrorSummary } from './editor.tsx';
import { shortTime } from './common.tsx';
import { inventoryMessages } from './inventory-messages.ts';
import { inventoryHref } from './inventory-overview.tsx';
import { classificationLabel, CommentForm, DoneNotice, InventoryStateBadge, PostButton } from './inventory-parts.tsx';

export interface CompiledProps {
  ctx: PageCtx;
  year: number;
  list: ListStatus;
  compiled: CompiledList;
  /** Unit name → title in the page's language. */
  unitTitle: (name: string) => string;
  compiledByName: string | null;
  canCompile: boolean;
  canApprove: boolean;
  /** The viewer is a CIO but compiled this list (someone else must approve). */
  ownCompilation: boolean;
  done?: string;
  returnForm?: { comment: string; error: string };
}

function DiffTables({ ctx, diff, unitTitle }: { ctx: PageCtx; diff: ListDiff; unitTitle: (n: string) => string }) {
  const w = inventoryMessages(ctx.lang);
  const zh = ctx.lang === 'en' ? 'zh-Hant-TW' : undefined;
  const cls = (c: Parameters<typeof classificationLabel>[1]) => classificationLabel(ctx, c);
  /** One table per kind of change; `change` gives the from/to columns of reclassified and rescheduled items. */
  const changes = (caption: string, rows: { unit: string; name: string; change?: [string, string] }[]) =>
    rows.length === 0 ? null : (
      <table class="data">
        <caption>{`${caption}（${rows.length}）`}</caption>
        <thead>
          <tr>
            <th scope="col">{w.colUnit}</th>
            <th scope="col">{w.colName}</th>
            {rows[0]?.change ? (
              <>
                <th scope="col">{w.from}</th>
                <th scope="col">{w.to}</th>
              </>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>{unitTitle(r.unit)}</td>
              <th scope="row" lang={zh}>
                {r.name}
              </th>
              {r.change ? (
                <>
                  <td>{r.change[0]}</td>
                  <td>{r.change[1]}</td>
                </>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    );
  return (
    <>
      <p>{diff.against ? w.diffAgainst(diff.against.year, diff.against.revision) : w.diffNone}</p>
      <table class="data diff-counts">
        <caption>{w.diffCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{w.added}</th>
            <th scope="col">{w.dropped}</th>
            <th scope="col">{w.reclassified}</th>
            <th scope="col">{w.rescheduled}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td class="num">{diff.added.length}</td>
            <td class="num">{diff.dropped.length}</td>
            <td class="num">{diff.reclassified.length}</td>
            <td class="num">{diff.rescheduled.length}</td>
          </tr>
        </tbody>
      </table>
      {changes(w.added, diff.added)}
      {changes(w.dropped, diff.dropped)}
      {changes(w.reclassified, diff.reclassified.map((r) => ({ ...r, change: [cls(r.from), cls(r.to)] as [string, string] })))}
      {changes(w.rescheduled, diff.rescheduled.map((r) => ({ ...r, change: [r.from ?? '—', r.to ?? '—'] as [string, string] })))}
    </>
  );
}

/** The items of one unit in the compiled list. */
export function ItemsTable({ ctx, caption, items }: { ctx: PageCtx; caption: string; items: ApprovedItem[] }) {
  const w = inventoryMessages(ctx.lang);
  const zh = ctx.lang === 'en' ? 'zh-Hant-TW' : undefined;
  return (
    <table class="data">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{w.colName}</th>
          <th scope="col">{w.colClassification}</th>
          <th scope="col">{w.colPlanned}</th>
          <th scope="col">{w.colLegal}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((it) => (
          <tr>
            <th scope="row" lang={zh}>
              {it.name}
            </th>
            <td>{classificationLabel(ctx, it.classification)}</td>
            <td>{it.plannedDate ?? ''}</td>
            <td lang={zh}>{it.legalBasis ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** /manage/inventory/<year>/compiled: what the window compiled, the diff, and the CIO's decision. */
export function InventoryCompiledPage({ ctx, year, list, compiled, unitTitle, compiledByName, canCompile, canApprove, ownCompilation, done, returnForm }: CompiledProps) {
  const w = inventoryMessages(ctx.lang);
  const title = w.compiledTitle(year);
  const base = inventoryHref(year);
  const pending = list.state === 'compiled';
  return (
    <Layout ctx={ctx} title={title} nav="manage">
      <div class="container back-office manage inventory">
        <p>
          <a href={ctx.href('/manage/inventory', { year })}>{w.backToOverview(year)}</a>
        </p>
        <h1>{title}</h1>
        <ErrorSummary ctx={ctx} errors={returnForm ? [{ id: 'list-comment', label: w.returnListComment, message: returnForm.error }] : []} />
        <DoneNotice ctx={ctx} done={done} />
        <dl class="status-list">
          <dt>{w.listState}</dt>
          <dd>
            <InventoryStateBadge ctx={ctx} state={list.state} list />
            {list.revision > 0 ? ` · ${w.revision(list.revision)}` : ''}
          </dd>
          <dt>{w.compiledAt}</dt>
          <dd>{shortTime(list.compiledAt)}</dd>
          <dt>{w.compiledBy}</dt>
          <dd>{compiledByName ?? '—'}</dd>
          {list.state === 'returned' && list.comment ? (
            <>
              <dt>{w.listComment}</dt>
              <dd class="comment">{list.comment}</dd>
            </>
          ) : null}
        </dl>

        {pending && (canApprove || canCompile || ownCompilation) ? (
          <div class="action-grid">
            {canApprove ? (
              <div class="action-box">
                <h2>{w.approve}</h2>
                <p class="hint">{w.approveLead}</p>
                <PostButton ctx={ctx} action={`${base}/approve`} label={w.approve} />
              </div>
            ) : null}
            {canApprove ? (
              <div class="action-box">
                <h2>{w.returnList}</h2>
                <CommentForm ctx={ctx} action={`${base}/return-list`} id="list-comment" label={w.returnListComment} button={w.returnList} value={returnForm?.comment} error={returnForm?.error} />
              </div>
            ) : null}
            {ownCompilation ? <p class="notice">{w.ownCompilation}</p> : null}
          </div>
        ) : null}
        {canCompile ? (
          <div class="action-box">
            <p class="hint">{w.compileLead}</p>
            <PostButton ctx={ctx} action={`${base}/compile`} label={w.compileAgain} secondary />
          </div>
        ) : null}

        <h2>{w.diffHeading}</h2>
        <DiffTables ctx={ctx} diff={compiled.diff} unitTitle={unitTitle} />

        <h2>{w.unitsHeading}</h2>
        <table class="data">
          <caption>{w.unitsHeading}</caption>
          <thead>
            <tr>
              <th scope="col">{w.colUnit}</th>
              <th scope="col">{w.colState}</th>
              <th scope="col" class="num">
                {w.colItems}
              </th>
            </tr>
          </thead>
          <tbody>
            {compiled.units.map((u) => (
              <tr>
                <th scope="row">
                  <a href={ctx.href(inventoryHref(year, u.unit))}>{unitTitle(u.unit)}</a>
                </th>
                <td>
                  <InventoryStateBadge ctx={ctx} state={u.state} />
                </td>
                <td class="num">{u.items}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>{w.missingHeading}</h2>
        {compiled.missing.length === 0 ? (
          <p>{w.noMissing}</p>
        ) : (
          <ul>
            {compiled.missing.map((u) => (
              <li>
                <a href={ctx.href(inventoryHref(year, u))}>{unitTitle(u)}</a>
              </li>
            ))}
          </ul>
        )}

        <h2>{w.itemsHeading}</h2>
        {compiled.units.map((u) => {
          const items = compiled.items.filter((i) => i.unit === u.unit);
          return items.length ? <ItemsTable ctx={ctx} caption={`${unitTitle(u.unit)}（${items.length}）`} items={items} /> : null;
        })}
      </div>
    </Layout>
  );
}
