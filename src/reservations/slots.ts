// What every reservations topic shares: a slot (a child, a service, a day), its outcome, and the
// helpers that sort slots and reach the calendar their deadlines need.
import type { Queryable } from '../platform/db.js';
import { publicHolidaysBetween } from '../services/calendar.js';
import { addDays } from '../platform/days.js';
import type { Calendar } from './rules.js';

export interface Slot {
  childId: number;
  serviceId: number;
  day: string;
}

export type Outcome<R> = Slot & { result: R };

/** Deadlines reach back a few weeks at most ("N working days", "the week before"). */
export const CALENDAR_MARGIN_DAYS = 60;

export const slotKey = (s: Slot) => `${s.serviceId}|${s.childId}|${s.day}`;

export function dedupe(slots: Slot[]): Slot[] {
  const seen = new Map<string, Slot>();
  for (const s of slots) seen.set(slotKey(s), s);
  return [...seen.values()].sort(
    (a, b) => a.serviceId - b.serviceId || a.day.localeCompare(b.day) || a.childId - b.childId,
  );
}

export function rangeOf(days: string[]): [string, string] {
  const sorted = [...days].sort();
  return [sorted[0]!, sorted[sorted.length - 1]!];
}

export async function calendarFor(q: Queryable, from: string, to: string): Promise<Calendar> {
  return { publicHolidays: await publicHolidaysBetween(q, addDays(from, -CALENDAR_MARGIN_DAYS), to) };
}
