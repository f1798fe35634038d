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
