// The waiting list: a seat freed goes to the first child in line still within the rules.
import type { AppDeps } from '../deps.js';
import type { Tx } from '../platform/db.js';
import { dayStates } from '../services/calendar.js';
import { formatDate } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import { bookingRefusal, rulesOf, seatGroup } from './policy.js';
import * as repo from './repository.js';
import type { ReservationRow, ServiceRow } from './repository.js';
import { emailHousehold } from './household-email.js';
import { calendarFor } from './slots.js';

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
    await emailHousehold(
      deps,
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
