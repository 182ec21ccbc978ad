// Direct debit: the parent's mandate request (a démarche staff validate), revocation, the
// monthly pain.008 export that marks invoices debited, and rejected debits.
import type { InvoicesIssuedHook } from '../billing/service.js';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { TIME_ZONE, parisInstant, today } from '../platform/clock.js';
import { withTransaction, type Queryable, type Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { createRequestsService, type RequestTypeHooks } from '../requests/service.js';
import type { RequestRow, RequestStatus } from '../requests/repository.js';
import { HttpError } from '../web/errors.js';
import { formatDate, formatMoney } from '../web/format.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { DateTime } from 'luxon';
import { applyToInvoice, remainingCents, reverseOnInvoice, type PayableInvoice } from './invoices.js';
import { maskIban, openMandateOf, planDirectDebits, type MandateRow } from './mandates.js';
import { householdEmail, insertPayment } from './repository.js';
import type { MandateForm } from './schemas.js';
import {
  SepaExportError,
  buildPain008,
  validateIbanBic,
  type DirectDebitTransaction,
} from './sepa/pain008.js';

export const MANDATE_REQUEST_TYPE = 'sepa_mandate';

/** Staff accept the request: the mandate becomes active with its RUM and signature date. */
async function onMandateRequestStatus(tx: Tx, request: RequestRow, status: RequestStatus): Promise<void> {
  const mandate = (await tx('sepa_mandates').where({ request_id: request.id }).forUpdate().first()) as
    MandateRow | undefined;
  if (!mandate || mandate.status !== 'requested') return;
  // The decision's own instant (written just before this hook), so the hook needs no clock.
  const decided = (await tx('requests').where({ id: request.id }).first('decided_at', 'updated_at')) as {
    decided_at: Date | null;
    updated_at: Date;
  };
  const at = new Date(decided.decided_at ?? decided.updated_at);
  if (status === 'accepted') {
    const household = (await tx('households').where({ id: mandate.household_id }).first('family_number')) as {
      family_number: string;
    };
    const rum = `PF-${household.family_number.replace(/[^A-Za-z0-9]/g, '')}-${String(mandate.id).padStart(6, '0')}`;
    await tx('sepa_mandates')
      .where({ id: mandate.id })
      .update({
        status: 'active',
        rum,
        signed_on: DateTime.fromJSDate(at, { zone: TIME_ZONE }).toISODate(),
        activated_at: at,
      });
    // Invoices issued since that instant (a run committing meanwhile) are planned with the activation.
    await planDirectDebits(tx, { householdId: mandate.household_id });
  } else if (status === 'refused' || status === 'cancelled') {
    await tx('sepa_mandates').where({ id: mandate.id }).update({ status, ended_at: at });
  }
}
/** The payments feature's request types (declared in its index.ts). */
export const paymentRequestTypes: Record<string, RequestTypeHooks> = {
  [MANDATE_REQUEST_TYPE]: { onStatus: onMandateRequestStatus },
};

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

export function createSepaService(deps: AppDeps) {
  const { db, clock } = deps;
  const requests = createRequestsService(deps);

  async function email(tx: Tx, householdId: number, key: string, params: Record<string, string>) {
    const to = await householdEmail(tx, householdId);
    if (!to) return;
    const town = await getTown(deps.db);
    await deps.outbox.enqueue(tx, {
      to,
      kind: `payments.${key}`,
      content: {
        townName: town?.name ?? '',
        subject: tFr(`payments.emails.${key}.subject`, params),
        paragraphs: [tFr(`payments.emails.${key}.text`, params)],
        action: { label: tFr('payments.emails.receipt.action'), url: `${deps.config.baseUrl}/payments` },
      },
    });
  }

  return {
    openMandate: (householdId: number) => openMandateOf(db, householdId),

    /** The parent asks for direct debit: a mandate "requested" and a démarche for staff. */
    async requestMandate(householdId: number, form: MandateForm, actor: Actor) {
      const check = validateIbanBic(form.iban, form.bic);
      if (!check.ok) {
        const code = check.errors[0]!;
        throw new FormError(code.startsWith('bic') ? 'bic' : 'iban', `payments.mandate.errors.${code}`);
      }
      return withTransaction(db, async (tx) => {
        if (await openMandateOf(tx, householdId))
          throw new FormError('form', 'payments.mandate.errors.alreadyOpen');
        const now = clock.now();
        const [row] = await tx('sepa_mandates')
          .insert({
            household_id: householdId,
            holder: form.holder,
            iban: check.iban,
            bic: check.bic ?? null,
            address: form.address,
            consent_at: now,
            status: 'requested',
            requested_by: actor.accountId,
            created_at: now,
          })
          .returning('id');
        const mandateId = (row as { id: number }).id;
        // Staff who handle requests see the account masked; managers see it in /admin/payments.
        const request = await requests.create(tx, {
          type: MANDATE_REQUEST_TYPE,
          accountId: actor.accountId,
          householdId,
          summary: tFr('payments.mandate.requestSummary', {
            holder: form.holder,
            iban: maskIban(check.iban),
          }),
          data: { mandateId, holder: form.holder, iban: maskIban(check.iban) },
          actor,
        });
        await tx('sepa_mandates').where({ id: mandateId }).update({ request_id: request.id });
        await deps.audit.record(tx, actor, 'payments.mandate_requested', {
          type: 'sepa_mandate',
          id: mandateId,
        });
        return request;
      });
    },

    /** The parent stops direct debit: planned debits not yet exported go back to "à payer". */
    async revokeMandate(householdId: number, actor: Actor) {
      await withTransaction(db, async (tx) => {
        const mandate = (await tx('sepa_mandates')
          .where({ household_id: householdId, status: 'active' })
          .forUpdate()
          .first()) as MandateRow | undefined;
        if (!mandate) throw new HttpError(404);
        await tx('sepa_mandates')
          .where({ id: mandate.id })
          .update({ status: 'revoked', ended_at: clock.now() });
        await tx('invoices')
          .where({ household_id: householdId, status: 'direct_debit_planned' })
          .update({ status: 'unpaid', direct_debit_on: null });
        await deps.audit.record(tx, actor, 'payments.mandate_revoked', {
          type: 'sepa_mandate',
          id: mandate.id,
        });
        await email(tx, householdId, 'mandateRevoked', { rum: mandate.rum ?? '' });
      });
    },

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
          await email(tx, c.invoice.household_id, 'debited', {
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
        await email(tx, invoice.household_id, 'debitRejected', {
          number: invoice.number,
          amount: formatMoney(payment.amount_cents),
          reason: tFr(`payments.sepa.reasons.${code}`),
          code,
        });
      });
    },

    mandates: () =>
      db('sepa_mandates as m')
        .join('households as h', 'h.id', 'm.household_id')
        .whereIn('m.status', ['requested', 'active'])
        .orderBy('h.family_number')
        .select('m.*', 'h.family_number'),
  };
}
