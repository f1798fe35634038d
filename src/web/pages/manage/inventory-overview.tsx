import type { ListStatus, OverviewRow } from '../../../modules/inventory/inventory.service.ts';
import type { PageCtx } from '../../context.ts';
import { Layout } from '../../layout.tsx';
import { shortTime } from './common.tsx';
import { inventoryMessages } from './inventory-messages.ts';
import { CommentForm, DoneNotice, InventoryStateBadge, PostButton, YearNav } from './inventory-parts.tsx';

export interface OverviewUnitRow extends OverviewRow {
  /** The viewer may edit this unit's inventory (its contact, the window). */
  canEdit: boolean;
  /** The window may return it (submitted). */
  canReturn: boolean;
}

export interface InventoryOverviewProps {
  ctx: PageCtx;
  year: number;
  rows: OverviewUnitRow[];
  list: ListStatus | null;
  /** The newest approval of the year (published). */
  published: { revision: number; approvedAt: string } | null;
  canCompile: boolean;
  canApprove: boolean;
  done?: string;
}

export const inventoryHref = (year: number, unit?: string, suffix = ''): string => `/manage/inventory/${year}${unit ? `/${encodeURIComponent(unit)}` : ''}${suffix}`;

/** /manage/inventory?year=: every unit's inventory state and counts, and what the viewer may do (資料盤點). */
export function InventoryOverviewPage({ ctx, year, rows, list, published, canCompile, canApprove, done }: InventoryOverviewProps) {
  const w = inventoryMessages(ctx.lang);
  const title = w.overviewTitle(year);
  return (
    <Layout ctx={ctx} title={title} nav="manage">
      <div class="container back-office manage inventory">
        <p>
          <a href={ctx.href('/manage')}>{ctx.lang === 'en' ? 'Back office' : '後台首頁'}</a> · <a href={ctx.href('/manage/schedule', { year })}>{w.scheduleLink}</a>
        </p>
        <h1>{title}</h1>
        <DoneNotice ctx={ctx} done={done} />
        <YearNav ctx={ctx} year={year} href={(y) => ctx.href('/manage/inventory', { year: y })} />
        <p>{w.overviewLead}</p>
        <div class="table-scroll">
          <table class="data">
            <caption>{w.unitsCaption(year)}</caption>
            <thead>
              <tr>
                <th scope="col">{w.colUnit}</th>
                <th scope="col">{w.colState}</th>
                <th scope="col" class="num">
                  {w.colItems}
                </th>
                <th scope="col" class="num">
                  {w.open}
                </th>
                <th scope="col" class="num">
                  {w.application}
                </th>
                <th scope="col" class="num">
                  {w.withheld}
                </th>
                <th scope="col">{w.colSubmittedAt}</th>
                <th scope="col">{w.colActions}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const name = ctx.lang === 'en' && r.unitTitleEn ? r.unitTitleEn : r.unitTitle;
                return (
                  <tr>
                    <th scope="row">
                      <a href={ctx.href(inventoryHref(year, r.unit))}>{name}</a>
                    </th>
                    <td>
                      <InventoryStateBadge ctx={ctx} state={r.state} />
                    </td>
                    <td class="num">{r.items}</td>
                    <td class="num">{r.byClassification.open}</td>
                    <td class="num">{r.byClassification.application}</td>
                    <td class="num">{r.byClassification.withheld}</td>
                    <td>{shortTime(r.submittedAt)}</td>
                    <td>
                      <a href={ctx.href(inventoryHref(year, r.unit))}>{r.canEdit && (r.state === 'draft' || r.state === 'none') ? w.editUnit : w.viewUnit}</a>
                      {r.canReturn ? <CommentForm ctx={ctx} action={inventoryHref(year, r.unit, '/return')} id={`return-${r.unit}`} label={w.returnUnitComment(name)} button={w.returnUnit} /> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>

        <h2>{w.listHeading}</h2>
        {published ? (
          <p>
            {w.publishedRevision(published.revision, published.approvedAt.slice(0, 10))} · <a href={ctx.href(`/inventory/${year}`)}>{w.publicListLink}</a>
          </p>
        ) : null}
        {list ? (
          <>
            <p>
              {w.listState}
              {w.colon}
              <InventoryStateBadge ctx={ctx} state={list.state} list />
              {list.compiledAt ? ` · ${w.compiledAt}${w.colon}${shortTime(list.compiledAt)}` : ''}
            </p>
            {list.state === 'returned' && list.comment ? (
              <p class="notice">
                {w.listComment}
                {w.colon}
                <span class="comment">{list.comment}</span>
              </p>
            ) : null}
            <p>
              <a href={ctx.href(inventoryHref(year, undefined, '/compiled'))}>{canApprove && list.state === 'compiled' ? w.compiledLinkDecide : w.compiledLink}</a>
            </p>
          </>
        ) : (
          <p>{w.noList}</p>
        )}
        {canCompile ? (
          <div class="action-box">
            <p class="hint">{w.compileLead}</p>
            <PostButton ctx={ctx} action={inventoryHref(year, undefined, '/compile')} label={list ? w.compileAgain : w.compile} />
          </div>
        ) : null}
      </div>
    </Layout>
  );
}
