// Billing rules that write: rates, the QF history, the monthly invoicing run, credit notes and
// the payment hooks the payments feature calls. Owns its transactions; never sees req/res.
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { monthBounds, today } from '../platform/clock.js';
import { mapBounded } from '../platform/bounded.js';
import { isUniqueViolation, withTransaction, type Tx } from '../platform/db.js';
import { getTown, type Town } from '../platform/town.js';
import { createRequestsService, type RequestTypeHooks } from '../requests/service.js';
import { FormError } from '../web/forms.js';
import { formatDate, formatMoney } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import { computeMonth, type ComputedLine, type HouseholdMonth } from './compute.js';
import { addDays } from '../platform/days.js';
import { assertCents, multiplyCents } from './money.js';
import { monthLabel, renderInvoicePdf, renderInvoicesPdf, type PdfInvoice } from './pdf.js';
import {
  closeQfEntries,
  findInvoice,
  findService,
  householdForSnapshot,
  householdsForSnapshot,
  insertInvoice,
  insertInvoices,
  insertLinesOfHouseholds,
  invoicedHouseholds,
  insertLines,
  insertQf,
  linesOf,
  listBrackets,
  lockCounter,
  lockedMonth,
  lockInvoice,
  lockMonth,
  openRateRequest,
  pendingEnrolments,
  qfDocumentsOf,
  qfOfRequest,
  saveRates,
  schoolYearsOverlapping,
  setCounter,
  setPdfKey,
  setPdfKeysOnce,
  withoutPdf,
  updateInvoice,
  type HouseholdSnapshot,
  type InvoiceKind,
  type InvoiceLineRow,
  type InvoiceRow,
  type InvoiceStatus,
} from './repository.js';
import { bracketProblems } from './rules.js';

/** Invoices are due on the 15th of the month after the one they are issued in. */
const DUE_DAY_OF_NEXT_MONTH = 15;

/** Households issued per transaction of the run: one counter lock and a few multi-row inserts each. */
const RUN_BATCH_SIZE = 250;
/** PDFs drawn at once after a batch commits (the drawing is CPU; this overlaps the file writes). */
const PDF_CONCURRENCY = 4;

function dueDateFor(issueDay: string): string {
  return DateTime.fromISO(issueDay).plus({ months: 1 }).set({ day: DUE_DAY_OF_NEXT_MONTH }).toISODate()!;
}

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

/**
 * What another feature does in the transaction that issues invoices (payments: plans their direct
 * debit). Declared in the feature's index.ts, wired into deps.hooks by src/features.ts.
 */
export type InvoicesIssuedHook = (tx: Tx, invoiceIds: number[]) => Promise<void>;

/** Runs every feature's hook on invoices just issued in `tx` (the run's batch calls it). */
export async function invoicesIssued(
  deps: Pick<AppDeps, 'hooks'>,
  tx: Tx,
  invoiceIds: number[],
): Promise<void> {
  if (!invoiceIds.length) return;
  for (const hook of deps.hooks.invoicesIssued) await hook(tx, invoiceIds);
}

const KIND_KEYS: Record<string, string> = {
  booked: 'billing.lineKinds.booked',
  attendance: 'billing.lineKinds.attendance',
  absent_unexcused: 'billing.lineKinds.absent_unexcused',
  late_cancellation: 'billing.lineKinds.late_cancellation',
  unbooked_presence: 'billing.lineKinds.unbooked_presence',
};

function lineLabel(l: Pick<ComputedLine, 'serviceName' | 'childName' | 'kind'>): string {
  return tFr('billing.lineLabel', {
    service: l.serviceName,
    child: l.childName,
    kind: tFr(KIND_KEYS[l.kind] ?? 'billing.lineKinds.booked'),
  });
}

function numberOf(kind: InvoiceKind, year: number, n: number): string {
  return `${kind === 'credit_note' ? 'AV-' : ''}${year}-${String(n).padStart(6, '0')}`;
}

export interface RunOptions {
  /** Households per transaction (default RUN_BATCH_SIZE); tests use small batches to crash between two. */
  batchSize?: number;
  /**
   * false: resolve once every invoice is issued and draw the PDFs behind (the admin page of a whole
   * town's month); the result's `pdfs` settles when they are stored. A PDF asked for before then is
   * drawn on demand, stored once. Default true: the run resolves with every PDF stored.
   */
  waitForPdfs?: boolean;
  /** Demo data only: the issue instant (the demo town's past months); default: the clock's now. */
  issuedAt?: Date;
}

