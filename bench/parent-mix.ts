// npm run bench -- [--households 5000] [--rate 100] [--duration 60] [--parents 200] [--baseline-duration 10 | --no-baseline] [--label x] [--cpu-prof]
// The parent mix: parents of distinct households, logged in for real, use the pages at a fixed
// arrival rate (autocannon's overallRate: lanes of five connections, each a request a second, the
// lanes started evenly over the second) in the proportions of MIX, booking POSTs included (each books a week of canteen with
// the session's CSRF token). Every page is rendered fresh. Then the baseline server
// (bench/baseline.ts) at the same rate, for reference.
import type { Knex } from 'knex';
import {
  type Lane,
  type Page,
  getPage,
  printTallies,
  runLanes,
  Session,
  startBaseline,
  startBenchApp,
} from './harness.js';
import {
  BENCH_PASSWORD,
  FIRST_ID,
  arg,
  atLeast,
  below,
  cpuMeter,
  exactly,
  flag,
  info,
  mapLimit,
  openBench,
  report,
  round,
} from './lib.js';

const RATE = Number(arg('rate', '100'));
/** Connections a lane (lanesOf). */
const PER_LANE = 5;
if (!(RATE > 0 && RATE % PER_LANE === 0)) throw new Error(`--rate: a multiple of ${PER_LANE}`);
const DURATION = Number(arg('duration', '60'));
const PARENTS = Number(arg('parents', '200'));
const BASELINE_DURATION = flag('no-baseline') ? 0 : Number(arg('baseline-duration', '10'));
const WARM_UP = 5;

/**
 * Shares of the requests, in %: a visit at the opening of bookings is the dashboard, the booking
 * page, a booking (POST) and the page again, now and then a child's agenda, the invoices and one
 * PDF. To be checked against the town's access logs (docs/performance.md, open questions).
 */
const MIX = {
  dashboard: 25,
  'booking page': 30,
  'booking POST': 15,
  agenda: 15,
  invoices: 10,
  'invoice PDF': 5,
} as const;
type Kind = keyof typeof MIX;

interface Parent {
  householdId: number;
  email: string;
  childId: number;
  invoiceId: number;
  session: Session;
}

/** Households spread over the town, each with a child at the canteen and an invoice already paid. */
async function chooseParents(db: Knex, households: number): Promise<Omit<Parent, 'session'>[]> {
  const step = Math.max(1, Math.floor(households / PARENTS));
  const { rows } = await db.raw(
    `SELECT h.id AS household_id, a.email,
        (SELECT min(e.child_id) FROM enrolments e JOIN services s ON s.id = e.service_id WHERE e.household_id = h.id AND s.kind = 'canteen') AS child_id,
        (SELECT max(i.id) FROM invoices i WHERE i.household_id = h.id AND i.kind = 'invoice' AND i.status = 'paid') AS invoice_id
       FROM households h JOIN household_accounts ha ON ha.household_id = h.id JOIN accounts a ON a.id = ha.account_id
      WHERE h.id >= ? AND (h.id - ?) % ? = 1 ORDER BY h.id LIMIT ?`,
    [FIRST_ID, FIRST_ID, step, PARENTS],
  );
  return (
    rows as { household_id: number; email: string; child_id: number | null; invoice_id: number | null }[]
  )
    .filter((r) => r.child_id && r.invoice_id)
    .map((r) => ({
      householdId: r.household_id,
      email: r.email,
      childId: r.child_id!,
      invoiceId: r.invoice_id!,
    }));
}

/**
 * Frees the chosen households' canteen days from a week ahead and returns them as bookings to
 * make: one a child and week (the days a parent ticks at once), the nearest weeks first, the
 * households interleaved.
 */
