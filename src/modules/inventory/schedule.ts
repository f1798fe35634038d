import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import type { WorkingCalendar } from '../calendar/working-days.ts';
import type { ApprovedItem, ScheduleEntry, ScheduleStatus } from './inventory.types.ts';

/** Default: an item is "due soon" this many working days before its planned date (KAIFANG_SCHEDULE_REMIND_DAYS). */
export const DUE_SOON_WORKING_DAYS = 10;

/**
 * The status of an approved open item on `asOf`: opened once its dataset is published (whatever the
 * date), else late after its planned date, due soon within `dueSoon` working days, else on time.
 */
export function scheduleStatus(plannedDate: string | null, openedAt: string | null, asOf: string, cal: WorkingCalendar, dueSoon: number): { status: ScheduleStatus; workingDaysLeft: number | null } {
  if (openedAt) return { status: 'opened', workingDaysLeft: null };
  if (!plannedDate) return { status: 'on_time', workingDaysLeft: null };
  const left = cal.workingDaysBetween(asOf, plannedDate);
  if (plannedDate < asOf) return { status: 'late', workingDaysLeft: left };
  return { status: left <= dueSoon ? 'due_soon' : 'on_time', workingDaysLeft: left };
}

/**
 * The opening schedule (開放期程): the open items of each year's newest approved list, with the live
 * item's dataset and whether that dataset is published. Items approved as open only; an item added
 * or changed after approval appears as approved until the next approval.
 */
export async function loadSchedule(db: Kysely<Database>, cal: WorkingCalendar, opts: { asOf: string; year?: number; unit?: string; dueSoon?: number }): Promise<ScheduleEntry[]> {
  let q = db.selectFrom('inventory_approvals as a').select(['a.year', 'a.revision', 'a.items_json']);
  if (opts.year !== undefined) q = q.where('a.year', '=', opts.year);
  const approvals = await q.orderBy('a.year').orderBy('a.revision', 'desc').execute();
  const newest = new Map<number, ApprovedItem[]>();
  for (const a of approvals) if (!newest.has(Number(a.year))) newest.set(Number(a.year), JSON.parse(a.items_json) as ApprovedItem[]);

  const entries: { year: number; item: ApprovedItem }[] = [];
  for (const [year, items] of newest) for (const item of items) if (item.classification === 'open' && (!opts.unit || item.unit === opts.unit)) entries.push({ year, item });
  if (entries.length === 0) return [];

  // The live items' dataset links (an item deleted since approval keeps its approved entry, without a link).
  const links = new Map<string, { datasetId: string; name: string; publishedAt: string | null }>();
  const ids = entries.map((e) => e.item.id);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('inventory_items as i')
      .innerJoin('datasets as d', 'd.id', 'i.dataset_id')
      .select(['i.id', 'd.id as datasetId', 'd.name', 'd.published_at', 'd.state'])
      .where('i.id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) links.set(r.id, { datasetId: r.datasetId, name: r.name, publishedAt: r.state === 'published' || r.state === 'discontinued' ? r.published_at : null });
  }

  const dueSoon = opts.dueSoon ?? DUE_SOON_WORKING_DAYS;
  return entries
    .map(({ year, item }): ScheduleEntry => {
      const link = links.get(item.id);
      const openedAt = link?.publishedAt ?? null;
      return { ...item, year, datasetId: link?.datasetId ?? null, datasetName: link?.name ?? null, openedAt, ...scheduleStatus(item.plannedDate, openedAt, opts.asOf, cal, dueSoon) };
    })
    .sort((a, b) => (a.plannedDate ?? '9999').localeCompare(b.plannedDate ?? '9999') || a.unit.localeCompare(b.unit) || a.position - b.position);
}
