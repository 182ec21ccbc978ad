// npm run bench:rush -- [--parents 1000] [--label after] [--reuse-sessions] [--follow] [--processes N]
// The opening of holiday bookings: parents of distinct households (real sessions, logged in
// beforehand) all try to book the same day of the holiday centre (100 seats) at the instant
// bookings open. Prints seats taken (checked in the database), waiting-listed, errors and
// latency percentiles (of the POST's answer, which carries the outcome; with --follow also until
// the result page is shown), CPU per request; writes bench/results/rush-<date>[-label].json.
// The parents' sessions were last seen 2 minutes before the opening (they waited on the page).
// --reuse-sessions (for iterating, not for the figures): keeps the sessions in $TMPDIR and uses them
// again while they are alive (parent idle limit), skipping the minutes of argon2 logins.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../src/platform/db.js';
import { APP_ARGS, cpuSnapshot, PROXY_HEADERS, Session, startBenchApp } from './harness.js';
import { mapBounded } from '../src/platform/bounded.js';
import { BENCH_PASSWORD, arg, ensureBuilt, isoDate, machine, openBench, writeResult } from './lib.js';

const PARENTS = Number(arg('parents', '1000'));
const LABEL = arg('label', '');
const SERVICE = 'Bench – centre de loisirs des vacances';
const REUSE = process.argv.includes('--reuse-sessions');
/** Also GET the result page each POST redirects to (the parent's browser does), timed from the click. */
const FOLLOW = process.argv.includes('--follow');
const SESSIONS_FILE = path.join(os.tmpdir(), `pf-rush-sessions-${PARENTS}.json`);

/** Connections the kernel dropped because the app's accept queue was full (Linux, whole machine). */
function listenOverflows(): number | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch {
    return null;
  }
}

/**
 * One HTTP exchange with node:http rather than fetch: the clicks' own CPU shares the machine's two
 * cores with the app and PostgreSQL, and fetch cost about twice as much per request.
 */
