// npm run bench:invoicing -- [--households 5000] [--month 2026-11] [--label x] [--cpu-prof]
// One month's invoicing run for the whole town, as a manager starts it: the admin page's POST, in
// the app as deployed. The month's generated invoices are removed first, so the run issues one
// invoice per household with something to bill (numbers, lines, outbox email, audit event). Timed
// until the POST answers (every invoice issued), then until the last PDF, drawn behind, is stored.
import { DEMO_ACCOUNTS, DEMO_TOTP_SECRET } from '../seeds/020-accounts.js';
import { Session, startBenchApp } from './harness.js';
import { FIRST_ID, arg, below, cpuMeter, exactly, info, openBench, report, round } from './lib.js';

const MONTH = arg('month', '2026-11');
/** The PDFs are given up on after this long without one more stored. */
const PDF_STALL_MS = 120_000;

async function main() {
  const bench = await openBench();
  const { db } = bench;
  // The month starts uninvoiced for the bench households (their lines go with the invoices).
  const removed = await db.transaction(async (tx) => {
    const { rows } = await tx.raw(
      `SELECT id FROM invoices WHERE month = ? AND household_id >= ? AND kind = 'invoice'
          AND NOT EXISTS (SELECT 1 FROM invoices c WHERE c.credit_for_invoice_id = invoices.id)
          AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = invoices.id)
          AND NOT EXISTS (SELECT 1 FROM payment_operations o WHERE o.invoice_id = invoices.id)
          AND NOT EXISTS (SELECT 1 FROM payment_anomalies a WHERE a.invoice_id = invoices.id)
          AND NOT EXISTS (SELECT 1 FROM sepa_export_items s WHERE s.invoice_id = invoices.id)`,
      [MONTH, FIRST_ID],
    );
    const ids = (rows as { id: number }[]).map((r) => r.id);
    // Nothing references these rows (checked above): no per-row foreign-key checks, as a restore does.
    await tx.raw('SET LOCAL session_replication_role = replica');
    await tx.raw('DELETE FROM invoice_lines WHERE invoice_id = ANY(?)', [ids]);
    await tx.raw('DELETE FROM invoices WHERE id = ANY(?)', [ids]);
    return ids.length;
  });
  const { rows: left } = await db.raw(
    `SELECT count(*)::int AS n FROM invoices WHERE month = ? AND household_id >= ? AND kind = 'invoice'`,
    [MONTH, FIRST_ID],
  );
  if (left[0].n)
    throw new Error(
      `${left[0].n} invoices of ${MONTH} have payments or credit notes: choose another --month`,
    );
  await db('locked_months').where({ month: MONTH }).delete();
  console.log(`${removed} invoices of ${MONTH} removed; the manager runs the month's invoicing…`);

  const app = await startBenchApp(bench.url);
  try {
    const admin = DEMO_ACCOUNTS.find((a) => a.role === 'admin')!;
    const manager = await new Session(app.baseUrl).login(admin.email, admin.password, DEMO_TOTP_SECRET);
    const csrf = await manager.csrf(`/admin/billing?month=${MONTH}`);
    app.resetPeakRss();
    const cpu = cpuMeter(() => app.pid, bench.postmasterPid);
    const started = performance.now();
    const res = await manager.send('POST', '/admin/billing/run', { _csrf: csrf, month: MONTH });
    const seconds = round((performance.now() - started) / 1000, 2);
    const used = cpu.used();
    if (res.status !== 303) throw new Error(`the run answered HTTP ${res.status}`);

    const unstored = async () => {
      const { rows } = await db.raw(
        `SELECT count(*)::int AS n FROM invoices WHERE month = ? AND kind = 'invoice' AND pdf_storage_key IS NULL`,
        [MONTH],
      );
      return rows[0].n as number;
    };
    let missing = await unstored();
    let progressAt = performance.now();
    while (missing > 0 && performance.now() - progressAt < PDF_STALL_MS) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await unstored();
      if (now < missing) progressAt = performance.now();
      missing = now;
    }
    const pdfSeconds = round((performance.now() - started) / 1000, 1);
    const { rows: issued } = await db.raw(
      `SELECT count(*)::int AS n FROM invoices WHERE month = ? AND kind = 'invoice' AND household_id >= ?`,
      [MONTH, FIRST_ID],
    );
    const invoices = issued[0].n as number;
    report(
      'invoicing',
      bench.households,
      [
        below(`run of ${MONTH} (every invoice issued)`, seconds, 60, 's'),
        exactly('invoices issued (one a household with something to bill)', invoices, removed),
        below('peak RSS of the app (run and PDFs)', app.peakRssMb(), 250, 'MB'),
        exactly('invoices left without a PDF', missing, 0),
        info('every PDF stored after', pdfSeconds, 's'),
        info('households a second (run)', Math.round(invoices / seconds)),
        info(
          'app / PostgreSQL CPU for the run',
          `${round(used.app / 1000, 2)} / ${used.pg === null ? 'n/a' : round(used.pg / 1000, 2)}`,
          's',
        ),
      ],
      { month: MONTH, seconds, pdfSeconds, invoices, cpuMs: used },
    );
  } finally {
    await app.stop();
    await bench.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
