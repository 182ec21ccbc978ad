// The booking rules of one service, read from its row, and what they say about one day for one
// child at one instant. Pure: the service loads the facts, this decides; the calendar page and
// the booking transaction ask the same questions.
import { z } from 'zod';
import {
  ageGroupOf,
  custodyAllows,
  isBeforeDeadline,
  isOpenForBooking,
  sickDeclarationAllowed,
  type Calendar,
  type Deadline,
  type Opening,
} from './rules.js';
import { parisDayOf } from '../platform/clock.js';
import type { DayState } from '../services/calendar.js';
import type { ServiceRow } from './repository.js';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const deadlineSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('calendar_days'), days: z.number().int().min(0).max(365), time }),
  z.object({ kind: z.literal('working_days'), days: z.number().int().min(0).max(60), time }),
  z.object({ kind: z.literal('week_before'), weekday: z.number().int().min(1).max(7), time }),
]);

const groupSchema = z.object({
  key: z.string().min(1).max(40),
  label: z.string().max(100).optional(),
  minAge: z.number().int().min(0).max(25).optional(),
  maxAge: z.number().int().min(0).max(25).optional(),
  schoolId: z.number().int().positive().optional(),
  capacity: z.number().int().min(0),
});
export type CapacityGroup = z.infer<typeof groupSchema>;

/** How far ahead a service with no booking window of its own can be booked: one school year. */
const DEFAULT_BOOKING_WINDOW_DAYS = 366;

export interface ServiceRules {
  bookingDeadline: Deadline | null;
  cancelDeadline: Deadline | null;
  opening: Opening;
  unit: 'day' | 'week';
  sickUntil: string;
  capacity: number | null;
  split: 'none' | 'age' | 'school';
  groups: CapacityGroup[];
}

function parseDeadline(value: unknown): Deadline | null {
  const parsed = deadlineSchema.safeParse(value);
  return parsed.success ? (parsed.data as Deadline) : null;
}

export function rulesOf(service: ServiceRow): ServiceRules {
  const groups = z.array(groupSchema).safeParse(service.capacity_groups);
  return {
    bookingDeadline: parseDeadline(service.booking_deadline),
    cancelDeadline: parseDeadline(service.cancel_deadline),
    opening: {
      // A service with no window set still has one: a mistyped year must not open a day in 2099.
      rollingDays: service.booking_window_days ?? DEFAULT_BOOKING_WINDOW_DAYS,
      ...(service.booking_opens_at ? { opensAt: new Date(service.booking_opens_at) } : {}),
    },
    unit: service.booking_unit === 'week' ? 'week' : 'day',
    sickUntil: /^([01]\d|2[0-3]):[0-5]\d$/.test(service.sick_declaration_until)
      ? service.sick_declaration_until
      : '09:00',
    capacity: service.capacity,
    split:
      service.capacity_split === 'age' || service.capacity_split === 'school'
        ? service.capacity_split
        : 'none',
    groups: groups.success ? groups.data : [],
  };
}

/** The capacity group of a child on a day, and its number of seats (null: unlimited). */
export function seatGroup(
  rules: ServiceRules,
  child: { birth_date: string; school_id: number | null },
  day: string,
): { key: string; capacity: number | null } {
  if (rules.split === 'age') {
    const group = ageGroupOf(child.birth_date, day, rules.groups);
    if (group) return { key: group.key, capacity: group.capacity };
  }
  if (rules.split === 'school') {
    const group = rules.groups.find((g) => g.schoolId === child.school_id);
    if (group) return { key: group.key, capacity: group.capacity };
  }
  return { key: '', capacity: rules.capacity };
}

/** Why a day cannot be booked; the words are in reservations.reasons.* */
export type Refusal =
  | 'not_enrolled'
  | 'closed'
  | 'custody'
  | 'not_yet_open'
  | 'deadline'
  | 'full'
  | 'already_booked'
  | 'week_incomplete';

export interface DayFacts {
  now: Date;
  day: string;
  enrolled: boolean;
  state: DayState | undefined;
  custody: 'odd' | 'even' | null;
  calendar: Calendar;
}

/** Every rule but capacity (the transaction decides that): null when the day can be booked. */
export function bookingRefusal(
  rules: ServiceRules,
  facts: DayFacts,
  opts: { staff?: boolean } = {},
): Refusal | null {
  if (!facts.enrolled) return 'not_enrolled';
  if (!facts.state?.open) return 'closed';
  if (!custodyAllows(facts.day, facts.custody)) return 'custody';
  if (facts.day < parisDayOf(facts.now)) return 'deadline';
  if (opts.staff) return null; // at the desk, staff may book past the deadline or before opening
  if (!isOpenForBooking(facts.now, facts.day, rules.opening).open) return 'not_yet_open';
  if (rules.bookingDeadline && !isBeforeDeadline(facts.now, facts.day, rules.bookingDeadline, facts.calendar))
    return 'deadline';
  return null;
}

/** A parent may cancel (free of charge) until the cancellation deadline; always before the day itself. */
export function canCancel(rules: ServiceRules, now: Date, day: string, calendar: Calendar): boolean {
  if (day < parisDayOf(now)) return false;
  if (!rules.cancelDeadline) return day > parisDayOf(now);
  return isBeforeDeadline(now, day, rules.cancelDeadline, calendar);
}

export function canDeclareSick(rules: ServiceRules, now: Date, day: string): boolean {
  return sickDeclarationAllowed(now, day, rules.sickUntil);
}
