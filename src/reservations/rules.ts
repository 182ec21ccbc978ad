// Booking rules of a service: deadlines, opening, custody weeks, sickness, age groups.
// Pure functions. Days are 'YYYY-MM-DD' strings; instants are Dates; every wall-clock rule is
// computed in Europe/Paris with luxon (DST handled by the library, never by hand-made offsets).
// "Now" is always passed in, so the same code serves the web request and the database transaction.
import { DateTime } from 'luxon';
import { parisDayOf, TIME_ZONE } from '../platform/clock.js';
import {
  addDays,
  assertDay,
  isoWeekNumberOf,
  DAY_PATTERN,
  invalidDay,
  isoWeekdayOf,
  weekDaysOf,
  type IsoWeekday,
} from '../platform/days.js';

/** A Paris wall-clock time, 'HH:MM' (24 h). */
export type TimeOfDay = string;

export type Deadline =
  | { kind: 'calendar_days'; days: number; time: TimeOfDay }
  | { kind: 'working_days'; days: number; time: TimeOfDay }
  | { kind: 'week_before'; weekday: IsoWeekday; time: TimeOfDay };

export interface Opening {
  /** Days can be booked up to today (Paris) + rollingDays, inclusive. */
  rollingDays?: number;
  /** Bookings open at this instant (e.g. registrations for the holidays open on a given evening). */
  opensAt?: Date;
}

export interface Calendar {
  /** 'YYYY-MM-DD' days that are not working days (public holidays, and any bridge day the town closes). */
  publicHolidays: ReadonlySet<string>;
}

/** `reason` is set only when `open` is false. */
export interface OpeningCheck {
  open: boolean;
  reason?: 'not_yet_open' | 'beyond_window';
}

export interface AgeGroup {
  key: string;
  /** Inclusive, in full years. */
  minAge?: number;
  /** Inclusive, in full years: { minAge: 3, maxAge: 5 } is "3 to 5 years old". */
  maxAge?: number;
}

const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses a 'YYYY-MM-DD' day as midnight in Paris; throws on anything else (bad data must not pass silently). */
function parseDay(day: string): DateTime {
  const parsed = DAY_PATTERN.test(day) ? DateTime.fromISO(day, { zone: TIME_ZONE }) : null;
  if (!parsed?.isValid) throw invalidDay(day);
  return parsed;
}

