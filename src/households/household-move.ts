// Merging two households, the households' side: both cards locked in a fixed order, the closed
// household's members, guardian accounts, invitations and activation codes moved to the kept one,
// then the closed household's pointer. The other features move their own rows in the same
// transaction (src/admin/merge-households.ts orchestrates).
import type { Queryable, Tx } from '../platform/db.js';
import type { HouseholdRow } from './repository.js';

/**
 * Locks the households, lowest id first whatever the order asked, so that two merges of the same
 * pair never wait on each other; FOR UPDATE also holds back any row about to reference them.
 */
export async function lockHouseholds(tx: Tx, ids: number[]): Promise<Map<number, HouseholdRow>> {
  const rows = (await tx('households')
    .whereIn('id', ids)
    .orderBy('id')
    .forUpdate()
    .select('*')) as HouseholdRow[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** Moves members, guardian accounts, invitations and activation codes of `fromId` to `toId`. */
export async function moveHousehold(
  tx: Tx,
  fromId: number,
  toId: number,
): Promise<{ members: number; accounts: number }> {
  // A member of both (a child in alternating custody between the two cards) keeps the kept link.
  await tx('household_members as f')
    .where('f.household_id', fromId)
    .whereExists((q) =>
      q.from('household_members as k').where('k.household_id', toId).whereRaw('k.member_id = f.member_id'),
    )
    .delete();
  const members = await tx('household_members')
    .where({ household_id: fromId })
    .update({ household_id: toId });
  const accounts = await tx('household_accounts')
    .where({ household_id: fromId })
    .update({ household_id: toId });
  await tx('household_invitations').where({ household_id: fromId }).update({ household_id: toId });
  await tx('activation_codes').where({ household_id: fromId }).update({ household_id: toId });
  return { members, accounts };
}

/** Closes the merged household with its pointer (fails if a row still references it: see the migration). */
export async function closeHousehold(tx: Tx, fromId: number, toId: number, at: Date): Promise<void> {
  await tx('households')
    .where({ id: fromId })
    .update({ merged_into_id: toId, closed_at: at, updated_at: at });
}

/** Where a closed household went: the kept household's id and number, or undefined if open. */
export async function mergedInto(q: Queryable, id: number) {
  return (await q('households as h')
    .join('households as k', 'k.id', 'h.merged_into_id')
    .where('h.id', id)
    .first('h.id', 'h.family_number', 'h.closed_at', 'k.id as kept_id', 'k.family_number as kept_number')) as
    { id: number; family_number: string; closed_at: Date; kept_id: number; kept_number: string } | undefined;
}
