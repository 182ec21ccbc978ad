// What a booking reads (one statement) and what the rules say about its slots before the database
// is asked for seats.
import type { Actor } from '../platform/audit.js';
import type { Queryable } from '../platform/db.js';
import { dayStatesFrom, publicHolidaysIn, type DayState } from '../services/calendar.js';
import { addDays, weekDaysOf } from '../platform/days.js';
import type { Calendar } from './rules.js';
import { bookingRefusal, rulesOf, seatGroup, type Refusal } from './policy.js';
import * as repo from './repository.js';
import { bookingFacts } from './booking-repository.js';
import { CALENDAR_MARGIN_DAYS, rangeOf, slotKey, type Outcome, type Slot } from './slots.js';

export type BookResult = 'booked' | 'waiting' | 'already_waiting' | Refusal;
export type BookOutcome = Outcome<BookResult> & { service: string; child: string };
export interface BookInput {
  householdId: number;
  actor: Actor;
  slots: Slot[];
  waitlist: boolean;
  staff?: boolean;
}

type FactsChild = repo.ChildInfo & { custody: 'odd' | 'even' | null; deleted: boolean };

/** What the rules need about the household's children, the services and the days of a booking, read in one statement. */
type Facts = Awaited<ReturnType<typeof loadFacts>>;

export async function loadFacts(q: Queryable, householdId: number, slots: Slot[]) {
  const serviceIds = [...new Set(slots.map((s) => s.serviceId))];
  const childIds = [...new Set(slots.map((s) => s.childId))];
  const [from, to] = rangeOf(slots.map((s) => s.day));
  // The day states reach a week around (whole-week units); the deadlines reach back further.
  const [statesFrom, statesTo] = [addDays(from, -7), addDays(to, 7)];
  const calendarFrom = addDays(from, -CALENDAR_MARGIN_DAYS);
  const read = await bookingFacts(q, householdId, childIds, serviceIds, {
    from,
    to,
    periodsFrom: calendarFrom,
    periodsTo: statesTo,
  });
  const services = new Map(read.services.map((s) => [s.id, s]));
  // Parsed once per booking: every slot asks them several times.
  const rules = new Map(read.services.map((s) => [s.id, rulesOf(s)]));
  const enrolled = new Set(read.enrolments.map((e) => `${e.service_id}|${e.child_id}`));
  const children = new Map<number, FactsChild>(
    read.children.map(({ custody_weeks, ...child }) => [child.id, { ...child, custody: custody_weeks }]),
  );
  const calendar: Calendar = { publicHolidays: publicHolidaysIn(read.periods, calendarFrom, to) };
  const publicHolidays = publicHolidaysIn(read.periods, statesFrom, statesTo);
  const states = new Map<number, Map<string, DayState>>();
  for (const service of read.services) {
    const closed = new Map(
      read.closures.filter((c) => c.service_id === service.id).map((c) => [c.day, c.reason]),
    );
    states.set(
      service.id,
      dayStatesFrom(service, statesFrom, statesTo, { periods: read.periods, publicHolidays, closed }),
    );
  }
  const seats = new Map(read.seats.map((r) => [repo.seatKey(r.service_id, r.day, r.group_key), r.booked]));
  const live = new Map(
    read.live.map((r) => [slotKey({ serviceId: r.service_id, childId: r.child_id, day: r.day }), r.status]),
  );
  return { services, rules, enrolled, children, states, calendar, seats, live };
}

/** A whole-week service sells the open days of the week together: a chosen day brings its week. */
function units(slots: Slot[], facts: Facts): Slot[][] {
  const out: Slot[][] = [];
  const weeks = new Map<string, Slot[]>();
  for (const slot of slots) {
    const service = facts.services.get(slot.serviceId);
    if (!service || facts.rules.get(service.id)!.unit !== 'week') {
      out.push([slot]);
      continue;
    }
    const monday = weekDaysOf(slot.day)[0]!;
    const key = `${slot.serviceId}|${slot.childId}|${monday}`;
    if (weeks.has(key)) continue;
    const states = facts.states.get(slot.serviceId)!;
    const open = weekDaysOf(slot.day).filter((d) => states.get(d)?.open);
    const unit = (open.length ? open : [slot.day]).map((day) => ({ ...slot, day }));
    weeks.set(key, unit);
    out.push(unit);
  }
  return out;
}

/**
 * What the rules say about a booking's slots from the facts read for it: each unit either answered now (`early`: refusals, a single day the child already holds, a
 * single day shown full without the waiting list) or left to the database (null). A seat
 * freed later goes to the waiting list, never to a late "full"; the database stays the judge
 * of every seat it gives.
 */
export function judge(input: BookInput, slots: Slot[], facts: Facts, now: Date) {
  const { children } = facts;
  const plan = units(slots, facts);

  function refusalOf(slot: Slot): Refusal | null {
    const service = facts.services.get(slot.serviceId);
    const child = children.get(slot.childId);
    if (!service || !child) return 'not_enrolled';
    return bookingRefusal(
      facts.rules.get(service.id)!,
      {
        now,
        day: slot.day,
        enrolled: facts.enrolled.has(`${slot.serviceId}|${slot.childId}`),
        state: facts.states.get(slot.serviceId)?.get(slot.day),
        custody: child.custody,
        calendar: facts.calendar,
      },
      { staff: input.staff },
    );
  }

  /** The child's live reservation of the slot read with the facts, as the answer says it. */
  function alreadyHeld(slot: Slot): 'already_waiting' | 'already_booked' | null {
    const status = facts.live.get(slotKey(slot));
    return status === undefined ? null : status === 'waiting' ? 'already_waiting' : 'already_booked';
  }

  /** The slot's seat group (rules and child known: only asked of slots the rules let through). */
  function seatOf(slot: Slot) {
    return seatGroup(facts.rules.get(slot.serviceId)!, children.get(slot.childId)!, slot.day);
  }

  /** The seat group of the slot has no seat left according to the counters read with the facts. */
  function shownFull(slot: Slot): boolean {
    if (!facts.services.get(slot.serviceId) || !children.get(slot.childId)) return false;
    const group = seatOf(slot);
    return (
      group.capacity !== null &&
      (facts.seats.get(repo.seatKey(slot.serviceId, slot.day, group.key)) ?? 0) >= group.capacity
    );
  }

  const early = plan.map((unit): Outcome<BookResult>[] | null => {
    const refusals = unit.map((slot) => refusalOf(slot));
    if (refusals.some((r) => r !== null))
      return unit.map((slot, i) => ({ ...slot, result: refusals[i] ?? 'week_incomplete' }));
    const slot = unit[0]!;
    const held = alreadyHeld(slot);
    if (unit.length === 1 && held) return [{ ...slot, result: held }];
    if (unit.length === 1 && !input.waitlist && shownFull(slot)) return [{ ...slot, result: 'full' }];
    return null;
  });
  /** Some slot names a child that is not (or no longer) the household's. */
  const foreign = slots.some((s) => !children.get(s.childId) || children.get(s.childId)!.deleted);
  /** The answer page's names, from what was read. */
  const named = (o: Outcome<BookResult>): BookOutcome => ({
    ...o,
    service: facts.services.get(o.serviceId)?.name ?? '',
    child: children.get(o.childId)?.first_name ?? '',
  });
  return { plan, early, foreign, named, alreadyHeld, seatOf, shownFull };
}
