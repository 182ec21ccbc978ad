// Read-side queries of the staff pages: attendance sheet, kitchen headcount, occupation.
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
}

export interface SheetChild {
  id: number;
  first_name: string;
  last_name: string;
}

/** Services a staff account may see: animators only those at their sites. */
export function visibleServices(q: Queryable, account: { id: number; role: string }) {
  return q('services as s')
    .where('s.active', true)
    .whereNot('s.opening_days', 'none')
    .modify((qb) => {
      if (account.role === 'animator')
        qb.whereIn(
          's.site_school_id',
          q('account_sites').where({ account_id: account.id }).select('school_id'),
        );
    })
    .orderBy('s.name')
    .select('s.*');
}

/** What the sheet page shows of a service (its name) and needs for the day's state (ServiceOpening). */
interface SheetService extends ServiceOpening {
  name: string;
}

/**
 * Everything of the sheet page but its rows: the services this account may see, the town
 * calendar's periods covering the day, the day's closures of those services, and whether the
 * month is invoiced.
 */
export async function sheetFacts(q: Queryable, account: { id: number; role: string }, day: string) {
  const visible = () => visibleServices(q, account).clearSelect();
  const [services, periods, closures, locked] = await Promise.all([
    visible().select('s.id', 's.name', 's.opening_days', 's.weekdays', 's.school_year_id') as Promise<
      SheetService[]
    >,
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
  return { services, periods, closures, locked: locked !== undefined };
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
 */
export async function attendanceSheet(
  q: Queryable,
  serviceId: number,
  day: string,
): Promise<{ rows: SheetRow[]; unbooked: SheetChild[] }> {
  const result = await q.raw(
    `SELECT m.id AS child_id, m.first_name, m.last_name, m.class_level, sc.name AS school, m.diet, m.allergies, m.has_pai,
            w.reservation_status, w.household_id, w.attendance, w.on_sheet, m.pickups
       FROM (SELECT child_id, max(booked_status) AS reservation_status, COALESCE(max(booked_household), max(marked_household)) AS household_id,
                    max(marked_status) AS attendance, bool_or(on_sheet) AS on_sheet
               FROM (SELECT child_id, status AS booked_status, household_id AS booked_household, NULL::text AS marked_status, NULL::bigint AS marked_household, true AS on_sheet
                       FROM reservations WHERE service_id = :s AND day = :d AND status IN ('booked','sick')
                     UNION ALL
                     SELECT child_id, NULL, NULL, status, household_id, true FROM attendance WHERE service_id = :s AND day = :d
                     UNION ALL
                     SELECT child_id, NULL, NULL, NULL, NULL, false FROM enrolments WHERE service_id = :s AND status = 'accepted') facts
              GROUP BY child_id) w
      CROSS JOIN LATERAL (
             SELECT m.id, m.first_name, m.last_name, m.class_level, m.school_id, m.diet, m.allergies, m.has_pai,
                    CASE WHEN w.on_sheet THEN (
                      SELECT string_agg(p.text, ' ; ' ORDER BY p.last_name, p.first_name)
                        FROM (SELECT DISTINCT concat_ws(', ', c.first_name || ' ' || c.last_name, NULLIF(c.relationship, ''), NULLIF(c.phone, '')) AS text,
                                     c.last_name, c.first_name
                                FROM household_members child_hm
                                JOIN household_members hm ON hm.household_id = child_hm.household_id
                                JOIN members c ON c.id = hm.member_id
                               WHERE child_hm.member_id = m.id AND c.kind = 'contact' AND c.can_pick_up AND c.deleted_at IS NULL) p
                    ) END AS pickups
               FROM members m WHERE m.id = w.child_id OFFSET 0) m
       LEFT JOIN schools sc ON sc.id = m.school_id
      ORDER BY lower(m.last_name), lower(m.first_name), m.id`,
    { s: serviceId, d: day },
  );
  const rows: SheetRow[] = [];
  const unbooked: SheetChild[] = [];
  for (const { on_sheet, ...row } of (result as { rows: (SheetRow & { on_sheet: boolean })[] }).rows) {
    if (on_sheet) rows.push(row);
    else unbooked.push({ id: row.child_id, first_name: row.first_name, last_name: row.last_name });
  }
  return { rows, unbooked };
}

export interface HeadcountRow {
  school_id: number | null;
  school: string | null;
  diet: string;
  meals: number;
}

export interface HeadcountAllergy {
  school_id: number | null;
  school: string | null;
  id: number;
  first_name: string;
  last_name: string;
  class_level: string | null;
  allergies: string | null;
  has_pai: boolean;
  diet: string | null;
}

/**
 * Meals booked on a day per school (where the meal is served) and diet, and the children among
 * them with allergies or a PAI. One statement: both come from the same join of the day's canteen
 * bookings with the children (thousands of rows), which is most of the cost; the children with
 * allergies travel as JSON in their (school, diet) group.
 */
export async function headcount(
  q: Queryable,
  day: string,
  siteIds: number[] | null,
): Promise<{ rows: HeadcountRow[]; allergies: HeadcountAllergy[] }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || siteIds?.some((id) => !Number.isSafeInteger(id)))
    throw new Error('headcount: invalid day or site');
  const result = await q.raw(
    `SELECT sc.id AS school_id, sc.name AS school, COALESCE(m.diet, 'none') AS diet, count(*)::int AS meals,
            json_agg(json_build_object('id', m.id, 'first_name', m.first_name, 'last_name', m.last_name, 'class_level', m.class_level,
                                       'allergies', m.allergies, 'has_pai', m.has_pai, 'diet', m.diet))
              FILTER (WHERE m.has_pai OR m.allergies <> '') AS allergic
       FROM reservations r
       JOIN services s ON s.id = r.service_id
       JOIN members m ON m.id = r.child_id
       LEFT JOIN schools sc ON sc.id = COALESCE(s.site_school_id, m.school_id)
      WHERE r.day = ?::date AND r.status = 'booked' AND s.kind = 'canteen'
        AND (?::bigint[] IS NULL OR COALESCE(s.site_school_id, m.school_id) = ANY(?::bigint[]))
      GROUP BY sc.id, sc.name, COALESCE(m.diet, 'none')
      ORDER BY sc.name, COALESCE(m.diet, 'none')`,
    [day, siteIds, siteIds],
  );
  const groups = (
    result as {
      rows: (HeadcountRow & { allergic: Omit<HeadcountAllergy, 'school_id' | 'school'>[] | null })[];
    }
  ).rows;
  // Each child once per school (booked at two canteens of one school: two meals, one line), by
  // school then name (code point order, as the bench and test databases' C collation sorts).
  const seen = new Set<string>();
  const allergies: HeadcountAllergy[] = [];
  for (const { school_id, school, allergic } of groups) {
    for (const child of allergic ?? []) {
      if (seen.has(`${school_id}:${child.id}`)) continue;
      seen.add(`${school_id}:${child.id}`);
      allergies.push({ school_id, school, ...child });
    }
  }
  const byText = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
  allergies.sort(
    (a, b) =>
      byText(a.school, b.school) || byText(a.last_name, b.last_name) || byText(a.first_name, b.first_name),
  );
  return { rows: groups.map(({ allergic: _, ...row }) => row), allergies };
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
