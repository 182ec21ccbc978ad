// The monthly invoicing run: its preview (what it would issue, what to look at first) and the run
// itself, batch after batch (invoicing-batch.ts), the PDFs drawn once the invoices have committed.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { monthBounds } from '../platform/clock.js';
import { withTransaction } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { computeMonth, type HouseholdMonth } from './compute.js';
import { createRunBatches } from './invoicing-batch.js';
import { createIssuing } from './issuing.js';
import {
  lockedMonth,
  lockMonth,
  pendingEnrolments,
  schoolYearsOverlapping,
  withoutPdf,
} from './repository-run.js';

/** Households issued per transaction of the run: one counter lock and a few multi-row inserts each. */
const RUN_BATCH_SIZE = 250;

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

export function createInvoicingRunService(deps: AppDeps) {
  const { drawPdfs } = createIssuing(deps);
  const { prepareBatch, issueBatch } = createRunBatches(deps);

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
  };
}
