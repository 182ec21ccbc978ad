// Read-side queries of the staff pages: attendance sheet, occupation (the headcount's are in
// headcount-repository.ts).
import type { Queryable } from '../platform/db.js';
import type { Period, ServiceOpening } from '../services/calendar.js';

export interface SheetRow {
  child_id: number;
  first_name: string;
  last_name: string;
  class_level: string | null;
  school: string | null;
  diet: string | null;
  allergies: string | null;
  has_pai: boolean;
  reservation_status: string | null;
  household_id: number | null;
  attendance: string | null;
  /** Contacts of the child's households allowed to pick them up: "First Last, relationship, phone ; …", or null. */
  pickups: string | null;
  /** The school whose sheet the child is on: where the service is held, else the child's school. */
  sheet_school_id: number | null;
  sheet_school: string | null;
}

export interface SheetChild {
  id: number;
  first_name: string;
  last_name: string;
  sheet_school_id: number | null;
  sheet_school: string | null;
}

/**
 * Services a staff account may see: animators only those that take children of one of their
 * sites (a school): held at one of them, or held nowhere in particular for schools that include
 * one of them (or for every school). On a service held nowhere in particular they see only the
 * children of their sites (`attendanceSheet`).
 */
export function visibleServices(q: Queryable, account: { id: number; role: string }) {
  return q('services as s')
    .where('s.active', true)
    .whereNot('s.opening_days', 'none')
    .modify((qb) => {
      if (account.role === 'animator')
        qb.whereRaw(
          `(s.site_school_id IN (SELECT school_id FROM account_sites WHERE account_id = :a)
            OR (s.site_school_id IS NULL AND EXISTS (
                 SELECT 1 FROM account_sites a WHERE a.account_id = :a
                    AND (NOT EXISTS (SELECT 1 FROM service_schools ss WHERE ss.service_id = s.id)
                         OR EXISTS (SELECT 1 FROM service_schools ss WHERE ss.service_id = s.id AND ss.school_id = a.school_id)))))`,
          { a: account.id },
        );
    })
    .orderBy('s.name')
    .select('s.*');
}

/** What the sheet page shows of a service and needs to pick the default sheet and the day's state. */
export interface SheetService extends ServiceOpening {
  name: string;
  kind: string;
  site_school_id: number | null;
  /** The schools whose children it takes when it is held nowhere in particular (empty: every school). */
  school_ids: number[];
}

export interface Site {
  id: number;
  name: string;
}

/**
 * Everything of the sheet page but its rows: the services this account may see, its sites (by
 * name: the first is "its first site"), the town calendar's periods covering the day, the day's
 * closures of those services, and whether the month is invoiced.
 */
export async function sheetFacts(q: Queryable, account: { id: number; role: string }, day: string) {
  const visible = () => visibleServices(q, account).clearSelect();
  const [services, sites, periods, closures, locked] = await Promise.all([
    visible().select(
      's.id',
      's.name',
      's.kind',
      's.opening_days',
      's.weekdays',
      's.school_year_id',
      's.site_school_id',
      q.raw(
        'ARRAY(SELECT school_id FROM service_schools ss WHERE ss.service_id = s.id ORDER BY school_id) AS school_ids',
      ),
    ) as Promise<SheetService[]>,
    q('account_sites as a')
      .join('schools as sc', 'sc.id', 'a.school_id')
      .where('a.account_id', account.id)
      .select('sc.id', 'sc.name') as Promise<Site[]>,
    q('calendar_periods')
      .where('starts_on', '<=', day)
      .andWhere((w) => w.whereNull('ends_on').orWhere('ends_on', '>=', day))
      .select('kind', 'starts_on', 'ends_on', 'school_year_id') as Promise<
      (Period & { school_year_id: string | null })[]
    >,
    q('service_day_closures')
      .where({ day })
      .whereIn('service_id', visible().clearOrder().select('s.id'))
      .select('service_id', 'reason') as Promise<{ service_id: number; reason: string }[]>,
    q('locked_months')
      .where({ month: day.slice(0, 7) })
      .first('month'),
  ]);
  // "The first site" as the person reads them: by name in French (whatever the database's collation).
  sites.sort((a, b) => a.name.localeCompare(b.name, 'fr') || a.id - b.id);
  return { services, sites, periods, closures, locked: locked !== undefined };
}

/**
 * The day's sheet in one round trip: the booked (or sick) children and those recorded without a
 * booking (`rows`, with their authorised pick-ups), and the children enrolled (accepted) in the
 * service who are on neither list (`unbooked`: for "present without booking").
 *
 * The day's reservations, attendance and enrolments are read once each and grouped per child
 * (hundreds of rows); each child's row is then fetched by primary key, and the pick-ups of the
 * children on the sheet from their households' contacts ("First Last, relationship, phone ; …" by
 * last then first name, a contact of both households of a child in alternating custody once).
 * `OFFSET 0` keeps that lateral subquery a per-child lookup: flattened, the planner (which expects
 * 200 children from the grouping) preferred scanning every member into hash tables.
 *
 * Each child is on the sheet of a school: where the service is held, else the child's own school.
 * `sites` (an animator's) keeps only the children on their schools' sheets; null keeps every child.
 */
