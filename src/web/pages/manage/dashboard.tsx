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
  /** Which back-office pages to link (those the person may open). */
  links: { quality: boolean; inventory: boolean; followup: boolean; calendar: boolean };
  unitTitle: (name: string) => string;
}

/** The back-office pages beyond the dataset list, each only for those who may open it. */
function BackOfficeLinks({ ctx, links }: { ctx: PageCtx; links: DashboardData['links'] }) {
  const mm = manageMessages(ctx.lang);
  const im = inventoryMessages(ctx.lang);
  const list: [string, string][] = [
    ...(links.quality ? ([['/manage/quality', mm.qualityReportLink]] as [string, string][]) : []),
    ...(links.inventory ? ([['/manage/inventory', im.navInventory], ['/manage/schedule', im.navSchedule]] as [string, string][]) : []),
    ...(links.followup ? ([['/manage/followup', followupWords(ctx.lang).navLink]] as [string, string][]) : []),
    ...(links.calendar ? ([['/manage/calendar', ctx.lang === 'en' ? 'Annual and working-day calendars' : '年度行事曆與辦公日曆']] as [string, string][]) : []),
  ];
  if (list.length === 0) return null;
  return (
    <nav aria-label={ctx.lang === 'en' ? 'Back-office pages' : '後台功能'}>
      <ul class="inline-links">
        {list.map(([href, label]) => (
          <li key={href}>
            <a href={ctx.href(href)}>{label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** /manage: my tasks, my units' datasets in every state, and the way to a new dataset. */
export function DashboardPage({ ctx, data }: { ctx: PageCtx; data: DashboardData }) {
  const mm = manageMessages(ctx.lang);
  return (
    <Layout ctx={ctx} title={mm.dashboardTitle} nav="manage">
      <div class="container back-office manage">
        <h1>{mm.dashboardTitle}</h1>
        <p>{mm.dashboardLead}</p>
        <BackOfficeLinks ctx={ctx} links={data.links} />
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