async function freeWeeks(
  db: Knex,
  householdIds: number[],
): Promise<{ householdId: number; slots: string[] }[]> {
  const { rows } = await db.raw(
    `SELECT e.household_id, e.child_id, e.service_id, c.day, date_trunc('week', c.day)::date AS week
       FROM enrolments e JOIN services s ON s.id = e.service_id AND s.kind = 'canteen' AND s.name LIKE 'Bench%'
       JOIN (SELECT DISTINCT service_id, day FROM reservation_counters WHERE day >= current_date + 7) c ON c.service_id = e.service_id
      WHERE e.status = 'accepted' AND e.household_id = ANY(?) ORDER BY week, e.household_id, e.child_id, c.day`,
    [householdIds],
  );
  await db.raw(
    `DELETE FROM reservations r USING services s WHERE s.id = r.service_id AND s.kind = 'canteen' AND s.name LIKE 'Bench%' AND r.household_id = ANY(?) AND r.day >= current_date + 7`,
    [householdIds],
  );
  await db.raw(
    `UPDATE reservation_counters c SET booked = (SELECT count(*) FROM reservations r WHERE r.service_id = c.service_id AND r.day = c.day AND r.group_key = c.group_key AND r.status IN ('booked','sick'))
      WHERE c.service_id IN (SELECT id FROM services WHERE kind = 'canteen' AND name LIKE 'Bench%') AND c.day >= current_date + 7`,
  );
  const weeks = new Map<string, { householdId: number; slots: string[] }>();
  for (const r of rows as {
    household_id: number;
    child_id: number;
    service_id: number;
    day: string;
    week: string;
  }[]) {
    const key = `${r.week}:${r.child_id}`;
    const booking = weeks.get(key) ?? { householdId: r.household_id, slots: [] };
    booking.slots.push(`${r.child_id}:${r.service_id}:${r.day}`);
    weeks.set(key, booking);
  }
  return [...weeks.values()];
}

async function bookedFrom(db: Knex, householdIds: number[]): Promise<number> {
  const { rows } = await db.raw(
    `SELECT count(*)::int AS n FROM reservations r JOIN services s ON s.id = r.service_id AND s.kind = 'canteen'
      WHERE r.household_id = ANY(?) AND r.day >= current_date + 7 AND r.status = 'booked'`,
    [householdIds],
  );
  return rows[0].n;
}

/**
 * Autocannon instances of PER_LANE connections, each connection a request a second, so that
 * PER_LANE requests arrive together every 1000 × PER_LANE / RATE ms (one connection a lane spread
 * them better, but a hundred instances cost the client more CPU than they let through). Each lane
 * sends one kind; the kinds interleaved in MIX's proportions (smooth weighted round robin).
 */
function lanesOf(pages: Record<Kind, Page>): Lane[] {
  const current = new Map<Kind, number>(Object.keys(MIX).map((k) => [k as Kind, 0]));
  const lanes: Lane[] = [];
  for (let i = 0; i < RATE / PER_LANE; i++) {
    for (const [k, w] of Object.entries(MIX)) current.set(k as Kind, current.get(k as Kind)! + w);
    const [best] = [...current].sort((a, b) => b[1] - a[1])[0]!;
    current.set(best, current.get(best)! - 100);
    lanes.push({ page: pages[best], connections: PER_LANE, rated: true });
  }
  return lanes;
}

