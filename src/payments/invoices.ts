// What a payment does to an invoice, under a row lock in the caller's transaction. The billing
// feature owns invoices; until its service exposes applyPayment, payments updates the paid
// amount and status here, against the invoices table only.
import type { Queryable, Tx } from '../platform/db.js';

export type InvoiceStatus = 'unpaid' | 'partially_paid' | 'paid' | 'direct_debit_planned' | 'debited';

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
  invoice.kind === 'invoice' && (invoice.status === 'unpaid' || invoice.status === 'partially_paid') && remainingCents(invoice) > 0;

/** The household's invoice, or undefined (callers answer 404). */
export function findHouseholdInvoice(q: Queryable, householdId: number, invoiceId: number) {
  return q('invoices').where({ id: invoiceId, household_id: householdId }).first() as Promise<PayableInvoice | undefined>;
}

export function lockInvoice(tx: Tx, invoiceId: number) {
  return tx('invoices').where({ id: invoiceId }).forUpdate().first() as Promise<PayableInvoice | undefined>;
}

function statusAfter(invoice: PayableInvoice, paidCents: number): InvoiceStatus {
  const due = invoice.total_cents - (invoice.credited_cents ?? 0);
  if (paidCents >= due) return 'paid';
  return paidCents > 0 ? 'partially_paid' : 'unpaid';
}

/**
 * Applies a payment: what exceeds the remaining amount is an overpayment (to refund), not
 * counted as paid. `debited` marks the invoice as collected by direct debit.
 */
export async function applyToInvoice(
  tx: Tx,
  invoiceId: number,
  amountCents: number,
  opts: { debited?: boolean } = {},
): Promise<{ appliedCents: number; overpaidCents: number; invoice: PayableInvoice }> {
  const invoice = await lockInvoice(tx, invoiceId);
  if (!invoice) throw new Error(`invoice ${invoiceId} not found`);
  const appliedCents = Math.min(amountCents, remainingCents(invoice));
  const overpaidCents = amountCents - appliedCents;
  const paidCents = invoice.paid_cents + appliedCents;
  const status = opts.debited ? 'debited' : statusAfter(invoice, paidCents);
  await tx('invoices').where({ id: invoiceId }).update({ paid_cents: paidCents, status });
  return { appliedCents, overpaidCents, invoice: { ...invoice, paid_cents: paidCents, status } };
}

/** Takes back a payment that did not happen (a rejected direct debit): the invoice is due again. */
export async function reverseOnInvoice(tx: Tx, invoiceId: number, appliedCents: number): Promise<PayableInvoice> {
  const invoice = await lockInvoice(tx, invoiceId);
  if (!invoice) throw new Error(`invoice ${invoiceId} not found`);
  const paidCents = Math.max(invoice.paid_cents - appliedCents, 0);
  const status = statusAfter(invoice, paidCents);
  await tx('invoices').where({ id: invoiceId }).update({ paid_cents: paidCents, status, direct_debit_on: null });
  return { ...invoice, paid_cents: paidCents, status, direct_debit_on: null };
}
