// What the vault reads of households, members and enrolments (read-only): the staff pages' family
// details, the guardians to email, the children of the upload form and what enrolments require.
import type { Queryable } from '../platform/db.js';

// ---- households (for staff pages and emails) ----

/** The family's details shown next to a document and on the desk upload (staff pages only). */
export async function householdSummary(q: Queryable, householdId: number) {
  const household = await q('households as h')
    .leftJoin('streets as s', 's.id', 'h.street_id')
    .where('h.id', householdId)
    .first(
      'h.id',
      'h.family_number',
      'h.house_number',
      'h.address_line',
      'h.address_complement',
      'h.postcode',
      'h.city',
      'h.phone_mobile',
      'h.phone_home',
      'h.email',
      'h.allocataire_kind',
      'h.allocataire_number',
      's.name as street_name',
    );
  if (!household) return undefined;
  const guardians = (await q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('ha.household_id', householdId)
    .orderBy('a.id')
    .select('a.id', 'a.first_name', 'a.last_name', 'a.email')) as {
    id: number;
    first_name: string;
    last_name: string;
    email: string;
  }[];
  return { ...(household as Record<string, string | number | null>), guardians };
}

export const guardianEmails = async (q: Queryable, householdId: number): Promise<string[]> =>
  (
    (await q('household_accounts as ha')
      .join('accounts as a', 'a.id', 'ha.account_id')
      .where('ha.household_id', householdId)
      .orderBy('a.id')
      .select('a.email')) as {
      email: string;
    }[]
  ).map((r) => r.email);

// ---- what enrolments require ----

/**
 * Document types required by the household's children's active enrolments (submitted or
 * accepted), per child (child-scoped types) or for the household (household-scoped types).
 */
export async function requiredByEnrolments(q: Queryable, householdId: number) {
  return (await q('enrolments as e')
    .join('household_members as hm', function () {
      this.on('hm.member_id', '=', 'e.child_id').andOn('hm.household_id', '=', q.raw('?', [householdId]));
    })
    .join('service_requirements as sr', 'sr.service_id', 'e.service_id')
    .join('document_types as dt', 'dt.id', 'sr.document_type_id')
    .join('services as s', 's.id', 'e.service_id')
    .join('members as m', 'm.id', 'e.child_id')
    .whereIn('e.status', ['submitted', 'accepted'])
    .distinct(
      'dt.id as type_id',
      'dt.code as type_code',
      'dt.name as type_name',
      'dt.scope',
      'e.child_id',
      'm.first_name as child_first_name',
      's.name as service_name',
    )) as {
    type_id: number;
    type_code: string;
    type_name: string;
    scope: 'child' | 'household';
    child_id: number;
    child_first_name: string;
    service_name: string;
  }[];
}
// ---------- The household's children (members rows, read for the upload form and its check) ----------

export interface ChildOption {
  id: number;
  first_name: string;
  last_name: string;
}

const childrenOf = (q: Queryable, householdId: number) =>
  q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .where({ 'hm.household_id': householdId, 'm.kind': 'child' })
    .whereNull('m.deleted_at');

/** The children of the household (alternating custody included), eldest first. */
export const childrenOfHousehold = (q: Queryable, householdId: number) =>
  childrenOf(q, householdId)
    .orderBy([{ column: 'm.birth_date', order: 'asc' }, { column: 'm.id' }])
    .select('m.id', 'm.first_name', 'm.last_name') as Promise<ChildOption[]>;

/** A child of the household, or undefined: nothing tells whether the id exists elsewhere. */
export async function findChildOfHousehold(
  q: Queryable,
  householdId: number,
  childId: number,
): Promise<ChildOption | undefined> {
  if (!Number.isSafeInteger(childId)) return undefined;
  return childrenOf(q, householdId)
    .where('m.id', childId)
    .first('m.id', 'm.first_name', 'm.last_name') as Promise<ChildOption | undefined>;
}
