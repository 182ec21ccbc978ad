// SQL for households and their members, and the streets and schools their forms offer. No rules
// here. The other tables of the feature have their own files: repository-invitations.ts,
// repository-activation.ts, repository-search.ts (staff search and history) and
// repository-child-page.ts (other features' rows the child page shows).
import type { Queryable } from '../platform/db.js';

export interface HouseholdRow {
  id: number;
  family_number: string;
  out_of_town: boolean;
  street_id: number | null;
  house_number: string | null;
  address_line: string | null;
  address_complement: string | null;
  postcode: string | null;
  city: string | null;
  phone_home: string | null;
  phone_mobile: string | null;
  phone_work: string | null;
  email: string | null;
  allocataire_kind: 'CAF' | 'MSA' | null;
  allocataire_number: string | null;
  paperless: boolean;
  paperless_changed_at: Date | null;
  created_at: Date;
  created_by: number | null;
  updated_at: Date | null;
  /** Set when the household was merged into another (closed): the kept household. */
  merged_into_id?: number | null;
  closed_at?: Date | null;
}

export interface HouseholdView extends HouseholdRow {
  street_name: string | null;
  elementary_school: string | null;
  nursery_school: string | null;
}

export interface MemberRow {
  id: number;
  kind: 'child' | 'guardian' | 'contact';
  first_name: string;
  last_name: string;
  birth_date: string | null;
  sex: string | null;
  school_id: number | null;
  class_level: string | null;
  diet: string | null;
  allergies: string | null;
  has_pai: boolean;
  doctor_name: string | null;
  doctor_phone: string | null;
  image_rights: boolean;
  image_rights_at: Date | null;
  phone: string | null;
  phone2: string | null;
  email: string | null;
  relationship: string | null;
  can_pick_up: boolean;
  emergency_contact: boolean;
  account_id: number | null;
  created_at: Date;
  updated_at: Date | null;
  deleted_at: Date | null;
  custody_weeks: 'odd' | 'even' | null;
  school_name?: string | null;
}

export async function nextFamilyNumber(q: Queryable): Promise<string> {
  const { rows } = (await q.raw("SELECT nextval('family_number_seq') AS n")) as { rows: { n: number }[] };
  return `SE-${String(rows[0]!.n).padStart(6, '0')}`;
}

export async function insertHousehold(
  q: Queryable,
  row: Partial<HouseholdRow> & { family_number: string; created_at: Date },
): Promise<number> {
  const [r] = await q('households').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const updateHousehold = (q: Queryable, id: number, patch: Partial<HouseholdRow>) =>
  q('households').where({ id }).update(patch);

export const findHousehold = (q: Queryable, id: number) =>
  q<HouseholdRow>('households').where({ id }).first() as Promise<HouseholdRow | undefined>;

export const findHouseholdByFamilyNumber = (q: Queryable, familyNumber: string) =>
  q<HouseholdRow>('households').where({ family_number: familyNumber }).first() as Promise<
    HouseholdRow | undefined
  >;

/** The household with its street and catchment schools. */
export const householdView = (q: Queryable, id: number) =>
  q('households as h')
    .leftJoin('streets as s', 's.id', 'h.street_id')
    .leftJoin('schools as e', 'e.id', 's.elementary_school_id')
    .leftJoin('schools as n', 'n.id', 's.nursery_school_id')
    .where('h.id', id)
    .first(
      'h.*',
      's.name as street_name',
      'e.name as elementary_school',
      'n.name as nursery_school',
    ) as Promise<HouseholdView | undefined>;

export const householdAccounts = (q: Queryable, householdId: number) =>
  q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('ha.household_id', householdId)
    .orderBy('ha.linked_at')
    .select('a.id', 'a.email', 'a.first_name', 'a.last_name', 'ha.linked_at') as Promise<
    { id: number; email: string; first_name: string; last_name: string; linked_at: Date }[]
  >;

export const linkAccount = (q: Queryable, householdId: number, accountId: number, at: Date) =>
  q('household_accounts').insert({ household_id: householdId, account_id: accountId, linked_at: at });

export const streets = (q: Queryable) =>
  q('streets').orderBy('name').select('id', 'name') as Promise<{ id: number; name: string }[]>;
export const findStreet = (q: Queryable, id: number) =>
  q('streets').where({ id }).first('id', 'name') as Promise<{ id: number; name: string } | undefined>;
export const schools = (q: Queryable) =>
  q('schools').orderBy('name').select('id', 'name', 'class_levels', 'is_public') as Promise<
    { id: number; name: string; class_levels: string[]; is_public: boolean }[]
  >;
export const findSchool = (q: Queryable, id: number) =>
  q('schools').where({ id }).first('id', 'name', 'class_levels') as Promise<
    { id: number; name: string; class_levels: string[] } | undefined
  >;

// ---------- Members ----------

const memberColumns = ['m.*', 'hm.custody_weeks', 'sc.name as school_name'];

export const listMembers = (q: Queryable, householdId: number) =>
  q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .leftJoin('schools as sc', 'sc.id', 'm.school_id')
    .where('hm.household_id', householdId)
    .whereNull('m.deleted_at')
    .orderByRaw("CASE m.kind WHEN 'guardian' THEN 0 WHEN 'child' THEN 1 ELSE 2 END")
    .orderBy([{ column: 'm.birth_date' }, { column: 'm.id' }])
    .select(memberColumns) as Promise<MemberRow[]>;

/** A member of the household (not deleted), or undefined: callers answer 404. */
export const findMemberOfHousehold = (q: Queryable, householdId: number, memberId: number) =>
  q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .leftJoin('schools as sc', 'sc.id', 'm.school_id')
    .where({ 'hm.household_id': householdId, 'm.id': memberId })
    .whereNull('m.deleted_at')
    .first(memberColumns) as Promise<MemberRow | undefined>;

export async function insertMember(q: Queryable, row: Record<string, unknown>): Promise<number> {
  const [r] = await q('members').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const updateMember = (q: Queryable, id: number, patch: Record<string, unknown>) =>
  q('members').where({ id }).update(patch);

export const linkMember = (
  q: Queryable,
  householdId: number,
  memberId: number,
  at: Date,
  custodyWeeks: 'odd' | 'even' | null = null,
) =>
  q('household_members').insert({
    household_id: householdId,
    member_id: memberId,
    linked_at: at,
    custody_weeks: custodyWeeks,
  });

export const setCustodyWeeks = (
  q: Queryable,
  householdId: number,
  memberId: number,
  weeks: 'odd' | 'even' | null,
) =>
  q('household_members')
    .where({ household_id: householdId, member_id: memberId })
    .update({ custody_weeks: weeks });

export const memberHouseholds = (q: Queryable, memberId: number) =>
  q('household_members').where({ member_id: memberId }).select('household_id', 'custody_weeks') as Promise<
    { household_id: number; custody_weeks: string | null }[]
  >;

export async function setGuardianChildren(
  q: Queryable,
  guardianId: number,
  childIds: number[],
): Promise<void> {
  await q('guardian_children').where({ guardian_id: guardianId }).delete();
  if (childIds.length)
    await q('guardian_children').insert(childIds.map((child_id) => ({ guardian_id: guardianId, child_id })));
}

export const guardianLinks = (q: Queryable, householdId: number) =>
  q('guardian_children as gc')
    .join('household_members as hm', 'hm.member_id', 'gc.guardian_id')
    .where('hm.household_id', householdId)
    .select('gc.guardian_id', 'gc.child_id') as Promise<{ guardian_id: number; child_id: number }[]>;