function request(url: string, agent: http.Agent, opts: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; location: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method, headers: opts.body === undefined ? opts.headers : { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10;
}

/** The holiday centre, a holiday day whose booking deadline is still ahead, and one child in each of PARENTS households enrolled in it. */
async function prepare(db: Db) {
  const service = (await db('services').where({ name: SERVICE }).first('id', 'capacity')) as { id: number; capacity: number };
  if (!service) throw new Error(`no service "${SERVICE}": run npm run bench:data`);
  // A weekday of the next holidays at least 10 days away (the deadline is 7 days before, at noon).
  const { rows: days } = await db.raw(
    `SELECT d::date AS day FROM calendar_periods p, generate_series(p.starts_on, p.ends_on, interval '1 day') d
      WHERE p.kind = 'holiday' AND d::date >= current_date + 10 AND extract(isodow FROM d) BETWEEN 1 AND 5
        AND NOT EXISTS (SELECT 1 FROM calendar_periods ph WHERE ph.kind = 'public_holiday' AND d::date BETWEEN ph.starts_on AND ph.ends_on)
      ORDER BY 1 LIMIT 1`,
  );
  const day = (days[0] as { day: string } | undefined)?.day;
  if (!day) throw new Error('no holiday day ahead in the calendar');
  // One child per household, the first PARENTS households of the town; enrol those who are not.
  const { rows } = await db.raw(
    `SELECT DISTINCT ON (hm.household_id) hm.household_id, m.id AS child_id, a.email
       FROM household_members hm JOIN members m ON m.id = hm.member_id AND m.kind = 'child'
       JOIN household_accounts ha ON ha.household_id = hm.household_id JOIN accounts a ON a.id = ha.account_id
      WHERE hm.household_id >= 100000 ORDER BY hm.household_id, m.id LIMIT ?`,
    [PARENTS],
  );
  const parents = rows as { household_id: number; child_id: number; email: string }[];
  if (parents.length < PARENTS) throw new Error(`only ${parents.length} bench households: regenerate with more`);
  await db.raw(
    `INSERT INTO enrolments (child_id, service_id, household_id, school_year_id, status, step, created_at, submitted_at, decided_at)
     SELECT p.child_id, ?, p.household_id, '2026-2027', 'accepted', 'done', now(), now(), now()
       FROM unnest(?::bigint[], ?::bigint[]) AS p(child_id, household_id)
      WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.child_id = p.child_id AND e.service_id = ? AND e.status IN ('draft','submitted','accepted'))`,
    [service.id, parents.map((p) => p.child_id), parents.map((p) => p.household_id), service.id],
  );
  // The day starts empty, and bookings are not open yet.
  await db('reservations').where({ service_id: service.id, day }).delete();
  await db('reservation_counters').where({ service_id: service.id, day }).delete();
  await db('services').where({ id: service.id }).update({ booking_opens_at: new Date(Date.now() + 3600_000) });
  return { service, day, parents };
}

/** The sessions of an earlier run, if there are some for these parents and the first is still logged in. */
async function reusedSessions(baseUrl: string, parents: { household_id: number; child_id: number; email: string }[]) {
  if (!existsSync(SESSIONS_FILE)) return null;
  const saved = new Map((JSON.parse(readFileSync(SESSIONS_FILE, 'utf8')) as { email: string; cookie: string; csrf: string }[]).map((s) => [s.email, s]));
  if (!parents.every((p) => saved.has(p.email))) return null;
  const sessions = parents.map((p) => {
    const session = new Session(baseUrl);
    session.cookie = saved.get(p.email)!.cookie;
    return { ...p, session, csrf: saved.get(p.email)!.csrf };
  });
  const probe = await sessions[0]!.session.get('/reservations');
  if (probe.status !== 200) return null;
  console.log(`Reusing ${sessions.length} sessions from ${SESSIONS_FILE}.`);
  return sessions;
}

async function main() {
  ensureBuilt();
  const bench = await openBench();
  const { db } = bench;
  const { service, day, parents } = await prepare(db);
  const app = await startBenchApp(bench.url);
  try {
    let sessions = REUSE ? await reusedSessions(app.baseUrl, parents) : null;
    if (!sessions) {
      console.log(`Logging ${parents.length} parents in (argon2, a few at a time)…`);
      const loginStarted = Date.now();
      sessions = await mapBounded(parents, 4, async (p) => {
        const session = await new Session(app.baseUrl).login(p.email, BENCH_PASSWORD);
        return { ...p, session, csrf: await session.csrf('/reservations') };
      });
      console.log(`Logged in in ${((Date.now() - loginStarted) / 1000).toFixed(1)} s.`);
      if (REUSE) writeFileSync(SESSIONS_FILE, JSON.stringify(sessions.map((s) => ({ email: s.email, cookie: s.session.cookie, csrf: s.csrf }))));
    }
    console.log(`Bookings open now; ${sessions.length} parents click.`);

    // As in town, every parent opened the page a while before the opening and waited: their
    // sessions were last seen 2 minutes ago, so each click also moves the idle timer.
    await db.raw(
      `UPDATE sessions SET last_seen_ms = (extract(epoch FROM now()) * 1000)::bigint - 120000
        WHERE sess->>'role' = 'parent' AND last_seen_ms IS NOT NULL`,
    );
    // The opening instant: from now on the app's rules let parents book.
    await db('services').where({ id: service.id }).update({ booking_opens_at: new Date() });
    app.resetPeakRss();
    const cpuBefore = cpuSnapshot(app.pids(), bench.postmasterPid);
    const latencies: number[] = [];
    /** With --follow: until the result page was shown (POST, then the redirect's page). */
    const shown: number[] = [];
    const statuses = new Map<string, number>();
    const started = performance.now();
    const clientCpuBefore = process.cpuUsage();
    const overflowsBefore = listenOverflows();
    await Promise.all(
      sessions.map(async (p) => {
        const t0 = performance.now();
        let key: string;
        try {
          const body = new URLSearchParams({ _csrf: p.csrf, slots: `${p.child_id}:${service.id}:${day}`, waitlist: '1', return_to: '/reservations' });
          // Each parent's own connection (their browser), kept for the result page.
          const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
          const res = await request(`${app.baseUrl}/reservations`, agent, {
            method: 'POST',
            headers: { ...PROXY_HEADERS, cookie: p.session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: body.toString(),
          });
          const location = res.location ?? '';
          key = res.status === 303 && location.startsWith('/reservations/result') ? 'ok' : `HTTP ${res.status}`;
          latencies.push(performance.now() - t0);
          if (FOLLOW && key === 'ok') {
            // The parent's browser follows the redirect: the page that says booked or waiting-listed.
            const page = await request(`${app.baseUrl}${location}`, agent, { method: 'GET', headers: { ...PROXY_HEADERS, cookie: p.session.cookie } });
            if (page.status !== 200 || !/Réservé|liste d&#39;attente/.test(page.text)) key = `result page HTTP ${page.status}`;
            else shown.push(performance.now() - t0);
          }
          agent.destroy();
        } catch (err) {
          key = `network: ${(err as Error).message}`;
          latencies.push(performance.now() - t0);
        }
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }),
    );
    const wallMs = performance.now() - started;
    // This script's own CPU (1,000 fetches): it shares the machine's two cores with the app and PostgreSQL.
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const overflowsAfter = listenOverflows();
    // CPU per request (app process, bench PostgreSQL): steadier than latency on a shared machine.
    const cpuAfter = cpuSnapshot(app.pids(), bench.postmasterPid);
    const perRequest = (ms: number) => Math.round((ms / sessions.length) * 100) / 100;
    latencies.sort((a, b) => a - b);
    shown.sort((a, b) => a - b);

    const { rows } = await db.raw(`SELECT status, count(*)::int AS n FROM reservations WHERE service_id = ? AND day = ? GROUP BY 1`, [service.id, day]);
    const byStatus = Object.fromEntries((rows as { status: string; n: number }[]).map((r) => [r.status, r.n]));
    const counter = (await db('reservation_counters').where({ service_id: service.id, day }).sum({ n: 'booked' }).first()) as { n: number | null };
    const result = {
      date: new Date().toISOString(),
      command: `npm run bench:rush -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      processes: APP_ARGS.processes,
      parents: sessions.length,
      capacity: service.capacity,
      day,
      seatsTaken: byStatus.booked ?? 0,
      counter: Number(counter?.n ?? 0),
      waitingListed: byStatus.waiting ?? 0,
      errors: sessions.length - (statuses.get('ok') ?? 0),
      answers: Object.fromEntries(statuses),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      maxMs: Math.round(latencies[latencies.length - 1] ?? 0),
      resultPageShown: FOLLOW ? { p50: percentile(shown, 50), p95: percentile(shown, 95), p99: percentile(shown, 99) } : null,
      wallMs: Math.round(wallMs),
      peakRssMb: app.peakRssMb(),
      appCpuMsPerRequest: perRequest(cpuAfter.app - cpuBefore.app),
      pgCpuMsPerRequest: perRequest(cpuAfter.pg - cpuBefore.pg),
      clientCpuMsPerRequest: perRequest((clientCpu.user + clientCpu.system) / 1000),
      firstAnswerMs: Math.round(latencies[0] ?? 0),
      /** Connections dropped by a full accept queue during the rush (each retried by its client a second later). */
      listenOverflows: overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore,
      loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    };
    console.table({
      'seats taken (DB)': `${result.seatsTaken} / ${result.capacity} (counter ${result.counter})`,
      'waiting-listed': result.waitingListed,
      errors: result.errors,
      'p50 / p95 / p99 ms': `${result.p50} / ${result.p95} / ${result.p99}`,
      ...(result.resultPageShown ? { 'result page shown p50 / p95 / p99 ms': `${result.resultPageShown.p50} / ${result.resultPageShown.p95} / ${result.resultPageShown.p99}` } : {}),
      'first / all answered in': `${result.firstAnswerMs} / ${result.wallMs} ms`,
      'connections dropped (accept queue full)': result.listenOverflows ?? 'n/a',
      'peak RSS': `${result.peakRssMb} MB`,
      [FOLLOW ? 'CPU ms per parent (POST + page) app / PG' : 'CPU ms per POST app / PG / this client']: `${result.appCpuMsPerRequest} / ${result.pgCpuMsPerRequest} / ${result.clientCpuMsPerRequest}`,
      'load average': result.loadAverage.join(' '),
    });
    console.log(`Written to ${writeResult(`rush-${isoDate()}${LABEL ? `-${LABEL}` : ''}`, result)}`);
    const ok = result.seatsTaken === service.capacity && result.counter === service.capacity && result.errors === 0 && result.seatsTaken + result.waitingListed === sessions.length;
    if (!ok) {
      console.error('The rush did not end with exactly the capacity booked, everyone else waiting and no error.');
      process.exitCode = 1;
    }
  } finally {
    await app.stop();
    await bench.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