function parseTime(time: string): { hour: number; minute: number } {
  const match = TIME_PATTERN.exec(time);
  if (!match) throw new RangeError(`Invalid time: ${JSON.stringify(time)} (expected HH:MM)`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function assertCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

function toDay(dt: DateTime): string {
  return dt.toISODate() as string;
}

/**
 * A Paris wall-clock time on a day, as an instant. `set` on the day's midnight makes luxon start
 * from midnight's offset, so night times around the changes resolve the same way whatever today
 * is: a time in the spring gap (02:00–02:59, last Sunday of March) moves forward (02:30 → 03:30
 * CEST); an ambiguous autumn time (02:00–02:59, last Sunday of October) is its first occurrence
 * (summer time), the stricter of the two.
 */
function at(day: DateTime, time: TimeOfDay): Date {
  const { hour, minute } = parseTime(time);
  return day.set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
}

/** `at` for a 'YYYY-MM-DD' day. */
function atDay(day: string, time: TimeOfDay): Date {
  return at(parseDay(day), time);
}

/** Monday to Friday, minus the calendar's public holidays. */
export function isWorkingDay(day: string, cal: Calendar): boolean {
  return isoWeekdayOf(day) <= 5 && !cal.publicHolidays.has(day);
}

/** The nearest working day strictly before `day`. */
export function previousWorkingDay(day: string, cal: Calendar): string {
  let current = addDays(day, -1);
  // A year has at most a few consecutive non-working days; the bound only guards against a bad calendar.
  for (let i = 0; i < 366; i++) {
    if (isWorkingDay(current, cal)) return current;
    current = addDays(current, -1);
  }
  throw new RangeError(`No working day within a year before ${day}`);
}

/**
 * The deadline to book (or cancel) `day`: the instant at HH:MM:00 Paris time.
 * - calendar_days N: N calendar days before the day (N = 0: the day itself).
 * - working_days N: the N-th working day before the day, the day itself not counted
 *   (N = 1 for a Monday is the Friday before, or the Thursday if that Friday is a holiday).
 * - week_before: the given weekday of the ISO week before the day's week; if that weekday is a
 *   public holiday, the working day before it.
 * Booking is allowed through the whole deadline minute: see isBeforeDeadline.
 */
export function deadlineFor(day: string, rule: Deadline, cal: Calendar): Date {
  assertDay(day);
  switch (rule.kind) {
    case 'calendar_days': {
      assertCount(rule.days, 'days');
      return atDay(addDays(day, -rule.days), rule.time);
    }
    case 'working_days': {
      assertCount(rule.days, 'days');
      let current = day;
      for (let i = 0; i < rule.days; i++) current = previousWorkingDay(current, cal);
      return atDay(current, rule.time);
    }
    case 'week_before': {
      if (!Number.isInteger(rule.weekday) || rule.weekday < 1 || rule.weekday > 7) {
        throw new RangeError(`weekday must be 1..7, got ${rule.weekday}`);
      }
      // The weekday of week W-1.
      let deadlineDay = weekDaysOf(addDays(day, -7))[rule.weekday - 1]!;
      if (cal.publicHolidays.has(deadlineDay)) deadlineDay = previousWorkingDay(deadlineDay, cal);
      return atDay(deadlineDay, rule.time);
    }
  }
}

/**
 * True while `now` is not past the deadline. The deadline minute is inclusive: with a 10:00
 * deadline, 10:00:00 through 10:00:59.999 are allowed and 10:01:00 is not — what a parent reading
 * "jusqu'à 10h00" on their own clock expects.
 */
export function isBeforeDeadline(now: Date, day: string, rule: Deadline, cal: Calendar): boolean {
  return notPastMinute(now, deadlineFor(day, rule, cal));
}

function notPastMinute(now: Date, limit: Date): boolean {
  return now.getTime() < limit.getTime() + 60_000;
}

/**
 * Whether `day` can be booked at `now`. Both limits may apply; "not yet open" is reported first,
 * as it is the one the parent can act on by coming back later.
 */
export function isOpenForBooking(now: Date, day: string, opening: Opening): OpeningCheck {
  assertDay(day);
  if (opening.opensAt && now.getTime() < opening.opensAt.getTime()) {
    return { open: false, reason: 'not_yet_open' };
  }
  if (opening.rollingDays !== undefined) {
    assertCount(opening.rollingDays, 'rollingDays');
    const lastBookable = addDays(parisDayOf(now), opening.rollingDays);
    if (day > lastBookable) return { open: false, reason: 'beyond_window' };
  }
  return { open: true };
}

/**
 * Parity of the ISO week number, as towns print "semaines paires / impaires" for alternating
 * custody. Note: after a 53-week year (2026), weeks 53 and 1 are both odd — families then follow
 * the parity as printed, which is what this returns.
 */
export function isoWeekParity(day: string): 'odd' | 'even' {
  return isoWeekNumberOf(day) % 2 === 0 ? 'even' : 'odd';
}

/** With alternating custody, a household books only the weeks of its parity; null = no restriction. */
export function custodyAllows(day: string, custodyWeeks: 'odd' | 'even' | null): boolean {
  return custodyWeeks === null || isoWeekParity(day) === custodyWeeks;
}

/** Every day from `from` to `to` (both inclusive) falling on one of the ISO `weekdays`. */
export function expandWeeklyPattern(from: string, to: string, weekdays: readonly number[]): string[] {
  for (const weekday of weekdays) {
    if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7) {
      throw new RangeError(`weekday must be 1..7, got ${weekday}`);
    }
  }
  const wanted = new Set(weekdays);
  const end = parseDay(to);
  const days: string[] = [];
  for (let current = parseDay(from); current <= end; current = current.plus({ days: 1 })) {
    if (wanted.has(current.weekday)) days.push(toDay(current));
  }
  return days;
}

/**
 * A sick child can be declared for `day` until `hourLimit` (Paris) that morning, the minute itself
 * included (as for deadlines); earlier days past their limit cannot be declared any more.
 */
export function sickDeclarationAllowed(now: Date, day: string, hourLimit: TimeOfDay): boolean {
  return notPastMinute(now, atDay(day, hourLimit));
}

/** Last day to hand in the medical certificate for an absence starting on `day` (calendar days). */
export function certificateDeadline(day: string, days = 7): string {
  assertCount(days, 'days');
  return addDays(day, days);
}

/**
 * Age in full years on `day`. Compared on calendar fields, not durations: someone born on
 * 29 February turns a year older on 1 March in common years.
 */
export function ageOn(birthDate: string, day: string): number {
  assertDay(birthDate);
  assertDay(day);
  // 'YYYY-MM-DD' strings compare field by field: the birthday is reached when MM-DD is.
  let age = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (day.slice(5) < birthDate.slice(5)) age -= 1;
  if (age < 0) throw new RangeError(`${day} is before the birth date ${birthDate}`);
  return age;
}

/** The first group whose [minAge, maxAge] (inclusive, either open) contains the age on `day`, or null. */
export function ageGroupOf<G extends AgeGroup>(
  birthDate: string,
  day: string,
  groups: readonly G[],
): G | null {
  const age = ageOn(birthDate, day);
  return (
    groups.find(
      (group) =>
        (group.minAge === undefined || age >= group.minAge) &&
        (group.maxAge === undefined || age <= group.maxAge),
    ) ?? null
  );
}

/**
 * French public holidays (jours fériés, metropolitan France) of a year, sorted. Alsace-Moselle's
 * extra days and the town's bridge days are not included: add them to the Calendar.
 */
export function frenchPublicHolidays(year: number): string[] {
  if (!Number.isInteger(year) || year < 1583) throw new RangeError(`Invalid year: ${year}`);
  const easter = gregorianEaster(year);
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map(
    (monthDay) => `${year}-${monthDay}`,
  );
  const movable = [1, 39, 50].map((offset) => toDay(easter.plus({ days: offset }))); // Easter Monday, Ascension, Whit Monday
  return [...fixed, ...movable].sort();
}

/** Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
function gregorianEaster(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dayOfMonth = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.fromObject({ year, month, day: dayOfMonth }, { zone: TIME_ZONE });
}
