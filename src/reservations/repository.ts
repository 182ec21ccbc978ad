// Reservations' queries. No rules here: the service decides, this reads and writes rows.
import type { Queryable } from '../platform/db.js';
import type { Period } from '../services/calendar.js';

export type LiveStatus = 'booked' | 'waiting' | 'sick';
export const LIVE_STATUSES: readonly LiveStatus[] = ['booked', 'waiting', 'sick'];

export interface ServiceRow {
  id: number;
  school_year_id: string;
  kind: string;
  name: string;
  site_school_id: number | null;
  opening_days: string;
  weekdays: number[];
  unit: string;
  booking_deadline: unknown;
  cancel_deadline: unknown;
  booking_window_days: number | null;
  booking_opens_at: Date | null;
  booking_unit: string;
  sick_declaration_until: string;
  capacity: number | null;
  capacity_split: string;
  capacity_groups: unknown;
  active: boolean;
}

export interface ReservationRow {
  id: number;
  service_id: number;
  child_id: number;
  household_id: number;
  day: string;
  group_key: string;
  status: string;
  sick_declared_at: Date | null;
  sick_certificate_document_id: number | null;
  created_at: Date;
  created_by: number | null;
  cancelled_at: Date | null;
  cancelled_by: number | null;
  cancel_reason: string | null;
}

interface EnrolmentRow {
  child_id: number;
  service_id: number;
  options: { weekdays?: number[] } | null;
}

export const findService = (q: Queryable, id: number) =>
  q('services').where({ id }).first() as Promise<ServiceRow | undefined>;

export const servicesByIds = (q: Queryable, ids: number[]) =>
  q('services').whereIn('id', ids).orderBy('name') as Promise<ServiceRow[]>;

export async function isEnrolled(q: Queryable, childId: number, serviceId: number): Promise<boolean> {
  return Boolean(
    await q('enrolments').where({ child_id: childId, service_id: serviceId, status: 'accepted' }).first('id'),
  );
}

/** The live reservation of one of the household's children, locked for the change. */
export const liveReservationOfHouseholdForUpdate = (
  q: Queryable,
  householdId: number,
  serviceId: number,
  childId: number,
  day: string,
) =>
  q('reservations')
    .where({ household_id: householdId, service_id: serviceId, child_id: childId, day })
    .whereIn('status', LIVE_STATUSES)
    .forUpdate()
    .first() as Promise<ReservationRow | undefined>;

export const reservationOfHousehold = (q: Queryable, householdId: number, id: number) =>
  q('reservations').where({ household_id: householdId, id }).first() as Promise<ReservationRow | undefined>;

/**
 * What the month calendars of children show: their accepted enrolments, those services (open some
 * days), the town calendar's periods from `periodsFrom` (deadlines reach back), the household's
 * reservations of the grid, the counters, the attendance and the services' closed days.
 */
export async function calendarFacts(
  q: Queryable,
  householdId: number,
  childIds: number[],
  days: { from: string; to: string; periodsFrom: string },
) {
  const enrolled = () =>
    q('enrolments').whereIn('child_id', childIds).where({ status: 'accepted' }).select('service_id');
  const [enrolments, services, periods, reservations, seats, attendance, closures] = await Promise.all([
    q('enrolments')
      .whereIn('child_id', childIds)
      .where({ status: 'accepted' })
      .select('child_id', 'service_id', 'options') as Promise<EnrolmentRow[]>,
    q('services').whereIn('id', enrolled()).whereNot('opening_days', 'none').orderBy('name') as Promise<
      ServiceRow[]
    >,
    q('calendar_periods')
      .where('starts_on', '<=', days.to)
      .andWhere((w) => w.whereNull('ends_on').orWhere('ends_on', '>=', days.periodsFrom))
      .select('kind', 'starts_on', 'ends_on', 'school_year_id') as Promise<
      (Period & { school_year_id: string })[]
    >,
    q('reservations')
      .where({ household_id: householdId })
      .whereIn('child_id', childIds)
      .whereBetween('day', [days.from, days.to])
      .orderBy([{ column: 'day' }, { column: 'id' }]) as Promise<ReservationRow[]>,
    q('reservation_counters')
      .whereIn('service_id', enrolled())
      .whereBetween('day', [days.from, days.to])
      .select('service_id', 'day', 'group_key', 'booked') as Promise<
      { service_id: number; day: string; group_key: string; booked: number }[]
    >,
    q('attendance')
      .whereIn('child_id', childIds)
      .whereBetween('day', [days.from, days.to])
      .select('service_id', 'child_id', 'day', 'status') as Promise<
      { service_id: number; child_id: number; day: string; status: string }[]
    >,
    q('service_day_closures')
      .whereIn('service_id', enrolled())
      .whereBetween('day', [days.from, days.to])
      .select('service_id', 'day', 'reason') as Promise<
      { service_id: number; day: string; reason: string }[]
    >,
  ]);
  return {
    enrolments,
    services,
    periods,
    reservations,
    seats: new Map(seats.map((r) => [seatKey(r.service_id, r.day, r.group_key), r.booked])),
    attendance,
    closures,
  };
}

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

