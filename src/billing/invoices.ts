// Invoices and credit notes once issued: the status a parent reads, what the payments feature
// records on them in its own transactions, credit notes, and their PDFs (one, or the month's paper batch).
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { withTransaction, type Tx } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { formatMoney } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import { createIssuing, numberOf } from './issuing.js';
import { assertCents } from './money.js';
import { monthLabel, renderInvoicesPdf } from './pdf.js';
import {
  findInvoice,
  insertInvoice,
  insertLines,
  linesOf,
  lockCounter,
  lockInvoice,
  setCounter,
  updateInvoice,
  type InvoiceRow,
  type InvoiceStatus,
} from './repository-invoices.js';

/** The status a parent reads: stored status, or "overdue" once the due date has passed unsettled. */
export type DisplayStatus =
  'unpaid' | 'partially_paid' | 'paid' | 'direct_debit_planned' | 'overdue' | 'credit_note';

export function displayStatus(
  inv: Pick<InvoiceRow, 'kind' | 'status' | 'due_on'>,
  day: string,
): DisplayStatus {
  if (inv.kind === 'credit_note') return 'credit_note';
  if (inv.status === 'paid' || inv.status === 'debited') return 'paid';
  if (inv.status === 'direct_debit_planned') return 'direct_debit_planned';
  if (inv.due_on < day) return 'overdue';
  return inv.status;
}

export const remainingOf = (inv: Pick<InvoiceRow, 'total_cents' | 'paid_cents' | 'credited_cents'>) =>
  inv.total_cents - inv.credited_cents - inv.paid_cents;

function settledStatus(
  inv: InvoiceRow,
  paid: number,
  credited: number,
  viaDirectDebit = false,
): InvoiceStatus {
  if (paid + credited >= inv.total_cents)
    return viaDirectDebit || inv.status === 'debited' ? 'debited' : 'paid';
  if (inv.status === 'direct_debit_planned' && paid === inv.paid_cents) return 'direct_debit_planned';
  return paid > 0 ? 'partially_paid' : 'unpaid';
}

/**
 * Records an amount paid (negative: a returned direct debit) on an invoice in the caller's
 * transaction, under a row lock. Returns the part beyond what was still due (to refund).
 */
export async function applyPayment(
  tx: Tx,
  invoiceId: number,
  amountCents: number,
  opts: { directDebit?: boolean } = {},
) {
  assertCents(amountCents, 'amountCents');
  const inv = await lockInvoice(tx, invoiceId);
  if (!inv || inv.kind !== 'invoice') throw new Error(`invoice ${invoiceId} not found`);
  const dueBefore = Math.max(0, remainingOf(inv));
  const paid = inv.paid_cents + amountCents;
  const status = settledStatus(inv, paid, inv.credited_cents, opts.directDebit);
  await updateInvoice(tx, invoiceId, { paid_cents: paid, status });
  return {
    status,
    paidCents: paid,
    remainingCents: inv.total_cents - inv.credited_cents - paid,
    overpaidCents: Math.max(0, amountCents - dueBefore),
  };
}

/**
 * Marks unpaid invoices as collected by direct debit on their due date (the payments feature's
 * planning, in the caller's transaction); credit notes and settled invoices are left as they are.
 * One statement: each row is locked and its status checked again as it is updated. Returns how
 * many were marked.
 */
export async function markDirectDebitsPlanned(tx: Tx, invoiceIds: number[]): Promise<number> {
  if (!invoiceIds.length) return 0;
  return tx('invoices')
    .whereRaw('id = any(?)', [invoiceIds])
    .where({ kind: 'invoice' })
    .whereIn('status', ['unpaid', 'partially_paid', 'direct_debit_planned'])
    .update({ status: 'direct_debit_planned', direct_debit_on: tx.ref('due_on') });
}

export function createInvoicesService(deps: AppDeps) {
  const { pdfData, town, storePdf, drawPdfs } = createIssuing(deps);

  return {
    /** A credit note (avoir) on an issued invoice: its own gapless series, reducing what is still due. */
    async createCreditNote(invoiceId: number, amountCents: number, reason: string, actor: Actor) {
      return withTransaction(deps.db, async (tx) => {
        const inv = await lockInvoice(tx, invoiceId);
        if (!inv || inv.kind !== 'invoice') throw new FormError('amount', 'billing.credit.errors.notFound');
        if (amountCents > inv.total_cents - inv.credited_cents)
          throw new FormError('amount', 'billing.credit.errors.tooMuch', {
            max: formatMoney(inv.total_cents - inv.credited_cents),
          });
        const issueDay = today(deps.clock);
        const year = Number(issueDay.slice(0, 4));
        const last = await lockCounter(tx, year, 'credit_note');
        await setCounter(tx, year, 'credit_note', last + 1);
        const id = await insertInvoice(tx, {
          kind: 'credit_note',
          number: numberOf('credit_note', year, last + 1),
          household_id: inv.household_id,
          month: inv.month,
          credit_for_invoice_id: inv.id,
          issued_at: deps.clock.now(),
          due_on: issueDay,
          total_cents: amountCents,
          household_snapshot: inv.household_snapshot,
          reason,
          issued_by: actor.accountId,
        });
        await tx('invoices').where({ id }).update({ status: 'paid' });
        await insertLines(tx, id, [
          {
            position: 1,
            child_id: null,
            service_id: null,
            label: tFr('billing.credit.lineLabel', { number: inv.number }),
            kind: 'credit',
            quantity: 1,
            unit_cents: amountCents,
            total_cents: amountCents,
            days: [],
          },
        ]);
        await storePdf(tx, id, inv.number);
        const credited = inv.credited_cents + amountCents;
        await updateInvoice(tx, inv.id, {
          credited_cents: credited,
          status: settledStatus(inv, inv.paid_cents, credited),
        });
        await deps.audit.record(
          tx,
          actor,
          'billing.credit_note',
          { type: 'invoice', id },
          { invoiceId: inv.id, amountCents },
        );
        return (await findInvoice(tx, id))!;
      });
    },

    /** The stored PDF of an invoice (drawn at issue, never redrawn). */
    async pdfOf(inv: InvoiceRow): Promise<Buffer> {
      if (inv.pdf_storage_key) return deps.storage.get(inv.pdf_storage_key);
      // Issued but not drawn yet (its run stopped before): drawn now from the immutable invoice, stored once.
      await drawPdfs([inv.id]);
      const key = (await findInvoice(deps.db, inv.id))?.pdf_storage_key;
      if (!key) throw new Error(`invoice ${inv.id} has no PDF`);
      return deps.storage.get(key);
    },

    /** One PDF with the month's invoices of households that asked for paper, in postcode order. */
    async paperBatch(month: string): Promise<{ pdf: Buffer; count: number }> {
      const invoices = (await deps
        .db('invoices as i')
        .join('households as h', 'h.id', 'i.household_id')
        .where({ 'i.month': month, 'i.kind': 'invoice', 'h.paperless': false })
        .orderByRaw("i.household_snapshot->>'postcode', i.number")
        .select('i.*')) as InvoiceRow[];
      const lines = await linesOf(
        deps.db,
        invoices.map((i) => i.id),
      );
      const pdf = await renderInvoicesPdf(
        invoices.map((inv) =>
          pdfData(
            inv,
            lines.filter((l) => l.invoice_id === inv.id),
            null,
          ),
        ),
        await town(),
        deps.config.baseUrl,
        tFr('billing.print.title', { month: monthLabel(month) }),
      );
      return { pdf, count: invoices.length };
    },
  };
}
