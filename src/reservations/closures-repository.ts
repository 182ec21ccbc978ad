// The rows of closures: the closure itself, its days (service_day_closures, what the calendar
// reads), the counters' gate and the reservations it cancelled. No rules: closures.ts decides.
import type { Queryable } from '../platform/db.js';
import type { ServiceRow } from './repository.js';

export type ClosureScope = 'service' | 'school' | 'town';

export interface ClosureRow {
  id: number;
  scope: ClosureScope;
  service_id: number | null;
  school_id: number | null;
  first_day: string;
  last_day: string;
  reason: string;
  closed_by: number | null;
  closed_at: Date;
  reopened_by: number | null;
  reopened_at: Date | null;
}

export interface ServiceDay {
  service_id: number;
  day: string;
}

/** The services a closure of this scope covers: running services, one, a school's, or all. */
export function servicesInScope(
  q: Queryable,
  scope: { scope: ClosureScope; serviceId?: number; schoolId?: number },
) {
  return q('services')
    .where('active', true)
    .whereNot('opening_days', 'none')
    .modify((qb) => {
      if (scope.scope === 'service') qb.where('id', scope.serviceId!);
      if (scope.scope === 'school') qb.where('site_school_id', scope.schoolId!);
    })
    .orderBy('id') as Promise<ServiceRow[]>;
}

export async function insertClosure(
  q: Queryable,
  row: Omit<ClosureRow, 'id' | 'reopened_by' | 'reopened_at'>,
) {
  const [created] = await q('closures').insert(row).returning('id');
  return (created as { id: number }).id;
}

export const closureForUpdate = (q: Queryable, id: number) =>
  q('closures').where({ id }).forUpdate().first() as Promise<ClosureRow | undefined>;

/**
 * Marks the days' counter rows closed, one row per capacity group (created if missing), in a fixed
 * order. Taking these row locks waits for the bookings holding them; bookings that come after
 * wait for this transaction and then find the row closed (bookDay).
 */
export async function closeGates(
  q: Queryable,
  serviceId: number,
  days: string[],
  groupKeys: string[],
): Promise<void> {
  await q.raw(
    `INSERT INTO reservation_counters AS c (service_id, day, group_key, booked, closed)
     SELECT :service::int, d, g, 0, true
       FROM unnest(:days::date[]) d CROSS JOIN unnest(:groups::text[]) g
      ORDER BY d, g
     ON CONFLICT (service_id, day, group_key) DO UPDATE SET closed = true`,
    { service: serviceId, days, groups: groupKeys },
  );
}

/** The capacity groups already counted on those days (a group may have left the service's rules). */
export async function countedGroups(q: Queryable, serviceId: number, days: string[]): Promise<string[]> {
  const rows = (await q('reservation_counters')
    .where({ service_id: serviceId })
    .whereIn('day', days)
    .distinct('group_key')) as { group_key: string }[];
  return rows.map((r) => r.group_key);
}

/** The days of the closure not closed yet for the service (an earlier closure keeps its own). */
export async function insertClosedDays(
  q: Queryable,
  closure: { id: number; reason: string; closed_by: number | null; closed_at: Date },
  serviceId: number,
  days: string[],
): Promise<string[]> {
  const rows = (await q('service_day_closures')
    .insert(
      days.map((day) => ({
        service_id: serviceId,
        day,
        reason: closure.reason,
        closed_by: closure.closed_by,
        closed_at: closure.closed_at,
        closure_id: closure.id,
      })),
    )
    .onConflict(['service_id', 'day'])
    .ignore()
    .returning('day')) as { day: string }[];
  return rows.map((r) => r.day).sort();
}

/** The live reservations of a service on those days, locked. */
export const liveReservationsForUpdate = (q: Queryable, serviceId: number, days: string[]) =>
  q('reservations')
    .where({ service_id: serviceId })
    .whereIn('day', days)
    .whereIn('status', ['booked', 'waiting', 'sick'])
    .orderBy('id')
    .forUpdate() as Promise<{ id: number; household_id: number; status: string }[]>;

