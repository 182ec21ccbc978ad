// The kitchen headcount of a day: per school, the children's lunches and snacks by diet (every
// service that serves them), the children with allergies or a PAI, and the adults' meals the
// school entered (stored per school and day, audited).
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { withTransaction } from '../platform/db.js';
import type { T } from '../web/i18n.js';
import * as headcountRepo from './headcount-repository.js';
import type { HeadcountAllergy, Meal } from './headcount-repository.js';
import { siteIdsOf } from './staff-repository.js';

const MEALS: Meal[] = ['lunch', 'snack'];

/** The adults' meals form of one school: `adults-<school>` so that each school's field has its own id. */
export function adultMealsForm(body: Record<string, unknown> | undefined) {
  const school = String(body?.school ?? '');
  const field = `adults-${school}`;
  const parsed = z
    .object({
      school: z.string().regex(/^\d{1,9}$/),
      meals: z
        .string('reservations.admin.headcount.errors.adults')
        .trim()
        .regex(/^\d{1,3}$/, 'reservations.admin.headcount.errors.adults')
        .transform(Number),
    })
    .safeParse({ school, meals: body?.[field] });
  return { field, parsed };
}

export interface SchoolHeadcount {
  id: number | null;
  name: string;
  diets: { diet: string; lunch: number; snack: number }[];
  lunch: number;
  snack: number;
  /** Adults' meals entered for the day (null: none entered). */
  adults: number | null;
  allergies: HeadcountAllergy[];
  /** Whether this account may enter the school's adults' meals. */
  editable: boolean;
}

interface StaffAccount {
  id: number;
  role: string;
}

export function createHeadcountService(deps: AppDeps) {
  const { db, audit, clock } = deps;

  /** The schools this account may see: an animator's sites, null (every school) for other staff. */
  const sitesOf = async (account: StaffAccount) =>
    account.role === 'animator' ? await siteIdsOf(db, account.id) : null;

  /**
   * The day per school: the schools with a child's meal or adults' meals that day, and an
   * animator's own sites (where they may enter the adults' meals even before any child is booked).
   */
  async function ofDay(account: StaffAccount, day: string) {
    const sites = await sitesOf(account);
    const [{ rows, allergies }, adults, siteSchools] = await Promise.all([
      headcountRepo.headcount(db, day, sites),
      headcountRepo.adultMeals(db, day, sites),
      sites ? headcountRepo.schoolsOf(db, sites) : Promise.resolve([]),
    ]);
    const schools = new Map<string, SchoolHeadcount>();
    const schoolOf = (id: number | null, name: string | null) => {
      const key = String(id);
      let s = schools.get(key);
      if (!s) {
        s = {
          id,
          name: name ?? '',
          diets: [],
          lunch: 0,
          snack: 0,
          adults: null,
          allergies: [],
          editable: id !== null,
        };
        schools.set(key, s);
      }
      return s;
    };
    for (const r of rows) {
      const s = schoolOf(r.school_id, r.school);
      let diet = s.diets.find((d) => d.diet === r.diet);
      if (!diet) s.diets.push((diet = { diet: r.diet, lunch: 0, snack: 0 }));
      diet[r.meal] += r.meals;
      s[r.meal] += r.meals;
    }
    for (const a of adults) schoolOf(a.school_id, a.school).adults = a.meals;
    for (const site of siteSchools) schoolOf(site.id, site.name);
    for (const a of allergies) schoolOf(a.school_id, a.school).allergies.push(a);
    const list = [...schools.values()].sort(
      (a, b) => Number(a.id === null) - Number(b.id === null) || a.name.localeCompare(b.name, 'fr'),
    );
    const sum = (f: (s: SchoolHeadcount) => number) => list.reduce((n, s) => n + f(s), 0);
    return {
      schools: list,
      totals: { lunch: sum((s) => s.lunch), snack: sum((s) => s.snack), adults: sum((s) => s.adults ?? 0) },
    };
  }

  /** Whether this account may enter a school's adults' meals: an animator for their sites, other staff for any school. */
  async function mayEnter(account: StaffAccount, schoolId: number): Promise<boolean> {
    const sites = await sitesOf(account);
    if (sites) return sites.includes(schoolId);
    return (await headcountRepo.schoolsOf(db, [schoolId])).length > 0;
  }

  async function recordAdultMeals(
    input: { schoolId: number; day: string; meals: number },
    actor: Actor,
  ): Promise<void> {
    await withTransaction(db, async (tx) => {
      const before = await headcountRepo.saveAdultMeals(tx, {
        ...input,
        accountId: actor.accountId,
        at: clock.now(),
      });
      await audit.record(
        tx,
        actor,
        'reservations.adult_meals',
        { type: 'school', id: input.schoolId },
        { day: input.day, meals: input.meals, before },
      );
    });
  }

  return { ofDay, mayEnter, recordAdultMeals };
}

/** The headcount as CSV (semicolons, BOM, CRLF: what a French spreadsheet opens as is). */
export function headcountCsv(t: T, schools: SchoolHeadcount[]): string {
  const cell = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
  const L = (k: string) => t(`reservations.admin.headcount.${k}`);
  const mealLabel = Object.fromEntries(MEALS.map((m) => [m, t(`services.meals.${m}`)]));
  const lines = [[L('school'), L('meal'), L('eaters'), L('diet'), L('count')]];
  for (const s of schools) {
    for (const meal of MEALS)
      for (const d of s.diets)
        if (d[meal])
          lines.push([
            s.name,
            mealLabel[meal]!,
            L('children'),
            t(`reservations.diets.${d.diet}`),
            String(d[meal]),
          ]);
    if (s.adults !== null) lines.push([s.name, mealLabel.lunch!, L('adults'), '', String(s.adults)]);
  }
  return `\uFEFF${lines.map((l) => l.map(cell).join(';')).join('\r\n')}\r\n`;
}
