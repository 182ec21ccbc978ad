// npm run bench -- [--duration 10] [--connections 10,50] [--only baseline,dashboard] [--label after] [--cpu-prof [--no-baseline]] [--processes N]
// Starts the compiled app (production mode) on the bench database, logs real sessions in (parents
// of distinct households, an agent with the second factor), and drives each scenario with
// autocannon. Prints one table and writes it to bench/results/load-<date>[-label].json.
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';
import { systemClock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import { getTown } from '../src/platform/town.js';
import { renderInvoicePdf } from '../src/billing/pdf.js';
import { linesOf, setPdfKey, type InvoiceRow } from '../src/billing/repository.js';
import type { Db } from '../src/platform/db.js';
import { APP_ARGS, cpuSnapshot, measure, PROFILE_DIR, PROXY_HEADERS, Session, startBenchApp, type ScenarioResult } from './harness.js';
import { mapBounded } from '../src/platform/bounded.js';
import { BENCH_PASSWORD, arg, ensureBuilt, isoDate, machine, openBench, writeResult } from './lib.js';

const DURATION = Number(arg('duration', '10'));
const CONNECTIONS = arg('connections', '10,50').split(',').map(Number);
const ONLY = arg('only', '');
const LABEL = arg('label', '');
const PARENTS = Number(arg('parents', '40'));
/** For profiling one scenario: leave the baseline out (its thousands of requests would fill the profile). */
const NO_BASELINE = process.argv.includes('--no-baseline');

/** A past school day (evening care ran, attendance recorded) and a coming one (meals booked). */
const SHEET_DAY = '2026-11-19';
const HEADCOUNT_DAY = '2026-12-03';
const CALENDAR_MONTH = '2026-12';
const SEARCH = 'Lefèvre';
/** Canteen days from this one are freed for the chosen households, then booked again one by one. */
const BOOK_FROM = '2026-12-07';

type CannonRequest = NonNullable<Parameters<typeof measure>[1]['requests']>[number];

interface Parent {
  householdId: number;
  email: string;
  childId: number;
  invoiceId: number;
  session?: Session;
  csrf?: string;
}

async function chooseParents(db: Db): Promise<Parent[]> {
  // Households spread over the town, each with a child at the canteen and at least one invoice.
  const { rows: total } = await db.raw('SELECT count(*)::int AS n FROM households WHERE id >= 100000');
  const step = Math.max(1, Math.floor(total[0].n / PARENTS));
  const { rows } = await db.raw(
    `SELECT h.id AS household_id, a.email,
        (SELECT min(e.child_id) FROM enrolments e JOIN services s ON s.id = e.service_id WHERE e.household_id = h.id AND s.kind = 'canteen') AS child_id,
        (SELECT max(i.id) FROM invoices i WHERE i.household_id = h.id AND i.kind = 'invoice' AND i.month <= '2026-10') AS invoice_id
       FROM households h JOIN household_accounts ha ON ha.household_id = h.id JOIN accounts a ON a.id = ha.account_id
      WHERE h.id >= 100000 AND (h.id - 100000) % ? = 1
      ORDER BY h.id LIMIT ?`,
    [step, PARENTS],
  );
  const parents = (rows as { household_id: number; email: string; child_id: number | null; invoice_id: number | null }[])
    .filter((r) => r.child_id && r.invoice_id)
    .map((r) => ({ householdId: r.household_id, email: r.email, childId: r.child_id!, invoiceId: r.invoice_id! }));
  if (parents.length < 2) throw new Error('not enough bench households with a canteen child and an invoice');
  return parents;
}

/** The generator leaves no PDF behind its invoices: draw (once) the ones the PDF scenario downloads. */
async function ensurePdfs(db: Db, parents: Parent[]) {
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' });
  const deps = createDeps({ config, db, logger: createLogger('warn'), clock: systemClock, mailer: null, sessionSecret: 'x'.repeat(40) });
  const town = (await getTown(db))!;
  for (const p of parents) {
    const inv = (await db<InvoiceRow>('invoices').where({ id: p.invoiceId }).first())!;
    if (inv.pdf_storage_key && (await deps.storage.exists(inv.pdf_storage_key))) continue;
    const lines = await linesOf(db, [inv.id]);
    const pdf = await renderInvoicePdf(
      {
        kind: inv.kind,
        number: inv.number,
        month: inv.month,
        issuedOn: new Date(inv.issued_at).toISOString().slice(0, 10),
        dueOn: inv.due_on,
        totalCents: inv.total_cents,
        snapshot: inv.household_snapshot,
        creditFor: null,
        reason: null,
        lines: lines.map((l) => ({ label: l.label, quantity: l.quantity, unitCents: l.unit_cents, totalCents: l.total_cents, days: l.days ?? [] })),
      },
      town,
      config.baseUrl,
    );
    const key = deps.storage.newKey();
    await deps.storage.put(key, pdf);
    await setPdfKey(db, inv.id, key);
  }
}

/** Frees the chosen households' canteen days from BOOK_FROM on and returns them, shuffled, as slots to book again. */
async function freeBookingSlots(db: Db, parents: Parent[]): Promise<{ householdId: number; slot: string }[]> {
  const ids = parents.map((p) => p.householdId);
  // Every open canteen day (the generator's seat counters) for every enrolled child: what a run can book, whatever the last run left.
  const { rows } = await db.raw(
    `SELECT e.household_id, e.child_id, e.service_id, c.day FROM enrolments e JOIN services s ON s.id = e.service_id
       JOIN (SELECT DISTINCT service_id, day FROM reservation_counters WHERE day >= ?) c ON c.service_id = e.service_id
      WHERE s.kind = 'canteen' AND s.name LIKE 'Bench%' AND e.status = 'accepted' AND e.household_id = ANY(?) ORDER BY c.day, e.child_id`,
    [BOOK_FROM, ids],
  );
  await db.raw(`DELETE FROM reservations r USING services s WHERE s.id = r.service_id AND s.kind = 'canteen' AND s.name LIKE 'Bench%' AND r.household_id = ANY(?) AND r.day >= ?`, [ids, BOOK_FROM]);
  await db.raw(
    `UPDATE reservation_counters c SET booked = (SELECT count(*) FROM reservations r WHERE r.service_id = c.service_id AND r.day = c.day AND r.group_key = c.group_key AND r.status IN ('booked','sick'))
      WHERE c.service_id IN (SELECT id FROM services WHERE kind = 'canteen' AND name LIKE 'Bench%') AND c.day >= ?`,
    [BOOK_FROM],
  );
  const slots = (rows as { household_id: number; child_id: number; service_id: number; day: string }[]).map((r) => ({ householdId: r.household_id, slot: `${r.child_id}:${r.service_id}:${r.day}` }));
  // Interleave households so that concurrent requests rarely touch the same family.
  for (let i = slots.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  return slots;
}

interface Scenario {
  name: string;
  /** Builds one autocannon request list (called once per run). */
  requests(): CannonRequest[];
}

function rotating(build: (i: number) => CannonRequest): CannonRequest[] {
  let i = 0;
  return [{ setupRequest: () => build(i++) }];
}

async function main() {
  ensureBuilt();
  const bench = await openBench();
  const { db } = bench;
  const parents = await chooseParents(db);
  await ensurePdfs(db, parents);
  const slots = await freeBookingSlots(db, parents);
  const { rows: sheet } = await db.raw(
    `SELECT r.service_id, count(*)::int AS n FROM reservations r JOIN services s ON s.id = r.service_id
      WHERE s.kind = 'after_school' AND s.name LIKE 'Bench%' AND r.day = ? AND r.status = 'booked' GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
    [SHEET_DAY],
  );
  const sheetService = sheet[0] as { service_id: number; n: number };
  const sheetChildren = (
    (await db('attendance').where({ service_id: sheetService.service_id, day: SHEET_DAY }).select('child_id')) as { child_id: number }[]
  ).map((r) => r.child_id);

  const app = await startBenchApp(bench.url);
  const results: (ScenarioResult & { ratioToBaseline: number | null; peakRssMb: number; appCpuMsPerRequest: number; pgCpuMsPerRequest: number })[] = [];
  let failed = false;
  try {
    // Real logins, a few at a time (argon2 is meant to be slow).
    await mapBounded(parents, 4, async (p) => {
      p.session = await new Session(app.baseUrl).login(p.email, BENCH_PASSWORD);
      p.csrf = await p.session.csrf('/reservations');
    });
    const agent = await new Session(app.baseUrl).login('agent@demo.test', 'Demo-agent-2026!', 'JBSWY3DPEHPK3PXP');
    const parentAt = (i: number) => parents[i % parents.length]!;
    const get = (session: Session, path: string): CannonRequest => ({ method: 'GET', path, headers: { ...PROXY_HEADERS, cookie: session.cookie } });
    let nextSlot = 0;

    const scenarios: Scenario[] = [
      { name: 'baseline', requests: () => [{ method: 'GET', path: '/_baseline' }] },
      { name: 'dashboard', requests: () => rotating((i) => get(parentAt(i).session!, '/')) },
      // The same page when something it shows changed since the last view (a booking, a document…):
      // the household's version is bumped as each request is sent (one small UPDATE, in the
      // PostgreSQL CPU per request too), so the page is read and rendered again, and its month
      // estimate computed again and stored. Named "dashboard (estimate stale)" before the dashboard
      // was kept rendered (src/web/page-cache.ts).
      {
        name: 'dashboard (changed since last view)',
        requests: () =>
          rotating((i) => {
            const p = parentAt(i);
            void db.raw('UPDATE household_estimates SET version = version + 1 WHERE household_id = ?', [p.householdId]).catch(() => {});
            return get(p.session!, '/');
          }),
      },
      { name: 'calendar (month)', requests: () => rotating((i) => get(parentAt(i).session!, `/children/${parentAt(i).childId}/agenda?month=${CALENDAR_MONTH}`)) },
      // The page parents book from: every child's month calendars at once (the list form of the statements).
      { name: 'booking page (all children)', requests: () => rotating((i) => get(parentAt(i).session!, `/reservations?month=${CALENDAR_MONTH}`)) },
      {
        name: 'book a day (POST)',
        requests: () =>
          rotating(() => {
            const s = slots[nextSlot++ % slots.length]!;
            const p = parents.find((x) => x.householdId === s.householdId)!;
            const body = new URLSearchParams({ _csrf: p.csrf!, slots: s.slot, return_to: '/reservations' }).toString();
            return { method: 'POST', path: '/reservations', body, headers: { ...PROXY_HEADERS, cookie: p.session!.cookie, 'content-type': 'application/x-www-form-urlencoded' } };
          }),
      },
      { name: 'invoices list', requests: () => rotating((i) => get(parentAt(i).session!, '/invoices')) },
      { name: 'invoice PDF', requests: () => rotating((i) => get(parentAt(i).session!, `/invoices/${parentAt(i).invoiceId}/pdf`)) },
      { name: `attendance sheet (${sheetService.n} children)`, requests: () => [get(agent, `/admin/attendance?service=${sheetService.service_id}&date=${SHEET_DAY}`)] },
      // The same sheet when a mark was recorded since the last view (another agent's, say): one of
      // its attendance rows is rewritten as each request is sent (one small UPDATE, in the
      // PostgreSQL CPU per request too), so the kept sheet (src/web/page-cache.ts) is read and
      // rendered again.
      {
        name: 'attendance sheet (changed since last view)',
        requests: () =>
          rotating((i) => {
            void db
              .raw('UPDATE attendance SET recorded_at = now() WHERE service_id = ? AND day = ? AND child_id = ?', [sheetService.service_id, SHEET_DAY, sheetChildren[i % sheetChildren.length]!])
              .catch(() => {});
            return get(agent, `/admin/attendance?service=${sheetService.service_id}&date=${SHEET_DAY}`);
          }),
      },
      { name: 'household search', requests: () => [get(agent, `/admin/households?q=${encodeURIComponent(SEARCH)}`)] },
      { name: 'kitchen headcount', requests: () => [get(agent, `/admin/headcount?date=${HEADCOUNT_DAY}`)] },
    ];
    const wanted = ONLY ? ONLY.split(',') : null;
    const baseline = new Map<number, number>();
    const bookedBefore = await countBooked(db, slots);
    for (const scenario of scenarios) {
      if (scenario.name === 'baseline' ? NO_BASELINE : wanted && !wanted.some((w) => scenario.name.startsWith(w))) continue;
      for (const connections of CONNECTIONS) {
        // Warm-up (compiled templates, prepared plans, pool connections), not counted.
        await measure(scenario.name, { url: app.baseUrl, connections, duration: 1, requests: scenario.requests() });
        app.resetPeakRss();
        const cpuBefore = cpuSnapshot(app.pids(), bench.postmasterPid);
        const r = await measure(scenario.name, { url: app.baseUrl, connections, duration: DURATION, requests: scenario.requests() });
        if (scenario.name === 'baseline') baseline.set(connections, r.requestsPerSec);
        const base = baseline.get(connections);
        const cpuAfter = cpuSnapshot(app.pids(), bench.postmasterPid);
        // Where a request's cost goes: the app's own CPU and PostgreSQL's, per answered request.
        const perRequest = (ms: number) => (r.total ? Math.round((ms / r.total) * 100) / 100 : 0);
        const row = {
          ...r,
          ratioToBaseline: base ? Math.round((r.requestsPerSec / base) * 100) / 100 : null,
          peakRssMb: app.peakRssMb(),
          appCpuMsPerRequest: perRequest(cpuAfter.app - cpuBefore.app),
          pgCpuMsPerRequest: perRequest(cpuAfter.pg - cpuBefore.pg),
        };
        results.push(row);
        console.log(
          `${scenario.name.padEnd(34)} ${String(connections).padStart(3)} conn  ${String(r.requestsPerSec).padStart(6)} req/s  p95 ${r.p95} ms  errors ${r.errors}  CPU/req app ${row.appCpuMsPerRequest} ms, PostgreSQL ${row.pgCpuMsPerRequest} ms`,
        );
        await settle(app.baseUrl);
        // No answer within the run counts as a failure too (every request outlived the duration).
        if (r.errors > 0 || r.total === 0) failed = true;
      }
    }
    const booked = (await countBooked(db, slots)) - bookedBefore;

    console.log('');
    console.table(
      results.map((r) => ({
        scenario: r.scenario,
        conn: r.connections,
        'req/s': r.requestsPerSec,
        'p50 ms': r.p50,
        'p95 ms': r.p95,
        'p99 ms': r.p99,
        errors: r.errors,
        'x baseline': r.ratioToBaseline,
        'peak RSS MB': r.peakRssMb,
        'app CPU ms/req': r.appCpuMsPerRequest,
        'PG CPU ms/req': r.pgCpuMsPerRequest,
      })),
    );
    if (wanted === null || wanted.some((w) => 'book a day (POST)'.startsWith(w))) console.log(`Days booked by the POST scenario: ${booked} (${slots.length} freed days, cycled).`);
    const file = writeResult(`load-${isoDate()}${LABEL ? `-${LABEL}` : ''}`, {
      date: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      processes: APP_ARGS.processes,
      durationSeconds: DURATION,
      parents: parents.length,
      bookedDays: booked,
      peakRssMbOverall: Math.max(...results.map((r) => r.peakRssMb)),
      results,
    });
    console.log(`Written to ${file}`);
    if (APP_ARGS.cpuProf) console.log(`CPU profile of the app: ${PROFILE_DIR} (written when it stops)`);
  } finally {
    await app.stop();
    await bench.close();
  }
  if (failed) {
    console.error('Some scenarios had errors.');
    process.exit(1);
  }
}

/** Requests that outlived a run are still being served: wait until the app answers quickly again, so the next scenario starts clean. */
async function settle(baseUrl: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const t0 = performance.now();
    await fetch(`${baseUrl}/_baseline`).then((r) => r.arrayBuffer());
    if (performance.now() - t0 < 50) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function countBooked(db: Db, slots: { slot: string }[]): Promise<number> {
  const ids = [...new Set(slots.map((s) => Number(s.slot.split(':')[0])))];
  const { rows } = await db.raw(`SELECT count(*)::int AS n FROM reservations r JOIN services s ON s.id = r.service_id WHERE s.kind = 'canteen' AND s.name LIKE 'Bench%' AND r.child_id = ANY(?) AND r.day >= ? AND r.status = 'booked'`, [ids, BOOK_FROM]);
  return rows[0].n;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
