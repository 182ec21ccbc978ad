// Invoices as payments reads them. Billing owns invoices: every change to an invoice's paid
// amount and status goes through billing's applyPayment, in the caller's transaction.
import { applyPayment } from '../billing/service.js';
import type { Queryable, Tx } from '../platform/db.js';

type InvoiceStatus = 'unpaid' | 'partially_paid' | 'paid' | 'direct_debit_planned' | 'debited';

export interface PayableInvoice {
  id: number;
  kind: string;
  number: string;
  household_id: number;
  month: string;
  issued_at: Date;
  due_on: string;
  total_cents: number;
  paid_cents: number;
  /** Added by billing for credit notes; absent on older schemas. */
  credited_cents?: number | null;
  status: InvoiceStatus;
  direct_debit_on: string | null;
}

/** What is still to pay (never negative). */
export function remainingCents(invoice: PayableInvoice): number {
  return Math.max(invoice.total_cents - invoice.paid_cents - (invoice.credited_cents ?? 0), 0);
}

export const isPayableOnline = (invoice: PayableInvoice) =>
  invoice.kind === 'invoice' &&
  (invoice.status === 'unpaid' || invoice.status === 'partially_paid') &&
  remainingCents(invoice) > 0;

/** The household's invoice, or undefined (callers answer 404). */
export function findHouseholdInvoice(q: Queryable, householdId: number, invoiceId: number) {
  return q('invoices').where({ id: invoiceId, household_id: householdId }).first() as Promise<
    PayableInvoice | undefined
  >;
}

export function lockInvoice(tx: Tx, invoiceId: number) {
  return tx('invoices').where({ id: invoiceId }).forUpdate().first() as Promise<PayableInvoice | undefined>;
}

/**
 * Applies a payment through billing's applyPayment (the one rule for an invoice's paid amount
 * and status). Only what was still due is applied: the invoice is paid once, and what exceeds
 * it is an overpayment (the payment row keeps it, listed for refund). `debited` marks the
 * invoice as collected by direct debit.
 */
export async function applyToInvoice(
  tx: Tx,
  invoiceId: number,
  amountCents: number,
  opts: { debited?: boolean } = {},
): Promise<{ overpaidCents: number; invoice: PayableInvoice }> {
  const before = await lockInvoice(tx, invoiceId);
  if (!before) throw new Error(`invoice ${invoiceId} not found`);
  const applied = Math.min(amountCents, remainingCents(before));
  if (applied > 0) await applyPayment(tx, invoiceId, applied, { directDebit: opts.debited ?? false });
  const invoice = applied > 0 ? (await lockInvoice(tx, invoiceId))! : before;
  return { overpaidCents: amountCents - applied, invoice };
}

/**
 * Takes back a payment that did not happen (a rejected direct debit): the invoice is due again.
 * `appliedCents` is what the payment had applied to the invoice (its amount less any overpayment).
 */
export async function reverseOnInvoice(
  tx: Tx,
  invoiceId: number,
  appliedCents: number,
): Promise<PayableInvoice> {
  if (appliedCents > 0) await applyPayment(tx, invoiceId, -appliedCents);
  await tx('invoices').where({ id: invoiceId }).update({ direct_debit_on: null });
  return (await lockInvoice(tx, invoiceId))!;
}
