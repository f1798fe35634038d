import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCalendarYear, WorkingCalendar } from '../calendar/working-days.ts';
import { scheduleStatus } from './schedule.ts';

const cal = new WorkingCalendar([parseCalendarYear(JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'calendar', 'years', '2026.json'), 'utf8')))]);

describe('schedule status of an approved open item', () => {
  it('opened wins whatever the date', () => {
    expect(scheduleStatus('2026-03-31', '2026-05-02T01:00:00Z', '2026-06-01', cal, 10)).toEqual({ status: 'opened', workingDaysLeft: null });
  });

  it('due soon within the working days, counted across the Spring Festival', () => {
    // From 2026-02-10 to 2026-02-27: 7 working days (2/16–2/20 and 2/27 off), though 17 calendar days.
    expect(scheduleStatus('2026-02-27', null, '2026-02-10', cal, 7)).toEqual({ status: 'due_soon', workingDaysLeft: 7 });
    expect(scheduleStatus('2026-02-27', null, '2026-02-10', cal, 6)).toEqual({ status: 'on_time', workingDaysLeft: 7 });
  });

  it('the planned day itself is still due soon; the day after is late', () => {
    expect(scheduleStatus('2026-03-31', null, '2026-03-31', cal, 10).status).toBe('due_soon');
    expect(scheduleStatus('2026-03-31', null, '2026-04-01', cal, 10)).toEqual({ status: 'late', workingDaysLeft: -1 });
  });

  it('an item without a planned date is on time (nothing to measure)', () => {
    expect(scheduleStatus(null, null, '2026-03-31', cal, 10)).toEqual({ status: 'on_time', workingDaysLeft: null });
  });
});
