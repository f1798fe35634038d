import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CalendarFileError, parseCalendarYear, WorkingCalendar } from './working-days.ts';

const y2026 = parseCalendarYear(JSON.parse(readFileSync(path.join(import.meta.dirname, 'years', '2026.json'), 'utf8')));

describe('the working-day calendar', () => {
  it('the shipped 2026 calendar: 104 weekend days and 16 holidays make the 120 days off the Executive Yuan announced', () => {
    let weekends = 0;
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
      const d = new Date(t).getUTCDay();
      if (d === 0 || d === 6) weekends++;
    }
    expect(weekends + y2026.holidays.length - y2026.workdays.length).toBe(120);
    expect(y2026.source).toContain('院授人培字第1143024631號');
  });

  it('counts across the Spring Festival (2/14–2/22 off) and a 補假', () => {
    const cal = new WorkingCalendar([y2026]);
    expect(cal.isWorkingDay('2026-02-13')).toBe(true);
    expect(cal.isWorkingDay('2026-02-20')).toBe(false); // 除夕前一日補假
    expect(cal.addWorkingDays('2026-02-13', 1)).toBe('2026-02-23');
    expect(cal.addWorkingDays('2026-02-23', -1)).toBe('2026-02-13');
    // After 2/10: 2/11, 2/12, 2/13; 2/16–2/20 off; 2/23, 2/24, 2/25, 2/26; 2/27 is the 228 補假.
    expect(cal.workingDaysBetween('2026-02-10', '2026-02-27')).toBe(7);
    expect(cal.workingDaysBetween('2026-02-27', '2026-02-10')).toBe(-7);
  });

  it('a year without a calendar counts weekends only, and says so', () => {
    const cal = new WorkingCalendar([y2026]);
    expect(cal.known(2026)).toBe(true);
    expect(cal.known(2028)).toBe(false);
    expect(cal.addWorkingDays('2028-01-07', 1)).toBe('2028-01-10');
  });

  it('a file with problems is refused, each named by entry and field, in both languages', () => {
    try {
      parseCalendarYear({ year: 2026, holidays: [{ date: '2026-02-30', name: 'x' }, { date: '2026-02-14', name: '春節' }, { date: '2027-01-01', name: '元旦' }], workdays: [{ date: '2026-03-02', name: '補班' }] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CalendarFileError);
      const en = (err as CalendarFileError).problems.map((p) => p.en);
      expect(en).toEqual([
        'source (where the data came from, e.g. the Executive Yuan letter) is required',
        'holidays entry 1: date "2026-02-30" must be YYYY-MM-DD',
        'holidays entry 2: 2026-02-14 is a weekend day, off anyway: not a holiday to list',
        'holidays entry 3: 2027-01-01 is not in 2026',
        'workdays entry 1: 2026-03-02 is not a weekend day, so it is no make-up working day',
      ]);
    }
  });
});