export interface RatesInput {
  brackets: Record<number, number>;
  outOfTownCents: number | null;
  unknownQfCents: number | null;
  lateCancelCents: number;
  unbookedSurchargeCents: number;
}

export interface QfRequestInput {
  source: 'caf' | 'msa' | 'tax_notice';
  allocataireNumber: string;
  qf: number | null;
  documentId: number;
}

export function createBillingService(deps: AppDeps) {
  const requests = createRequestsService(deps);

  function snapshotFrom(
    householdId: number,
    data: Awaited<ReturnType<typeof householdForSnapshot>> | undefined,
  ): { snapshot: HouseholdSnapshot; emails: string[]; paperless: boolean } {
    if (!data) throw new Error(`household ${householdId} not found`);
    const h = data.household;
    const names = data.guardians.length
      ? data.guardians.map((g) => `${g.first_name} ${g.last_name}`)
      : data.accounts.map((a) => `${a.first_name} ${a.last_name}`);
    const street = h.street_name
      ? [h.house_number, h.street_name].filter(Boolean).join(' ')
      : (h.address_line as string | null);
    const snapshot: HouseholdSnapshot = {
      familyNumber: String(h.family_number),
      names,
      addressLines: [street, h.address_complement as string | null].filter((x): x is string => Boolean(x)),
      postcode: (h.postcode as string | null) ?? '',
      city: (h.city as string | null) ?? '',
    };
    const emails = [
      ...new Set(
        [...data.accounts.map((a) => a.email), ...(h.email ? [String(h.email)] : [])].map((e) =>
          e.toLowerCase(),
        ),
      ),
    ];
    return { snapshot, emails, paperless: Boolean(h.paperless) };
  }

  function pdfData(
    inv: InvoiceRow,
    lines: { label: string; quantity: number; unit_cents: number; total_cents: number; days: string[] }[],
    creditFor: string | null,
  ): PdfInvoice {
    return {
      kind: inv.kind,
      number: inv.number,
      month: inv.month,
      issuedOn: DateTime.fromJSDate(inv.issued_at, { zone: 'Europe/Paris' }).toISODate()!,
      dueOn: inv.due_on,
      totalCents: inv.total_cents,
      snapshot: inv.household_snapshot,
      creditFor,
      reason: inv.reason,
      lines: lines.map((l) => ({
        label: l.label,
        quantity: l.quantity,
        unitCents: l.unit_cents,
        totalCents: l.total_cents,
        days: l.days,
      })),
    };
  }

  async function town(): Promise<Town> {
    const t = await getTown(deps.db);
    if (!t) throw new Error('the town is not set up');
    return t;
  }

  /** Draws and stores the PDF of an invoice just inserted in `tx`; returns its storage key. */
  async function storePdf(tx: Tx, invoiceId: number, creditFor: string | null): Promise<string> {
    const inv = (await tx<InvoiceRow>('invoices').where({ id: invoiceId }).first())!;
    const lines = await linesOf(tx, [invoiceId]);
    const pdf = await renderInvoicePdf(pdfData(inv, lines, creditFor), await town(), deps.config.baseUrl);
    const key = deps.storage.newKey();
    await deps.storage.put(key, pdf);
    await setPdfKey(tx, invoiceId, key);
    return key;
  }

  /** The PDFs of committed invoices, drawn outside any transaction; each key stored only if none is yet. */
  async function drawPdfs(ids: number[]): Promise<void> {
    if (!ids.length) return;
    const [invoices, lines, t] = await Promise.all([
      deps.db<InvoiceRow>('invoices').whereIn('id', ids).whereNull('pdf_storage_key') as Promise<
        InvoiceRow[]
      >,
      linesOf(deps.db, ids),
      town(),
    ]);
    const linesBy = new Map<number, InvoiceLineRow[]>();
    for (const l of lines) {
      const list = linesBy.get(l.invoice_id) ?? [];
      list.push(l);
      linesBy.set(l.invoice_id, list);
    }
    const credited = await creditedNumbers(invoices);
    const keys = await mapBounded(invoices, PDF_CONCURRENCY, async (inv) => {
      const pdf = await renderInvoicePdf(
        pdfData(inv, linesBy.get(inv.id) ?? [], credited.get(inv.id) ?? null),
        t,
        deps.config.baseUrl,
      );
      const key = deps.storage.newKey();
      await deps.storage.put(key, pdf);
      return { id: inv.id, key };
    });
    const stored = new Set(await setPdfKeysOnce(deps.db, keys));
    // Another process stored its own drawing first: the invoice keeps that one, ours goes.
    await Promise.all(keys.filter((k) => !stored.has(k.id)).map((k) => deps.storage.delete(k.key)));
  }

  /** The number of the invoice each credit note reduces (printed on the credit note). */
  async function creditedNumbers(invoices: InvoiceRow[]): Promise<Map<number, string>> {
    const credits = invoices.filter((i) => i.credit_for_invoice_id !== null);
    if (!credits.length) return new Map();
    const originals = await deps
      .db<InvoiceRow>('invoices')
      .whereIn(
        'id',
        credits.map((c) => c.credit_for_invoice_id!),
      )
      .select('id', 'number');
    const numberOfId = new Map(originals.map((o) => [o.id, o.number]));
    return new Map(credits.map((c) => [c.id, numberOfId.get(c.credit_for_invoice_id!) ?? '']));
  }

  /** What a batch needs that does not depend on its numbers: read and built before its transaction. */
  interface PreparedBatch {
    batch: HouseholdMonth[];
    snapshots: Map<number, ReturnType<typeof snapshotFrom>>;
    /** Every household's lines as one JSON array, keyed by household (the invoice ids are joined in SQL). */
    linesJson: string;
  }

  /**
   * Reads the batch's households for their snapshot and builds their lines, outside the counter's
   * lock: the run prepares the next batch while the previous one is being written. (The snapshot is
   * the address a moment before the number is given, as it would be had the run started then.)
   */
  async function prepareBatch(batch: HouseholdMonth[], labels: Map<string, string>): Promise<PreparedBatch> {
    // Many lines read the same (service, first name, kind): each label is translated once per run.
    const labelOf = (l: ComputedLine) => {
      const key = `${l.serviceName}\u0000${l.childName}\u0000${l.kind}`;
      let label = labels.get(key);
      if (label === undefined) labels.set(key, (label = lineLabel(l)));
      return label;
    };
    const households = await householdsForSnapshot(
      deps.db,
      batch.map((h) => h.householdId),
    );
    const snapshots = new Map(
      batch.map((hm) => [hm.householdId, snapshotFrom(hm.householdId, households.get(hm.householdId))]),
    );
    const linesJson = JSON.stringify(
      batch.flatMap((hm) =>
        hm.lines.map((l, i) => ({
          household_id: hm.householdId,
          position: i + 1,
          child_id: l.childId,
          service_id: l.serviceId,
          label: labelOf(l),
          kind: l.kind,
          quantity: l.quantity,
          unit_cents: l.unitCents,
          total_cents: multiplyCents(l.unitCents, l.quantity),
          days: l.days,
        })),
      ),
    );
    return { batch, snapshots, linesJson };
  }

  /**
   * Issues a prepared batch of households in one transaction: the counter's row lock is taken once
   * (a concurrent run waits here, then sees what this one issued), households already invoiced are
   * skipped, the others get the next numbers in a row; invoices, lines, emails and audit events go
   * in with multi-row inserts. A failure rolls back the whole batch: no half invoice, no gap.
   */
  async function issueBatch(
    prepared: PreparedBatch,
    month: string,
    actor: Actor,
    now: Date,
  ): Promise<{ ids: number[]; skipped: number }> {
    const { batch, snapshots } = prepared;
    const issueDay = today({ now: () => now });
    const year = Number(issueDay.slice(0, 4));
    const dueOn = dueDateFor(issueDay);
    const t = await town();
    const monthText = monthLabel(month);
    const dueText = formatDate(dueOn);
    const actionLabel = tFr('billing.emails.issued.action');
    const attempt = () =>
      withTransaction(deps.db, async (tx) => {
        const last = await lockCounter(tx, year, 'invoice');
        const done = new Set(
          await invoicedHouseholds(
            tx,
            month,
            batch.map((h) => h.householdId),
          ),
        );
        const todo = batch.filter((h) => !done.has(h.householdId));
        if (!todo.length) return { ids: [], skipped: batch.length };
        const inserted = await insertInvoices(
          tx,
          todo.map((hm, i) => ({
            kind: 'invoice' as const,
            number: numberOf('invoice', year, last + 1 + i),
            household_id: hm.householdId,
            month,
            credit_for_invoice_id: null,
            issued_at: now,
            due_on: dueOn,
            total_cents: hm.totalCents,
            household_snapshot: snapshots.get(hm.householdId)!.snapshot,
            reason: null,
            issued_by: actor.accountId,
          })),
        );
        await setCounter(tx, year, 'invoice', last + todo.length);
        const idOf = new Map(inserted.map((r) => [r.household_id, r.id]));
        await insertLinesOfHouseholds(tx, prepared.linesJson, inserted);
        // In the same transaction: an invoice is never visible issued but not yet planned for direct debit.
        await invoicesIssued(
          deps,
          tx,
          inserted.map((r) => r.id),
        );
        await deps.outbox.enqueueMany(
          tx,
          todo.flatMap((hm, i) => {
            const { emails, paperless } = snapshots.get(hm.householdId)!;
            if (!paperless) return [];
            const id = idOf.get(hm.householdId)!;
            const number = numberOf('invoice', year, last + 1 + i);
            return emails.map((to) => ({
              to,
              kind: 'billing.invoice_issued',
              dedupeKey: `billing.invoice_issued:${id}:${to}`,
              content: {
                townName: t.name,
                subject: tFr('billing.emails.issued.subject', { number, month: monthText }),
                paragraphs: [
                  tFr('billing.emails.issued.text', {
                    number,
                    month: monthText,
                    total: formatMoney(hm.totalCents),
                    due: dueText,
                  }),
                ],
                action: {
                  label: actionLabel,
                  url: `${deps.config.baseUrl}/invoices/${id}`,
                },
              },
            }));
          }),
        );
        await deps.audit.recordMany(
          tx,
          actor,
          'billing.invoice_issued',
          todo.map((hm, i) => ({
            subject: { type: 'invoice', id: idOf.get(hm.householdId)! },
            details: { month, number: numberOf('invoice', year, last + 1 + i) },
          })),
        );
        return { ids: todo.map((hm) => idOf.get(hm.householdId)!), skipped: batch.length - todo.length };
      });
    try {
      return await attempt();
    } catch (err) {
      // Another run issued one of them meanwhile under another year's counter (a run across New
      // Year): the batch rolled back whole; once more, it now sees those invoices and skips them.
      if (isUniqueViolation(err, 'invoices_one_per_month')) return attempt();
      throw err;
    }
  }

  return {
    /** What the run would issue: per household totals and what to look at first. */
    async preview(month: string) {
      const { from, to } = monthBounds(month);
      const [households, years, locked, issued] = await Promise.all([
        computeMonth(deps.db, month),
        schoolYearsOverlapping(deps.db, from, to),
        lockedMonth(deps.db, month),
        deps
          .db('invoices')
          .where({ month, kind: 'invoice' })
          .select('household_id', 'number', 'id', 'total_cents'),
      ]);
      const pending = await pendingEnrolments(deps.db, years);
      const issuedBy = new Map(
        (issued as { household_id: number; number: string; id: number }[]).map((r) => [r.household_id, r]),
      );
      return {
        month,
        households: households.map((h) => ({ ...h, invoice: issuedBy.get(h.householdId) ?? null })),
        anomalies: households.flatMap((h) =>
          h.anomalies.map((a) => ({ ...a, familyNumber: h.familyNumber })),
        ),
        pending,
        locked: locked ?? null,
        issuedCount: issued.length,
        totalCents: households.reduce((s, h) => s + h.totalCents, 0),
        blocking: households.some((h) => h.anomalies.some((a) => a.kind === 'rates_missing')),
      };
    },

    /**
     * The invoicing run: locks the month's attendance, then issues one invoice per household with
     * something to pay, in batches of `batchSize` households per transaction. The PDFs are drawn
     * once the invoices have committed, outside the counter's lock. Running it again (after a
     * crash, or twice at once) issues only what is missing, and draws the PDFs a stopped run left
     * undrawn (the PDF routes also draw a missing one on demand).
     */
    async run(month: string, actor: Actor, opts: RunOptions = {}) {
      const started = Date.now();
      const now = opts.issuedAt ?? deps.clock.now();
      await withTransaction(deps.db, async (tx) => {
        await lockMonth(tx, month, now, actor.accountId);
        await deps.audit.record(tx, actor, 'billing.run', { type: 'month', id: month }, {});
      });
      const households = await computeMonth(deps.db, month);
      if (households.some((h) => h.anomalies.some((a) => a.kind === 'rates_missing')))
        throw new FormError('month', 'billing.run.errors.ratesMissing');
      const billable = households.filter((h) => h.totalCents > 0);
      const size = opts.batchSize ?? RUN_BATCH_SIZE;
      let created = 0;
      let skipped = 0;
      const issued: number[] = [];
      const labels = new Map<string, string>();
      const batches: HouseholdMonth[][] = [];
      for (let i = 0; i < billable.length; i += size) batches.push(billable.slice(i, i + size));
      // The next batch is prepared (read and built) while the current one is written.
      let next = batches.length ? prepareBatch(batches[0]!, labels) : null;
      try {
        for (let b = 0; b < batches.length; b++) {
          const prepared = await next!;
          next = b + 1 < batches.length ? prepareBatch(batches[b + 1]!, labels) : null;
          // Never an unhandled rejection: the loop awaits it next, or stops on an earlier error.
          next?.catch(() => undefined);
          const { ids, skipped: s } = await issueBatch(prepared, month, actor, now);
          created += ids.length;
          skipped += s;
          issued.push(...ids);
        }
      } catch (err) {
        // What was committed gets its PDF even though the run stops here.
        await drawPdfs(issued).catch(() => undefined);
        throw err;
      }
      const issuedMs = Date.now() - started;
      // After every batch, so the drawing (CPU) does not delay the numbering; also those a stopped run left undrawn.
      const drawing = (async () => {
        const undrawn = await withoutPdf(deps.db, month);
        for (let i = 0; i < undrawn.length; i += size) await drawPdfs(undrawn.slice(i, i + size));
        return Date.now() - started;
      })();
      if (opts.waitForPdfs !== false) await drawing;
      // In the background, a failure is logged (never an unhandled rejection): the PDFs are then
      // drawn on demand or by the next run; the promise given back resolves to null.
      const pdfs = drawing.catch((err: Error) => {
        deps.logger.error(
          { month, err: err.message },
          'invoice PDFs not drawn; drawn on demand or by the next run',
        );
        return null;
      });
      return { created, skipped, issuedMs, ms: Date.now() - started, pdfs };
    },

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

    async saveRates(serviceId: number, input: RatesInput, actor: Actor) {
      const service = await findService(deps.db, serviceId);
      if (!service) throw new FormError('form', 'billing.rates.errors.notFound');
      const brackets = await listBrackets(deps.db, [service.school_year_id]);
      const grid = brackets.map((b) => ({
        minQf: b.min_qf,
        maxQf: b.max_qf,
        unitCents: input.brackets[b.id] ?? -1,
      }));
      const missing = brackets.find((b) => input.brackets[b.id] === undefined);
      if (missing) throw new FormError(`bracket_${missing.id}`, 'billing.rates.errors.priceRequired');
      if (bracketProblems(grid).length) throw new FormError('form', 'billing.rates.errors.grid');
      await withTransaction(deps.db, async (tx) => {
        await saveRates(
          tx,
          serviceId,
          {
            out_of_town_cents: input.outOfTownCents,
            unknown_qf_cents: input.unknownQfCents,
            late_cancel_cents: input.lateCancelCents,
            unbooked_surcharge_cents: input.unbookedSurchargeCents,
          },
          brackets.map((b) => ({ bracketId: b.id, unitCents: input.brackets[b.id]! })),
        );
        await deps.audit.record(tx, actor, 'billing.rates_saved', { type: 'service', id: serviceId }, {});
      });
    },

    /** The parent asks for new rates: a request staff validate with the value and the dates. */
    async requestRateUpdate(householdId: number, actor: Actor, input: QfRequestInput) {
      return withTransaction(deps.db, async (tx) => {
        if (await openRateRequest(tx, householdId))
          throw new FormError('source', 'billing.qf.errors.alreadyOpen');
        const docs = await qfDocumentsOf(tx, householdId);
        const doc = docs.find((d) => d.id === input.documentId);
        const expected = input.source === 'tax_notice' ? 'tax_notice' : 'caf_attestation';
        if (!doc) throw new FormError('documentId', 'billing.qf.errors.documentRequired');
        if (doc.type_code !== expected)
          throw new FormError(
            'documentId',
            input.source === 'tax_notice'
              ? 'billing.qf.errors.taxNoticeExpected'
              : 'billing.qf.errors.cafExpected',
          );
        const request = await requests.create(tx, {
          type: 'rate_update',
          accountId: actor.accountId,
          householdId,
          summary:
            input.qf !== null
              ? tFr('billing.qf.summaryWithQf', { qf: input.qf })
              : tFr('billing.qf.summaryTaxNotice'),
          data: {
            source: input.source,
            allocataire_number: input.allocataireNumber || null,
            qf: input.qf,
            document_id: input.documentId,
          },
          actor,
        });
        await tx('request_events')
          .where({ request_id: request.id })
          .update({ document_id: input.documentId });
        await deps.audit.record(
          tx,
          actor,
          'billing.rate_update_requested',
          { type: 'request', id: request.id },
          {},
        );
        return request;
      });
    },

    /** Staff validate a rate update: the QF applies from the day they choose, and the request is accepted. */
    async validateQf(
      requestId: number,
      input: { value: number; validFrom: string; validTo: string | null },
      actor: Actor,
    ) {
      if (input.validTo && input.validTo < input.validFrom)
        throw new FormError('validTo', 'billing.qf.errors.validToBeforeFrom');
      return withTransaction(deps.db, async (tx) => {
        const request = await tx('requests')
          .where({ id: requestId, type: 'rate_update' })
          .forUpdate()
          .first();
        if (!request || !request.household_id) throw new FormError('form', 'billing.qf.errors.notFound');
        if (!['submitted', 'in_review', 'incomplete'].includes(request.status as string))
          throw new FormError('form', 'billing.qf.errors.alreadyDecided');
        const householdId = Number(request.household_id);
        await closeQfEntries(tx, householdId, input.validFrom, addDays(input.validFrom, -1));
        const source = (request.data as { source?: string }).source ?? 'staff';
        await insertQf(tx, {
          household_id: householdId,
          value: input.value,
          valid_from: input.validFrom,
          valid_to: input.validTo,
          source: ['caf', 'msa', 'tax_notice'].includes(source) ? source : 'staff',
          validated_by: actor.accountId,
          validated_at: deps.clock.now(),
          request_id: requestId,
        });
        await deps.audit.record(
          tx,
          actor,
          'billing.qf_validated',
          { type: 'household', id: householdId },
          { requestId },
        );
        await requests.decide(
          requestId,
          'accepted',
          actor,
          tFr('billing.qf.acceptedMessage', { qf: input.value, from: formatDate(input.validFrom) }),
          tx,
        );
      });
    },

    async refuseQf(requestId: number, reason: string, actor: Actor) {
      const request = await deps.db('requests').where({ id: requestId, type: 'rate_update' }).first();
      if (!request) throw new FormError('form', 'billing.qf.errors.notFound');
      await requests.decide(requestId, 'refused', actor, reason);
    },
  };
}

// A rate update is accepted only with a validated QF entry: from /admin/billing/qf/:id, which
// writes the entry in the same transaction before accepting.
/** The billing feature's request types (declared in its index.ts). */
export const billingRequestTypes: Record<string, RequestTypeHooks> = {
  rate_update: {
    async onStatus(tx, request, status) {
      if (status === 'accepted' && !(await qfOfRequest(tx, request.id)))
        throw new FormError('message', 'billing.qf.errors.useValidationPage');
    },
    // The generic request page leads staff to the page where the value and its dates are validated.
    acceptAt: (request) => ({ href: `/admin/billing/qf/${request.id}`, label: tFr('billing.qfAdmin.link') }),
  },
};
