// Merging two households: the closed household's bookings (live or not) and the attendance it is
// billed for move to the kept one. A child booked on the same day by both households cannot be
// merged blindly (the kept household would hold two bookings of one day): the merge is refused
// and the days are listed. Runs in the merge's transaction (src/admin/merge-households.ts).
import type { Queryable, Tx } from '../platform/db.js';

const LIVE = ['booked', 'waiting', 'sick'];

/** The children booked (live) by both households on the same day, first ones first. */
export function bookingConflicts(q: Queryable, aId: number, bId: number, limit = 10) {
  return q('reservations as a')
    .join('reservations as b', (j) => j.on('b.child_id', 'a.child_id').andOn('b.day', 'a.day'))
    .join('members as m', 'm.id', 'a.child_id')
    .where('a.household_id', aId)
    .where('b.household_id', bId)
    .whereIn('a.status', LIVE)
    .whereIn('b.status', LIVE)
    .distinct('a.child_id', 'm.first_name', 'a.day')
    .orderBy([{ column: 'a.day' }, { column: 'a.child_id' }])
    .limit(limit) as Promise<{ child_id: number; first_name: string; day: string }[]>;
}

/** Moves every booking and attendance row of `fromId` to `toId`; how many moved. */
export async function moveHousehold(
  tx: Tx,
  fromId: number,
  toId: number,
): Promise<{ reservations: number; attendance: number }> {
  const reservations = await tx('reservations')
    .where({ household_id: fromId })
    .update({ household_id: toId });
  const attendance = await tx('attendance').where({ household_id: fromId }).update({ household_id: toId });
  return { reservations, attendance };
}
