// Staff: payments received at the desk, refunds of overpayments and the anomalies queue.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { parisInstant, today } from '../platform/clock.js';
import { withTransaction } from '../platform/db.js';
import { HttpError } from '../web/errors.js';
import { formatMoney } from '../web/format.js';
import { FormError } from '../web/forms.js';
import { lockInvoice, remainingCents } from './invoices.js';
import { recordPayment } from './record-payment.js';
import { findInvoiceByNumber, findPayment, refundedCents } from './repository.js';
import type { DeskPaymentForm, RefundForm } from './schemas.js';

export function createStaffPaymentsService(deps: AppDeps) {
  const { db, clock } = deps;

  return {
    /** Staff record a payment received at the desk (partial allowed; beyond the remaining amount is an overpayment). */
    async recordDesk(form: DeskPaymentForm, actor: Actor) {
      if (form.received_on > today(clock)) throw new FormError('received_on', 'payments.errors.dateInFuture');
      return withTransaction(db, async (tx) => {
        const found = await findInvoiceByNumber(tx, form.invoice);
        if (!found || found.kind !== 'invoice')
          throw new FormError('invoice', 'payments.errors.invoiceNotFound');
        const invoice = (await lockInvoice(tx, found.id))!;
        if (remainingCents(invoice) === 0 && invoice.status !== 'paid')
          throw new FormError('invoice', 'payments.errors.notPayable');
        const receivedAt =
          form.received_on === today(clock) ? clock.now() : parisInstant(form.received_on, '12:00');
        const payment = await recordPayment(deps, tx, {
          invoiceId: invoice.id,
          method: form.method,
          amountCents: form.amount,
          receivedAt,
          reference: form.reference || null,
          recordedBy: actor.accountId,
        });
        await deps.audit.record(
          tx,
          actor,
          'payments.desk_recorded',
          { type: 'payment', id: payment.id },
          { method: form.method, amountCents: form.amount },
        );
        return payment;
      });
    },

    /** Staff refund (part of) an overpayment, with a reason. */
    async refund(paymentId: number, form: RefundForm, actor: Actor) {
      return withTransaction(db, async (tx) => {
        const payment = await tx('payments').where({ id: paymentId }).forUpdate().first();
        if (!payment || payment.overpaid_cents <= 0) throw new HttpError(404);
        const left = payment.overpaid_cents - (await refundedCents(tx, paymentId));
        if (form.amount > left)
          throw new FormError('amount', 'payments.errors.refundTooHigh', { amount: formatMoney(left) });
        const [row] = await tx('refunds')
          .insert({
            payment_id: paymentId,
            household_id: payment.household_id,
            amount_cents: form.amount,
            method: form.method,
            reason: form.reason,
            refunded_on: form.refunded_on,
            recorded_by: actor.accountId,
            recorded_at: clock.now(),
          })
          .returning('id');
        await deps.audit.record(
          tx,
          actor,
          'payments.refunded',
          { type: 'payment', id: paymentId },
          { refundId: (row as { id: number }).id, amountCents: form.amount },
        );
      });
    },

    async paymentToRefund(paymentId: number) {
      const payment = await findPayment(db, paymentId);
      if (!payment || payment.overpaid_cents <= 0) throw new HttpError(404);
      const invoice = (await db('invoices').where({ id: payment.invoice_id }).first('number')) as {
        number: string;
      };
      return {
        payment,
        invoiceNumber: invoice.number,
        leftCents: payment.overpaid_cents - (await refundedCents(db, paymentId)),
      };
    },

    async resolveAnomaly(id: number, resolution: string, actor: Actor) {
      await withTransaction(db, async (tx) => {
        const n = await tx('payment_anomalies')
          .where({ id })
          .whereNull('resolved_at')
          .update({ resolved_at: clock.now(), resolved_by: actor.accountId, resolution });
        if (n === 0) throw new HttpError(404);
        await deps.audit.record(tx, actor, 'payments.anomaly_resolved', { type: 'payment_anomaly', id });
      });
    },
  };
}
