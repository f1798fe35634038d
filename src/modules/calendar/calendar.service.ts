import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/index.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { assertCan } from '../policy/policy.ts';
import type { User } from '../users/users.service.ts';
import { parseCalendarYear, WorkingCalendar, type CalendarYear } from './working-days.ts';

/** The years the project ships (src/modules/calendar/years/<year>.json), each with its source. */
const SHIPPED = path.join(import.meta.dirname, 'years');

/**
 * The working-day calendar as stored (issue 6): the admin loads or replaces a year (audited);
 * the shipped years are loaded on first start; `calendar()` gives the arithmetic.
 */
export class CalendarService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async years(): Promise<CalendarYear[]> {
    const rows = await this.db.kysely.selectFrom('calendar_years').selectAll().orderBy('year').execute();
    return rows.map((r) => ({ year: Number(r.year), title: r.title, source: r.source, holidays: JSON.parse(r.holidays_json) as CalendarYear['holidays'], workdays: JSON.parse(r.workdays_json) as CalendarYear['workdays'] }));
  }

  async calendar(): Promise<WorkingCalendar> {
    return new WorkingCalendar(await this.years());
  }

  /** Loads (or replaces) one year from its file's JSON; a file with any problem changes nothing (CalendarFileError names them). */
  async load(raw: unknown, by: { id: string; label: string }): Promise<CalendarYear> {
    const y = parseCalendarYear(raw);
    await this.audit.transaction(async (trx) => {
      const before = await trx.selectFrom('calendar_years').select(['holidays_json', 'workdays_json']).where('year', '=', y.year).executeTakeFirst();
      const row = { year: y.year, title: y.title, source: y.source, holidays_json: JSON.stringify(y.holidays), workdays_json: JSON.stringify(y.workdays), loaded_at: new Date().toISOString(), loaded_by: by.id };
      if (before) await trx.updateTable('calendar_years').set(row).where('year', '=', y.year).execute();
      else await trx.insertInto('calendar_years').values(row).execute();
      await this.audit.record(trx, {
        actor: by,
        action: 'calendar.load',
        entityType: 'calendar',
        entityId: String(y.year),
        before: before ? { holidays: (JSON.parse(before.holidays_json) as unknown[]).length, workdays: (JSON.parse(before.workdays_json) as unknown[]).length } : null,
        after: { holidays: y.holidays.length, workdays: y.workdays.length, source: y.source },
      });
    });
    return y;
  }

  /** Loads (or replaces) a year for a signed-in user: the admin's upload form (calendar.manage), audited as theirs. */
  async loadAs(user: User, raw: unknown): Promise<CalendarYear> {
    assertCan(user, 'calendar.manage');
    return this.load(raw, { id: user.id, label: user.email });
  }

  /** Loads the shipped years not stored yet (a year the admin has edited is left as it is). */
  async ensureShipped(): Promise<number[]> {
    const have = new Set((await this.db.kysely.selectFrom('calendar_years').select('year').execute()).map((r) => Number(r.year)));
    const loaded: number[] = [];
    for (const f of readdirSync(SHIPPED).filter((n) => /^\d{4}\.json$/.test(n)).sort()) {
      const year = Number(f.slice(0, 4));
      if (have.has(year)) continue;
      await this.load(JSON.parse(readFileSync(path.join(SHIPPED, f), 'utf8')), { id: 'system', label: 'shipped calendar' });
      loaded.push(year);
    }
    return loaded;
  }
}
