// Merging two households: the closed household's documents (the vault, with their decisions and
// files) move to the kept one. Runs in the merge's transaction (src/admin/merge-households.ts).
import type { Tx } from '../platform/db.js';

/** Moves every document of `fromId` to `toId`; how many moved. */
export async function moveHousehold(tx: Tx, fromId: number, toId: number): Promise<{ documents: number }> {
  // The same upload waiting for review in both vaults would break documents_pending_upload: the
  // closed household's copy loses its fingerprint (staff review both, as before that index).
  await tx.raw(
    `UPDATE documents d SET upload_sha256 = NULL
       FROM documents k
      WHERE d.household_id = :from AND k.household_id = :to
        AND d.upload_sha256 = k.upload_sha256 AND d.type_id = k.type_id
        AND coalesce(d.member_id, 0) = coalesce(k.member_id, 0)`,
    { from: fromId, to: toId },
  );
  const documents = await tx('documents').where({ household_id: fromId }).update({ household_id: toId });
  return { documents };
}
