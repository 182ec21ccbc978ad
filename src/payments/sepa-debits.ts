// Direct debits: planning invoices of households with an active mandate, the monthly pain.008
// export that marks invoices debited, the exports' list and files, and rejected debits.
import type { InvoicesIssuedHook } from '../billing/service.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { parisInstant, today } from '../platform/clock.js';
import { withTransaction, type Queryable } from '../platform/db.js';
import { HttpError } from '../web/errors.js';
import { formatDate, formatMoney } from '../web/format.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { applyToInvoice, remainingCents, reverseOnInvoice, type PayableInvoice } from './invoices.js';
import { planDirectDebits, type MandateRow } from './mandates.js';
import { insertPayment } from './repository.js';
import { SepaExportError, buildPain008, type DirectDebitTransaction } from './sepa/pain008.js';
import { emailDirectDebit } from './sepa-emails.js';

/** The invoicing run's new invoices of households with an active mandate: planned in the run's transaction. */
export const planIssuedInvoices: InvoicesIssuedHook = async (tx, invoiceIds) => {
  await planDirectDebits(tx, { invoiceIds });
};

export interface ExportCandidate {
  invoice: PayableInvoice;
  mandate: MandateRow;
  family_number: string;
  amountCents: number;
  sequenceType: 'FRST' | 'RCUR';
}

async function candidates(
  q: Queryable,
  month: string,
  collectionDate: string,
  lock: boolean,
): Promise<ExportCandidate[]> {
  const rows = (await q('invoices as i')
    .join('sepa_mandates as m', function () {
      this.on('m.household_id', 'i.household_id').andOnVal('m.status', 'active');
    })
    .join('households as h', 'h.id', 'i.household_id')
    .where({ 'i.kind': 'invoice', 'i.month': month, 'i.status': 'direct_debit_planned' })
    .where('m.signed_on', '<=', collectionDate)
    .orderBy('i.number')
    .modify((qb) => {
      if (lock) qb.forUpdate('i');
    })
    .select(q.raw('to_jsonb(i.*) as invoice'), q.raw('to_jsonb(m.*) as mandate'), 'h.family_number')) as {
    invoice: PayableInvoice;
    mandate: MandateRow;
    family_number: string;
  }[];
  return rows
    .map((r) => ({
      ...r,
      amountCents: remainingCents(r.invoice),
      sequenceType: (r.mandate.first_debit_done ? 'RCUR' : 'FRST') as 'FRST' | 'RCUR',
    }))
    .filter((c) => c.amountCents > 0);
}

