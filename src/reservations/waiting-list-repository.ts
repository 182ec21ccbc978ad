// The waiting lists as staff read them: per service and day, in the order seats are offered, with
// the date each family asked. No rules: waiting-list.ts decides.
import type { Queryable } from '../platform/db.js';
import type { ReservationRow } from './repository.js';

export interface WaitingRow {
  id: number;
  group_key: string;
  position: number;
  created_at: Date;
  child_id: number;
  first_name: string;
  last_name: string;
  household_id: number;
  family_number: string;
}

/** The day's waiting list, first come first served within each capacity group. */
export const waitingListOfDay = (q: Queryable, serviceId: number, day: string) =>
  q('reservations as r')
    .join('members as m', 'm.id', 'r.child_id')
    .join('households as h', 'h.id', 'r.household_id')
    .where({ 'r.service_id': serviceId, 'r.day': day, 'r.status': 'waiting' })
    .orderBy([{ column: 'r.group_key' }, { column: 'r.created_at' }, { column: 'r.id' }])
    .select(
      'r.id',
      'r.group_key',
      'r.created_at',
      'r.child_id',
      'm.first_name',
      'm.last_name',
      'r.household_id',
      'h.family_number',
      q.raw('row_number() OVER (PARTITION BY r.group_key ORDER BY r.created_at, r.id)::int AS position'),
    ) as Promise<WaitingRow[]>;

/** The seats taken on the day, per capacity group. */
export const seatsOfDay = (q: Queryable, serviceId: number, day: string) =>
  q('reservation_counters').where({ service_id: serviceId, day }).select('group_key', 'booked') as Promise<
    { group_key: string; booked: number }[]
  >;

/** The days from `from` on that have a waiting list for the service, with its length. */
export const daysWithWaitingList = (q: Queryable, serviceId: number, from: string) =>
  q('reservations')
    .where({ service_id: serviceId, status: 'waiting' })
    .where('day', '>=', from)
    .groupBy('day')
    .orderBy('day')
    .limit(60)
    .select('day', q.raw('count(*)::int AS waiting')) as Promise<{ day: string; waiting: number }[]>;

export const waitingForUpdate = (q: Queryable, id: number) =>
  q('reservations').where({ id, status: 'waiting' }).forUpdate().first() as Promise<
    ReservationRow | undefined
  >;

/** The place of a waiting reservation in its line (1 = next), before it leaves it. */
export async function positionOf(q: Queryable, r: ReservationRow): Promise<number> {
  const row = (await q('reservations')
    .where({ service_id: r.service_id, day: r.day, group_key: r.group_key, status: 'waiting' })
    .where((w) =>
      w
        .where('created_at', '<', r.created_at)
        .orWhere((x) => x.where('created_at', r.created_at).where('id', '<=', r.id)),
    )
    .count({ n: '*' })
    .first()) as { n: string | number };
  return Number(row.n);
}

/**
 * Takes a seat as bookDay does, unless the day's counter is closed (a closure at work) or full:
 * true when taken.
 */
export async function takeSeatUnlessClosed(
  q: Queryable,
  serviceId: number,
  day: string,
  group: string,
  capacity: number | null,
): Promise<boolean> {
  const { rows } = (await q.raw(
    `INSERT INTO reservation_counters AS c (service_id, day, group_key, booked)
     SELECT :service::int, :day::date, :group::text, 1 WHERE :capacity::int IS NULL OR :capacity::int > 0
     ON CONFLICT (service_id, day, group_key) DO UPDATE SET booked = c.booked + 1
      WHERE NOT c.closed AND (:capacity::int IS NULL OR c.booked < :capacity::int)
     RETURNING booked`,
    { service: serviceId, day, group, capacity },
  )) as { rows: unknown[] };
  return rows.length === 1;
}
