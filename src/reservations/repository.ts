// Reservations' rows and the queries every topic shares (reservations, seats, waiting list, closed
// days); the booking's and the calendar's own reads are in booking-repository.ts and
// calendar-repository.ts. No rules here: the service decides, this reads and writes rows.
import type { Queryable } from '../platform/db.js';

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
