// Merging two households (managers only): everything of the closed household (members, guardian
// accounts, documents, enrolments, bookings, attendance, invoices, QF, payments, mandates,
// requests) moves to the kept one, each feature moving its own rows in ONE transaction, and the
// closed household keeps a pointer to the kept one. Both households are locked first, in a fixed
// order. Refused, with the reason, when both book one child on one day, both have an invoice for
// one month, or both have an open direct-debit mandate.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { withTransaction, type Queryable } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { formatDate } from '../web/format.js';
import { invoiceConflicts, moveHousehold as moveBilling } from '../billing/service.js';
import { moveHousehold as moveDocuments } from '../documents/service.js';
import { moveHousehold as moveEnrolments } from '../enrolments/service.js';
import {
  closeHousehold,
  createHouseholdsService,
  lockHouseholds,
  moveHousehold as moveHouseholdRows,
} from '../households/service.js';
import { mandateConflict, moveHousehold as movePayments } from '../payments/service.js';
import { moveHousehold as moveRequests } from '../requests/service.js';
import { bookingConflicts, moveHousehold as moveReservations } from '../reservations/service.js';

const OTHER = 'other';

/** A month 'YYYY-MM' in words ('septembre 2026'). */
const monthInWords = (month: string) =>
  new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${month.slice(0, 7)}-01T00:00:00Z`),
  );

/** Why the two households cannot be merged as they are (the first reason found), or null. */
async function mergeRefusal(q: Queryable, keptId: number, otherId: number): Promise<FormError | null> {
  const days = await bookingConflicts(q, keptId, otherId);
  if (days.length)
    return new FormError(OTHER, 'households.merge.errors.sameDay', {
      days: days.map((d) => `${d.first_name} (${formatDate(d.day, 'long')})`).join(', '),
    });
  const months = await invoiceConflicts(q, keptId, otherId);
  const open = months.filter((m) => m.open);
  if (open.length)
    return new FormError(OTHER, 'households.merge.errors.openInvoices', {
      months: open.map((m) => monthInWords(m.month)).join(', '),
    });
  if (months.length)
    return new FormError(OTHER, 'households.merge.errors.sameMonth', {
      months: months.map((m) => monthInWords(m.month)).join(', '),
    });
  if (await mandateConflict(q, keptId, otherId))
    return new FormError(OTHER, 'households.merge.errors.mandates');
  return null;
}

export function createMergeHouseholdsService(deps: AppDeps) {
  const households = createHouseholdsService(deps);

  /** The other household by its family number: open, and not the kept one. */
  async function otherOf(q: Queryable, keptId: number, familyNumber: string) {
    const other = (await q('households')
      .whereRaw('upper(family_number) = upper(?)', [familyNumber.trim()])
      .first('id', 'merged_into_id')) as { id: number; merged_into_id: number | null } | undefined;
    if (!other) throw new FormError(OTHER, 'households.merge.errors.unknown');
    if (other.id === keptId) throw new FormError(OTHER, 'households.merge.errors.same');
    if (other.merged_into_id) throw new FormError(OTHER, 'households.merge.errors.closed');
    return other.id;
  }

  return {
    /** Both cards side by side, and why they could not be merged now (null: they can). */
    async preview(keptId: number, familyNumber: string) {
      const otherId = await otherOf(deps.db, keptId, familyNumber);
      const [kept, other, refusal] = await Promise.all([
        households.overview(keptId),
        households.overview(otherId),
        mergeRefusal(deps.db, keptId, otherId),
      ]);
      return { kept: kept!, other: other!, refusal };
    },

    /** Merges the household numbered `familyNumber` into `keptId`, audited on both; what moved. */
    async merge(keptId: number, familyNumber: string, actor: Actor) {
      return withTransaction(deps.db, async (tx) => {
        const otherId = await otherOf(tx, keptId, familyNumber);
        const locked = await lockHouseholds(tx, [keptId, otherId]);
        // Checked again under the locks: either may have been merged meanwhile.
        if (locked.get(keptId)?.merged_into_id)
          throw new FormError(OTHER, 'households.merge.errors.keptClosed');
        if (!locked.get(otherId) || locked.get(otherId)!.merged_into_id)
          throw new FormError(OTHER, 'households.merge.errors.closed');
        const refusal = await mergeRefusal(tx, keptId, otherId);
        if (refusal) throw refusal;
        const moved = {
          ...(await moveHouseholdRows(tx, otherId, keptId)),
          ...(await moveDocuments(tx, otherId, keptId)),
          ...(await moveEnrolments(tx, otherId, keptId)),
          ...(await moveReservations(tx, otherId, keptId)),
          ...(await moveBilling(tx, otherId, keptId)),
          ...(await movePayments(tx, otherId, keptId)),
          ...(await moveRequests(tx, otherId, keptId)),
        };
        await closeHousehold(tx, otherId, keptId, deps.clock.now());
        await deps.audit.record(
          tx,
          actor,
          'households.merged_into',
          { type: 'household', id: otherId },
          { keptId },
        );
        await deps.audit.record(
          tx,
          actor,
          'households.merged',
          { type: 'household', id: keptId },
          { closedId: otherId, moved },
        );
        return { otherId, otherNumber: locked.get(otherId)!.family_number, moved };
      });
    },
  };
}
