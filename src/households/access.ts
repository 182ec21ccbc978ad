// Per-object authorisation for parents: everything is looked up through the household of the
// logged-in account, never by bare id. The features above households use these.
import type { Queryable } from '../platform/db.js';

export async function householdIdOf(q: Queryable, accountId: number): Promise<number | null> {
  const row = await q('household_accounts').where({ account_id: accountId }).first('household_id');
  return row ? Number(row.household_id) : null;
}

export interface ChildRow {
  id: number;
  first_name: string;
  last_name: string;
  birth_date: string;
  sex: string | null;
  school_id: number | null;
  class_level: string | null;
  diet: string | null;
  allergies: string | null;
  has_pai: boolean;
  custody_weeks: 'odd' | 'even' | null;
}

/** A child of the household (alternating custody included), or undefined: callers answer 404. */
export async function findChildOfHousehold(
  q: Queryable,
  householdId: number,
  childId: number,
): Promise<ChildRow | undefined> {
  if (!Number.isSafeInteger(childId)) return undefined;
  return q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .where({ 'hm.household_id': householdId, 'm.id': childId, 'm.kind': 'child' })
    .whereNull('m.deleted_at')
    .first('m.*', 'hm.custody_weeks') as Promise<ChildRow | undefined>;
}

export async function childrenOfHousehold(q: Queryable, householdId: number): Promise<ChildRow[]> {
  return q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .where({ 'hm.household_id': householdId, 'm.kind': 'child' })
    .whereNull('m.deleted_at')
    .orderBy([{ column: 'm.birth_date', order: 'asc' }, { column: 'm.id' }])
    .select('m.*', 'hm.custody_weeks') as Promise<ChildRow[]>;
}
