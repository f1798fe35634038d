import type { ApprovalView } from '../../modules/inventory/inventory.service.ts';
import { CLASSIFICATIONS, type ApprovedItem, type ScheduleStatus } from '../../modules/inventory/inventory.types.ts';
import { Breadcrumb } from '../components.tsx';
import type { PageCtx } from '../context.ts';
import { Layout } from '../layout.tsx';
import { inventoryMessages } from './manage/inventory-messages.ts';
import { classificationLabel, ScheduleStatusBadge } from './manage/inventory-parts.tsx';

export interface InventoryListProps {
  ctx: PageCtx;
  approval: ApprovalView;
  /** The schedule status of each open item (by item id), as of today. */
  statusOf: (itemId: string) => ScheduleStatus | undefined;
  unitTitle: (name: string, fallback: string) => string;
}

/**
 * Public /inventory/<year> (資料開放清單及期程): the newest approved revision, items by
 * classification — open data with the planned date and progress, the rest with the legal basis
 * and the reason — and the CSV of the same list.
 */
export function InventoryListPage({ ctx, approval, statusOf, unitTitle }: InventoryListProps) {
  const w = inventoryMessages(ctx.lang);
  const zh = ctx.lang === 'en' ? 'zh-Hant-TW' : undefined;
  const title = w.publicTitle(approval.year);
  const by = (c: ApprovedItem['classification']) => approval.items.filter((i) => i.classification === c);
  return (
    <Layout ctx={ctx} title={title} nav="none">
      <div class="container inventory-public">
        <Breadcrumb ctx={ctx} trail={[{ label: ctx.m.navHome, href: '/' }, { label: title }]} />
        <h1>{title}</h1>
        <p>{w.publicRevision(approval.revision, approval.approvedAt.slice(0, 10))}</p>
        <p>{w.publicLead}</p>
        <p>
          <a href={ctx.href(`/inventory/${approval.year}.csv`)} download>
            {w.publicCsv}
          </a>
          {approval.datasetId ? (
            <>
              {' · '}
              <a href={ctx.href(`/datasets/${encodeURIComponent(approval.datasetId)}`)}>{w.publicDataset}</a>
            </>
          ) : null}
        </p>
        {CLASSIFICATIONS.map((c) => {
          const items = by(c);
          const lower = classificationLabel(ctx, c);
          const label = lower.charAt(0).toUpperCase() + lower.slice(1);
          return (
            <section aria-labelledby={`class-${c}`}>
              <h2 id={`class-${c}`}>{w.classCaption(label, items.length)}</h2>
              {items.length === 0 ? (
                <p>{w.noItemsClass}</p>
              ) : (
                <div class="table-scroll">
                  <table class="data">
                    <caption>{w.classCaption(label, items.length)}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{w.colName}</th>
                        <th scope="col">{w.colUnit}</th>
                        {c === 'open' ? (
                          <>
                            <th scope="col">{w.colPlanned}</th>
                            <th scope="col">{w.colStatus}</th>
                            <th scope="col">{w.colFrequency}</th>
                          </>
                        ) : (
                          <>
                            <th scope="col">{w.colLegal}</th>
                            <th scope="col">{w.colReason}</th>
                          </>
                        )}
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((it) => {
                        const status = statusOf(it.id);
                        return (
                          <tr>
                            <th scope="row" lang={zh}>
                              {it.name}
                            </th>
                            <td>{unitTitle(it.unit, it.unitTitle)}</td>
                            {c === 'open' ? (
                              <>
                                <td>{it.plannedDate ?? '—'}</td>
                                <td>{status ? <ScheduleStatusBadge ctx={ctx} status={status} /> : '—'}</td>
                                <td lang={zh}>{it.updateFrequency ?? '—'}</td>
                              </>
                            ) : (
                              <>
                                <td lang={zh}>{it.legalBasis ?? '—'}</td>
                                <td lang={zh}>{it.reason ?? '—'}</td>
                              </>
                            )}
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          );
        })}
      </div>
    </Layout>
  );
}
