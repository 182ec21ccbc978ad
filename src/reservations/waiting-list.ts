// The waiting list: a seat freed goes to the first child in line still within the rules; staff
// read each day's list and may give a free seat to any child in it by hand.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { withTransaction, type Tx } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import * as waitingRepo from './waiting-list-repository.js';
import { dayStates } from '../services/calendar.js';
import { formatDate } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import { bookingRefusal, rulesOf, seatGroup } from './policy.js';
import * as repo from './repository.js';
import type { ReservationRow, ServiceRow } from './repository.js';
import { emailHousehold } from './household-email.js';
import { calendarFor } from './slots.js';

/** Tells a family its child left the waiting list for a seat (by the line moving, or by hand). */
function emailPromoted(
  deps: AppDeps,
  tx: Tx,
  reservation: { id: number; household_id: number; day: string },
  child: string,
  service: string,
) {
  return emailHousehold(
    deps,
    tx,
    reservation.household_id,
    'reservations.promoted',
    `reservations.promoted.${reservation.id}`,
    {
      subject: tFr('reservations.emails.promoted.subject'),
      paragraphs: [
        tFr('reservations.emails.promoted.body', {
          child,
          service,
          day: formatDate(reservation.day, 'weekday'),
        }),
      ],
    },
  );
}

/** Frees the seat of a reservation leaving 'booked' and offers it to the waiting list. */
export async function freeSeat(deps: AppDeps, tx: Tx, reservation: ReservationRow): Promise<void> {
  await repo.releaseSeat(tx, reservation.service_id, reservation.day, reservation.group_key);
  const service = (await repo.findService(tx, reservation.service_id))!;
  await promoteFirst(deps, tx, service, reservation.day, reservation.group_key);
}

/**
 * Gives a freed seat to the first child in line still within the rules (enrolled, custody
 * week, booking deadline), and emails their family. Runs in the transaction that freed it.
 */
async function promoteFirst(
  deps: AppDeps,
  tx: Tx,
  service: ServiceRow,
  day: string,
  group: string,
): Promise<void> {
  const { clock, audit } = deps;
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
    await emailPromoted(deps, tx, candidate, child.first_name, service.name);
    return;
  }
}

/**
 * The waiting lists staff read and the promotion by hand. A promotion by hand respects capacity:
 * it gives a seat that is free (capacity raised on the rules page, a seat the automatic promotion
 * could not give past the booking deadline, or another child in line chosen over the first); it
 * never adds a seat, as the capacity is the staffing ratio and the room the town set.
 */
export function createWaitingListService(deps: AppDeps) {
  const { db, clock, audit } = deps;

  async function ofDay(service: ServiceRow, day: string) {
    const [waiting, seats, state] = await Promise.all([
      waitingRepo.waitingListOfDay(db, service.id, day),
      waitingRepo.seatsOfDay(db, service.id, day),
      dayStates(db, service, day, day),
    ]);
    const rules = rulesOf(service);
    const groups = [...new Set(['', ...rules.groups.map((g) => g.key), ...waiting.map((w) => w.group_key)])]
      .map((key) => ({
        key,
        label: rules.groups.find((g) => g.key === key)?.label ?? key,
        capacity: key === '' ? rules.capacity : (rules.groups.find((g) => g.key === key)?.capacity ?? null),
        booked: seats.find((s) => s.group_key === key)?.booked ?? 0,
        waiting: waiting.filter((w) => w.group_key === key),
      }))
      .filter((g) => (g.key === '' ? rules.split === 'none' || g.waiting.length > 0 : true));
    return {
      groups,
      state: state.get(day),
      days: await waitingRepo.daysWithWaitingList(db, service.id, today(clock)),
    };
  }

  /** Gives a free seat to one child of the waiting list, whatever its place in line. */
  async function promoteByHand(input: { reservationId: number; serviceId: number; actor: Actor }) {
    return withTransaction(db, async (tx) => {
      const candidate = await waitingRepo.waitingForUpdate(tx, input.reservationId);
      if (!candidate || candidate.service_id !== input.serviceId)
        throw new FormError('reservation', 'reservations.errors.waitingRequired');
      const service = (await repo.findService(tx, candidate.service_id))!;
      const rules = rulesOf(service);
      const custody = await repo.custodyOf(tx, candidate.household_id, candidate.child_id);
      const refusal = bookingRefusal(
        rules,
        {
          now: clock.now(),
          day: candidate.day,
          enrolled: await repo.isEnrolled(tx, candidate.child_id, service.id),
          state: (await dayStates(tx, service, candidate.day, candidate.day)).get(candidate.day),
          custody: custody ?? null,
          calendar: await calendarFor(tx, candidate.day, candidate.day),
        },
        { staff: true },
      );
      if (refusal || custody === undefined)
        throw new FormError('reservation', `reservations.errors.promote.${refusal ?? 'not_enrolled'}`);
      const child = (await repo.childById(tx, candidate.child_id))!;
      const seat = seatGroup(rules, child, candidate.day);
      const position = await waitingRepo.positionOf(tx, candidate);
      if (
        !(await waitingRepo.takeSeatUnlessClosed(
          tx,
          service.id,
          candidate.day,
          candidate.group_key,
          seat.capacity,
        ))
      )
        throw new FormError('reservation', 'reservations.errors.promote.full');
      await repo.updateReservation(tx, candidate.id, { status: 'booked' });
      await audit.record(
        tx,
        input.actor,
        'reservations.promoted_by_hand',
        { type: 'reservation', id: candidate.id },
        { serviceId: service.id, day: candidate.day, position },
      );
      await emailPromoted(deps, tx, candidate, child.first_name, service.name);
      return { day: candidate.day, child: child.first_name };
    });
  }

  return { ofDay, promoteByHand };
}
