// Calendar days as 'YYYY-MM-DD' strings: counting them needs no time zone (and no daylight saving
// time), so each day is taken as the UTC midnight of its date. Every feature counts days
// (calendars, deadlines, QF periods, estimates): this is the one place that does it.
/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export const invalidDay = (day: string) =>
  new RangeError(`Invalid day: ${JSON.stringify(day)} (expected YYYY-MM-DD)`);

const DAY_MS = 86_400_000;

/** A day as the UTC midnight of that date; throws on anything that is not a real 'YYYY-MM-DD' day (bad data must not pass silently). */
function utcMidnight(day: string): number {
  if (!DAY_PATTERN.test(day)) throw invalidDay(day);
  const d = new Date(0);
  d.setUTCFullYear(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
  if (utcDayString(d.getTime()) !== day) throw invalidDay(day); // 2026-02-30 and the like
  return d.getTime();
}

function utcDayString(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Throws unless `day` is a real 'YYYY-MM-DD' day. */
export function assertDay(day: string): void {
  utcMidnight(day);
}

/** The ISO week number (1–53) of `day`: that of the Thursday of its week. */
export function isoWeekNumberOf(day: string): number {
  const thursday = utcMidnight(day) + (4 - isoWeekdayOf(day)) * DAY_MS;
  const january1 = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return Math.floor((thursday - january1) / DAY_MS / 7) + 1;
}

/** `day` moved by `days` calendar days (negative: back). */
export function addDays(day: string, days: number): string {
  return utcDayString(utcMidnight(day) + days * DAY_MS);
}

export function isoWeekdayOf(day: string): IsoWeekday {
  const weekday = new Date(utcMidnight(day)).getUTCDay();
  return (weekday === 0 ? 7 : weekday) as IsoWeekday;
}

/** The seven days, Monday to Sunday, of the ISO week containing `day`. */
export function weekDaysOf(day: string): string[] {
  const monday = utcMidnight(day) - (isoWeekdayOf(day) - 1) * DAY_MS;
  return Array.from({ length: 7 }, (_, i) => utcDayString(monday + i * DAY_MS));
}
