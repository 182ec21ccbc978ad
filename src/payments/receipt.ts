// The receipt a family gets for each payment, queued in the transaction that records it.
import type { AppDeps } from '../deps.js';
import type { Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { formatDate, formatMoney } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import { remainingCents, type PayableInvoice } from './invoices.js';
import type { PaymentMethod } from './repository.js';

/**
 * Queues the receipt of a payment (once per payment). A payment beyond what was due says so in
 * its subject and tells the family the excess will be refunded (it is in the staff's queue).
 */
export async function enqueueReceipt(
  deps: AppDeps,
  tx: Tx,
  to: string | null,
  p: { id: number; method: PaymentMethod; amountCents: number; overpaidCents: number; receivedAt: Date },
  invoice: PayableInvoice,
) {
  if (!to) return;
  const town = await getTown(deps.db);
  const remaining = remainingCents(invoice);
  const paragraphs = [
    tFr('payments.emails.receipt.text', {
      amount: formatMoney(p.amountCents),
      method: tFr(`payments.methods.${p.method}`),
      number: invoice.number,
      date: formatDate(p.receivedAt),
    }),
  ];
  if (p.overpaidCents === p.amountCents) {
    paragraphs.push(tFr('payments.emails.overpaid.alreadyPaid', { amount: formatMoney(p.overpaidCents) }));
  } else {
    paragraphs.push(
      remaining > 0
        ? tFr('payments.emails.receipt.remaining', { amount: formatMoney(remaining) })
        : tFr('payments.emails.receipt.settled'),
    );
    if (p.overpaidCents > 0)
      paragraphs.push(tFr('payments.emails.receipt.overpaid', { amount: formatMoney(p.overpaidCents) }));
  }
  if (p.overpaidCents > 0) paragraphs.push(tFr('payments.emails.overpaid.how'));
  const subject =
    p.overpaidCents > 0 ? 'payments.emails.overpaid.subject' : 'payments.emails.receipt.subject';
  await deps.outbox.enqueue(tx, {
    to,
    kind: 'payments.receipt',
    dedupeKey: `payments.receipt.${p.id}`,
    content: {
      townName: town?.name ?? '',
      subject: tFr(subject, { number: invoice.number }),
      paragraphs,
      action: { label: tFr('payments.emails.receipt.action'), url: `${deps.config.baseUrl}/payments` },
    },
  });
}
