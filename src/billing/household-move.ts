// Merging two households: the closed household's invoices (and credit notes) and its quotient
// familial history move to the kept one. Two invoices of one month cannot live on one household
// (invoices_one_per_month): the merge is refused while both have one, listing the months, open
// ones first. Runs in the merge's transaction (src/admin/merge-households.ts).
import type { Queryable, Tx } from '../platform/db.js';

const SETTLED = ['paid', 'debited'];

/** The months both households have an invoice for, with whether one of the two is still open. */
export async function invoiceConflicts(q: Queryable, aId: number, bId: number) {
  const rows = (await q('invoices as a')
    .join('invoices as b', 'b.month', 'a.month')
    .where({ 'a.household_id': aId, 'b.household_id': bId, 'a.kind': 'invoice', 'b.kind': 'invoice' })
    .orderBy('a.month')
    .select('a.month', 'a.status as a_status', 'b.status as b_status')) as {
    month: string;
    a_status: string;
    b_status: string;
  }[];
  return rows.map((r) => ({
    month: r.month,
    open: !SETTLED.includes(r.a_status) || !SETTLED.includes(r.b_status),
  }));
}

/** Moves every invoice and QF value of `fromId` to `toId`; how many moved. */
export async function moveHousehold(
  tx: Tx,
  fromId: number,
  toId: number,
): Promise<{ invoices: number; qf: number }> {
  const invoices = await tx('invoices').where({ household_id: fromId }).update({ household_id: toId });
  const qf = await tx('qf_history').where({ household_id: fromId }).update({ household_id: toId });
  return { invoices, qf };
}
