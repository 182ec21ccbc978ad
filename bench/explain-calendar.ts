// npx tsx bench/explain-calendar.ts [--page agenda|booking] [--month 2026-12] [--households 6] [--runs 200] [--mode force_generic_plan] [--analyze]
// The statements of a parent's month agenda (/children/:id/agenda), or with --page booking of the
// booking page (/reservations: every child's calendars, households of 2–3 children), on the bench database, as the
// app sends them (caught from knex's query event while the page's reads run for a few bench
// households): the backend's own CPU per execution of each (from /proc, 10 ms ticks: use many
// runs), prepared as the pool runs them (--mode: plan_cache_mode, auto as the app), and with --analyze the EXPLAIN (ANALYZE, BUFFERS) of each.
import type { Knex } from 'knex';
import { createDeps } from '../src/deps.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/platform/logger.js';
import { monthBounds, systemClock } from '../src/platform/clock.js';
import { childrenOfHousehold } from '../src/households/access.js';
import { createReservationsService } from '../src/reservations/service.js';
import * as repo from '../src/reservations/repository.js';
import { bookingPrices } from '../src/billing/pricing.js';
import { arg, backendCpuMs, openBench } from './lib.js';

const HOUSEHOLDS = Number(arg('households', '6'));
const RUNS = Number(arg('runs', '200'));
const MONTH = arg('month', '2026-12');
const ANALYZE = process.argv.includes('--analyze');
const MODE = arg('mode', 'auto');
const BOOKING = arg('page', 'agenda') === 'booking';

/** A binding as an SQL literal for EXECUTE (arrays as '{…}', which the prepared types cast). */
function lit(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `'${v.toISOString()}'`;
  if (Array.isArray(v)) return `'{${v.map((x) => String(x)).join(',')}}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}

const bench = await openBench();
const { db } = bench;
try {
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' });
  const deps = createDeps({ config, db, logger: createLogger('warn'), clock: systemClock, mailer: null, sessionSecret: 'x'.repeat(40) });
  const reservations = createReservationsService(deps);
  // The booking page: households of 2–3 children (the statements differ by the list, not its length).
  const children = BOOKING ? `(SELECT count(*) FROM household_members hm JOIN members m ON m.id = hm.member_id WHERE hm.household_id = h.id AND m.kind = 'child' AND m.deleted_at IS NULL) BETWEEN 2 AND 3` : 'true';
  const { rows: hs } = (await db.raw(
    `SELECT h.id, (SELECT min(e.child_id) FROM enrolments e JOIN services s ON s.id = e.service_id WHERE e.household_id = h.id AND s.kind = 'canteen') AS child_id
       FROM households h WHERE h.id >= 100000 AND ${children} ORDER BY (h.id * 7919) % 5003 LIMIT ?`,
    [HOUSEHOLDS * 3],
  )) as { rows: { id: number; child_id: number | null }[] };
  const households = hs.filter((h) => h.child_id).slice(0, HOUSEHOLDS);
  const { from, to } = monthBounds(MONTH);
  const today = new Date().toISOString().slice(0, 10);

  // The page's reads, as renderBookingPage runs them, with their statements caught.
  const statements: { sql: string; bindings: unknown[] }[][] = [];
  for (const h of households) {
    const caught: { sql: string; bindings: unknown[] }[] = [];
    const listener = (q: { sql: string; bindings: unknown[] }) => caught.push({ sql: q.sql, bindings: q.bindings ?? [] });
    db.on('query', listener);
    const all = await childrenOfHousehold(db, h.id);
    const children = BOOKING ? all : all.filter((c) => c.id === h.child_id);
    const calendars = await reservations.monthCalendars({ householdId: h.id, children, month: MONTH });
    if (!BOOKING) await repo.agendaFacts(db, h.id, h.child_id!, from, to);
    await bookingPrices(db, h.id, calendars.flatMap((c) => c.calendars.map((cal) => cal.service.id)), MONTH, today);
    db.off('query', listener);
    statements.push(caught);
  }

  await db.transaction(async (tx: Knex.Transaction) => {
    const { rows: pidRows } = await tx.raw('SELECT pg_backend_pid() AS pid');
    const pid = pidRows[0].pid as number;
    await tx.raw(`SET LOCAL plan_cache_mode = ${MODE}`);
    let total = 0;
    for (const [i, first] of statements[0]!.entries()) {
      const runs = statements.map((s) => s[i]).filter((s): s is { sql: string; bindings: unknown[] } => s?.sql === first.sql);
      await tx.raw(`PREPARE st AS ${first.sql}`);
      const exec = (s: { bindings: unknown[] }) => (s.bindings.length ? `EXECUTE st(${s.bindings.map(lit).join(', ')})` : 'EXECUTE st');
      for (const s of runs) await tx.raw(exec(s)); // warm
      const before = backendCpuMs(pid);
      for (let r = 0; r < RUNS; r++) await tx.raw(exec(runs[r % runs.length]!));
      const cpu = (backendCpuMs(pid) - before) / RUNS;
      total += cpu;
      const { rows: plans } = (await tx.raw(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'st'`)) as { rows: { generic_plans: number; custom_plans: number }[] };
      console.log(`#${i} backend CPU ${cpu.toFixed(3)} ms/exec  plans generic ${plans[0]!.generic_plans} custom ${plans[0]!.custom_plans}  ${first.sql.replace(/\s+/g, ' ').slice(0, 110)}`);
      if (ANALYZE) {
        const { rows } = await tx.raw(`EXPLAIN (ANALYZE, BUFFERS, SUMMARY) ${exec(runs[1] ?? runs[0]!)}`);
        console.log(rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n') + '\n');
      }
      await tx.raw('DEALLOCATE st');
    }
    console.log(`total ${total.toFixed(3)} ms over ${statements[0]!.length} statements`);
  });
} finally {
  await bench.close();
}
