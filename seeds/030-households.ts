// Demo households (printed in the README). Idempotent: each household is created only when missing.
// - parent@demo.test: two children (one per public school) and a contact;
// - parent2@demo.test: one child, in alternating custody with a third household that has no
//   account yet but an activation letter ready: family number SE-009001, code K7MPQ4RW9XTB.
import { DateTime } from 'luxon';
import type { AppDeps } from '../src/deps.js';
import { hashToken } from '../src/platform/codes.js';
import type { Queryable } from '../src/platform/db.js';
import { householdIdOf } from '../src/households/access.js';
import { nextFamilyNumber } from '../src/households/repository.js';

export const DEMO_CARD = { familyNumber: 'SE-009001', activationCode: 'K7MPQ4RW9XTB' };

interface ChildSeed {
  first_name: string;
  last_name: string;
  birth_date: string;
  sex: 'F' | 'M';
  school: 'elementary' | 'nursery';
  class_level: string;
  diet: string;
  allergies?: string;
  has_pai?: boolean;
}

async function addMember(
  q: Queryable,
  householdId: number,
  row: Record<string, unknown>,
  now: Date,
  custody: 'odd' | 'even' | null = null,
): Promise<number> {
  const [m] = await q('members')
    .insert({ ...row, created_at: now })
    .returning('id');
  const id = (m as { id: number }).id;
  await q('household_members').insert({
    household_id: householdId,
    member_id: id,
    linked_at: now,
    custody_weeks: custody,
  });
  return id;
}

async function addChild(
  q: Queryable,
  householdId: number,
  c: ChildSeed,
  now: Date,
  custody: 'odd' | 'even' | null = null,
): Promise<number> {
  const school = await q('schools').where({ kind: c.school }).first('id');
  const { school: _school, ...rest } = c;
  void _school;
  return addMember(
    q,
    householdId,
    {
      kind: 'child',
      ...rest,
      school_id: school?.id ?? null,
      image_rights: true,
      image_rights_at: now,
      doctor_name: 'Dr Lemoine',
      doctor_phone: '02 99 00 11 22',
    },
    now,
    custody,
  );
}

async function createHousehold(q: Queryable, row: Record<string, unknown>, now: Date): Promise<number> {
  const street = await q('streets')
    .where({ name: row.street as string })
    .first('id');
  const { street: _street, ...rest } = row;
  void _street;
  const [h] = await q('households')
    .insert({
      out_of_town: false,
      street_id: street?.id ?? null,
      postcode: '49999',
      city: 'Saint-Exemple',
      paperless: true,
      created_at: now,
      ...rest,
    })
    .returning('id');
  return (h as { id: number }).id;
}

