import ical from 'ical-generator';
import type { CalendarTask } from './tasks.service.ts';

const DAY = 86_400_000;
const utcDay = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

export interface IcsOptions {
  year: number;
  /** The portal's public address (the UIDs' domain, the events' links). */
  baseUrl: string;
  /** The agency's name, for the calendar's name and PRODID. */
  agency: string;
}

/**
 * The year's tasks as an iCalendar feed (RFC 5545), written by ical-generator (CRLF, folding at
 * 75 octets without splitting a UTF-8 sequence, escaping of , ; \ and newlines).
 *
 * - One all-day VEVENT per task spanning the task: DTSTART its start, DTEND the day after its
 *   deadline (DTEND is exclusive for dates), so a calendar shows the bar the year page shows; the
 *   deadline is repeated in the description.
 * - UID `<year>-<task key>@<host>`: stable across requests and across re-creation of the year.
 * - DTSTAMP the task's last change, so the same data gives the same bytes (cacheable, diffable).
 * - SUMMARY in zh-TW, the English title first in DESCRIPTION.
 */
export function tasksToIcs(tasks: readonly CalendarTask[], opts: IcsOptions): string {
  const host = new URL(opts.baseUrl).host;
  const page = `${opts.baseUrl.replace(/\/$/, '')}/calendar/${opts.year}`;
  const cal = ical({
    prodId: { company: 'Kaifang', product: 'annual-calendar', language: 'ZH-TW' },
    name: `${opts.agency} ${opts.year} 年度資料開放行事曆`,
    description: `${opts.agency} ${opts.year} 年度資料開放行事曆 / Open-data annual work calendar ${opts.year}`,
    url: page,
  });
  for (const t of tasks) {
    const description = [
      t.titleEn,
      `主／協辦單位 Owner：${t.ownerLabel}`,
      `期間 Period：${t.startsOn} – ${t.dueOn}`,
      `截止日 Deadline：${t.dueOn}`,
      t.done ? `已完成 Done：${t.doneAt ?? ''}` : '',
      t.description,
    ]
      .filter(Boolean)
      .join('\n');
    cal.createEvent({
      id: `${t.year}-${t.key}@${host}`,
      allDay: true,
      start: utcDay(t.startsOn),
      end: new Date(utcDay(t.dueOn).getTime() + DAY),
      stamp: new Date(t.updatedAt),
      summary: t.done ? `${t.title}（已完成）` : t.title,
      description,
      url: page,
    });
  }
  // Every content line ends in CRLF, the last one too (RFC 5545 3.1); the library leaves the last bare.
  const out = cal.toString();
  return out.endsWith('\r\n') ? out : `${out}\r\n`;
}
