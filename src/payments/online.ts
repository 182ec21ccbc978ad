// Online payment through the provider (PayFiP). A payment is recorded only from a result the
// server asked the provider for, matching the operation it created; one operation is open per
// invoice at a time.
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import { SYSTEM } from '../platform/audit.js';
import { TIME_ZONE } from '../platform/clock.js';
import { isUniqueViolation, withTransaction, type Tx } from '../platform/db.js';
import { HttpError } from '../web/errors.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { findHouseholdInvoice, isPayableOnline, remainingCents, type PayableInvoice } from './invoices.js';
import { MIN_AMOUNT_CENTS, OPERATION_TTL_MS } from './payfip/rules.js';
import { PaymentProviderError, resultConfirms, type OperationResult } from './provider.js';
import { recordPayment } from './record-payment.js';
import {
  ONE_OPEN_OPERATION,
  findOperation,
  householdOpenInvoices,
  insertAnomaly,
  insertOperation,
  lockOperation,
  openOperationOf,
  pendingOperations,
  updateOperation,
  type OperationRow,
} from './repository.js';

const POLL_BATCH = 200;
/** A second tab is sent back to the open PayFiP page only if the payer still has this long on it. */
const RESUME_MIN_LEFT_MS = 3 * 60_000;

export function createOnlinePaymentsService(deps: AppDeps) {
  const { db, clock } = deps;

  /** Applies the provider's answer to a pending operation, under its row lock. */
  async function applyResult(tx: Tx, op: OperationRow, result: OperationResult): Promise<OperationRow> {
    const now = clock.now();
    const checked = { last_checked_at: now, attempts: op.attempts + 1, result_code: result.rawCode ?? null };
    const finish = async (state: OperationRow['state'], extra: Partial<OperationRow> = {}) => {
      const patch = { ...checked, state, settled_at: now, ...extra };
      await updateOperation(tx, op.id, patch);
      return { ...op, ...patch };
    };
    switch (result.state) {
      case 'unknown':
        await updateOperation(tx, op.id, checked);
        return { ...op, ...checked };
      case 'paid':
      case 'paid_debit_pending': {
        if (!resultConfirms(result, { reference: op.refdet, amountCents: op.amount_cents })) {
          await insertAnomaly(tx, {
            kind: result.amountCents !== op.amount_cents ? 'amount_mismatch' : 'reference_mismatch',
            operation_id: op.id,
            invoice_id: op.invoice_id,
            household_id: op.household_id,
            expected_cents: op.amount_cents,
            received_cents: result.amountCents ?? null,
            expected_reference: op.refdet,
            received_reference: result.reference ?? null,
            result_code: result.rawCode ?? null,
            created_at: now,
          });
          await deps.audit.record(tx, SYSTEM, 'payments.anomaly', { type: 'payment_operation', id: op.id });
          return finish('anomaly');
        }
        const payment = await recordPayment(deps, tx, {
          invoiceId: op.invoice_id,
          method: 'online',
          amountCents: op.amount_cents,
          receivedAt: result.paidAt ?? now,
          reference: op.id_op,
          recordedBy: null,
          receiptTo: op.payer_email,
        });
        // An excess (the invoice was paid meanwhile) is listed for refund from the payment row.
        await deps.audit.record(
          tx,
          SYSTEM,
          'payments.online_recorded',
          { type: 'payment', id: payment.id },
          { operationId: op.id, overpaidCents: payment.overpaidCents },
        );
        return finish('paid', { payment_id: payment.id });
      }
      case 'refused':
        return finish('refused');
      case 'abandoned':
        return finish('abandoned');
      case 'expired':
        return finish('expired');
      case 'invalid':
        await insertAnomaly(tx, {
          kind: 'unknown_operation',
          operation_id: op.id,
          invoice_id: op.invoice_id,
          household_id: op.household_id,
          expected_cents: op.amount_cents,
          expected_reference: op.refdet,
          result_code: result.rawCode ?? null,
          created_at: now,
        });
        return finish('anomaly');
    }
  }

  /** The household's invoice if it can be paid online now (else the reason, shown on the form). */
  async function payableInvoice(householdId: number, invoiceId: number): Promise<PayableInvoice> {
    const invoice = await findHouseholdInvoice(db, householdId, invoiceId);
    if (!invoice) throw new HttpError(404);
    if (invoice.status === 'direct_debit_planned')
      throw new FormError('form', 'payments.errors.directDebitPlanned');
    if (!isPayableOnline(invoice)) throw new FormError('form', 'payments.errors.notPayable');
    if (remainingCents(invoice) < MIN_AMOUNT_CENTS)
      throw new FormError('form', 'payments.errors.belowMinimum');
    return invoice;
  }

  /**
   * Back to the open operation's PayFiP page (it serves an idOp until it is used or 15 minutes
   * have passed), if it is for what is still due and the payer has time left; otherwise the
   * payment in progress must end first.
   */
  function resume(op: OperationRow, invoice: PayableInvoice): { redirectUrl: string } {
    const left = new Date(op.created_at).getTime() + OPERATION_TTL_MS - clock.now().getTime();
    if (op.redirect_url && op.amount_cents === remainingCents(invoice) && left >= RESUME_MIN_LEFT_MS)
      return { redirectUrl: op.redirect_url };
    throw new FormError('form', 'payments.errors.inProgress');
  }

  const service = {
    /** The household's invoices still to pay (reads only: direct debits are planned where invoices and mandates change). */
    openInvoices: (householdId: number) => householdOpenInvoices(db, householdId),

    /**
     * A parent starts paying an invoice online (its remaining amount). Returns where to send the
     * browser. One operation is open per invoice at a time: a second tab (or two racing clicks)
     * is sent back to the open operation's PayFiP page while it can still be used, or refused
     * with a message. An operation the payer abandoned, or that expired, frees the invoice once
     * PayFiP says so (asked here, and by the polling job). Another household's invoice is a 404.
     */
    async startOnline(input: {
      householdId: number;
      invoiceId: number;
      accountId: number;
      payerEmail: string;
    }): Promise<{ redirectUrl: string }> {
      let invoice = await payableInvoice(input.householdId, input.invoiceId);
      const open = await openOperationOf(db, invoice.id);
      if (open) {
        const now = await service.settle(open.id_op);
        if (now?.state === 'pending') return resume(now, invoice);
        // Settled just now (paid, abandoned, expired…): the invoice may be paid, or free again.
        invoice = await payableInvoice(input.householdId, input.invoiceId);
      }
      const amountCents = remainingCents(invoice);
      const reference = invoice.number.replace(/[^A-Za-z0-9]/g, '').slice(0, 30);
      let created;
      try {
        created = await deps.payments.createOperation({
          reference,
          amountCents,
          payerEmail: input.payerEmail,
          label: tFr('payments.payfip.label', { number: invoice.number }),
          notificationUrl: `${deps.config.baseUrl}/payments/payfip/notify`,
          returnUrl: `${deps.config.baseUrl}/payments/return`,
          exer: DateTime.fromJSDate(new Date(invoice.issued_at), { zone: TIME_ZONE }).year,
        });
      } catch (err) {
        if (!(err instanceof PaymentProviderError)) throw err;
        deps.logger.warn(
          { code: err.code, kind: err.kind, invoiceId: invoice.id },
          'online payment could not start',
        );
        throw new FormError('form', 'payments.errors.providerUnavailable');
      }
      try {
        await insertOperation(db, {
          id_op: created.operationId,
          invoice_id: invoice.id,
          household_id: invoice.household_id,
          account_id: input.accountId,
          refdet: reference,
          amount_cents: amountCents,
          payer_email: input.payerEmail,
          created_at: clock.now(),
          redirect_url: created.redirectUrl,
        });
      } catch (err) {
        if (!isUniqueViolation(err, ONE_OPEN_OPERATION)) throw err;
        // Another request opened one first. This idOp is never shown: it expires unused at PayFiP.
        const winner = await openOperationOf(db, invoice.id);
        if (winner) return resume(winner, invoice);
        throw new FormError('form', 'payments.errors.inProgress');
      }
      return { redirectUrl: created.redirectUrl };
    },

    /**
     * Asks the provider for the result of an operation the app created and records what it says.
     * Unknown idOps (never created here) change nothing. Safe to call concurrently and repeatedly.
     */
    async settle(idOp: string): Promise<OperationRow | undefined> {
      const op = await findOperation(db, idOp);
      if (!op || op.state !== 'pending') return op;
      let result: OperationResult;
      try {
        result = await deps.payments.getResult(op.id_op);
      } catch (err) {
        if (!(err instanceof PaymentProviderError)) throw err;
        deps.logger.warn(
          { code: err.code, kind: err.kind, operationId: op.id },
          'payment result query failed',
        );
        await updateOperation(db, op.id, { last_checked_at: clock.now(), attempts: op.attempts + 1 });
        return op;
      }
      return withTransaction(db, async (tx) => {
        const locked = await lockOperation(tx, idOp);
        // Settled meanwhile by a concurrent notification or poll: nothing more to do.
        if (!locked || locked.state !== 'pending') return locked;
        return applyResult(tx, locked, result);
      });
    },

    /** The job: asks again for every operation still unknown, until it settles or expires. */
    async pollPending(): Promise<number> {
      const pending = await pendingOperations(db, POLL_BATCH);
      let settled = 0;
      for (const { id_op } of pending) {
        const op = await service.settle(id_op);
        if (op && op.state !== 'pending') settled++;
      }
      return settled;
    },

    /** The parent's view of an operation (another household's is a 404); asks the provider if still pending. */
    async operationForHousehold(
      householdId: number,
      idOp: string,
    ): Promise<OperationRow & { invoice_number: string }> {
      let op = await findOperation(db, idOp);
      if (!op || op.household_id !== householdId) throw new HttpError(404);
      if (op.state === 'pending') op = (await service.settle(idOp)) ?? op;
      const invoice = (await db('invoices').where({ id: op.invoice_id }).first('number')) as {
        number: string;
      };
      return { ...op, invoice_number: invoice.number };
    },
  };
  return service;
}
