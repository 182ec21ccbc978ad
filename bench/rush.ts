// npm run bench:rush -- [--households 5000] [--parents 1000] [--follow] [--label x] [--cpu-prof]
// The opening of holiday bookings: parents of distinct households (real sessions, logged in
// beforehand) all try to book the same day of a holiday centre (100 seats) at the instant bookings
// open, each from their own connection, with "waiting list if full". The database is checked
// afterwards: exactly the capacity booked, everyone else waiting. The latency is the POST's answer
// (with --follow, until the page it redirects to is shown).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { Knex } from 'knex';
import { httpRequest, Session, startBenchApp } from './harness.js';
import {
  BENCH_PASSWORD,
  FIRST_ID,
  arg,
  below,
  cpuMeter,
  exactly,
  flag,
  info,
  mapLimit,
  openBench,
  percentile,
  report,
  round,
} from './lib.js';

const PARENTS = Number(arg('parents', '1000'));
const FOLLOW = flag('follow');
/** The idle timer is written at most once a minute: parents who waited that long on the page also move it with their click. */
const WAITED_MS = 65_000;

/** Connections the kernel dropped because an accept queue was full (Linux, whole machine). */
function listenOverflows(): number | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    return Number(lines[1]!.split(/\s+/)[lines[0]!.split(/\s+/).indexOf('ListenOverflows')]);
  } catch {
    return null;
  }
}

/** The first district's holiday centre, a holiday weekday whose deadline is ahead, and a child of each of PARENTS households of its schools, enrolled. */
async function prepare(db: Knex) {
  const service = (await db('services')
    .where('name', 'like', 'Bench – centre de loisirs des vacances%')
    .orderBy('id')
    .first('id', 'capacity')) as { id: number; capacity: number } | undefined;
  if (!service) throw new Error('no bench holiday centre: run npm run bench:data');
  // A weekday of the next holidays at least 10 days away (the deadline is 7 days before, at noon).
  const { rows: days } = await db.raw(
    `SELECT d::date AS day FROM calendar_periods p, generate_series(p.starts_on, p.ends_on, interval '1 day') d
      WHERE p.kind = 'holiday' AND d::date >= current_date + 10 AND extract(isodow FROM d) BETWEEN 1 AND 5
        AND NOT EXISTS (SELECT 1 FROM calendar_periods ph WHERE ph.kind = 'public_holiday' AND d::date BETWEEN ph.starts_on AND ph.ends_on)
      ORDER BY 1 LIMIT 1`,
  );
  const day = (days[0] as { day: string } | undefined)?.day;
  if (!day) throw new Error('no holiday day ahead in the calendar');
  const { rows } = await db.raw(
    `SELECT DISTINCT ON (hm.household_id) hm.household_id, m.id AS child_id, a.email
       FROM household_members hm JOIN members m ON m.id = hm.member_id AND m.kind = 'child'
       JOIN service_schools ss ON ss.school_id = m.school_id AND ss.service_id = ?
       JOIN household_accounts ha ON ha.household_id = hm.household_id JOIN accounts a ON a.id = ha.account_id
      WHERE hm.household_id >= ? ORDER BY hm.household_id, m.id LIMIT ?`,
    [service.id, FIRST_ID, PARENTS],
  );
  const parents = rows as { household_id: number; child_id: number; email: string }[];
  if (parents.length < PARENTS)
    throw new Error(
      `only ${parents.length} households at the centre's schools: --parents ${parents.length} or a bigger town`,
    );
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
  await db('services')
    .where({ id: service.id })
    .update({ booking_opens_at: new Date(Date.now() + 3600_000) });
  return { service, day, parents };
}

