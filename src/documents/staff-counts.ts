// Counts for the staff home (src/admin): how many documents wait in the review queue.
import type { Queryable } from '../platform/db.js';

/** Documents waiting for a decision: what /admin/documents lists, unfiltered. */
export async function pendingDocumentCount(q: Queryable): Promise<number> {
  const [row] = (await q('documents')
    .where('status', 'pending')
    .whereNull('superseded_at')
    .whereNull('deleted_at')
    .count({ n: '*' })) as [{ n: number | string }];
  return Number(row.n);
}
