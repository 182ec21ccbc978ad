// The queries of a booking: the facts its rules read (one statement) and the day booked with its
// seat (one statement). No rules here: the service decides, this reads and writes rows.
import type { Queryable } from '../platform/db.js';
import type { Period } from '../services/calendar.js';
import type { ChildInfo, ReservationRow, ServiceRow } from './repository.js';

/** Everything a booking's rules read, in one statement (one round trip instead of ten): see BookingFacts. */
export interface BookingFacts {
  services: ServiceRow[];
  enrolments: { child_id: number; service_id: number }[];
  /** The children asked that are the household's (custody from the household's link). */
  children: (ChildInfo & { custody_weeks: 'odd' | 'even' | null; deleted: boolean })[];
  /** The town calendar's periods overlapping the range, every school year (each row says its own). */
  periods: (Period & { school_year_id: string })[];
  closures: { service_id: number; day: string; reason: string }[];
  /** The counters as they stand (no lock). */
  seats: { service_id: number; day: string; group_key: string; booked: number }[];
  /** The live reservations of those children for those services and days (any household). */
  live: Pick<ReservationRow, 'service_id' | 'child_id' | 'day' | 'status'>[];
}

const SERVICE_COLUMNS = `id, school_year_id, kind, name, site_school_id, opening_days, weekdays, unit, booking_deadline, cancel_deadline,
  booking_window_days, booking_opens_at, booking_unit, sick_declaration_until, capacity, capacity_split, capacity_groups, active`;

/**
 * The facts of a booking (a child is returned only if it is the household's): `from`–`to` are the
 * days asked; the calendar's periods are read over `periodsFrom`–`periodsTo` (deadlines reach
 * back, the week units reach around).
 */
export async function bookingFacts(
  q: Queryable,
  householdId: number,
  childIds: number[],
  serviceIds: number[],
  days: { from: string; to: string; periodsFrom: string; periodsTo: string },
): Promise<BookingFacts> {
  const { rows } = (await q.raw(
    `SELECT
       (SELECT coalesce(json_agg(s ORDER BY s.name), '[]') FROM (SELECT ${SERVICE_COLUMNS} FROM services WHERE id = ANY(:services::int[])) s) AS services,
       (SELECT coalesce(json_agg(json_build_object('child_id', child_id, 'service_id', service_id)), '[]')
          FROM enrolments WHERE child_id = ANY(:children::bigint[]) AND status = 'accepted') AS enrolments,
       (SELECT coalesce(json_agg(json_build_object('id', m.id, 'first_name', m.first_name, 'last_name', m.last_name,
                                                   'birth_date', m.birth_date, 'school_id', m.school_id, 'custody_weeks', hm.custody_weeks,
                                                   'deleted', m.deleted_at IS NOT NULL)), '[]')
          FROM household_members hm
          JOIN members m ON m.id = hm.member_id AND m.kind = 'child'
         WHERE hm.household_id = :household AND hm.member_id = ANY(:children::bigint[])) AS children,
       (SELECT coalesce(json_agg(json_build_object('kind', kind, 'starts_on', starts_on, 'ends_on', ends_on, 'school_year_id', school_year_id)), '[]')
          FROM calendar_periods WHERE starts_on <= :periodsTo::date AND (ends_on IS NULL OR ends_on >= :periodsFrom::date)) AS periods,
       (SELECT coalesce(json_agg(json_build_object('service_id', service_id, 'day', day, 'reason', reason)), '[]')
          FROM service_day_closures WHERE service_id = ANY(:services::int[]) AND day BETWEEN :periodsFrom::date AND :periodsTo::date) AS closures,
       (SELECT coalesce(json_agg(json_build_object('service_id', service_id, 'day', day, 'group_key', group_key, 'booked', booked)), '[]')
          FROM reservation_counters WHERE service_id = ANY(:services::int[]) AND day BETWEEN :from::date AND :to::date) AS seats,
       (SELECT coalesce(json_agg(json_build_object('service_id', service_id, 'child_id', child_id, 'day', day, 'status', status)), '[]')
          FROM reservations WHERE service_id = ANY(:services::int[]) AND child_id = ANY(:children::bigint[])
           AND day BETWEEN :from::date AND :to::date AND status IN ('booked', 'waiting', 'sick')) AS live`,
    { household: householdId, children: childIds, services: serviceIds, ...days },
  )) as { rows: [BookingFacts] };
  const facts = rows[0];
  // JSON has no timestamp: the service rows come back as the other queries give them.
  for (const s of facts.services) if (s.booking_opens_at) s.booking_opens_at = new Date(s.booking_opens_at);
  return facts;
}

/**
 * Books one day in one statement. With `takeSeat`, a seat is taken if one is left: the counter row
 * is created on demand or incremented only while below capacity; INSERT … ON CONFLICT DO UPDATE
 * holds the row lock until commit, so concurrent bookings of the day queue there and each sees the
 * count the previous one left (null capacity: unlimited). Then the reservation is inserted:
 * 'booked' with a seat, 'waiting' without one when `waitlist`, nothing otherwise (null: full).
 * A live reservation of the child that day breaks reservations_one_live: the statement fails
 * whole, its seat included.
 * A day being closed (closures.ts) has its counter rows marked `closed` under their lock: the
 * DO UPDATE re-reads the row after waiting for the closing, so a booking queued behind it takes
 * nothing and inserts nothing ('closed'), even if the statement began before the closing ended.
 */
export async function bookDay(
  q: Queryable,
  row: Pick<
    ReservationRow,
    'service_id' | 'child_id' | 'household_id' | 'day' | 'group_key' | 'created_at' | 'created_by'
  >,
  opts: { takeSeat: boolean; capacity: number | null; waitlist: boolean },
): Promise<'booked' | 'waiting' | 'closed' | null> {
  const { rows } = (await q.raw(
    `WITH seat AS (
       INSERT INTO reservation_counters AS c (service_id, day, group_key, booked)
       SELECT :service::int, :day::date, :group::text, 1
        WHERE :takeSeat::boolean AND (:capacity::int IS NULL OR :capacity::int > 0)
          AND NOT EXISTS (SELECT FROM service_day_closures WHERE service_id = :service::int AND day = :day::date)
       ON CONFLICT (service_id, day, group_key) DO UPDATE SET booked = c.booked + CASE WHEN c.closed THEN 0 ELSE 1 END
        WHERE c.closed OR :capacity::int IS NULL OR c.booked < :capacity::int
       RETURNING closed
     ), booked AS (
       INSERT INTO reservations (service_id, child_id, household_id, day, group_key, status, created_at, created_by)
       SELECT :service::int, :child::bigint, :household::bigint, :day::date, :group::text,
              CASE WHEN EXISTS (SELECT FROM seat) THEN 'booked' ELSE 'waiting' END, :createdAt::timestamptz, :createdBy::bigint
        WHERE NOT EXISTS (SELECT FROM seat WHERE closed)
          AND NOT EXISTS (SELECT FROM service_day_closures WHERE service_id = :service::int AND day = :day::date)
          AND (EXISTS (SELECT FROM seat) OR :waitlist::boolean)
       RETURNING status
     )
     SELECT coalesce((SELECT status FROM booked), CASE WHEN EXISTS (SELECT FROM seat WHERE closed) THEN 'closed' END) AS status`,
    {
      service: row.service_id,
      child: row.child_id,
      household: row.household_id,
      day: row.day,
      group: row.group_key,
      createdAt: row.created_at,
      createdBy: row.created_by,
      ...opts,
    },
  )) as { rows: { status: 'booked' | 'waiting' | 'closed' | null }[] };
  return rows[0]?.status ?? null;
}
