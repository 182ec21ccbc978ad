// Merging two households: the closed household's requests (démarches) move to the kept one,
// their history with them. Runs in the merge's transaction (src/admin/merge-households.ts).
import type { Tx } from '../platform/db.js';

/** Moves every request of `fromId` to `toId`; how many moved. */
export async function moveHousehold(tx: Tx, fromId: number, toId: number): Promise<{ requests: number }> {
  const requests = await tx('requests').where({ household_id: fromId }).update({ household_id: toId });
  return { requests };
}
