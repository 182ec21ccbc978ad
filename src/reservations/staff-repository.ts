// Read-side queries of the staff pages: attendance sheet, kitchen headcount, occupation.
import type { Queryable } from '../platform/db.js';

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
}

/** Services a staff account may see: animators only those at their sites. */
export function visibleServices(q: Queryable, account: { id: number; role: string }) {
  return q('services as s')
    .where('s.active', true)
    .whereNot('s.opening_days', 'none')
    .modify((qb) => {
      if (account.role === 'animator') qb.whereIn('s.site_school_id', q('account_sites').where({ account_id: account.id }).select('school_id'));
    })
    .orderBy('s.name')
    .select('s.*');
}

/** The day's sheet: booked (or sick) children, plus those recorded present without a booking. */
export async function attendanceSheet(q: Queryable, serviceId: number, day: string): Promise<SheetRow[]> {
  const rows = await q.raw(
    `SELECT m.id AS child_id, m.first_name, m.last_name, m.class_level, sc.name AS school, m.diet, m.allergies, m.has_pai,
            r.status AS reservation_status, COALESCE(r.household_id, a.household_id) AS household_id, a.status AS attendance
       FROM (SELECT child_id FROM reservations WHERE service_id = :s AND day = :d AND status IN ('booked','sick')
             UNION SELECT child_id FROM attendance WHERE service_id = :s AND day = :d) who
       JOIN members m ON m.id = who.child_id
       LEFT JOIN schools sc ON sc.id = m.school_id
       LEFT JOIN reservations r ON r.child_id = m.id AND r.service_id = :s AND r.day = :d AND r.status IN ('booked','sick')
       LEFT JOIN attendance a ON a.child_id = m.id AND a.service_id = :s AND a.day = :d
      ORDER BY lower(m.last_name), lower(m.first_name), m.id`,
    { s: serviceId, d: day },
  );
  return (rows as { rows: SheetRow[] }).rows;
}

/** Authorised pick-ups of the children: contacts of their households allowed to pick them up. */
export async function pickUps(q: Queryable, childIds: number[]): Promise<Map<number, string[]>> {
  if (!childIds.length) return new Map();
  const rows = (await q('household_members as child_hm')
    .join('household_members as hm', 'hm.household_id', 'child_hm.household_id')
    .join('members as c', 'c.id', 'hm.member_id')
    .whereIn('child_hm.member_id', childIds)
    .where({ 'c.kind': 'contact', 'c.can_pick_up': true })
    .whereNull('c.deleted_at')
    .orderBy(['c.last_name', 'c.first_name'])
    .select('child_hm.member_id as child_id', 'c.first_name', 'c.last_name', 'c.phone', 'c.relationship')) as { child_id: number; first_name: string; last_name: string; phone: string | null; relationship: string | null }[];
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const text = [`${r.first_name} ${r.last_name}`, r.relationship, r.phone].filter(Boolean).join(', ');
    out.set(r.child_id, [...new Set([...(out.get(r.child_id) ?? []), text])]);
  }
  return out;
}

/** Children enrolled (accepted) in the service who are not on the sheet: for "present without booking". */
export const enrolledNotOnSheet = (q: Queryable, serviceId: number, day: string) =>
  q('enrolments as e')
    .join('members as m', 'm.id', 'e.child_id')
    .where({ 'e.service_id': serviceId, 'e.status': 'accepted' })
    .whereNotIn('m.id', q('reservations').where({ service_id: serviceId, day }).whereIn('status', ['booked', 'sick']).select('child_id'))
    .whereNotIn('m.id', q('attendance').where({ service_id: serviceId, day }).select('child_id'))
    .orderBy(['m.last_name', 'm.first_name'])
    .select('m.id', 'm.first_name', 'm.last_name') as Promise<{ id: number; first_name: string; last_name: string }[]>;

export interface HeadcountRow {
  school_id: number | null;
  school: string | null;
  diet: string | null;
  meals: number;
}

function canteenBookings(q: Queryable, day: string, siteIds: number[] | null) {
  return q('reservations as r')
    .join('services as s', 's.id', 'r.service_id')
    .join('members as m', 'm.id', 'r.child_id')
    .joinRaw('LEFT JOIN schools sc ON sc.id = COALESCE(s.site_school_id, m.school_id)')
    .where({ 'r.day': day, 'r.status': 'booked', 's.kind': 'canteen' })
    .modify((qb) => {
      if (siteIds) qb.whereRaw('COALESCE(s.site_school_id, m.school_id) = ANY(?::int[])', [siteIds]);
    });
}

/** Meals booked on a day per school (where the meal is served) and diet. */
export async function headcount(q: Queryable, day: string, siteIds: number[] | null): Promise<HeadcountRow[]> {
  return (await canteenBookings(q, day, siteIds)
    .groupBy('sc.id', 'sc.name', 'm.diet')
    .orderBy([{ column: 'sc.name' }, { column: 'm.diet' }])
    .select('sc.id as school_id', 'sc.name as school', q.raw("COALESCE(m.diet, 'none') AS diet"), q.raw('count(*)::int AS meals'))) as HeadcountRow[];
}

export async function headcountAllergies(q: Queryable, day: string, siteIds: number[] | null) {
  return (await canteenBookings(q, day, siteIds)
    .where((w) => w.where('m.has_pai', true).orWhere((x) => x.whereNotNull('m.allergies').whereNot('m.allergies', '')))
    .orderBy([{ column: 'sc.name' }, { column: 'm.last_name' }, { column: 'm.first_name' }])
    .distinct('sc.id as school_id', 'sc.name as school', 'm.id', 'm.first_name', 'm.last_name', 'm.class_level', 'm.allergies', 'm.has_pai', 'm.diet')) as {
    school_id: number | null;
    school: string | null;
    id: number;
    first_name: string;
    last_name: string;
    class_level: string | null;
    allergies: string | null;
    has_pai: boolean;
    diet: string | null;
  }[];
}

export const siteIdsOf = async (q: Queryable, accountId: number) =>
  ((await q('account_sites').where({ account_id: accountId }).select('school_id')) as { school_id: number }[]).map((r) => r.school_id);

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

export const householdByNumber = (q: Queryable, familyNumber: string) =>
  q('households').whereRaw('upper(family_number) = upper(?)', [familyNumber]).first('id', 'family_number') as Promise<{ id: number; family_number: string } | undefined>;

/** The household that pays for a child's day without booking: the one whose custody week it is. */
export const householdsOfChild = (q: Queryable, childId: number) =>
  q('household_members').where({ member_id: childId }).orderBy('linked_at').select('household_id', 'custody_weeks') as Promise<{ household_id: number; custody_weeks: 'odd' | 'even' | null }[]>;