export async function attendanceSheet(
  q: Queryable,
  serviceId: number,
  day: string,
  sites: number[] | null = null,
): Promise<{ rows: SheetRow[]; unbooked: SheetChild[] }> {
  if (sites?.some((id) => !Number.isSafeInteger(id))) throw new Error('attendanceSheet: invalid site');
  const result = await q.raw(
    `SELECT m.id AS child_id, m.first_name, m.last_name, m.class_level, sc.name AS school, m.diet, m.allergies, m.has_pai,
            w.reservation_status, w.household_id, w.attendance, w.on_sheet, m.pickups,
            m.sheet_school_id, ssc.name AS sheet_school
       FROM (SELECT child_id, max(booked_status) AS reservation_status, COALESCE(max(booked_household), max(marked_household)) AS household_id,
                    max(marked_status) AS attendance, bool_or(on_sheet) AS on_sheet
               FROM (SELECT child_id, status AS booked_status, household_id AS booked_household, NULL::text AS marked_status, NULL::bigint AS marked_household, true AS on_sheet
                       FROM reservations WHERE service_id = :s AND day = :d AND status IN ('booked','sick')
                     UNION ALL
                     SELECT child_id, NULL, NULL, status, household_id, true FROM attendance WHERE service_id = :s AND day = :d
                     UNION ALL
                     SELECT child_id, NULL, NULL, NULL, NULL, false FROM enrolments WHERE service_id = :s AND status = 'accepted') facts
              GROUP BY child_id) w
      CROSS JOIN (SELECT site_school_id FROM services WHERE id = :s) svc
      CROSS JOIN LATERAL (
             SELECT m.id, m.first_name, m.last_name, m.class_level, m.school_id, m.diet, m.allergies, m.has_pai,
                    COALESCE(svc.site_school_id, m.school_id) AS sheet_school_id,
                    CASE WHEN w.on_sheet THEN (
                      SELECT string_agg(p.text, ' ; ' ORDER BY p.last_name, p.first_name)
                        FROM (SELECT DISTINCT concat_ws(', ', c.first_name || ' ' || c.last_name, NULLIF(c.relationship, ''), NULLIF(c.phone, '')) AS text,
                                     c.last_name, c.first_name
                                FROM household_members child_hm
                                JOIN household_members hm ON hm.household_id = child_hm.household_id
                                JOIN members c ON c.id = hm.member_id
                               WHERE child_hm.member_id = m.id AND c.kind = 'contact' AND c.can_pick_up AND c.deleted_at IS NULL) p
                    ) END AS pickups
               FROM members m
              WHERE m.id = w.child_id
                AND (CAST(:sites AS bigint[]) IS NULL OR COALESCE(svc.site_school_id, m.school_id) = ANY(CAST(:sites AS bigint[])))
             OFFSET 0) m
       LEFT JOIN schools sc ON sc.id = m.school_id
       LEFT JOIN schools ssc ON ssc.id = m.sheet_school_id
      ORDER BY lower(m.last_name), lower(m.first_name), m.id`,
    { s: serviceId, d: day, sites },
  );
  const rows: SheetRow[] = [];
  const unbooked: SheetChild[] = [];
  for (const { on_sheet, ...row } of (result as { rows: (SheetRow & { on_sheet: boolean })[] }).rows) {
    if (on_sheet) rows.push(row);
    else
      unbooked.push({
        id: row.child_id,
        first_name: row.first_name,
        last_name: row.last_name,
        sheet_school_id: row.sheet_school_id,
        sheet_school: row.sheet_school,
      });
  }
  return { rows, unbooked };
}

/** The school whose sheet a child is on for a service: where it is held, else the child's school. */
export async function sheetSchoolOf(
  q: Queryable,
  serviceId: number,
  childId: number,
): Promise<number | null> {
  const row = (await q('services as s')
    .crossJoin(q.raw('members as m'))
    .where({ 's.id': serviceId, 'm.id': childId })
    .first(q.raw('COALESCE(s.site_school_id, m.school_id) AS school'))) as
    { school: number | null } | undefined;
  return row?.school ?? null;
}

export const siteIdsOf = async (q: Queryable, accountId: number) =>
  (
    (await q('account_sites').where({ account_id: accountId }).select('school_id')) as { school_id: number }[]
  ).map((r) => r.school_id);

/** Per service and day: booked, waiting. */
export async function occupation(q: Queryable, serviceIds: number[], from: string, to: string) {
  if (!serviceIds.length) return [];
  return (await q('reservations')
    .whereIn('service_id', serviceIds)
    .whereBetween('day', [from, to])
    .whereIn('status', ['booked', 'waiting', 'sick'])
    .groupBy('service_id', 'day')
    .select(
      'service_id',
      'day',
      q.raw("count(*) FILTER (WHERE status IN ('booked','sick'))::int AS booked"),
      q.raw("count(*) FILTER (WHERE status = 'waiting')::int AS waiting"),
    )) as { service_id: number; day: string; booked: number; waiting: number }[];
}

/** The household that pays for a child's day without booking: the one whose custody week it is. */
export const householdsOfChild = (q: Queryable, childId: number) =>
  q('household_members')
    .where({ member_id: childId })
    .orderBy('linked_at')
    .select('household_id', 'custody_weeks') as Promise<
    { household_id: number; custody_weeks: 'odd' | 'even' | null }[]
  >;
