// Recording a payment against an invoice (online, at the desk): the invoice's paid amount, the
// payment row and the receipt, in the caller's transaction.
import type { AppDeps } from '../deps.js';
import type { Tx } from '../platform/db.js';
import { applyToInvoice } from './invoices.js';
import { enqueueReceipt } from './receipt.js';
import { householdEmail, insertPayment, type PaymentMethod } from './repository.js';

export async function recordPayment(
  deps: AppDeps,
  tx: Tx,
  input: {
    invoiceId: number;
    method: PaymentMethod;
    amountCents: number;
    receivedAt: Date;
    reference: string | null;
    recordedBy: number | null;
    receiptTo?: string | null;
  },
) {
  const applied = await applyToInvoice(tx, input.invoiceId, input.amountCents);
  const id = await insertPayment(tx, {
    invoice_id: input.invoiceId,
    household_id: applied.invoice.household_id,
    method: input.method,
    amount_cents: input.amountCents,
    overpaid_cents: applied.overpaidCents,
    received_at: input.receivedAt,
    reference: input.reference,
    recorded_by: input.recordedBy,
    recorded_at: deps.clock.now(),
  });
  const to = input.receiptTo ?? (await householdEmail(tx, applied.invoice.household_id));
  await enqueueReceipt(
    deps,
    tx,
    to,
    {
      id,
      method: input.method,
      amountCents: input.amountCents,
      overpaidCents: applied.overpaidCents,
      receivedAt: input.receivedAt,
    },
    applied.invoice,
  );
  return { id, overpaidCents: applied.overpaidCents, invoice: applied.invoice };
}
