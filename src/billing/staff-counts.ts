// Counts for the staff home (src/admin): invoices past their due date and not settled.
import type { Queryable } from '../platform/db.js';
import { searchInvoices } from './repository-invoices.js';

/** Overdue invoices on `day`: what /admin/billing/overdue lists. */
export async function overdueInvoiceCount(q: Queryable, day: string): Promise<number> {
  const [row] = (await searchInvoices(q, { status: 'overdue', overdueOn: day }).count({ n: '*' })) as [
    { n: number | string },
  ];
  return Number(row.n);
}