export async function seed(deps: AppDeps): Promise<void> {
  if (!deps.config.DEMO_FAMILIES) return;
  const { db } = deps;
  const now = deps.clock.now();
  const account = (email: string) =>
    db('accounts').whereRaw('lower(email) = ?', [email]).first('id', 'first_name', 'last_name', 'email');

  await db.transaction(async (tx) => {
    // Camille Martin: Éloïse at Jules-Ferry, Hugo at Les Tilleuls, and their grandmother.
    const camille = await account('parent@demo.test');
    if (camille && !(await householdIdOf(tx, camille.id))) {
      const id = await createHousehold(
        tx,
        {
          family_number: await nextFamilyNumber(tx),
          street: 'Rue Victor-Hugo',
          house_number: '12',
          phone_mobile: '06 12 34 56 78',
          email: camille.email,
          allocataire_kind: 'CAF',
          allocataire_number: '1234567',
        },
        now,
      );
      await tx('household_accounts').insert({ household_id: id, account_id: camille.id, linked_at: now });
      const guardian = await addMember(
        tx,
        id,
        {
          kind: 'guardian',
          first_name: camille.first_name,
          last_name: camille.last_name,
          email: camille.email,
          phone: '06 12 34 56 78',
          relationship: 'mère',
          account_id: camille.id,
        },
        now,
      );
      const eloise = await addChild(
        tx,
        id,
        {
          first_name: 'Éloïse',
          last_name: 'Martin',
          birth_date: '2018-03-14',
          sex: 'F',
          school: 'elementary',
          class_level: 'CE2',
          diet: 'none',
          allergies: 'Arachide',
          has_pai: true,
        },
        now,
      );
      const hugo = await addChild(
        tx,
        id,
        {
          first_name: 'Hugo',
          last_name: 'Martin',
          birth_date: '2021-06-02',
          sex: 'M',
          school: 'nursery',
          class_level: 'MS',
          diet: 'no_pork',
        },
        now,
      );
      await tx('guardian_children').insert([
        { guardian_id: guardian, child_id: eloise },
        { guardian_id: guardian, child_id: hugo },
      ]);
      await addMember(
        tx,
        id,
        {
          kind: 'contact',
          first_name: 'Jeanne',
          last_name: 'Martin',
          phone: '06 98 76 54 32',
          relationship: 'grand-mère',
          can_pick_up: true,
          emergency_contact: true,
        },
        now,
      );
    }

    // Karim Benali and Nadia Roux, separated: Inès lives with each one week out of two.
    const karim = await account('parent2@demo.test');
    if (karim && !(await householdIdOf(tx, karim.id))) {
      const id = await createHousehold(
        tx,
        {
          family_number: await nextFamilyNumber(tx),
          street: 'Avenue de la Gare',
          house_number: '5',
          phone_mobile: '07 11 22 33 44',
          email: karim.email,
        },
        now,
      );
      await tx('household_accounts').insert({ household_id: id, account_id: karim.id, linked_at: now });
      await addMember(
        tx,
        id,
        {
          kind: 'guardian',
          first_name: karim.first_name,
          last_name: karim.last_name,
          email: karim.email,
          phone: '07 11 22 33 44',
          relationship: 'père',
          account_id: karim.id,
        },
        now,
      );
      const ines = await addChild(
        tx,
        id,
        {
          first_name: 'Inès',
          last_name: 'Benali',
          birth_date: '2019-09-20',
          sex: 'F',
          school: 'elementary',
          class_level: 'CE1',
          diet: 'vegetarian',
        },
        now,
        'odd',
      );

      if (!(await tx('households').where({ family_number: DEMO_CARD.familyNumber }).first('id'))) {
        const other = await createHousehold(
          tx,
          {
            family_number: DEMO_CARD.familyNumber,
            street: 'Rue des Jardins',
            house_number: '27',
            phone_mobile: '06 55 44 33 22',
            email: 'nadia.roux@demo.test',
          },
          now,
        );
        await addMember(
          tx,
          other,
          {
            kind: 'guardian',
            first_name: 'Nadia',
            last_name: 'Roux',
            phone: '06 55 44 33 22',
            email: 'nadia.roux@demo.test',
            relationship: 'mère',
          },
          now,
        );
        await tx('household_members').insert({
          household_id: other,
          member_id: ines,
          linked_at: now,
          custody_weeks: 'even',
        });
      }
    }

    // The third household's letter: a known code, kept usable for the demo until someone uses it.
    const card = await tx('households').where({ family_number: DEMO_CARD.familyNumber }).first('id');
    if (card && !(await tx('household_accounts').where({ household_id: card.id }).first('account_id'))) {
      const codeHash = hashToken(DEMO_CARD.activationCode);
      const expiresAt = DateTime.fromJSDate(now).plus({ days: 90 }).toJSDate();
      const existing = await tx('activation_codes')
        .where({ household_id: card.id, code_hash: codeHash })
        .first('id', 'used_at');
      if (!existing)
        await tx('activation_codes').insert({
          household_id: card.id,
          code_hash: codeHash,
          created_at: now,
          expires_at: expiresAt,
        });
      else if (!existing.used_at)
        await tx('activation_codes')
          .where({ id: existing.id })
          .update({ expires_at: expiresAt, failed_attempts: 0, locked_at: null, revoked_at: null });
    }
  });
}