export const seatKey = (serviceId: number, day: string, group: string) => `${serviceId}|${day}|${group}`;

/**
 * Takes a seat if one is left, in one statement: the counter row is created on demand or
 * incremented only while below capacity. INSERT … ON CONFLICT DO UPDATE holds the row lock until
 * commit, so concurrent bookings of the same day queue here and each sees the count the previous
 * one left. null capacity: unlimited.
 */
export async function takeSeat(
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
      WHERE :capacity::int IS NULL OR c.booked < :capacity::int
     RETURNING booked`,
    { service: serviceId, day, group, capacity },
  )) as { rows: unknown[] };
  return rows.length === 1;
}

/**
 * Books one day in one statement. With `takeSeat`, a seat is taken if one is left: the counter row
 * is created on demand or incremented only while below capacity; INSERT … ON CONFLICT DO UPDATE
 * holds the row lock until commit, so concurrent bookings of the day queue there and each sees the
 * count the previous one left (null capacity: unlimited). Then the reservation is inserted:
 * 'booked' with a seat, 'waiting' without one when `waitlist`, nothing otherwise (null: full).
 * A live reservation of the child that day breaks reservations_one_live: the statement fails
 * whole, its seat included.
 */
export async function bookDay(
  q: Queryable,
  row: Pick<
    ReservationRow,
    'service_id' | 'child_id' | 'household_id' | 'day' | 'group_key' | 'created_at' | 'created_by'
  >,
  opts: { takeSeat: boolean; capacity: number | null; waitlist: boolean },
): Promise<'booked' | 'waiting' | null> {
  const { rows } = (await q.raw(
    `WITH seat AS (
       INSERT INTO reservation_counters AS c (service_id, day, group_key, booked)
       SELECT :service::int, :day::date, :group::text, 1
        WHERE :takeSeat::boolean AND (:capacity::int IS NULL OR :capacity::int > 0)
       ON CONFLICT (service_id, day, group_key) DO UPDATE SET booked = c.booked + 1
        WHERE :capacity::int IS NULL OR c.booked < :capacity::int
       RETURNING 1
     )
     INSERT INTO reservations (service_id, child_id, household_id, day, group_key, status, created_at, created_by)
     SELECT :service::int, :child::bigint, :household::bigint, :day::date, :group::text,
            CASE WHEN EXISTS (SELECT FROM seat) THEN 'booked' ELSE 'waiting' END, :createdAt::timestamptz, :createdBy::bigint
      WHERE EXISTS (SELECT FROM seat) OR :waitlist::boolean
     RETURNING status`,
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
  )) as { rows: { status: 'booked' | 'waiting' }[] };
  return rows[0]?.status ?? null;
}

export async function releaseSeat(
  q: Queryable,
  serviceId: number,
  day: string,
  group: string,
): Promise<void> {
  await q('reservation_counters')
    .where({ service_id: serviceId, day, group_key: group })
    .where('booked', '>', 0)
    .decrement('booked', 1);
}

export async function insertReservation(
  q: Queryable,
  row: Omit<
    ReservationRow,
    | 'id'
    | 'sick_declared_at'
    | 'sick_certificate_document_id'
    | 'cancelled_at'
    | 'cancelled_by'
    | 'cancel_reason'
  >,
): Promise<number> {
  const [created] = await q('reservations').insert(row).returning('id');
  return (created as { id: number }).id;
}

export async function updateReservation(
  q: Queryable,
  id: number,
  changes: Partial<ReservationRow>,
): Promise<void> {
  await q('reservations').where({ id }).update(changes);
}

/** The waiting list of a day, first come first served, locked (SKIP LOCKED: another promotion is at work on those). */
export const waitingList = (q: Queryable, serviceId: number, day: string, group: string) =>
  q('reservations')
    .where({ service_id: serviceId, day, group_key: group, status: 'waiting' })
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .forUpdate()
    .skipLocked() as Promise<ReservationRow[]>;

/** Where to write to a household: its correspondence address and its guardians' logins. */
export async function householdEmails(q: Queryable, householdId: number): Promise<string[]> {
  const h = (await q('households').where({ id: householdId }).first('email')) as
    { email: string | null } | undefined;
  const accounts = (await q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('ha.household_id', householdId)
    .select('a.email')) as { email: string }[];
  const all = [h?.email, ...accounts.map((a) => a.email)]
    .filter((e): e is string => Boolean(e))
    .map((e) => e.toLowerCase());
  return [...new Set(all)];
}

export interface ChildInfo {
  id: number;
  first_name: string;
  last_name: string;
  birth_date: string;
  school_id: number | null;
}

export const childById = (q: Queryable, id: number) =>
  q('members')
    .where({ id, kind: 'child' })
    .first('id', 'first_name', 'last_name', 'birth_date', 'school_id') as Promise<ChildInfo | undefined>;

export async function custodyOf(
  q: Queryable,
  householdId: number,
  childId: number,
): Promise<'odd' | 'even' | null | undefined> {
  const row = (await q('household_members')
    .where({ household_id: householdId, member_id: childId })
    .first('custody_weeks')) as { custody_weeks: 'odd' | 'even' | null } | undefined;
  return row ? row.custody_weeks : undefined;
}

export async function insertClosure(
  q: Queryable,
  row: { service_id: number; day: string; reason: string; closed_by: number | null; closed_at: Date },
): Promise<boolean> {
  const rows = await q('service_day_closures')
    .insert(row)
    .onConflict(['service_id', 'day'])
    .ignore()
    .returning('day');
  return rows.length > 0;
}

export const liveReservationsOfDayForUpdate = (q: Queryable, serviceId: number, day: string) =>
  q('reservations')
    .where({ service_id: serviceId, day })
    .whereIn('status', LIVE_STATUSES)
    .forUpdate() as Promise<ReservationRow[]>;

export async function resetCounters(q: Queryable, serviceId: number, day: string): Promise<void> {
  await q('reservation_counters').where({ service_id: serviceId, day }).update({ booked: 0 });
}

export async function isMonthLocked(q: Queryable, month: string): Promise<boolean> {
  return Boolean(await q('locked_months').where({ month }).first('month'));
}

/** The child's medical certificates in the household's vault (live documents). */
export function medicalCertificatesOf(q: Queryable, householdId: number, childId: number) {
  return q('documents as d')
    .join('document_types as dt', 'dt.id', 'd.type_id')
    .where({ 'd.household_id': householdId, 'd.member_id': childId, 'dt.code': 'medical_certificate' })
    .whereNull('d.deleted_at')
    .whereNot('d.status', 'rejected');
}

/** The agenda's extras: the child's last sick absences (with their certificate), its medical certificates, the month's history. */
export async function agendaFacts(
  q: Queryable,
  householdId: number,
  childId: number,
  from: string,
  to: string,
) {
  const [sick, certificates, history] = await Promise.all([
    q('reservations as r')
      .join('services as s', 's.id', 'r.service_id')
      .leftJoin('documents as d', 'd.id', 'r.sick_certificate_document_id')
      .where({ 'r.household_id': householdId, 'r.child_id': childId, 'r.status': 'sick' })
      .orderBy('r.day', 'desc')
      .limit(20)
      .select('r.id', 'r.day', 's.name as service', 'd.uploaded_at') as Promise<
      { id: number; day: string; service: string; uploaded_at: Date | null }[]
    >,
    medicalCertificatesOf(q, householdId, childId)
      .orderBy('d.uploaded_at', 'desc')
      .select('d.id', 'd.uploaded_at') as Promise<{ id: number; uploaded_at: Date }[]>,
    q('reservations as r')
      .join('services as s', 's.id', 'r.service_id')
      .leftJoin('attendance as a', (j) =>
        j.on('a.service_id', 'r.service_id').andOn('a.child_id', 'r.child_id').andOn('a.day', 'r.day'),
      )
      .where({ 'r.household_id': householdId, 'r.child_id': childId })
      .whereBetween('r.day', [from, to])
      .orderBy([{ column: 'r.day' }, { column: 's.name' }, { column: 'r.id' }])
      .select('r.day', 'r.status', 's.name as service', 'a.status as attendance') as Promise<
      { day: string; status: string; service: string; attendance: string | null }[]
    >,
  ]);
  return { sick, certificates, history };
}
