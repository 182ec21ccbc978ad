// Queries of the kitchen headcount: the children's meals and snacks booked on a day (every service
// that serves them, services.meals), the children among them with allergies or a PAI, and the
// adults' meals each school entered.
import type { Queryable } from '../platform/db.js';

export type Meal = 'lunch' | 'snack';

export interface HeadcountRow {
  school_id: number | null;
  school: string | null;
  meal: Meal;
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
 * Meals and snacks booked on a day per school (where the service is held, else the child's
 * school), meal and diet, and the children among them with allergies or a PAI. One statement:
 * both come from the same join of the day's bookings with the children (thousands of rows), which
 * is most of the cost; the children with allergies travel as JSON in their group. A booking of a
 * service that serves lunch and a snack counts once in each.
 */
export async function headcount(
  q: Queryable,
  day: string,
  siteIds: number[] | null,
): Promise<{ rows: HeadcountRow[]; allergies: HeadcountAllergy[] }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || siteIds?.some((id) => !Number.isSafeInteger(id)))
    throw new Error('headcount: invalid day or site');
  const result = await q.raw(
    `SELECT sc.id AS school_id, sc.name AS school, meal, COALESCE(m.diet, 'none') AS diet, count(*)::int AS meals,
            json_agg(json_build_object('id', m.id, 'first_name', m.first_name, 'last_name', m.last_name, 'class_level', m.class_level,
                                       'allergies', m.allergies, 'has_pai', m.has_pai, 'diet', m.diet))
              FILTER (WHERE m.has_pai OR m.allergies <> '') AS allergic
       FROM reservations r
       JOIN services s ON s.id = r.service_id
       CROSS JOIN LATERAL unnest(s.meals) AS meal
       JOIN members m ON m.id = r.child_id
       LEFT JOIN schools sc ON sc.id = COALESCE(s.site_school_id, m.school_id)
      WHERE r.day = ?::date AND r.status = 'booked' AND s.meals <> '{}'
        AND (?::bigint[] IS NULL OR COALESCE(s.site_school_id, m.school_id) = ANY(?::bigint[]))
      GROUP BY sc.id, sc.name, meal, COALESCE(m.diet, 'none')
      ORDER BY sc.name, COALESCE(m.diet, 'none'), meal`,
    [day, siteIds, siteIds],
  );
  const groups = (
    result as {
      rows: (HeadcountRow & { allergic: Omit<HeadcountAllergy, 'school_id' | 'school'>[] | null })[];
    }
  ).rows;
  // Each child once per school (a lunch and a snack, or two canteens: one line), by school then
  // name (code point order, as the bench and test databases' C collation sorts).
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

export interface AdultMealsRow {
  school_id: number;
  school: string;
  meals: number;
}

/** The adults' meals entered for a day, per school (of `siteIds` only, unless null). */
export const adultMeals = (q: Queryable, day: string, siteIds: number[] | null) =>
  q('adult_meals as a')
    .join('schools as sc', 'sc.id', 'a.school_id')
    .where('a.day', day)
    .modify((qb) => {
      if (siteIds) qb.whereIn('a.school_id', siteIds);
    })
    .orderBy('sc.name')
    .select('a.school_id', 'sc.name as school', 'a.meals') as Promise<AdultMealsRow[]>;

/** Schools by name (those of `siteIds` only, unless null): where adults' meals may be entered. */
export const schoolsOf = (q: Queryable, siteIds: number[] | null) =>
  q('schools')
    .modify((qb) => {
      if (siteIds) qb.whereIn('id', siteIds);
    })
    .orderBy(['name', 'id'])
    .select('id', 'name') as Promise<{ id: number; name: string }[]>;

/** Writes a school's adults' meals for a day; returns the number it replaced (null: none yet). */
export async function saveAdultMeals(
  q: Queryable,
  row: { schoolId: number; day: string; meals: number; accountId: number | null; at: Date },
): Promise<number | null> {
  const before = (await q('adult_meals')
    .where({ school_id: row.schoolId, day: row.day })
    .forUpdate()
    .first('meals')) as { meals: number } | undefined;
  await q('adult_meals')
    .insert({
      school_id: row.schoolId,
      day: row.day,
      meals: row.meals,
      recorded_by: row.accountId,
      recorded_at: row.at,
    })
    .onConflict(['school_id', 'day'])
    .merge(['meals', 'recorded_by', 'recorded_at']);
  return before?.meals ?? null;
}
