// Closures (strike, snow): a day or a range of days closed for one service, the services of one
// school or the whole town; its bookings cancelled free of charge, each family emailed once with
// the list of its cancelled days. Reopening puts the days back in the calendar without restoring
// anything: the families who had a booking are told they may book again. Owns its transactions.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { withTransaction, type Tx } from '../platform/db.js';
import { addDays } from '../platform/days.js';
import { dayStates } from '../services/calendar.js';
import { FormError } from '../web/forms.js';
import { formatDate } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import * as repo from './closures-repository.js';
import type { ClosureScope, FamilyLine } from './closures-repository.js';
import { emailHousehold } from './household-email.js';
import { rulesOf } from './policy.js';

/** A closure is for an event (strike, snow, works): a few weeks at most. */
const MAX_CLOSURE_DAYS = 62;

export interface CloseInput {
  scope: ClosureScope;
  serviceId?: number;
  schoolId?: number;
  from: string;
  to: string;
  reason: string;
  actor: Actor;
}

export function createClosuresService(deps: AppDeps) {
  const { db, clock, audit } = deps;

  /**
   * Closes the open days of the scope between two days. The counters' gate is closed first, so a
   * booking being made now either commits before (and is cancelled here) or finds the day closed.
   */
  async function close(input: CloseInput) {
    if (input.from < today(clock)) throw new FormError('day', 'reservations.errors.closePast');
    if (input.to < input.from) throw new FormError('until', 'reservations.errors.toBeforeFrom');
    if (addDays(input.from, MAX_CLOSURE_DAYS - 1) < input.to)
      throw new FormError('until', 'reservations.errors.closureTooLong');
    return withTransaction(db, async (tx) => {
      const services = await repo.servicesInScope(tx, input);
      if (input.scope === 'service' && !services.length)
        throw new FormError('service', 'reservations.errors.serviceRequired');
      if (input.scope === 'school' && !services.length)
        throw new FormError('school', 'reservations.errors.nothingAtSchool');
      const now = clock.now();
      const closure = {
        scope: input.scope,
        service_id: input.scope === 'service' ? input.serviceId! : null,
        school_id: input.scope === 'school' ? input.schoolId! : null,
        first_day: input.from,
        last_day: input.to,
        reason: input.reason,
        closed_by: input.actor.accountId,
        closed_at: now,
      };
      const id = await repo.insertClosure(tx, closure);
      let closedDays = 0;
      let alreadyClosed = false;
      const cancelled: number[] = [];
      for (const service of services) {
        const states = await dayStates(tx, service, input.from, input.to);
        const open = [...states].filter(([, s]) => s.open).map(([day]) => day);
        alreadyClosed ||= [...states.values()].some((s) => !s.open && s.reason === 'closed_by_town');
        if (!open.length) continue;
        const groups = new Set(['', ...rulesOf(service).groups.map((g) => g.key)]);
        for (const key of await repo.countedGroups(tx, service.id, open)) groups.add(key);
        await repo.closeGates(tx, service.id, open, [...groups].sort());
        const days = await repo.insertClosedDays(tx, { id, ...closure }, service.id, open);
        if (!days.length) continue;
        closedDays += days.length;
        const live = await repo.liveReservationsForUpdate(tx, service.id, days);
        await repo.markClosedByTown(
          tx,
          live.map((r) => r.id),
          {
            cancelled_at: now,
            cancelled_by: input.actor.accountId,
            cancel_reason: input.reason,
            closure_id: id,
          },
        );
        await repo.emptyCounters(tx, service.id, days);
        cancelled.push(...live.map((r) => r.id));
      }
      if (!closedDays) {
        const key =
          alreadyClosed && input.scope === 'service'
            ? 'reservations.errors.alreadyClosed'
            : input.scope === 'service'
              ? 'reservations.errors.notOpen'
              : 'reservations.errors.nothingToClose';
        throw new FormError('day', key);
      }
      const families = byHousehold(await repo.linesOfReservations(tx, cancelled));
      for (const [householdId, lines] of families)
        await tellFamily(
          tx,
          householdId,
          `reservations.closure.${id}.${householdId}`,
          'closure',
          lines,
          input.reason,
        );
      await audit.record(
        tx,
        input.actor,
        'reservations.close_day',
        { type: 'closure', id },
        {
          scope: input.scope,
          serviceId: closure.service_id,
          schoolId: closure.school_id,
          from: input.from,
          to: input.to,
          days: closedDays,
          cancelled: cancelled.length,
        },
      );
      return { id, days: closedDays, cancelled: cancelled.length, families: families.size };
    });
  }

  /**
   * Reopens the closure's days from today on. The reservations it cancelled stay cancelled (the
   * seat may have been given, the family may have made other plans): their families are told the
   * days are open again and that they may book.
   */
  async function reopen(input: { closureId: number; actor: Actor }) {
    return withTransaction(db, async (tx) => {
      const closure = await repo.closureForUpdate(tx, input.closureId);
      if (!closure) return null;
      if (closure.reopened_at) throw new FormError('closure', 'reservations.errors.alreadyReopened');
      const from = today(clock);
      if (closure.last_day < from) throw new FormError('closure', 'reservations.errors.reopenPast');
      const days = await repo.deleteClosedDays(tx, closure.id, from);
      await repo.openGates(tx, days);
      const families = byHousehold(
        await repo.linesOfReservations(tx, await repo.cancelledBookingsOf(tx, closure.id, from)),
      );
      for (const [householdId, lines] of families)
        await tellFamily(
          tx,
          householdId,
          `reservations.reopened.${closure.id}.${householdId}`,
          'reopened',
          lines,
        );
      await repo.markReopened(tx, closure.id, input.actor.accountId, clock.now());
      await audit.record(
        tx,
        input.actor,
        'reservations.reopen',
        { type: 'closure', id: closure.id },
        { days: days.length, families: families.size },
      );
      return { days: days.length, families: families.size };
    });
  }

  /** One email per family: every cancelled (or reopened) day of its children, one line each. */
  async function tellFamily(
    tx: Tx,
    householdId: number,
    dedupeKey: string,
    kind: 'closure' | 'reopened',
    lines: FamilyLine[],
    reason?: string,
  ) {
    const days = new Set(lines.map((l) => l.day)).size;
    await emailHousehold(
      deps,
      tx,
      householdId,
      kind === 'closure' ? 'reservations.closed' : 'reservations.reopened',
      dedupeKey,
      {
        subject: tFr(`reservations.emails.${kind}.subject`, { count: days }),
        paragraphs: [
          tFr(`reservations.emails.${kind}.intro`, { count: lines.length, reason }),
          ...lines.map((l) =>
            tFr('reservations.emails.closureLine', {
              child: l.first_name,
              service: l.service,
              day: formatDate(l.day, 'weekday'),
            }),
          ),
          tFr(`reservations.emails.${kind}.outro`),
        ],
      },
    );
  }

  return {
    close,
    reopen,
    latest: () => repo.latestClosures(db, 50),
    one: (id: number) => repo.closureWithFacts(db, id),
    schools: () => repo.schoolsList(db),
  };
}

function byHousehold(lines: FamilyLine[]): Map<number, FamilyLine[]> {
  const map = new Map<number, FamilyLine[]>();
  for (const l of lines) map.set(l.household_id, [...(map.get(l.household_id) ?? []), l]);
  return map;
}
