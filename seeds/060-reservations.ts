// Demo reservations: a term of canteen and after-school bookings for the demo children (the
// households of seeds/030 and enrolments of seeds/050, looked up by the demo emails and service
// names; skipped when absent), attendance taken for the past days, and a full holiday-centre day
// (Monday of the Toussaint holidays) with a waiting list. Idempotent: only what is missing.
import type { AppDeps } from '../src/deps.js';
import { today } from '../src/platform/clock.js';
import { withTransaction, type Tx } from '../src/platform/db.js';
import { childrenOfHousehold, householdIdOf } from '../src/households/access.js';
import { openDays } from '../src/services/calendar.js';
import { rulesOf, seatGroup } from '../src/reservations/policy.js';
import * as repo from '../src/reservations/repository.js';
import { isoWeekdayOf } from '../src/platform/days.js';

const YEAR = '2026-2027';
const TERM = ['2026-09-01', '2026-12-18'] as const;
const FULL_DAY = '2026-10-19';
const HOLIDAY_FAMILIES = [
  'Lambert',
  'Morel',
  'Girard',
  'Fontaine',
  'Chevalier',
  'Robin',
  'Gauthier',
  'Perrin',
  'Clément',
  'Masson',
  'Marchand',
  'Duval',
  'Denis',
];