export function createSepaDebitsService(deps: AppDeps) {
  const { db, clock } = deps;

  return {
    /** What the month's export would hold (reads only: the planning happened where invoices and mandates changed). */
    preview: (month: string, collectionDate: string) => candidates(db, month, collectionDate, false),

    /** The daily safety net: plans what the run's and the activation's transactions both missed. Idempotent. */
    planDirectDebits: () => withTransaction(db, (tx) => planDirectDebits(tx)),

    /** Builds the pain.008 file and marks its invoices debited (one direct_debit payment each). */
    async export(month: string, collectionDate: string, actor: Actor): Promise<number> {
      if (collectionDate <= today(clock))
        throw new FormError('collection_date', 'payments.sepa.errors.collectionDatePast');
      return withTransaction(db, async (tx) => {
        // Nothing eligible left out of the file, even what the daily job has not planned yet.
        await planDirectDebits(tx);
        const items = await candidates(tx, month, collectionDate, true);
        if (items.length === 0) throw new FormError('month', 'payments.sepa.errors.nothingToExport');
        const [{ count }] = (await tx('sepa_exports').where({ month }).count({ count: '*' })) as [
          { count: number },
        ];
        const messageId = `PF-${month.replace('-', '')}-${String(Number(count) + 1).padStart(3, '0')}`;
        const transactions: DirectDebitTransaction[] = items.map((c) => ({
          endToEndId: c.invoice.number,
          amountCents: c.amountCents,
          mandateId: c.mandate.rum!,
          mandateSignedOn: c.mandate.signed_on!,
          sequenceType: c.sequenceType,
          debtorName: c.mandate.holder,
          debtorIban: c.mandate.iban,
          debtorBic: c.mandate.bic ?? undefined,
          remittanceInfo: tFr('payments.sepa.remittance', {
            number: c.invoice.number,
            family: c.family_number,
          }),
        }));
        let xml: string;
        try {
          xml = buildPain008({
            creditor: {
              name: deps.config.SEPA_CREDITOR_NAME,
              iban: deps.config.SEPA_CREDITOR_IBAN,
              bic: deps.config.SEPA_CREDITOR_BIC,
              creditorId: deps.config.SEPA_CREDITOR_ID,
            },
            messageId,
            collectionDate,
            createdAt: clock.now(),
            transactions,
          });
        } catch (err) {
          if (!(err instanceof SepaExportError)) throw err;
          deps.logger.error({ code: err.code }, 'SEPA export refused');
          throw new FormError('month', 'payments.sepa.errors.buildFailed', { code: err.code });
        }
        const total = items.reduce((sum, c) => sum + c.amountCents, 0);
        const now = clock.now();
        const [row] = await tx('sepa_exports')
          .insert({
            month,
            message_id: messageId,
            collection_date: collectionDate,
            transaction_count: items.length,
            total_cents: total,
            xml,
            created_by: actor.accountId,
            created_at: now,
          })
          .returning('id');
        const exportId = (row as { id: number }).id;
        const receivedAt = parisInstant(collectionDate, '00:00');
        for (const c of items) {
          const applied = await applyToInvoice(tx, c.invoice.id, c.amountCents, { debited: true });
          const paymentId = await insertPayment(tx, {
            invoice_id: c.invoice.id,
            household_id: c.invoice.household_id,
            method: 'direct_debit',
            amount_cents: c.amountCents,
            overpaid_cents: applied.overpaidCents,
            received_at: receivedAt,
            reference: c.invoice.number,
            recorded_by: actor.accountId,
            recorded_at: now,
          });
          await tx('sepa_export_items').insert({
            export_id: exportId,
            invoice_id: c.invoice.id,
            mandate_id: c.mandate.id,
            payment_id: paymentId,
            end_to_end_id: c.invoice.number,
            sequence_type: c.sequenceType,
            amount_cents: c.amountCents,
          });
          if (!c.mandate.first_debit_done)
            await tx('sepa_mandates').where({ id: c.mandate.id }).update({ first_debit_done: true });
          await emailDirectDebit(deps, tx, c.invoice.household_id, 'debited', {
            number: c.invoice.number,
            amount: formatMoney(c.amountCents),
            date: formatDate(collectionDate),
          });
        }
        await deps.audit.record(
          tx,
          actor,
          'payments.sepa_exported',
          { type: 'sepa_export', id: exportId },
          { month, count: items.length, totalCents: total },
        );
        return exportId;
      });
    },

    exports: () =>
      db('sepa_exports')
        .orderBy('created_at', 'desc')
        .select(
          'id',
          'month',
          'message_id',
          'collection_date',
          'transaction_count',
          'total_cents',
          'created_at',
        ),

    async exportWithItems(id: number) {
      const exp = await db('sepa_exports')
        .where({ id })
        .first(
          'id',
          'month',
          'message_id',
          'collection_date',
          'transaction_count',
          'total_cents',
          'created_at',
        );
      if (!exp) throw new HttpError(404);
      const items = await db('sepa_export_items as x')
        .join('sepa_mandates as m', 'm.id', 'x.mandate_id')
        .join('households as h', 'h.id', 'm.household_id')
        .where('x.export_id', id)
        .orderBy('x.end_to_end_id')
        .select('x.*', 'm.rum', 'm.holder', 'h.family_number');
      return { exp, items };
    },

    async file(id: number): Promise<{ messageId: string; xml: string }> {
      const exp = await db('sepa_exports').where({ id }).first('message_id', 'xml');
      if (!exp) throw new HttpError(404);
      return { messageId: exp.message_id, xml: exp.xml };
    },

    /** A debit the bank returned: the invoice is due again, the parent is told why. */
    async reject(itemId: number, code: string, actor: Actor) {
      await withTransaction(db, async (tx) => {
        const item = await tx('sepa_export_items').where({ id: itemId }).forUpdate().first();
        if (!item) throw new HttpError(404);
        if (item.rejected_at) throw new FormError('code', 'payments.sepa.errors.alreadyRejected');
        const payment = await tx('payments').where({ id: item.payment_id }).forUpdate().first();
        await tx('payments').where({ id: payment.id }).update({ status: 'rejected' });
        const invoice = await reverseOnInvoice(
          tx,
          item.invoice_id,
          payment.amount_cents - payment.overpaid_cents,
        );
        await tx('sepa_export_items')
          .where({ id: itemId })
          .update({ rejection_code: code, rejected_at: clock.now(), rejected_by: actor.accountId });
        // A first debit that failed must be presented as a first debit again.
        if (item.sequence_type === 'FRST')
          await tx('sepa_mandates').where({ id: item.mandate_id }).update({ first_debit_done: false });
        await deps.audit.record(
          tx,
          actor,
          'payments.debit_rejected',
          { type: 'payment', id: payment.id },
          { code },
        );
        await emailDirectDebit(deps, tx, invoice.household_id, 'debitRejected', {
          number: invoice.number,
          amount: formatMoney(payment.amount_cents),
          reason: tFr(`payments.sepa.reasons.${code}`),
          code,
        });
      });
    },
  };
}
