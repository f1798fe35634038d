import type { Task, UnitDataset } from '../../../modules/review/review.service.ts';
import { zhPart } from '../../components.tsx';
import type { PageCtx } from '../../context.ts';
import { unitTitle } from '../../format.ts';
import { Layout } from '../../layout.tsx';
import { CopyBadge, manageHref, shortTime, StateBadge } from './common.tsx';
import { inventoryMessages } from './inventory-messages.ts';
import { manageMessages } from './manage-messages.ts';
import { followupWords } from './followup.tsx';

export interface DashboardData {
  tasks: Task[];
  datasets: UnitDataset[];
  /** The list was cut at this many rows. */
  limit: number;
  canCreate: boolean;
  unitTitle: (name: string) => string;
}

/** /manage: my tasks, my units' datasets in every state, and the way to a new dataset. */
export function DashboardPage({ ctx, data }: { ctx: PageCtx; data: DashboardData }) {
  const mm = manageMessages(ctx.lang);
  return (
    <Layout ctx={ctx} title={mm.dashboardTitle} nav="manage">
      <div class="container back-office manage">
        <h1>{mm.dashboardTitle}</h1>
        <p>{mm.dashboardLead}</p>
        {ctx.user?.hasRoles ? (
          <p>
            <a href={ctx.href('/manage/quality')}>{mm.qualityReportLink}</a>
            {/* Issue 6: the inventory and the opening schedule. */}
            {' · '}
            <a href={ctx.href('/manage/inventory')}>{inventoryMessages(ctx.lang).navInventory}</a>
            {' · '}
            <a href={ctx.href('/manage/schedule')}>{inventoryMessages(ctx.lang).navSchedule}</a>
          </p>
        ) : null}
        {ctx.user?.hasRoles ? (
          <p>
            <a href={ctx.href('/manage/followup')}>{followupWords(ctx.lang).navLink}</a>
          </p>
        ) : null}
        {data.canCreate ? (
          <p>
            <a class="button" href={ctx.href('/manage/datasets/new')}>
              {mm.newDataset}
            </a>
          </p>
        ) : null}
        <h2 id="tasks-heading">{mm.myTasks}</h2>
        {data.tasks.length === 0 ? (
          <p>{mm.noTasks}</p>
        ) : (
          <div class="table-scroll">
            <table class="data" aria-labelledby="tasks-heading">
              <thead>
                <tr>
                  <th scope="col">{mm.colTitle}</th>
                  <th scope="col">{mm.colTask}</th>
                  <th scope="col">{mm.colUnit}</th>
                  <th scope="col">{mm.colSubmitted}</th>
                  <th scope="col">{mm.colComment}</th>
                </tr>
              </thead>
              <tbody>
                {data.tasks.map((t) => (
                  <tr>
                    <td>
                      <a href={ctx.href(manageHref(t.name))} lang={zhPart(ctx)}>
                        {t.title}
                      </a>
                      {t.version !== null ? (
                        <>
                          {' '}
                          <CopyBadge ctx={ctx} state={t.state} />
                        </>
                      ) : null}
                    </td>
                    <td>
                      <span class={`badge badge-task task-${t.kind}`}>{mm.taskKinds[t.kind] ?? t.kind}</span>
                      {t.proposal ? <span class="task-detail">{`${ctx.m.colon}${mm.discKinds[t.proposal.kind] ?? t.proposal.kind}`}</span> : null}
                    </td>
                    <td>{data.unitTitle(t.unit)}</td>
                    <td>{shortTime(t.submittedAt)}</td>
                    <td class="comment">{t.comment ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h2 id="datasets-heading">{mm.myDatasets}</h2>
        {data.datasets.length === 0 ? (
          <p>{mm.noDatasets}</p>
        ) : (
          <div class="table-scroll">
            <table class="data" aria-labelledby="datasets-heading">
              <thead>
                <tr>
                  <th scope="col">{mm.colTitle}</th>
                  <th scope="col">{mm.colUnit}</th>
                  <th scope="col">{mm.colState}</th>
                  <th scope="col">{mm.colUpdated}</th>
                  <th scope="col">{mm.colPublic}</th>
                </tr>
              </thead>
              <tbody>
                {data.datasets.map((d) => (
                  <tr>
                    <td>
                      <a href={ctx.href(manageHref(d.name))} lang={zhPart(ctx)}>
                        {d.title}
                      </a>
                      {d.workingCopy && d.workingCopy.title !== d.title ? (
                        <span class="copy-title" lang={zhPart(ctx)}>
                          {' → '}
                          {d.workingCopy.title}
                        </span>
                      ) : null}
                    </td>
                    <td>{unitTitle(d.unit, ctx.lang)}</td>
                    <td>
                      <StateBadge ctx={ctx} state={d.state} />
                      {d.workingCopy ? (
                        <>
                          {' '}
                          <CopyBadge ctx={ctx} state={d.workingCopy.state} />
                        </>
                      ) : null}
                    </td>
                    <td>{shortTime(d.updatedAt)}</td>
                    <td>
                      {d.state === 'published' ? (
                        <a href={ctx.href(`/datasets/${encodeURIComponent(d.name)}`)}>
                          {mm.publicPage}
                          <span class="visually-hidden">{`（${d.title}）`}</span>
                        </a>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data.datasets.length >= data.limit ? <p>{mm.listLimited(data.limit)}</p> : null}
      </div>
    </Layout>
  );
}
