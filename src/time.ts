/**
 * Dates and times as the agency writes them: Taipei local time (UTC+8, no daylight saving), in
 * the national metadata's forms.
 */
const TAIPEI_OFFSET_MS = 8 * 3_600_000;

/** YYYY-MM-DD in Taipei (notice dates, the demo's reference date, "not in the future" checks). */
export function taipeiDate(now: Date = new Date()): string {
  return new Date(now.getTime() + TAIPEI_OFFSET_MS).toISOString().slice(0, 10);
}

/** YYYY-MM-DD hh:mm:ss in Taipei, as the national 最後更新時間 is written. */
export function taipeiDateTime(now: Date = new Date()): string {
  return new Date(now.getTime() + TAIPEI_OFFSET_MS).toISOString().replace('T', ' ').slice(0, 19);
}

/*
 * Calendar days as ISO YYYY-MM-DD strings (a day, not an instant: computed in UTC so no time
 * zone moves it). Used by working days, timeliness, follow-up and the annual calendar.
 */
const DAY_MS = 86_400_000;
/** Milliseconds of the day's UTC midnight (only the first ten characters are read). */
export const dayMs = (iso: string): number => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
/** The ISO day of a UTC-midnight timestamp. */
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** `n` calendar days after `iso` (before it when negative). */
export const addDays = (iso: string, n: number): string => isoDay(dayMs(iso) + n * DAY_MS);
/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => Math.round((dayMs(to) - dayMs(from)) / DAY_MS);
/** A real day written YYYY-MM-DD (2026-02-30 is not). */
export const isIsoDay = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && isoDay(dayMs(s)) === s;
