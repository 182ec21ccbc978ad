// One batch of the invoicing run: what it needs read and built before its transaction (the
// households' snapshots and their lines), then its invoices issued in one transaction.
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { isUniqueViolation, withTransaction, type Tx } from '../platform/db.js';
import { formatDate, formatMoney } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import type { ComputedLine, HouseholdMonth } from './compute.js';
import { createIssuing, numberOf } from './issuing.js';
import { multiplyCents } from './money.js';
import { monthLabel } from './pdf.js';
import { lockCounter, setCounter, type HouseholdSnapshot } from './repository-invoices.js';
import {
  householdsForSnapshot,
  type SnapshotFacts,
  insertInvoices,
  insertLinesOfHouseholds,
  invoicedHouseholds,
} from './repository-run.js';

/** Invoices are due on the 15th of the month after the one they are issued in. */
const DUE_DAY_OF_NEXT_MONTH = 15;

function dueDateFor(issueDay: string): string {
  return DateTime.fromISO(issueDay).plus({ months: 1 }).set({ day: DUE_DAY_OF_NEXT_MONTH }).toISODate()!;
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

function snapshotFrom(
  householdId: number,
  data: SnapshotFacts | undefined,
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

/** What a batch needs that does not depend on its numbers: read and built before its transaction. */
interface PreparedBatch {
  batch: HouseholdMonth[];
  snapshots: Map<number, ReturnType<typeof snapshotFrom>>;
  /** Every household's lines as one JSON array, keyed by household (the invoice ids are joined in SQL). */
  linesJson: string;
}

export function createRunBatches(deps: AppDeps) {
  const { town } = createIssuing(deps);

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

  return { prepareBatch, issueBatch };
}
