// The parent's dashboard and the RGPD export: what every feature records for one household, read
// together. The export is an audit event about the household.
import type { AppDeps } from '../deps.js';
import { monthEstimate } from '../billing/pricing.js';
import type { Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { addDays } from '../platform/days.js';
import * as repo from './repository.js';

export function createDashboardService(deps: AppDeps) {
  return {
    /** The parent's home page: children and their next activities, documents, requests, invoices, the month's estimate. */
    async dashboard(householdId: number, accountId: number) {
      const day = today(deps.clock);
      const [children, reservations, expiring, missing, invoices, openRequests, estimate] = await Promise.all(
        [
          repo.dashboardChildren(deps.db, householdId),
          repo.nextReservations(deps.db, householdId, day, 30),
          repo.expiringDocuments(deps.db, householdId, day, addDays(day, 30)),
          repo.missingDocuments(deps.db, householdId, day),
          repo.unpaidInvoices(deps.db, householdId),
          repo.openRequestsOf(deps.db, householdId, accountId),
          monthEstimate(deps.db, householdId, day.slice(0, 7)),
        ],
      );
      return {
        children: children.map((c) => ({
          ...c,
          next: reservations.filter((r) => r.child_id === c.id).slice(0, 3),
        })),
        expiring,
        missing,
        invoices,
        openRequests,
        estimate,
      };
    },

    async exportData(householdId: number, actor: Actor) {
      const data = await repo.exportData(deps.db, householdId);
      await deps.audit.record(
        deps.db,
        actor,
        'households.exported',
        { type: 'household', id: householdId },
        {},
      );
      return data;
    },
  };
}