export async function seed(deps: AppDeps): Promise<void> {
  if (!deps.config.DEMO_FAMILIES) return;
  const { db } = deps;
  const service = async (name: string) =>
    (await db('services').where({ school_year_id: YEAR, name }).first()) as repo.ServiceRow | undefined;
  const account = (await db('accounts').where({ email: 'parent@demo.test' }).first('id')) as
    { id: number } | undefined;
  const householdId = account ? await householdIdOf(db, account.id) : null;
  const now = deps.clock.now();
  const todayDay = today(deps.clock);

  async function bookDirect(
    tx: Tx,
    s: repo.ServiceRow,
    child: { id: number; birth_date: string; school_id: number | null },
    household: number,
    day: string,
    by: number | null,
  ): Promise<'booked' | 'waiting' | 'exists'> {
    if (await tx('reservations').where({ service_id: s.id, child_id: child.id, day }).first('id'))
      return 'exists';
    const group = seatGroup(rulesOf(s), child, day);
    const seat = await repo.takeSeat(tx, s.id, day, group.key, group.capacity);
    await repo.insertReservation(tx, {
      service_id: s.id,
      child_id: child.id,
      household_id: household,
      day,
      group_key: group.key,
      status: seat ? 'booked' : 'waiting',
      created_at: now,
      created_by: by,
    });
    return seat ? 'booked' : 'waiting';
  }

  // A term of bookings for the Martin children, with attendance for the days already past.
  if (householdId) {
    const children = await childrenOfHousehold(db, householdId);
    for (const name of ['Restauration scolaire', 'Accueil périscolaire soir']) {
      const s = await service(name);
      if (!s) continue;
      const enrolled = (await db('enrolments')
        .where({ service_id: s.id, status: 'accepted', household_id: householdId })
        .select('child_id', 'options')) as { child_id: number; options: { weekdays?: number[] } }[];
      const days = await openDays(db, s, TERM[0], TERM[1]);
      for (const e of enrolled) {
        const child = children.find((c) => c.id === e.child_id);
        if (!child) continue;
        const weekdays = (e.options?.weekdays ?? s.weekdays).map(Number);
        await withTransaction(db, async (tx) => {
          for (const day of days) {
            if (!weekdays.includes(isoWeekdayOf(day))) continue;
            await bookDirect(tx, s, child, householdId, day, account!.id);
            if (day < todayDay) {
              // Every fifteenth day of the term the child was absent, excused.
              const status = Number(day.slice(8)) % 15 === 0 ? 'absent_excused' : 'present';
              await tx('attendance')
                .insert({
                  service_id: s.id,
                  child_id: child.id,
                  day,
                  status,
                  household_id: householdId,
                  recorded_at: now,
                })
                .onConflict(['service_id', 'child_id', 'day'])
                .ignore();
            }
          }
        });
      }
    }
  }

  // The holiday centre's first Toussaint Monday: every seat of the 6-and-over group taken, and
  // Éloïse Martin on the waiting list.
  const holiday = await service('Accueil de loisirs des vacances');
  if (!holiday) return;
  const group = rulesOf(holiday).groups.find((g) => g.minAge === 6);
  const seats = group?.capacity ?? holiday.capacity ?? 0;
  const street = (await db('streets').orderBy('id').first('id')) as { id: number } | undefined;
  const elementary = (await db('schools').where({ kind: 'elementary' }).first('id')) as
    { id: number } | undefined;
  await withTransaction(db, async (tx) => {
    let booked = Number(
      (
        await tx('reservations')
          .where({ service_id: holiday.id, day: FULL_DAY, status: 'booked' })
          .count({ n: '*' })
          .first()
      )?.n ?? 0,
    );
    for (const [i, last] of HOLIDAY_FAMILIES.entries()) {
      if (booked >= seats) break;
      const email = `famille.${i + 1}@demo.test`;
      let household = (await tx('households').where({ email }).first('id')) as { id: number } | undefined;
      if (!household) {
        const [{ nextval }] = (await tx.raw("SELECT nextval('family_number_seq') AS nextval")).rows as [
          { nextval: number },
        ];
        [household] = (await tx('households')
          .insert({
            family_number: `SE-${String(nextval).padStart(6, '0')}`,
            street_id: street?.id ?? null,
            house_number: String(i + 2),
            postcode: '49999',
            city: 'Saint-Exemple',
            email,
            phone_mobile: '06 00 00 00 00',
            created_at: now,
          })
          .returning('id')) as [{ id: number }];
        for (const [j, first] of ['Jade', 'Louis'].entries()) {
          const [m] = (await tx('members')
            .insert({
              kind: 'child',
              first_name: first,
              last_name: last,
              birth_date: `2018-0${j + 4}-1${i % 9}`,
              sex: j ? 'M' : 'F',
              school_id: elementary?.id ?? null,
              class_level: 'CE2',
              diet: 'none',
              created_at: now,
            })
            .returning('id')) as [{ id: number }];
          await tx('household_members').insert({
            household_id: household.id,
            member_id: m.id,
            linked_at: now,
          });
          await tx('enrolments').insert({
            child_id: m.id,
            service_id: holiday.id,
            household_id: household.id,
            school_year_id: YEAR,
            status: 'accepted',
            step: 'done',
            options: JSON.stringify({ weekdays: [1, 2, 3, 4, 5] }),
            created_at: now,
            submitted_at: now,
            decided_at: now,
          });
        }
      }
      for (const child of await childrenOfHousehold(tx, household.id)) {
        if (booked >= seats) break;
        if ((await bookDirect(tx, holiday, child, household.id, FULL_DAY, null)) === 'booked') booked++;
      }
    }
    if (!householdId) return;
    const eloise = (await childrenOfHousehold(tx, householdId)).find((c) => c.birth_date <= '2020-10-19');
    if (!eloise) return;
    if (
      !(await tx('enrolments')
        .where({ child_id: eloise.id, service_id: holiday.id })
        .whereIn('status', ['draft', 'submitted', 'accepted'])
        .first('id'))
    ) {
      await tx('enrolments').insert({
        child_id: eloise.id,
        service_id: holiday.id,
        household_id: householdId,
        school_year_id: YEAR,
        status: 'accepted',
        step: 'done',
        options: JSON.stringify({ weekdays: [1, 2, 3, 4, 5] }),
        created_at: now,
        submitted_at: now,
        decided_at: now,
      });
    }
    await bookDirect(tx, holiday, eloise, householdId, FULL_DAY, account?.id ?? null);
  });
}
