// npm run bench:invoicing -- [--month 2026-11] [--label after]
// Times the billing feature's monthly run (its service function, not HTTP) over the bench town:
// the month's generated invoices are removed first, so the run issues one invoice per household
// (numbers, lines, email in the outbox, audit event; the PDFs drawn behind, timed until all are
// stored). Writes bench/results/invoicing-<date>[-label].json.
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { createBillingService } from '../src/billing/service.js';
import { systemClock } from '../src/platform/clock.js';
import { createDb } from '../src/platform/db.js';
import { createLogger } from '../src/platform/logger.js';
import { arg, isoDate, machine, openBench, writeResult } from './lib.js';

const MONTH = arg('month', '2026-11');
const LABEL = arg('label', '');

async function main() {
  const bench = await openBench();
  const prep = bench.db;
  // The month starts uninvoiced for the bench households (their lines go with the invoices).
  const rows = await prep.transaction(async (tx) => {
    const { rows: gone } = await tx.raw(
      `SELECT id FROM invoices WHERE month = ? AND household_id >= 100000 AND kind = 'invoice'
          AND NOT EXISTS (SELECT 1 FROM invoices c WHERE c.credit_for_invoice_id = invoices.id)
          AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = invoices.id)
          AND NOT EXISTS (SELECT 1 FROM payment_operations o WHERE o.invoice_id = invoices.id)
          AND NOT EXISTS (SELECT 1 FROM payment_anomalies a WHERE a.invoice_id = invoices.id)
          AND NOT EXISTS (SELECT 1 FROM sepa_export_items s WHERE s.invoice_id = invoices.id)`,
      [MONTH],
    );
    const ids = (gone as { id: number }[]).map((r) => r.id);
    // Nothing references these rows (checked above): skip the per-row foreign-key checks, as a restore does.
    await tx.raw('SET LOCAL session_replication_role = replica');
    await tx.raw('DELETE FROM invoice_lines WHERE invoice_id = ANY(?)', [ids]);
    await tx.raw('DELETE FROM invoices WHERE id = ANY(?)', [ids]);
    return ids;
  });
  const { rows: left } = await prep.raw(
    `SELECT count(*)::int AS n FROM invoices WHERE month = ? AND household_id >= 100000 AND kind = 'invoice'`,
    [MONTH],
  );
  if (left[0].n)
    throw new Error(
      `${left[0].n} invoices of ${MONTH} have payments or credit notes: choose another --month`,
    );
  await prep('locked_months').where({ month: MONTH }).delete();
  console.log(`${rows.length} generated invoices of ${MONTH} removed; running the month's invoicing…`);

  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    SESSION_SECRET: 'x'.repeat(40),
    LOG_LEVEL: 'warn',
    DATABASE_URL: bench.url,
  });
  // The app's own pool size (bootstrap's default), so the run sees what production sees.
  const db = createDb(bench.url, 10);
  const deps = createDeps({
    config,
    db,
    logger: createLogger('warn'),
    clock: systemClock,
    mailer: null,
    sessionSecret: 'x'.repeat(40),
  });
  const admin = (await db('accounts').where({ email: 'admin@demo.test' }).first('id')) as { id: number };
  const billing = createBillingService(deps);
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  // As the admin page runs it: resolved once every invoice is issued, the PDFs drawn behind.
  const result = await billing.run(MONTH, { accountId: admin.id, role: 'admin' }, { waitForPdfs: false });
  const seconds = (performance.now() - started) / 1000;
  const pdfMs = await result.pdfs;
  if (pdfMs === null) throw new Error('the PDFs could not be drawn: see the log');
  const pdfSeconds = pdfMs / 1000;
  const { rows: undrawn } = await db.raw(
    `SELECT count(*)::int AS n FROM invoices WHERE month = ? AND pdf_storage_key IS NULL`,
    [MONTH],
  );
  const { rows: households } = await db.raw(
    `SELECT count(DISTINCT household_id)::int AS n FROM invoices WHERE month = ? AND kind = 'invoice'`,
    [MONTH],
  );
  const out = {
    date: new Date().toISOString(),
    command: `npm run bench:invoicing -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    month: MONTH,
    invoicesIssued: result.created,
    skipped: result.skipped,
    householdsInvoiced: households[0].n,
    // The run: every invoice issued (numbers, lines, emails, audit) and committed.
    seconds: Math.round(seconds * 100) / 100,
    // From the start until every PDF was stored (drawn after the run returned).
    allPdfsStoredSeconds: Math.round(pdfSeconds * 100) / 100,
    invoicesWithoutPdf: undrawn[0].n,
    householdsPerSecond: Math.round(result.created / seconds),
    rssGrowthMb: Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20),
  };
  console.table({
    month: out.month,
    'invoices issued': out.invoicesIssued,
    'already there': out.skipped,
    seconds: out.seconds,
    'all PDFs stored after s': out.allPdfsStoredSeconds,
    'without PDF': out.invoicesWithoutPdf,
    'households/s': out.householdsPerSecond,
    'RSS growth MB': out.rssGrowthMb,
  });
  console.log(`Written to ${writeResult(`invoicing-${isoDate()}${LABEL ? `-${LABEL}` : ''}`, out)}`);
  await db.destroy();
  await bench.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
