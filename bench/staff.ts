// npm run bench:staff -- [--households 5000] [--duration 30] [--label x] [--cpu-prof]
// Town-hall staff at work: five agents (agent1…5@bench.test, logged in with their second factor),
// each on their own connection clicking again as soon as the page is shown. First the household
// search (a few usual terms), then the evening-care attendance sheets of the five largest sites on
// a past school day (each agent their own site). Every page is rendered fresh.
import type { Knex } from 'knex';
import { DEMO_TOTP_SECRET } from '../seeds/020-accounts.js';
import { getPage, printTallies, runLanes, Session, startBenchApp, type AppProcess } from './harness.js';
import {
  BENCH_AGENTS,
  BENCH_PASSWORD,
  FIRST_ID,
  arg,
  below,
  cpuMeter,
  exactly,
  info,
  mapLimit,
  openBench,
  report,
  round,
  type Bench,
  type Check,
} from './lib.js';

const DURATION = Number(arg('duration', '30'));
const WARM_UP = 3;
/** A school day before the generator's last attendance (25 November 2026): the sheet is filled in. */
const SHEET_DAY = '2026-11-19';

/** The largest evening-care sheets of SHEET_DAY, one an agent. */
async function sheets(db: Knex): Promise<{ serviceId: number; children: number }[]> {
  const { rows } = await db.raw(
    `SELECT r.service_id, count(*)::int AS n FROM reservations r JOIN services s ON s.id = r.service_id AND s.kind = 'after_school' AND s.name LIKE 'Bench%'
      WHERE r.day = ? AND r.status = 'booked' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`,
    [SHEET_DAY, BENCH_AGENTS],
  );
  return (rows as { service_id: number; n: number }[]).map((r) => ({
    serviceId: r.service_id,
    children: r.n,
  }));
}

/** Runs the agents' lanes for DURATION seconds after a short warm-up; returns the tally and its checks' raw figures. */
async function measure(app: AppProcess, bench: Bench, lanes: Parameters<typeof runLanes>[1]) {
  await runLanes(app.baseUrl, lanes, WARM_UP);
  app.resetPeakRss();
  const cpu = cpuMeter(() => app.pid, bench.postmasterPid);
  const { all } = await runLanes(app.baseUrl, lanes, DURATION);
  const used = cpu.used();
  const n = Math.max(1, all.requests);
  return {
    all,
    peakRssMb: app.peakRssMb(),
    appMs: round(used.app / n, 2),
    pgMs: used.pg === null ? null : round(used.pg / n, 2),
  };
}

const checksOf = (what: string, m: Awaited<ReturnType<typeof measure>>, p95Limit: number): Check[] => [
  below(`${what}: p95`, m.all.p95, p95Limit, 'ms'),
  exactly(`${what}: errors`, m.all.errors, 0),
  info(`${what}: requests answered`, `${m.all.requests} (${round(m.all.requests / DURATION)} req/s)`),
  info(`${what}: app / PostgreSQL CPU per request`, `${m.appMs} / ${m.pgMs ?? 'n/a'}`, 'ms'),
];

async function main() {
  const bench = await openBench();
  const sites = await sheets(bench.db);
  if (!sites.length) throw new Error(`no evening-care sheet on ${SHEET_DAY}`);
  const { rows: middle } = await bench.db.raw('SELECT family_number FROM households WHERE id = ?', [
    FIRST_ID + Math.ceil(bench.households / 2),
  ]);
  /** What agents type: a common accented surname, a lower-case one, a family number. */
  const terms = ['Lefèvre', 'moreau', middle[0].family_number as string];

  const app = await startBenchApp(bench.url);
  try {
    const agents = await mapLimit(
      Array.from({ length: BENCH_AGENTS }, (_, i) => `agent${i + 1}@bench.test`),
      BENCH_AGENTS,
      (email) => new Session(app.baseUrl).login(email, BENCH_PASSWORD, DEMO_TOTP_SECRET),
    );
    const searchLanes = agents.map((agent, i) => {
      let turn = i;
      return {
        page: getPage('household search', () => [
          agent,
          `/admin/households?q=${encodeURIComponent(terms[turn++ % terms.length]!)}`,
        ]),
      };
    });
    const sheetLanes = agents.map((agent, i) => {
      const site = sites[i % sites.length]!;
      return {
        page: getPage('attendance sheet', () => [
          agent,
          `/admin/attendance?service=${site.serviceId}&date=${SHEET_DAY}`,
        ]),
      };
    });
    console.log(`${BENCH_AGENTS} agents: household search for ${DURATION} s…`);
    const search = await measure(app, bench, searchLanes);
    console.log(`${BENCH_AGENTS} agents: attendance sheets for ${DURATION} s…`);
    const sheet = await measure(app, bench, sheetLanes);
    printTallies(
      [
        { ...search.all, page: 'household search' },
        { ...sheet.all, page: 'attendance sheet' },
      ],
      DURATION,
    );
    const sizes = sites.map((s) => s.children);
    report(
      'staff',
      bench.households,
      [
        ...checksOf('household search', search, 200),
        ...checksOf(`attendance sheet (${Math.min(...sizes)}–${Math.max(...sizes)} children)`, sheet, 500),
        below('peak RSS of the app', Math.max(search.peakRssMb, sheet.peakRssMb), 250, 'MB'),
      ],
      { durationSeconds: DURATION, agents: BENCH_AGENTS, terms, sheetDay: SHEET_DAY, sites, search, sheet },
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