export async function markClosedByTown(
  q: Queryable,
  ids: number[],
  changes: { cancelled_at: Date; cancelled_by: number | null; cancel_reason: string; closure_id: number },
): Promise<void> {
  if (ids.length)
    await q('reservations')
      .whereIn('id', ids)
      .update({ status: 'closed_by_town', ...changes });
}

export async function emptyCounters(q: Queryable, serviceId: number, days: string[]): Promise<void> {
  await q('reservation_counters').where({ service_id: serviceId }).whereIn('day', days).update({ booked: 0 });
}

/** Each line a family is told about: which child, which service, which day. */
export interface FamilyLine {
  household_id: number;
  first_name: string;
  service: string;
  day: string;
}

export const linesOfReservations = (q: Queryable, ids: number[]) =>
  q('reservations as r')
    .join('members as m', 'm.id', 'r.child_id')
    .join('services as s', 's.id', 'r.service_id')
    .whereIn('r.id', ids)
    .orderBy([
      { column: 'r.household_id' },
      { column: 'r.day' },
      { column: 's.name' },
      { column: 'm.first_name' },
    ])
    .select('r.household_id', 'm.first_name', 's.name as service', 'r.day') as Promise<FamilyLine[]>;

/** Reopening: the closure's days from `from` on leave the calendar; returns them. */
export async function deleteClosedDays(q: Queryable, closureId: number, from: string): Promise<ServiceDay[]> {
  return (await q('service_day_closures')
    .where({ closure_id: closureId })
    .where('day', '>=', from)
    .delete()
    .returning(['service_id', 'day'])) as ServiceDay[];
}

export async function openGates(q: Queryable, days: ServiceDay[]): Promise<void> {
  for (const d of days)
    await q('reservation_counters').where({ service_id: d.service_id, day: d.day }).update({ closed: false });
}

/** The bookings (not the waiting list) the closure cancelled on those days. */
export const cancelledBookingsOf = (q: Queryable, closureId: number, from: string) =>
  q('reservations')
    .where({ closure_id: closureId, status: 'closed_by_town' })
    .where('day', '>=', from)
    .orderBy('id')
    .pluck('id') as Promise<number[]>;

export async function markReopened(q: Queryable, id: number, by: number | null, at: Date): Promise<void> {
  await q('closures').where({ id }).update({ reopened_by: by, reopened_at: at });
}

export interface ClosureListRow extends ClosureRow {
  service_name: string | null;
  school_name: string | null;
  closed_by_name: string | null;
  days: number;
  cancelled: number;
}

/** Closures, latest first, with what they cover and what they cancelled. */
function closuresWithFacts(q: Queryable) {
  return q('closures as c')
    .leftJoin('services as s', 's.id', 'c.service_id')
    .leftJoin('schools as sc', 'sc.id', 'c.school_id')
    .leftJoin('accounts as a', 'a.id', 'c.closed_by')
    .orderBy([
      { column: 'c.closed_at', order: 'desc' },
      { column: 'c.id', order: 'desc' },
    ])
    .select(
      'c.*',
      's.name as service_name',
      'sc.name as school_name',
      q.raw("a.first_name || ' ' || a.last_name as closed_by_name"),
      q.raw('(SELECT count(*)::int FROM service_day_closures d WHERE d.closure_id = c.id) AS days'),
      q.raw(
        "(SELECT count(*)::int FROM reservations r WHERE r.closure_id = c.id AND r.status = 'closed_by_town') AS cancelled",
      ),
    );
}

export const latestClosures = (q: Queryable, limit: number) =>
  closuresWithFacts(q).limit(limit) as Promise<ClosureListRow[]>;

export const closureWithFacts = (q: Queryable, id: number) =>
  closuresWithFacts(q).where('c.id', id).first() as Promise<ClosureListRow | undefined>;

export const schoolsList = (q: Queryable) =>
  q('schools').orderBy('name').select('id', 'name') as Promise<{ id: number; name: string }[]>;
