// Cancelling: a parent's or the desk's cancellation, the sick child and its certificate (a day
// closed by the town is closures.ts). A freed seat goes to the waiting list. Owns its transactions; never sees req/res.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { withTransaction } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { canCancel, canDeclareSick, rulesOf } from './policy.js';
import * as repo from './repository.js';
import { freeSeat } from './waiting-list.js';
import { calendarFor, dedupe, rangeOf, type Outcome, type Slot } from './slots.js';

export type CancelResult =
  'cancelled' | 'left_waiting_list' | 'late_cancelled' | 'cancelled_free' | 'not_booked' | 'deadline';
export type SickResult = 'sick' | 'cancelled' | 'not_booked' | 'too_late';

export function createCancellationService(deps: AppDeps) {
  const { db, clock, audit } = deps;

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
        await freeSeat(deps, tx, reservation);
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
          await freeSeat(deps, tx, reservation);
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

  return { cancel, declareSick, attachCertificate };
}
