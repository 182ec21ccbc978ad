// Merging two households: the closed household's enrolments (with their options and decisions)
// move to the kept one. Runs in the merge's transaction (src/admin/merge-households.ts).
import type { Tx } from '../platform/db.js';

/** Moves every enrolment of `fromId` to `toId`; how many moved. */
export async function moveHousehold(tx: Tx, fromId: number, toId: number): Promise<{ enrolments: number }> {
  const enrolments = await tx('enrolments').where({ household_id: fromId }).update({ household_id: toId });
  return { enrolments };
}
