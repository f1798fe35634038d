import { SCHEDULE_STATUS_LABELS, SCHEDULE_STATUSES, type ScheduleEntry, type ScheduleStatus } from '../../../modules/inventory/inventory.types.ts';
import type { PageCtx } from '../../context.ts';
import type { Option } from './dataset-form.tsx';
import { Layout } from '../../layout.tsx';
import { inventoryMessages } from './inventory-messages.ts';
import { PostButton, ScheduleStatusBadge } from './inventory-parts.tsx';

export interface ScheduleRow extends ScheduleEntry {
  /** The viewer may turn it into a dataset draft (no dataset yet, may create datasets in its unit). */
  canCreateDraft: boolean;
}

export interface SchedulePageProps {
  ctx: PageCtx;
  year: number;
  unit: string;
  status: ScheduleStatus | '';
  units: Option[];
  /** Entries of the year and unit (before the status filter): the counts. */
  all: ScheduleEntry[];
  rows: ScheduleRow[];
  unitTitle: (name: string) => string;
}

const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/**
 * /manage/schedule (開放期程): the approved open items as a Gantt-like table, a row per item and
 * twelve month columns with a mark at the planned month; the status in words (and colour).
 */
export function SchedulePage({ ctx, year, unit, status, units, all, rows, unitTitle }: SchedulePageProps) {
  const w = inventoryMessages(ctx.lang);
  const en = ctx.lang === 'en';
  const zh = en ? 'zh-Hant-TW' : undefined;
  // By unit (in the order units first appear: by their earliest planned date), then by month.
  const byUnit = new Map<string, ScheduleRow[]>();
  for (const r of rows) byUnit.set(r.unit, [...(byUnit.get(r.unit) ?? []), r]);
  const groups = [...byUnit];
  const counts = Object.fromEntries(SCHEDULE_STATUSES.map((s) => [s, all.filter((e) => e.status === s).length])) as Record<ScheduleStatus, number>;
  return (
    <Layout ctx={ctx} title={w.scheduleTitle} nav="manage">
      <div class="container back-office manage inventory schedule">
        <p>
          <a href={ctx.href('/manage')}>{en ? 'Back office' : '後台首頁'}</a> · <a href={ctx.href('/manage/inventory', { year })}>{w.overviewTitle(year)}</a>
        </p>
        <h1>{w.scheduleTitle}</h1>
        <p>{w.scheduleLead}</p>
        <form method="get" action="/manage/schedule" class="filter-form">
          {en ? <input type="hidden" name="lang" value="en" /> : null}
          <fieldset>
            <legend>{w.filters}</legend>
            <div class="form-field">
              <label for="s-year">{w.filterYear}</label>
              <input type="text" id="s-year" name="year" value={String(year)} inputMode="numeric" maxLength={4} size={6} />
            </div>
            <div class="form-field">
              <label for="s-unit">{w.filterUnit}</label>
              <select id="s-unit" name="unit">
                <option value="">{w.allUnits}</option>
                {units.map((u) => (
                  <option value={u.value} selected={u.value === unit}>
                    {u.label}
                  </option>
                ))}
              </select>
            </div>
            <div class="form-field">
              <label for="s-status">{w.filterStatus}</label>
              <select id="s-status" name="status">
                <option value="">{w.allStatuses}</option>
                {SCHEDULE_STATUSES.map((s) => (
                  <option value={s} selected={s === status}>
                    {SCHEDULE_STATUS_LABELS[s][en ? 1 : 0]}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="button">
              {w.apply}
            </button>
          </fieldset>
        </form>

        <table class="data sched-counts">
          <caption>{w.countsCaption}</caption>
          <thead>
            <tr>
              {SCHEDULE_STATUSES.map((s) => (
                <th scope="col">
                  <ScheduleStatusBadge ctx={ctx} status={s} />
                </th>
              ))}
              <th scope="col">{w.total}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              {SCHEDULE_STATUSES.map((s) => (
                <td class="num">{counts[s]}</td>
              ))}
              <td class="num">{all.length}</td>
            </tr>
          </tbody>
        </table>

        {rows.length === 0 ? (
          <p>{w.noSchedule}</p>
        ) : (
          <div class="table-scroll">
            <table class="data gantt">
              <caption>{w.scheduleCaption(year)}</caption>
              <thead>
                <tr>
                  <th scope="col">{w.colName}</th>
                  <th scope="col">{w.colPlanned}</th>
                  <th scope="col">{w.colStatus}</th>
                  {MONTHS.map((m) => (
                    <th scope="col" class="month">
                      {w.month(m)}
                    </th>
                  ))}
                  <th scope="col">{w.colDataset}</th>
                </tr>
              </thead>
              {groups.map(([unitName, group]) => (
              <tbody>
                <tr class="unit-row">
                  <th scope="rowgroup" colSpan={MONTHS.length + 4}>
                    {w.unitGroup(unitTitle(unitName), group.length)}
                  </th>
                </tr>
                {group.map((r) => {
                  const planned = r.plannedDate && Number(r.plannedDate.slice(0, 4)) === year ? Number(r.plannedDate.slice(5, 7)) : null;
                  return (
                    <tr>
                      <th scope="row" lang={zh}>
                        {r.name}
                      </th>
                      <td>{r.plannedDate ?? '—'}</td>
                      <td>
                        <ScheduleStatusBadge ctx={ctx} status={r.status} />
                        {r.workingDaysLeft !== null && r.status !== 'opened' ? <span class="hint"> {w.daysLeft(r.workingDaysLeft)}</span> : null}
                      </td>
                      {MONTHS.map((m) =>
                        m === planned ? (
                          <td class={`month mark sched-${r.status}`}>
                            <span aria-hidden="true">◆</span>
                            <span class="visually-hidden">{w.plannedMark}</span>
                          </td>
                        ) : (
                          <td class="month" />
                        ),
                      )}
                      <td>
                        {r.datasetId ? (
                          <a href={ctx.href(`/manage/datasets/${encodeURIComponent(r.datasetName ?? r.datasetId)}`)}>{w.colDataset}</a>
                        ) : r.canCreateDraft ? (
                          <PostButton ctx={ctx} action={`/manage/schedule/items/${encodeURIComponent(r.id)}/dataset`} label={w.createDraft} ariaLabel={w.createDraftLabel(r.name)} secondary />
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
              ))}
            </table>
          </div>
        )}
      </div>
    </Layout>
  );
}