async function main() {
  const bench = await openBench();
  const { db } = bench;
  const chosen = await chooseParents(db, bench.households);
  if (chosen.length < 10)
    throw new Error('not enough bench households with a canteen child and a paid invoice');
  const householdIds = chosen.map((p) => p.householdId);
  const weeks = await freeWeeks(db, householdIds);
  const { rows: month } = await db.raw(`SELECT to_char(current_date + 7, 'YYYY-MM') AS m`);
  const MONTH = month[0].m as string;

  const app = await startBenchApp(bench.url);
  try {
    console.log(`Logging ${chosen.length} parents in…`);
    const parents: Parent[] = await mapLimit(chosen, 4, async (p) => {
      const session = await new Session(app.baseUrl).login(p.email, BENCH_PASSWORD);
      await session.csrf('/reservations');
      return { ...p, session };
    });
    const byHousehold = new Map(parents.map((p) => [p.householdId, p]));
    // The PDFs are drawn on their first download and kept: draw those of the run before it.
    await mapLimit(parents, 2, async (p) => {
      const pdf = await p.session.get(`/invoices/${p.invoiceId}/pdf`);
      if (pdf.status !== 200) throw new Error(`invoice PDF: HTTP ${pdf.status}`);
    });

    let turn = 0;
    const parent = () => parents[turn++ % parents.length]!;
    let nextWeek = 0;
    let daysPosted = 0;
    const pages: Record<Kind, Page> = {
      dashboard: getPage('dashboard', () => [parent().session, '/']),
      'booking page': getPage('booking page', () => [parent().session, `/reservations?month=${MONTH}`]),
      agenda: getPage('agenda', () => {
        const p = parent();
        return [p.session, `/children/${p.childId}/agenda?month=${MONTH}`];
      }),
      invoices: getPage('invoices', () => [parent().session, '/invoices']),
      'invoice PDF': getPage('invoice PDF', () => {
        const p = parent();
        return [p.session, `/invoices/${p.invoiceId}/pdf`];
      }),
      'booking POST': {
        name: 'booking POST',
        expect: 303,
        next() {
          const week = weeks[nextWeek++ % weeks.length]!;
          daysPosted += week.slots.length;
          const p = byHousehold.get(week.householdId)!;
          const body = new URLSearchParams([
            ['_csrf', p.session.csrfToken],
            ['return_to', '/reservations'],
            ...week.slots.map((s) => ['slots', s]),
          ]).toString();
          return {
            method: 'POST',
            path: '/reservations',
            body,
            headers: p.session.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
          };
        },
      },
    };
    const lanes = lanesOf(pages);
    const postsPlanned = Math.ceil((RATE * MIX['booking POST'] * (DURATION + WARM_UP + 2)) / 100);
    if (weeks.length < postsPlanned)
      console.warn(
        `Only ${weeks.length} weeks to book for about ${postsPlanned} POSTs: some will book days already booked.`,
      );

    console.log(`Warm-up (${WARM_UP} s), then ${RATE} requests/s for ${DURATION} s…`);
    await runLanes(app.baseUrl, lanes, WARM_UP, (1000 * PER_LANE) / RATE);
    await new Promise((r) => setTimeout(r, 2000));
    const bookedBefore = await bookedFrom(db, householdIds);
    daysPosted = 0;
    app.resetPeakRss();
    const cpu = cpuMeter(() => app.pid, bench.postmasterPid);
    const client = process.cpuUsage();
    const run = await runLanes(app.baseUrl, lanes, DURATION, (1000 * PER_LANE) / RATE);
    const used = cpu.used();
    const clientUsage = process.cpuUsage(client);
    const clientMs = (clientUsage.user + clientUsage.system) / 1000;
    const peakRssMb = app.peakRssMb();
    // POSTs still in flight when the run stopped complete on the server: count the days after them.
    await new Promise((r) => setTimeout(r, 2000));
    const daysBooked = (await bookedFrom(db, householdIds)) - bookedBefore;
    printTallies([...run.pages, run.all], DURATION);
    const n = Math.max(1, run.all.requests);

    let baseline: { p95: number; appMs: number; pgMs: number | null } | null = null;
    if (BASELINE_DURATION > 0) {
      await app.stop();
      const server = await startBaseline(bench.url);
      try {
        const page: Page = {
          name: 'baseline',
          expect: 200,
          next: () => ({ method: 'GET', path: '/', headers: {} }),
        };
        const baseLanes = Array.from({ length: RATE / PER_LANE }, (): Lane => ({
          page,
          connections: PER_LANE,
          rated: true,
        }));
        await runLanes(server.baseUrl, baseLanes, 2, (1000 * PER_LANE) / RATE);
        const baseCpu = cpuMeter(() => server.pid, bench.postmasterPid);
        const b = await runLanes(server.baseUrl, baseLanes, BASELINE_DURATION, (1000 * PER_LANE) / RATE);
        const u = baseCpu.used();
        const bn = Math.max(1, b.all.requests);
        baseline = {
          p95: b.all.p95,
          appMs: round(u.app / bn, 2),
          pgMs: u.pg === null ? null : round(u.pg / bn, 2),
        };
      } finally {
        await server.stop();
      }
    }

    report(
      'parent-mix',
      bench.households,
      [
        below('p95, all pages', run.all.p95, 300, 'ms'),
        exactly('errors (status other than expected, timeouts)', run.all.errors, 0),
        atLeast('arrival rate held', round(run.all.requests / DURATION), round(RATE * 0.95), 'req/s'),
        exactly('days booked by the POSTs (of those posted)', daysBooked, daysPosted),
        below('peak RSS of the app', peakRssMb, 250, 'MB'),
        info('app CPU per request', round(used.app / n, 2), 'ms'),
        info('PostgreSQL CPU per request', used.pg === null ? null : round(used.pg / n, 2), 'ms'),
        ...run.pages.map((t) => info(`p95 ${t.page} (${MIX[t.page as Kind]} %)`, t.p95, 'ms')),
        info('bench client CPU per request', round(clientMs / n, 2), 'ms'),
        ...(baseline
          ? [
              info('baseline p95 (same rate)', baseline.p95, 'ms'),
              info(
                'baseline CPU per request, app / PostgreSQL',
                `${baseline.appMs} / ${baseline.pgMs ?? 'n/a'}`,
                'ms',
              ),
            ]
          : []),
      ],
      {
        rate: RATE,
        durationSeconds: DURATION,
        parents: parents.length,
        month: MONTH,
        mix: MIX,
        pages: run.pages,
        all: run.all,
        cpuMs: used,
        baseline,
      },
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