async function main() {
  const bench = await openBench();
  const { db } = bench;
  const { service, day, parents } = await prepare(db);
  const app = await startBenchApp(bench.url);
  try {
    console.log(`Logging ${parents.length} parents in (argon2, a few at a time)…`);
    const sessions = await mapLimit(parents, 4, async (p) => {
      const session = await new Session(app.baseUrl).login(p.email, BENCH_PASSWORD);
      await session.csrf('/reservations');
      return { ...p, session };
    });
    console.log(`Parents wait on the booking page for ${WAITED_MS / 1000} s…`);
    await new Promise((r) => setTimeout(r, WAITED_MS));
    // The opening instant: from now on the app's rules let parents book.
    await db('services').where({ id: service.id }).update({ booking_opens_at: new Date() });
    console.log(`Bookings open; ${sessions.length} parents click.`);
    app.resetPeakRss();
    const cpu = cpuMeter(() => app.pid, bench.postmasterPid);
    const clientCpu = process.cpuUsage();
    const overflowsBefore = listenOverflows();
    const latencies: number[] = [];
    const shown: number[] = [];
    const answers = new Map<string, number>();
    const started = performance.now();
    await Promise.all(
      sessions.map(async (p) => {
        const t0 = performance.now();
        let key: string;
        // Each parent's own connection (their browser), kept for the page the answer redirects to.
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const body = new URLSearchParams({
            _csrf: p.session.csrfToken,
            slots: `${p.child_id}:${service.id}:${day}`,
            waitlist: '1',
            return_to: '/reservations',
          }).toString();
          const res = await httpRequest(`${app.baseUrl}/reservations`, {
            method: 'POST',
            body,
            agent,
            headers: p.session.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
          });
          latencies.push(performance.now() - t0);
          key =
            res.status === 303 && res.location && !res.location.startsWith('/login')
              ? 'ok'
              : `HTTP ${res.status}`;
          if (FOLLOW && key === 'ok') {
            const page = await httpRequest(new URL(res.location!, app.baseUrl).href, {
              agent,
              headers: p.session.headers(),
            });
            if (page.status === 200) shown.push(performance.now() - t0);
            else key = `result page HTTP ${page.status}`;
          }
        } catch (err) {
          key = `network: ${(err as Error).message}`;
          latencies.push(performance.now() - t0);
        }
        agent.destroy();
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }),
    );
    const wallMs = performance.now() - started;
    const used = cpu.used();
    const client = process.cpuUsage(clientCpu);
    const overflowsAfter = listenOverflows();
    latencies.sort((a, b) => a - b);
    shown.sort((a, b) => a - b);

    const { rows } = await db.raw(
      `SELECT status, count(*)::int AS n FROM reservations WHERE service_id = ? AND day = ? GROUP BY 1`,
      [service.id, day],
    );
    const byStatus = Object.fromEntries(
      (rows as { status: string; n: number }[]).map((r) => [r.status, r.n]),
    );
    const counter = (await db('reservation_counters')
      .where({ service_id: service.id, day })
      .sum({ n: 'booked' })
      .first()) as { n: number | null };
    const n = sessions.length;
    report(
      'rush',
      bench.households,
      [
        exactly('seats booked (in the database)', byStatus.booked ?? 0, service.capacity),
        exactly('seat counter', Number(counter?.n ?? 0), service.capacity),
        exactly('waiting-listed', byStatus.waiting ?? 0, n - service.capacity),
        exactly('errors', n - (answers.get('ok') ?? 0), 0),
        below('p95 of the POST answers', percentile(latencies, 95), 2000, 'ms'),
        ...(FOLLOW ? [below('p95 until the result page is shown', percentile(shown, 95), 2000, 'ms')] : []),
        below('peak RSS of the app', app.peakRssMb(), 250, 'MB'),
        info('p50 / p99', `${percentile(latencies, 50)} / ${percentile(latencies, 99)}`, 'ms'),
        info('first answer / all answered', `${Math.round(latencies[0] ?? 0)} / ${Math.round(wallMs)}`, 'ms'),
        info(
          `app / PostgreSQL CPU per ${FOLLOW ? 'parent (POST and page)' : 'click'}`,
          `${round(used.app / n, 2)} / ${used.pg === null ? 'n/a' : round(used.pg / n, 2)}`,
          'ms',
        ),
        info('bench client CPU per click', round((client.user + client.system) / 1000 / n, 2), 'ms'),
        info(
          'connections dropped (accept queue full)',
          overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore,
        ),
      ],
      {
        parents: n,
        capacity: service.capacity,
        day,
        answers: Object.fromEntries(answers),
        byStatus,
        wallMs: Math.round(wallMs),
        cpuMs: used,
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
