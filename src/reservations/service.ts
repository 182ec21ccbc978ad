// Reservations: book (capacity in the transaction), cancel, sick child, waiting list, closed days,
// and the month calendar a parent sees. Owns its transactions; never sees req/res.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { withTransaction, isUniqueViolation, type Queryable, type Tx } from '../platform/db.js';
import { monthBounds, today } from '../platform/clock.js';
import { getTown } from '../platform/town.js';
import {
  dayStates,
  dayStatesFrom,
  publicHolidaysBetween,
  publicHolidaysIn,
  type DayState,
} from '../services/calendar.js';
import { FormError } from '../web/forms.js';
import { formatDate } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import { addDays, weekDaysOf } from '../platform/days.js';
import { expandWeeklyPattern, type Calendar } from './rules.js';
import {
  bookingRefusal,
  canCancel,
  canDeclareSick,
  rulesOf,
  seatGroup,
  type Refusal,
  type ServiceRules,
} from './policy.js';
import * as repo from './repository.js';
import type { ReservationRow, ServiceRow } from './repository.js';

export interface Slot {
  childId: number;
  serviceId: number;
  day: string;
}

export type BookResult = 'booked' | 'waiting' | 'already_waiting' | Refusal;
export type CancelResult =
  'cancelled' | 'left_waiting_list' | 'late_cancelled' | 'cancelled_free' | 'not_booked' | 'deadline';
export type SickResult = 'sick' | 'cancelled' | 'not_booked' | 'too_late';
export type Outcome<R> = Slot & { result: R };
export type BookOutcome = Outcome<BookResult> & { service: string; child: string };
export interface BookInput {
  householdId: number;
  actor: Actor;
  slots: Slot[];
  waitlist: boolean;
  staff?: boolean;
}

type FactsChild = repo.ChildInfo & { custody: 'odd' | 'even' | null; deleted: boolean };

/** Deadlines reach back a few weeks at most ("N working days", "the week before"). */
const CALENDAR_MARGIN_DAYS = 60;

const slotKey = (s: Slot) => `${s.serviceId}|${s.childId}|${s.day}`;

function dedupe(slots: Slot[]): Slot[] {
  const seen = new Map<string, Slot>();
  for (const s of slots) seen.set(slotKey(s), s);
  return [...seen.values()].sort(
    (a, b) => a.serviceId - b.serviceId || a.day.localeCompare(b.day) || a.childId - b.childId,
  );
}

function rangeOf(days: string[]): [string, string] {
  const sorted = [...days].sort();
  return [sorted[0]!, sorted[sorted.length - 1]!];
}

