// Reservations' public face: one object for the routes, assembled from the topic services
// (booking.ts, cancellation.ts, calendar-view.ts). Each owns its transactions; none sees req/res.
import type { AppDeps } from '../deps.js';
import { createBookingService } from './booking.js';
import { createCalendarViewService } from './calendar-view.js';
import { createCancellationService } from './cancellation.js';

export type { Outcome, Slot } from './slots.js';
export type { Cell } from './calendar-view.js';

export function createReservationsService(deps: AppDeps) {
  return {
    ...createBookingService(deps),
    ...createCancellationService(deps),
    ...createCalendarViewService(deps),
  };
}

// Merging two households (src/admin/merge-households.ts): this feature's side.
export { bookingConflicts, moveHousehold } from './household-move.js';
// Reads the staff's family page uses (src/admin).
export { householdBookings, type HouseholdBooking } from './repository-household.js';
