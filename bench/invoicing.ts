// npm run bench:invoicing -- [--month 2026-11] [--label after]
// Times the billing feature's monthly run (its service function, not HTTP) over the bench town:
// the month's generated invoices are removed first, so the run issues one invoice per household
// (numbers, lines, email in the outbox, audit event; the PDFs drawn behind, timed until all are
// stored). Writes bench/results/invoicing-<date>[-label].json.
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { createBillingService } from '../src/billing/service.js';
// Registers the payments feature's hook (direct debits planned in the run's transaction), as the app's features do.
import '../src/payments/sepa-service.js';
import { systemClock } from '../src/platform/clock.js';
import { createDb } from '../src/platform/db.js';
import { createLogger } from '../src/platform/logger.js';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { arg, isoDate, machine, openBench, writeResult } from './lib.js';

const MONTH = arg('month', '2026-11');
const LABEL = arg('label', '');

/** /proc/<pid>/stat's CPU fields (ms): utime, stime and, with `children`, the reaped children's cutime, cstime. */
function cpuMs(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return ((f[11]! + f[12]! + (children ? f[13]! + f[14]! : 0)) * 1000) / 100; // USER_HZ = 100
  } catch {
    return 0;
  }
}

/**
 * CPU used so far by the bench's PostgreSQL cluster only (its postmaster, the backends it reaped and
 * those alive): the machine is shared, so wall time is noisy and other clusters' CPU is not ours.
 */
function clusterCpuMs(postmaster: number | null): number | null {
  if (postmaster === null) return null;
  let total = cpuMs(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] === String(postmaster)) total += cpuMs(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

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
  // The cluster's postmaster: the parent of its checkpointer (null when it cannot be read, e.g. a remote server).
  const { rows: checkpointer } = await db.raw(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`);
  const ppid = checkpointer[0] ? /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${checkpointer[0].pid}/status`, 'utf8'))?.[1] : undefined;
  const postmaster = ppid ? Number(ppid) : null;
  const rssBefore = process.memoryUsage().rss;
  const appCpuBefore = process.cpuUsage();
  const pgCpuBefore = clusterCpuMs(postmaster);
  const started = performance.now();
  // As the admin page runs it: resolved once every invoice is issued, the PDFs drawn behind.
  const result = await billing.run(MONTH, { accountId: admin.id, role: 'admin' }, { waitForPdfs: false });
  const seconds = (performance.now() - started) / 1000;
  const appCpu = process.cpuUsage(appCpuBefore);
  const pgCpuAfter = clusterCpuMs(postmaster);
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
    // CPU spent until every invoice was issued (the PDFs drawn before that moment included): the
    // stable figures on a shared machine.
    appCpuSeconds: Math.round((appCpu.user + appCpu.system) / 1e4) / 100,
    pgCpuSeconds: pgCpuBefore === null || pgCpuAfter === null ? null : Math.round((pgCpuAfter - pgCpuBefore) / 10) / 100,
    loadAverage: os.loadavg()[0]!.toFixed(1),
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
    'app CPU s': out.appCpuSeconds,
    'PostgreSQL CPU s': out.pgCpuSeconds,
    'load average': out.loadAverage,
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
