// npx tsx bench/explain-search.ts [--terms 'Lefèvre,dubo,…'] [--runs 200] [--mode auto] [--analyze] [--set enable_hashjoin=off]
//   [--migrate | --rollback 20261206100000_perf_household_search_phones_trgm]
// The staff household search (searchHouseholds, GET /admin/households?q=…) on the bench database,
// as the app sends it (caught from knex's query event): for each term, the backend's own CPU per
// execution (from /proc, 10 ms ticks: use many runs), prepared as the pool runs it (named, so
// --mode: plan_cache_mode, auto as the app), and with --analyze the EXPLAIN (ANALYZE, BUFFERS) of
// the generic and the custom plan. --migrate brings the bench database to the latest migration (the
// load bench does when its app starts), --rollback <name> undoes one (to measure before/after).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { searchHouseholds } from '../src/households/repository.js';
import { migrateLatest } from '../src/platform/db.js';
import { MIGRATIONS_DIR } from '../src/platform/paths.js';
import { arg, backendCpuMs, openBench } from './lib.js';

// The load bench's term, a surname fragment, a family number fragment, an email fragment, 4 and 6
// digits of a phone, a 2-letter term, a term found nowhere.
const TERMS = arg('terms', 'Lefèvre,dubo,SB-0012,nt123@,0612,061200,le,zzzzzz').split(',');
const RUNS = Number(arg('runs', '200'));
const MODES = arg('mode', 'auto').split(',');
const ANALYZE = process.argv.includes('--analyze');
const SETTINGS = arg('set', '').split(',').filter(Boolean);
const ROLLBACK = arg('rollback', '');
const PAGE_SIZE = 25;

const lit = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

const bench = await openBench();
const { db } = bench;
try {
  if (process.argv.includes('--migrate')) console.log('migrated:', await migrateLatest(db));
  if (ROLLBACK) {
    // knex wants every migration of the table in its source: the same list as src/platform/db.ts's.
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
    const migrationSource = {
      getMigrations: async () => files,
      getMigrationName: (f: string) => f.replace(/\.(ts|js)$/, ''),
      getMigration: async (f: string) => (await import(pathToFileURL(path.join(MIGRATIONS_DIR, f)).href)) as Knex.Migration,
    };
    console.log('rolled back:', await db.migrate.down({ migrationSource, name: ROLLBACK }));
  }
  // The statement's text and bindings for each term, as the app sends them.
  const statements: { term: string; count: number; sql: string; bindings: unknown[] }[] = [];
  for (const term of TERMS) {
    let captured: { sql: string; bindings: unknown[] } | undefined;
    const listener = (q: { sql: string; bindings: unknown[] }) => (captured ??= q);
    db.on('query', listener);
    const { count } = await searchHouseholds(db, term, 1, PAGE_SIZE);
    db.off('query', listener);
    statements.push({ term, count, ...captured! });
  }
  const texts = [...new Set(statements.map((s) => s.sql))];

  await db.transaction(async (tx: Knex.Transaction) => {
    const { rows: pidRows } = await tx.raw('SELECT pg_backend_pid() AS pid');
    const pid = pidRows[0].pid as number;
    for (const setting of SETTINGS) await tx.raw(`SET LOCAL ${setting}`);
    for (const [i, text] of texts.entries()) await tx.raw(`PREPARE search${i} AS ${text}`);
    const exec = (s: (typeof statements)[number]) => `EXECUTE search${texts.indexOf(s.sql)}(${s.bindings.map(lit).join(', ')})`;
    for (const mode of MODES) {
      await tx.raw(`SET LOCAL plan_cache_mode = ${mode}`);
      console.log(`\n${mode}:`);
      for (const s of statements) {
        // Each term alone, as the load bench sends it (auto: the 5 custom plans, then maybe the generic one).
        for (let i = 0; i < 10; i++) await tx.raw(exec(s));
        const before = backendCpuMs(pid);
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < RUNS; i++) await tx.raw(exec(s));
        const wall = Number(process.hrtime.bigint() - t0) / 1e6 / RUNS;
        console.log(`  ${JSON.stringify(s.term).padEnd(12)} ${String(s.count).padStart(5)} found  backend CPU ${((backendCpuMs(pid) - before) / RUNS).toFixed(3)} ms/exec, wall ${wall.toFixed(3)} ms`);
        // The next term starts from fresh plans.
        await tx.raw(`DEALLOCATE search${texts.indexOf(s.sql)}`);
        await tx.raw(`PREPARE search${texts.indexOf(s.sql)} AS ${s.sql}`);
      }
    }
    if (ANALYZE) {
      for (const s of statements) {
        for (const mode of ['force_generic_plan', 'force_custom_plan']) {
          await tx.raw(`SET LOCAL plan_cache_mode = ${mode}`);
          const { rows } = await tx.raw(`EXPLAIN (ANALYZE, BUFFERS, SUMMARY) ${exec(s)}`);
          console.log(`\n===== ${JSON.stringify(s.term)} (${s.count} found), ${mode}`);
          console.log(rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
        }
      }
    }
    for (const i of texts.keys()) await tx.raw(`DEALLOCATE search${i}`);
  });
} finally {
  await bench.close();
}
