// SQL of a household's bookings as staff read them on the family's desk page.
import type { Queryable } from '../platform/db.js';
import { LIVE_STATUSES, type LiveStatus } from './repository.js';

export interface HouseholdBooking {
  child_id: number;
  child_first_name: string;
  service_id: number;
  service_name: string;
  day: string;
  status: LiveStatus;
}

/** The household's live bookings (booked, waiting, sick) between two days, by child, service and day. */
export const householdBookings = (q: Queryable, householdId: number, from: string, to: string) =>
  q('reservations as r')
    .join('members as m', 'm.id', 'r.child_id')
    .join('services as s', 's.id', 'r.service_id')
    .where('r.household_id', householdId)
    .whereIn('r.status', LIVE_STATUSES)
    .whereBetween('r.day', [from, to])
    .orderBy([
      { column: 'm.birth_date' },
      { column: 'r.child_id' },
      { column: 's.name' },
      { column: 'r.day' },
    ])
    .select(
      'r.child_id',
      'm.first_name as child_first_name',
      'r.service_id',
      's.name as service_name',
      'r.day',
      'r.status',
    ) as Promise<HouseholdBooking[]>;
