// Merging two households: the closed household's payments, online payment attempts, anomalies,
// refunds and direct-debit mandates move to the kept one. One household has at most one open
// mandate (sepa_mandates_one_open): the merge is refused while both have one. Runs in the
// merge's transaction (src/admin/merge-households.ts).
import type { Queryable, Tx } from '../platform/db.js';

const OPEN_MANDATE = ['requested', 'active'];

/** Whether both households have an open direct-debit mandate. */
export async function mandateConflict(q: Queryable, aId: number, bId: number): Promise<boolean> {
  const rows = (await q('sepa_mandates')
    .whereIn('household_id', [aId, bId])
    .whereIn('status', OPEN_MANDATE)
    .distinct('household_id')) as { household_id: number }[];
  return rows.length === 2;
}

/** Moves every payment row of `fromId` to `toId`; how many moved. */
export async function moveHousehold(
  tx: Tx,
  fromId: number,
  toId: number,
): Promise<{ payments: number; operations: number; mandates: number; refunds: number }> {
  const move = (table: string) => tx(table).where({ household_id: fromId }).update({ household_id: toId });
  const payments = await move('payments');
  const operations = await move('payment_operations');
  await move('payment_anomalies');
  const refunds = await move('refunds');
  const mandates = await move('sepa_mandates');
  return { payments, operations, mandates, refunds };
}
