// The one source of "now". Rules never call Date.now() or SQL now(): tests pass a fixed clock.
import { DateTime } from 'luxon';

export const TIME_ZONE = 'Europe/Paris';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and move. */
export class FixedClock implements Clock {
  private current: Date;
  constructor(start: Date | string) {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** "Now" in Europe/Paris. */
export function parisNow(clock: Clock): DateTime {
  return DateTime.fromJSDate(clock.now(), { zone: TIME_ZONE });
}

// The last Paris day asked for and the instants it spans: most requests, and every slot and
// calendar cell the rules check against "now", fall in the same day, and a zoned luxon DateTime
// for each is a costly time-zone lookup. A pure function of the instant (a
// moved test clock or another instance gets the right day).
let lastDay: { day: string; from: number; to: number } | null = null;

/** The Europe/Paris calendar date of an instant, as 'YYYY-MM-DD'. */
export function parisDayOf(instant: Date): string {
  const ms = instant.getTime();
  if (lastDay && ms >= lastDay.from && ms < lastDay.to) return lastDay.day;
  const start = DateTime.fromMillis(ms, { zone: TIME_ZONE }).startOf('day');
  lastDay = {
    day: start.toISODate() as string,
    from: start.toMillis(),
    to: start.plus({ days: 1 }).toMillis(),
  };
  return lastDay.day;
}

/** Today's calendar date in Europe/Paris, as 'YYYY-MM-DD'. */
export function today(clock: Clock): string {
  return parisDayOf(clock.now());
}

/** A Paris wall-clock date and time as an instant. */
export function parisInstant(day: string, time = '00:00'): Date {
  return DateTime.fromISO(`${day}T${time}`, { zone: TIME_ZONE }).toJSDate();
}

/** The first and last days of a 'YYYY-MM' month (calendar arithmetic: no time zone involved). */
export function monthBounds(month: string): { from: string; to: string } {
  const [year, m] = month.split('-').map(Number) as [number, number];
  // Day 0 of the next month is the last day of this one.
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The month `by` months after (or before) a 'YYYY-MM' month, without a time zone (a month has none). */
export function shiftMonth(month: string, by: number): string {
  const d = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + by, 1));
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Last month in Europe/Paris, 'YYYY-MM' (the month an invoicing run or a SEPA export is usually for). */
export const previousMonth = (clock: Clock): string => shiftMonth(today(clock).slice(0, 7), -1);