export function createReservationsService(deps: AppDeps) {
  const { db, clock, audit, outbox } = deps;

  async function calendarFor(q: Queryable, from: string, to: string): Promise<Calendar> {
    return { publicHolidays: await publicHolidaysBetween(q, addDays(from, -CALENDAR_MARGIN_DAYS), to) };
  }

  /** What the rules need about the household's children, the services and the days of a booking, read in one statement. */
  type Facts = Awaited<ReturnType<typeof loadFacts>>;

  async function loadFacts(q: Queryable, householdId: number, slots: Slot[]) {
    const serviceIds = [...new Set(slots.map((s) => s.serviceId))];
    const childIds = [...new Set(slots.map((s) => s.childId))];
    const [from, to] = rangeOf(slots.map((s) => s.day));
    // The day states reach a week around (whole-week units); the deadlines reach back further.
    const [statesFrom, statesTo] = [addDays(from, -7), addDays(to, 7)];
    const calendarFrom = addDays(from, -CALENDAR_MARGIN_DAYS);
    const read = await repo.bookingFacts(q, householdId, childIds, serviceIds, {
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
  function judge(input: BookInput, slots: Slot[], facts: Facts, now: Date) {
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
            {
              booked: results.filter((r) => r.result === 'booked').length,
              waiting: results.filter((r) => r.result === 'waiting').length,
            },
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
        const status = await repo.bookDay(
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
   * Gives a freed seat to the first child in line still within the rules (enrolled, custody
   * week, booking deadline), and emails their family. Runs in the transaction that freed it.
   */
  async function promoteFirst(tx: Tx, service: ServiceRow, day: string, group: string): Promise<void> {
    const rules = rulesOf(service);
    const now = clock.now();
    const calendar = await calendarFor(tx, day, day);
    const states = await dayStates(tx, service, day, day);
    for (const candidate of await repo.waitingList(tx, service.id, day, group)) {
      const custody = await repo.custodyOf(tx, candidate.household_id, candidate.child_id);
      const refusal = bookingRefusal(rules, {
        now,
        day,
        enrolled: await repo.isEnrolled(tx, candidate.child_id, service.id),
        state: states.get(day),
        custody: custody ?? null,
        calendar,
      });
      if (refusal || custody === undefined) continue;
      const child = (await repo.childById(tx, candidate.child_id))!;
      const seat = seatGroup(rules, child, day);
      if (!(await repo.takeSeat(tx, service.id, day, group, seat.capacity))) return;
      await repo.updateReservation(tx, candidate.id, { status: 'booked' });
      await audit.record(tx, { accountId: null, role: 'system' }, 'reservations.promoted', {
        type: 'reservation',
        id: candidate.id,
      });
      await emailHousehold(
        tx,
        candidate.household_id,
        'reservations.promoted',
        `reservations.promoted.${candidate.id}`,
        {
          subject: tFr('reservations.emails.promoted.subject'),
          paragraphs: [
            tFr('reservations.emails.promoted.body', {
              child: child.first_name,
              service: service.name,
              day: formatDate(day, 'weekday'),
            }),
          ],
        },
      );
      return;
    }
  }

  async function emailHousehold(
    tx: Tx,
    householdId: number,
    kind: string,
    dedupeKey: string,
    content: { subject: string; paragraphs: string[] },
  ) {
    const town = await getTown(tx);
    for (const to of await repo.householdEmails(tx, householdId)) {
      await outbox.enqueue(tx, {
        to,
        kind,
        dedupeKey: `${dedupeKey}.${to}`,
        content: {
          townName: town?.name ?? '',
          ...content,
          action: { label: tFr('reservations.emails.action'), url: `${deps.config.BASE_URL}/reservations` },
        },
      });
    }
  }

  /** Frees the seat of a reservation leaving 'booked' and offers it to the waiting list. */
  async function freeSeat(tx: Tx, reservation: ReservationRow): Promise<void> {
    await repo.releaseSeat(tx, reservation.service_id, reservation.day, reservation.group_key);
    const service = (await repo.findService(tx, reservation.service_id))!;
    await promoteFirst(tx, service, reservation.day, reservation.group_key);
  }

  /**
   * Cancels the household's reservations of the slots. A parent ('parent') cancels free until
   * the cancellation deadline; staff past it choose a late (billed) or free cancellation.
   */
  async function cancel(input: {
    householdId: number;
    actor: Actor;
    slots: Slot[];
    mode: 'parent' | 'late' | 'free';
    reason?: string;
  }): Promise<Outcome<CancelResult>[]> {
    const slots = dedupe(input.slots);
    if (!slots.length) return [];
    const [from, to] = rangeOf(slots.map((s) => s.day));
    return withTransaction(db, async (tx) => {
      const calendar = await calendarFor(tx, from, to);
      const services = new Map(
        (await repo.servicesByIds(tx, [...new Set(slots.map((s) => s.serviceId))])).map((s) => [s.id, s]),
      );
      const now = clock.now();
      const results: Outcome<CancelResult>[] = [];
      for (const slot of slots) {
        const reservation = await repo.liveReservationOfHouseholdForUpdate(
          tx,
          input.householdId,
          slot.serviceId,
          slot.childId,
          slot.day,
        );
        const service = services.get(slot.serviceId);
        if (!reservation || !service || reservation.status === 'sick') {
          results.push({ ...slot, result: 'not_booked' });
          continue;
        }
        const base = {
          cancelled_at: now,
          cancelled_by: input.actor.accountId,
          cancel_reason: input.reason ?? null,
        };
        if (reservation.status === 'waiting') {
          await repo.updateReservation(tx, reservation.id, { status: 'cancelled', ...base });
          results.push({ ...slot, result: 'left_waiting_list' });
          continue;
        }
        const inTime = canCancel(rulesOf(service), now, slot.day, calendar);
        if (!inTime && input.mode === 'parent') {
          results.push({ ...slot, result: 'deadline' });
          continue;
        }
        const status = inTime ? 'cancelled' : input.mode === 'late' ? 'late_cancelled' : 'cancelled_free';
        await repo.updateReservation(tx, reservation.id, { status, ...base });
        if (input.mode !== 'parent') {
          await audit.record(
            tx,
            input.actor,
            `reservations.${status}`,
            { type: 'reservation', id: reservation.id },
            { late: !inTime },
          );
        }
        await freeSeat(tx, reservation);
        results.push({ ...slot, result: status });
      }
      return results;
    });
  }

  /**
   * "Enfant malade": after the cancellation deadline and until the morning's limit, a booked day
   * becomes an absence awaiting a medical certificate. Before the deadline it is simply cancelled.
   */
  async function declareSick(input: {
    householdId: number;
    actor: Actor;
    slots: Slot[];
  }): Promise<Outcome<SickResult>[]> {
    const slots = dedupe(input.slots);
    if (!slots.length) return [];
    const [from, to] = rangeOf(slots.map((s) => s.day));
    return withTransaction(db, async (tx) => {
      const calendar = await calendarFor(tx, from, to);
      const now = clock.now();
      const results: Outcome<SickResult>[] = [];
      for (const slot of slots) {
        const reservation = await repo.liveReservationOfHouseholdForUpdate(
          tx,
          input.householdId,
          slot.serviceId,
          slot.childId,
          slot.day,
        );
        const service = await repo.findService(tx, slot.serviceId);
        if (!reservation || !service || reservation.status !== 'booked') {
          results.push({ ...slot, result: 'not_booked' });
          continue;
        }
        const rules = rulesOf(service);
        if (canCancel(rules, now, slot.day, calendar)) {
          await repo.updateReservation(tx, reservation.id, {
            status: 'cancelled',
            cancelled_at: now,
            cancelled_by: input.actor.accountId,
          });
          await freeSeat(tx, reservation);
          results.push({ ...slot, result: 'cancelled' });
        } else if (canDeclareSick(rules, now, slot.day)) {
          await repo.updateReservation(tx, reservation.id, { status: 'sick', sick_declared_at: now });
          await audit.record(tx, input.actor, 'reservations.sick', {
            type: 'reservation',
            id: reservation.id,
          });
          results.push({ ...slot, result: 'sick' });
        } else {
          results.push({ ...slot, result: 'too_late' });
        }
      }
      return results;
    });
  }

  /** Links one of the child's medical certificates (from the vault) to a sick absence. */
  async function attachCertificate(input: {
    householdId: number;
    actor: Actor;
    reservationId: number;
    documentId: number;
  }): Promise<void> {
    await withTransaction(db, async (tx) => {
      const reservation = await repo.reservationOfHousehold(tx, input.householdId, input.reservationId);
      if (!reservation || reservation.status !== 'sick')
        throw new FormError('document', 'reservations.errors.notSick');
      const document = await repo
        .medicalCertificatesOf(tx, input.householdId, reservation.child_id)
        .where('d.id', input.documentId)
        .first('d.id');
      if (!document) throw new FormError('document', 'reservations.errors.documentRequired');
      await repo.updateReservation(tx, reservation.id, { sick_certificate_document_id: input.documentId });
      await audit.record(
        tx,
        input.actor,
        'reservations.certificate',
        { type: 'reservation', id: reservation.id },
        { documentId: input.documentId },
      );
    });
  }

  /** Closes a day of a service (strike, snow): live bookings cancelled free, families emailed. */
  async function closeDay(input: {
    serviceId: number;
    day: string;
    reason: string;
    actor: Actor;
  }): Promise<{ cancelled: number }> {
    return withTransaction(db, async (tx) => {
      const service = await repo.findService(tx, input.serviceId);
      if (!service) throw new FormError('service', 'reservations.errors.serviceRequired');
      const inserted = await repo.insertClosure(tx, {
        service_id: service.id,
        day: input.day,
        reason: input.reason,
        closed_by: input.actor.accountId,
        closed_at: clock.now(),
      });
      if (!inserted) throw new FormError('day', 'reservations.errors.alreadyClosed');
      const live = await repo.liveReservationsOfDayForUpdate(tx, service.id, input.day);
      const households = new Set<number>();
      for (const r of live) {
        await repo.updateReservation(tx, r.id, {
          status: 'closed_by_town',
          cancelled_at: clock.now(),
          cancelled_by: input.actor.accountId,
          cancel_reason: input.reason,
        });
        if (r.status !== 'waiting') households.add(r.household_id);
      }
      await repo.resetCounters(tx, service.id, input.day);
      for (const householdId of households) {
        await emailHousehold(
          tx,
          householdId,
          'reservations.closed',
          `reservations.closed.${service.id}.${input.day}.${householdId}`,
          {
            subject: tFr('reservations.emails.closed.subject', { service: service.name }),
            paragraphs: [
              tFr('reservations.emails.closed.body', {
                service: service.name,
                day: formatDate(input.day, 'weekday'),
                reason: input.reason,
              }),
            ],
          },
        );
      }
      await audit.record(
        tx,
        input.actor,
        'reservations.close_day',
        { type: 'service', id: service.id },
        { day: input.day, cancelled: live.length },
      );
      return { cancelled: live.length };
    });
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

  return {
    book,
    bookOwn,
    cancel,
    declareSick,
    attachCertificate,
    closeDay,
    monthCalendars,
    calendarFor,
    patternSlots,
  };

  /**
   * The month calendars of the children: per child, per service with an accepted enrolment,
   * weeks of Monday–Friday cells with their state in words.
   */
  async function monthCalendars(input: {
    householdId: number;
    children: {
      id: number;
      first_name: string;
      birth_date: string;
      school_id: number | null;
      custody_weeks: 'odd' | 'even' | null;
    }[];
    month: string;
    staff?: boolean;
  }) {
    const first = `${input.month}-01`;
    const last = monthBounds(input.month).to;
    const gridFrom = weekDaysOf(first)[0]!;
    const gridTo = weekDaysOf(last)[6]!;
    const childIds = input.children.map((c) => c.id);
    if (!childIds.length) return [];
    const now = clock.now();
    const calendarFrom = addDays(gridFrom, -CALENDAR_MARGIN_DAYS);
    const { enrolments, services, periods, reservations, seats, attendance, closures } =
      await repo.calendarFacts(db, input.householdId, childIds, {
        from: gridFrom,
        to: gridTo,
        periodsFrom: calendarFrom,
      });
    const calendar: Calendar = { publicHolidays: publicHolidaysIn(periods, calendarFrom, gridTo) };
    const publicHolidays = publicHolidaysIn(periods, gridFrom, gridTo);
    const statesByService = new Map<number, Map<string, DayState>>(
      services.map((s) => {
        const closed = new Map(closures.filter((c) => c.service_id === s.id).map((c) => [c.day, c.reason]));
        return [s.id, dayStatesFrom(s, gridFrom, gridTo, { periods, publicHolidays, closed })];
      }),
    );
    // Indexed once per page instead of a scan of every row for every cell. Rows are looked up by
    // child: those of the household's other children (calendarFacts may read them) never show.
    const rowsOfCell = new Map<string, ReservationRow[]>();
    for (const r of reservations) {
      const key = slotKey({ serviceId: r.service_id, childId: r.child_id, day: r.day });
      const list = rowsOfCell.get(key);
      if (list) list.push(r);
      else rowsOfCell.set(key, [r]);
    }
    const presenceOf = new Map(
      attendance.map((a) => [
        slotKey({ serviceId: a.service_id, childId: a.child_id, day: a.day }),
        a.status,
      ]),
    );
    const enrolmentOf = new Map(enrolments.map((e) => [`${e.child_id}|${e.service_id}`, e]));
    const todayDay = today(clock);
    // The grid's weeks (Monday to Friday), computed once for every calendar of the page.
    const grid: { monday: string; days: string[] }[] = [];
    for (let monday = gridFrom; monday <= gridTo; monday = addDays(monday, 7))
      grid.push({ monday, days: [0, 1, 2, 3, 4].map((i) => addDays(monday, i)) });
    // A service's deadlines give every child of the page the same answer on a day (and custody
    // week): worked out once per page, not once per cell.
    const decided = new Map<string, boolean | Refusal | null>();
    const decide = <V extends boolean | Refusal | null>(key: string, work: () => V): V => {
      if (!decided.has(key)) decided.set(key, work());
      return decided.get(key) as V;
    };

    return input.children.map((child) => ({
      child,
      calendars: services
        .filter((s) => enrolmentOf.has(`${child.id}|${s.id}`))
        .map((service) => {
          const rules = rulesOf(service);
          const states = statesByService.get(service.id)!;
          const weekdays =
            enrolmentOf.get(`${child.id}|${service.id}`)?.options?.weekdays ?? service.weekdays;
          const weeks: { monday: string; days: (Cell | null)[] }[] = [];
          for (const { monday, days: weekDays } of grid) {
            const days = weekDays.map((day) =>
              day < first || day > last ? null : cellOf(service, rules, states.get(day), day),
            );
            if (days.some((d) => d !== null)) weeks.push({ monday, days });
          }
          return { service, rules, weeks, patternWeekdays: weekdays.map(Number) };

          function cellOf(s: ServiceRow, r: ServiceRules, state: DayState | undefined, day: string): Cell {
            const key = slotKey({ serviceId: s.id, childId: child.id, day });
            const rows = rowsOfCell.get(key) ?? [];
            const live = rows.find((x) => repo.LIVE_STATUSES.includes(x.status as repo.LiveStatus));
            const last = live ?? rows[rows.length - 1];
            const presence = presenceOf.get(key) ?? null;
            const base = {
              day,
              today: day === todayDay,
              reservation: last ?? null,
              attendance: presence,
              note: state && !state.open && state.reason === 'closed_by_town' ? state.note : null,
            };
            if (live?.status === 'booked') {
              const cancellable = decide(`cancel|${s.id}|${day}`, () => canCancel(r, now, day, calendar));
              const sickable =
                !cancellable && decide(`sick|${s.id}|${day}`, () => canDeclareSick(r, now, day));
              // At the desk staff may cancel any coming day (late or free, their choice).
              const selectable = cancellable || sickable || (Boolean(input.staff) && day >= todayDay);
              return { ...base, state: 'booked', selectable, cancellable, sickable };
            }
            if (live?.status === 'waiting')
              return {
                ...base,
                state: 'waiting',
                selectable: day >= todayDay,
                cancellable: true,
                sickable: false,
              };
            if (live?.status === 'sick')
              return { ...base, state: 'sick', selectable: false, cancellable: false, sickable: false };
            const refusal = decide(`refusal|${s.id}|${day}|${child.custody_weeks}`, () =>
              bookingRefusal(
                r,
                { now, day, enrolled: true, state, custody: child.custody_weeks, calendar },
                { staff: input.staff },
              ),
            );
            if (refusal)
              return { ...base, state: refusal, selectable: false, cancellable: false, sickable: false };
            const group = seatGroup(r, child, day);
            const full =
              group.capacity !== null &&
              (seats.get(repo.seatKey(s.id, day, group.key)) ?? 0) >= group.capacity;
            return {
              ...base,
              state: full ? 'full' : 'bookable',
              selectable: true,
              cancellable: false,
              sickable: false,
            };
          }
        }),
    }));
  }
}

export interface Cell {
  day: string;
  today: boolean;
  /** 'booked' | 'waiting' | 'sick' | 'bookable' | 'full' | a Refusal. */
  state: string;
  selectable: boolean;
  cancellable: boolean;
  sickable: boolean;
  reservation: ReservationRow | null;
  attendance: string | null;
  note: string | null;
}

class WeekRefused extends Error {
  constructor(readonly results: Outcome<BookResult>[]) {
    super('week refused');
  }
}
