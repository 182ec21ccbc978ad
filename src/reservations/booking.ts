// Booking: the slots of a form or a weekly pattern, capacity taken in the transaction (counter row),
// the waiting list when a day is full. Owns its transactions; never sees req/res.
import type { AppDeps } from '../deps.js';
import { withTransaction, isUniqueViolation, type Queryable } from '../platform/db.js';
import { dayStates } from '../services/calendar.js';
import { expandWeeklyPattern } from './rules.js';
import * as repo from './repository.js';
import { bookDay } from './booking-repository.js';
import { judge, loadFacts, type BookInput, type BookOutcome, type BookResult } from './booking-facts.js';
import { dedupe, type Outcome, type Slot } from './slots.js';

/** The audit's words for a desk booking: which days, per child and service (ids only). */
function daysBy(results: Outcome<BookResult>[], result: BookResult) {
  const groups = new Map<string, { childId: number; serviceId: number; days: string[] }>();
  for (const r of results) {
    if (r.result !== result) continue;
    const key = `${r.childId}|${r.serviceId}`;
    const group = groups.get(key) ?? { childId: r.childId, serviceId: r.serviceId, days: [] };
    group.days.push(r.day);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ ...g, days: g.days.sort() }));
}

export function createBookingService(deps: AppDeps) {
  const { db, clock, audit } = deps;

  /**
   * Books the slots for the household. Every rule but capacity is checked from the facts; the
   * seat is taken in the transaction (counter row), so two parents can never get the last seat.
   * With `waitlist`, a full day puts the child on the waiting list instead.
   */
  async function book(input: BookInput): Promise<BookOutcome[]> {
    return (await bookSlotsOf(input, false))!;
  }

  /**
   * book() for a parent's own form: null when a slot names a child that is not (or no longer) the
   * household's.
   */
  async function bookOwn(input: BookInput): Promise<BookOutcome[] | null> {
    return bookSlotsOf(input, true);
  }

  async function bookSlotsOf(input: BookInput, ownChildrenOnly: boolean): Promise<BookOutcome[] | null> {
    const slots = dedupe(input.slots);
    if (!slots.length) return [];
    const now = clock.now();
    const facts = await loadFacts(db, input.householdId, slots);
    const judged = judge(input, slots, facts, now);
    if (ownChildrenOnly && judged.foreign) return null;
    const { plan, early } = judged;
    const todo = plan.filter((_, i) => !early[i]);
    let outcomes: Outcome<BookResult>[];
    if (!input.staff && todo.length === 0) outcomes = early.flat() as Outcome<BookResult>[];
    else if (!input.staff && todo.length === 1) {
      // One unit to book and nothing else to write: a single day is one statement (its own
      // transaction), a week one transaction; no savepoint either way.
      const booked = await bookUnit(db, todo[0]!);
      outcomes = plan.flatMap((unit, i) => early[i] ?? booked);
    } else {
      outcomes = await withTransaction(db, async (tx) => {
        const results: Outcome<BookResult>[] = [];
        // Several units: each in a savepoint, so that a refused week or a double submission
        // leaves the others booked.
        for (const [i, unit] of plan.entries()) results.push(...(early[i] ?? (await bookUnit(tx, unit))));
        if (input.staff) {
          await audit.record(
            tx,
            input.actor,
            'reservations.book',
            { type: 'household', id: input.householdId },
            { booked: daysBy(results, 'booked'), waiting: daysBy(results, 'waiting') },
          );
        }
        return results;
      });
    }
    return outcomes.map(judged.named);

    /**
     * One unit (a day, or a whole week): all of it or nothing. On the pool a single day is one
     * statement and a week a transaction; within a transaction, a savepoint.
     */
    async function bookUnit(q: Queryable, unit: Slot[]): Promise<Outcome<BookResult>[]> {
      const whole = unit.length > 1;
      try {
        if (!whole && !q.isTransaction) return await bookSlots(q, unit);
        return await q.transaction((t) => bookSlots(t, unit));
      } catch (err) {
        if (err instanceof WeekRefused)
          return err.results.map((r) =>
            r.result === 'full' ? r : { ...r, result: 'week_incomplete' as const },
          );
        // The same form submitted twice at once: the other submission booked it.
        if (isUniqueViolation(err, 'reservations_one_live'))
          return unit.map((slot) => ({ ...slot, result: 'already_booked' as const }));
        throw err;
      }
    }

    async function bookSlots(q: Queryable, unit: Slot[]): Promise<Outcome<BookResult>[]> {
      const whole = unit.length > 1;
      const results: Outcome<BookResult>[] = [];
      for (const slot of unit) {
        const held = judged.alreadyHeld(slot);
        if (held) {
          results.push({ ...slot, result: held });
          continue;
        }
        const group = judged.seatOf(slot);
        const status = await bookDay(
          q,
          {
            service_id: slot.serviceId,
            child_id: slot.childId,
            household_id: input.householdId,
            day: slot.day,
            group_key: group.key,
            created_at: clock.now(),
            created_by: input.actor.accountId,
          },
          {
            // Shown full (a single day, waiting list asked): straight to the waiting list, without
            // queueing on the counter's row behind the bookings that are taking its last seats.
            takeSeat: whole || !judged.shownFull(slot),
            capacity: group.capacity,
            waitlist: input.waitlist && !whole,
          },
        );
        results.push({ ...slot, result: status ?? 'full' });
      }
      if (whole && results.some((r) => r.result === 'full')) throw new WeekRefused(results);
      return results;
    }
  }

  /**
   * The slots of a weekly pattern: the chosen weekdays between two days, for each child. A pattern
   * follows the service's calendar: weeks it does not run at all (school holidays for a school-day
   * service) are skipped, while public holidays and days closed by the town are kept so that the
   * answer says they were not booked, and why.
   */
  async function patternSlots(input: {
    serviceId: number;
    childIds: number[];
    from: string;
    to: string;
    weekdays: number[];
  }): Promise<Slot[]> {
    const service = await repo.findService(db, input.serviceId);
    if (!service) return [];
    const states = await dayStates(db, service, input.from, input.to);
    const days = expandWeeklyPattern(input.from, input.to, input.weekdays).filter((day) => {
      const state = states.get(day);
      return state?.open || (state && state.reason !== 'not_running');
    });
    return input.childIds.flatMap((childId) => days.map((day) => ({ childId, serviceId: service.id, day })));
  }

  return { book, bookOwn, patternSlots };
}

class WeekRefused extends Error {
  constructor(readonly results: Outcome<BookResult>[]) {
    super('week refused');
  }
}
