// A household's account as staff read it (the billing account page and the family's desk page):
// its invoices and credit notes with what remains to pay, its payments, the totals and its QF
// history. Read-only: agents may read it, recording money stays with managers.
import type { Queryable } from '../platform/db.js';
import { displayStatus, remainingOf } from './invoices.js';
import { qfHistoryOf } from './repository.js';
import { householdInvoices, paymentsOf } from './repository-invoices.js';

export async function householdAccount(q: Queryable, householdId: number, day: string) {
  const [invoices, payments, history] = await Promise.all([
    householdInvoices(q, householdId),
    paymentsOf(q, { householdId }),
    qfHistoryOf(q, [householdId]),
  ]);
  const rows = invoices.map((i) => ({ ...i, display: displayStatus(i, day), remaining: remainingOf(i) }));
  const sum = (list: { total_cents: number }[]) => list.reduce((s, i) => s + i.total_cents, 0);
  const bills = rows.filter((i) => i.kind === 'invoice');
  const credits = rows.filter((i) => i.kind === 'credit_note');
  const invoiced = sum(bills);
  const credited = sum(credits);
  const paid = payments.filter((p) => p.status === 'recorded').reduce((s, p) => s + p.amount_cents, 0);
  return {
    invoices: bills,
    credits,
    payments,
    /** Newest first. */
    history: [...history].reverse(),
    /** Invoices with something left to pay, oldest first (the desk payment's choices). */
    open: bills.filter((i) => i.remaining > 0 && i.display !== 'direct_debit_planned').reverse(),
    totals: { invoiced, credited, paid, balance: invoiced - credited - paid },
  };
}
