// npx tsx bench/explain-dashboard.ts [--day 2026-12-05] [--households 6] [--runs 200] [--part estimate] [--analyze]
// The parent dashboard's statement on the bench database, prepared as the app sends it: the
// backend's own CPU per execution (from /proc, 10 ms ticks: use many runs) under plan_cache_mode
// custom / generic / auto, and with --analyze the EXPLAIN (ANALYZE, BUFFERS) of both plans, for a
// few bench households on `--day` (the dashboard's today). `--part name` keeps one column of the
// statement (children, reservations, expiring, missing, invoices, openRequests, storedEstimate,
// estimateRows: the stored estimate if valid, else the rows to compute it; migration 20261206090000).
import type { Knex } from 'knex';
import { dashboardReads } from '../src/households/repository.js';
import { addDays } from '../src/platform/days.js';
import { monthBounds } from '../src/platform/clock.js';
import { arg, backendCpuMs, openBench } from './lib.js';

const HOUSEHOLDS = Number(arg('households', '6'));
const RUNS = Number(arg('runs', '200'));
const PART = arg('part', '');
const DAY = arg('day', '2026-11-25');
const ANALYZE = process.argv.includes('--analyze');

const bench = await openBench();
const { db } = bench;
try {
  const { rows: hs } = await db.raw(
    `SELECT h.id, ha.account_id FROM households h JOIN household_accounts ha ON ha.household_id = h.id
      WHERE h.id >= 100000 ORDER BY (h.id * 7919) % 5003 LIMIT ?`,
    [HOUSEHOLDS],
  );
  const month = DAY.slice(0, 7);
  const { from, to } = monthBounds(month);
  const paramsOf = (h: { id: number; account_id: number }) => ({ householdId: h.id, accountId: h.account_id, day: DAY, in30: addDays(DAY, 30), month, monthFrom: from, monthTo: to });

  // The statement's text as the app sends it: caught from knex's query event.
  let captured: { sql: string; bindings: unknown[] } | undefined;
  const listener = (q: { sql: string; bindings: unknown[] }) => (captured ??= q);
  db.on('query', listener);
  await dashboardReads(db, paramsOf(hs[0]));
  db.off('query', listener);
  let { sql } = captured!;
  const template = captured!.bindings;
  // Which binding is which parameter: the first household's values (all distinct).
  const p0 = paramsOf(hs[0]) as Record<string, unknown>;
  const slot = template.map((b) => Object.keys(p0).find((k) => p0[k] === b) ?? null);
  // (the others are constants of the text: statuses, limits)
  let bindingsOf = (h: { id: number; account_id: number }) => {
    const p = paramsOf(h) as Record<string, unknown>;
    return template.map((b, i) => (slot[i] ? p[slot[i]!] : b));
  };
  if (PART) {
    // One column of the SELECT: cut the text at the part's column and keep its bindings.
    const cols = [...sql.matchAll(/\(SELECT coalesce\(json_agg\(t\), '\[\]'::json\) FROM \(/g)].map((m) => m.index!);
    const names = [...sql.matchAll(/\) t\) AS "([a-zA-Z]+)"/g)].map((m) => m[1]!);
    const i = names.indexOf(PART);
    if (i < 0) throw new Error(`no part ${PART}: ${names.join(', ')}`);
    const start = cols[i]!;
    const end = sql.indexOf(`AS "${PART}"`) + `AS "${PART}"`.length;
    // The text comes with $n placeholders (knex numbered them): renumber the part's from $1.
    const used = [...sql.slice(start, end).matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    const first = Math.min(...used);
    sql = `SELECT ${sql.slice(start, end).replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) - first + 1}`)}`;
    const all = bindingsOf;
    bindingsOf = (h) => all(h).slice(first - 1, Math.max(...used));
  }
  const native = sql;

  await db.transaction(async (tx: Knex.Transaction) => {
    const { rows: pidRows } = await tx.raw('SELECT pg_backend_pid() AS pid');
    const pid = pidRows[0].pid as number;
    await tx.raw(`PREPARE dash AS ${native}`);
    const lit = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v)}'`);
    const exec = (h: { id: number; account_id: number }) => `EXECUTE dash(${bindingsOf(h).map(lit).join(', ')})`;
    for (const mode of ['force_custom_plan', 'force_generic_plan', 'auto']) {
      await tx.raw(`SET LOCAL plan_cache_mode = ${mode}`);
      for (const h of hs) await tx.raw(exec(h)); // warm
      const before = backendCpuMs(pid);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < RUNS; i++) await tx.raw(exec(hs[i % hs.length]));
      const wall = Number(process.hrtime.bigint() - t0) / 1e6 / RUNS;
      console.log(`${mode}: backend CPU ${((backendCpuMs(pid) - before) / RUNS).toFixed(3)} ms/exec, wall ${wall.toFixed(3)} ms`);
    }
    if (ANALYZE) {
      for (const mode of ['force_generic_plan', 'force_custom_plan']) {
        await tx.raw(`SET LOCAL plan_cache_mode = ${mode}`);
        const { rows } = await tx.raw(`EXPLAIN (ANALYZE, BUFFERS, SUMMARY) ${exec(hs[1] ?? hs[0])}`);
        console.log(`\n===== ${mode} (household ${(hs[1] ?? hs[0]).id})`);
        console.log(rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
      }
    }
    await tx.raw('DEALLOCATE dash');
  });
} finally {
  await bench.close();
}
