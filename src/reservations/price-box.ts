// The booking form's price box beside the month calendars (parents' page, agenda and the desk).
import type { AppDeps } from '../deps.js';
import { today } from '../platform/clock.js';
import type { createReservationsService } from './service.js';

/**
 * The booking form's price box for the month's calendars; on a child's agenda, of that child only.
 * Billing computes it (a floor above: it gives it through deps.hooks.priceBox); none without billing.
 */
export async function priceBoxOf(
  deps: AppDeps,
  householdId: number,
  calendars: MonthCalendars,
  month: string,
  childId?: number,
) {
  if (!deps.hooks.priceBox) return null;
  const shown = calendars.flatMap(({ child, calendars: cals }) =>
    cals.map(({ service }) => ({
      childId: child.id,
      child: child.first_name,
      serviceId: service.id,
      service: service.name,
      unit: service.unit,
    })),
  );
  return deps.hooks.priceBox(deps.db, householdId, month, today(deps.clock), shown, childId);
}

type MonthCalendars = Awaited<ReturnType<ReturnType<typeof createReservationsService>['monthCalendars']>>;
