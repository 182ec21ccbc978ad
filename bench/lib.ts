// Shared by the benchmark scripts: options, the bench database, CPU from /proc, and the results
// (a table of figure / target / met, a JSON file, and bench/results/latest.json).
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { databaseUrl, startEmbeddedPostgres, type EmbeddedDb } from '../src/platform/embedded-db.js';
import { createLogger } from '../src/platform/logger.js';
import { ROOT, resolveDataDir } from '../src/platform/paths.js';

export { ROOT };

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
export const flag = (name: string) => process.argv.includes(`--${name}`);

/** The town's size: each size has its own database, so both can be kept side by side. */
export const HOUSEHOLDS = Number(arg('households', '5000'));
const LABEL = arg('label', '');
export const benchDbName = (households: number) => `portail_famille_bench_${households}`;

/** Every generated parent's and bench agent's password. */
export const BENCH_PASSWORD = 'Bench-parent-2026!';
/** Staff who use the admin pages in `npm run bench:staff`: agent1@bench.test … (second factor: the demo secret). */
export const BENCH_AGENTS = 5;
/** Generated households and accounts start here (the demo seeds' ids stay below). */
export const FIRST_ID = 100000;

/** The bench database's server: BENCH_DATABASE_URL's, or the embedded PostgreSQL under DATA_DIR. */
export async function benchServer(): Promise<{ serverUrl: string; embedded: EmbeddedDb | null }> {
  const base = process.env.BENCH_DATABASE_URL;
  if (base) return { serverUrl: databaseUrl(base, 'postgres'), embedded: null };
  const config = loadConfig({ ...process.env, NODE_ENV: 'development' });
  const embedded = await startEmbeddedPostgres({
    dataDir: resolveDataDir(config.DATA_DIR),
    port: config.EMBEDDED_PG_PORT,
    logger: createLogger('warn'),
    name: 'pg',
  });
  return { serverUrl: embedded.url, embedded };
}

// Days as 'YYYY-MM-DD' strings, as the app reads them.
pg.types.setTypeParser(1082, (v) => v);

/** A plain knex pool for the scripts' own statements (preparing scenarios, checking outcomes). */
const openDb = (url: string, poolMax = 4): Knex =>
  knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'bench' },
    pool: { min: 0, max: poolMax },
  });

export interface Bench {
  url: string;
  db: Knex;
  households: number;
  /** The cluster's postmaster (null for a server whose processes this machine cannot see). */
  postmasterPid: number | null;
  close(): Promise<void>;
}

/** The bench database of `--households N` (server started if embedded). */
export async function openBench(): Promise<Bench> {
  const { serverUrl, embedded } = await benchServer();
  const url = databaseUrl(serverUrl, benchDbName(HOUSEHOLDS));
  const db = openDb(url);
  let households = 0;
  try {
    const { rows } = await db.raw('SELECT count(*)::int AS n FROM households WHERE id >= ?', [FIRST_ID]);
    households = rows[0].n;
  } catch {
    households = 0;
  }
  if (!households) {
    await db.destroy();
    await embedded?.stop();
    throw new Error(
      `No bench town of ${HOUSEHOLDS} households: run \`npm run bench:data -- --households ${HOUSEHOLDS}\` first.`,
    );
  }
  return {
    url,
    db,
    households,
    postmasterPid: await postmasterOf((text) => db.raw(text)),
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}

/** The postmaster is the parent of the checkpointer, whose pid PostgreSQL tells. */
export async function postmasterOf(
  query: (sql: string) => Promise<{ rows: { pid: number }[] }>,
): Promise<number | null> {
  const { rows } = await query(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`);
  const ppid = rows[0] ? statFields(rows[0].pid)?.[1] : undefined;
  return ppid ? Number(ppid) : null;
}

/** Rebuilds dist/ when a source file is newer than the compiled server (the app runs compiled, as in the Dockerfile). */
export function ensureBuilt(): void {
  const compiled = path.join(ROOT, 'dist/src/server.js');
  const builtAt = existsSync(compiled) ? statSync(compiled).mtimeMs : 0;
  const newest = (dir: string): number => {
    let max = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      max = Math.max(
        max,
        entry.isDirectory() ? newest(p) : entry.name.endsWith('.ts') ? statSync(p).mtimeMs : 0,
      );
    }
    return max;
  };
  if (Math.max(...['src', 'migrations', 'seeds'].map((d) => newest(path.join(ROOT, d)))) <= builtAt) return;
  console.log('dist/ is older than the sources: npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0 || !existsSync(compiled)) throw new Error('npm run build failed');
}

/** At most `limit` calls of `fn` at once (logins: argon2 is meant to be slow). */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// ---------- CPU and memory from /proc ----------

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // the process ended meanwhile
  }
}
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU time (user + system, ms) of one process; with `reaped`, also that of its children that ended. */
function processCpuMs(pid: number | string, reaped = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  // utime, stime, cutime, cstime: fields 14 to 17 of the line (11 to 14 here).
  return (Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) * TICK_MS;
}

/** CPU used so far by the bench cluster: its postmaster, the backends it reaped and the live ones (ms). */
function postgresCpuMs(postmasterPid: number | null): number | null {
  if (postmasterPid === null) return null;
  let ms = processCpuMs(postmasterPid, true);
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && statFields(entry)?.[1] === String(postmasterPid)) ms += processCpuMs(entry);
  }
  return ms;
}

/** CPU of a process and of PostgreSQL between `start()` and `perRequest(n)`, in ms a request. */
export function cpuMeter(pid: () => number, postmasterPid: number | null) {
  let app = 0;
  let pgMs: number | null = 0;
  const start = () => {
    app = processCpuMs(pid());
    pgMs = postgresCpuMs(postmasterPid);
  };
  start();
  return {
    start,
    /** Totals in ms since start. */
    used() {
      const nowPg = postgresCpuMs(postmasterPid);
      return { app: processCpuMs(pid()) - app, pg: nowPg === null || pgMs === null ? null : nowPg - pgMs };
    },
  };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

// ---------- results ----------

export interface Check {
  figure: string;
  value: number | string;
  unit: string;
  /** '< 300', '= 100', or '' for a figure given for reference (CPU per request). */
  target: string;
  met: boolean | null;
}

export const below = (figure: string, value: number, limit: number, unit: string): Check => ({
  figure,
  value,
  unit,
  target: `< ${limit}`,
  met: value < limit,
});
export const atLeast = (figure: string, value: number, floor: number, unit: string): Check => ({
  figure,
  value,
  unit,
  target: `≥ ${floor}`,
  met: value >= floor,
});
export const exactly = (figure: string, value: number, expected: number, unit = ''): Check => ({
  figure,
  value,
  unit,
  target: `= ${expected}`,
  met: value === expected,
});
export const info = (figure: string, value: number | string | null, unit = ''): Check => ({
  figure,
  value: value ?? 'n/a',
  unit,
  target: '',
  met: null,
});

export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = execSync("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", { encoding: 'utf8' }).trim() || cpu;
  } catch {
    // keep os.cpus()'s answer
  }
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpu,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => round(l)),
  };
}

const RESULTS = path.join(ROOT, 'bench/results');
/** The one committed summary: the latest run of each scenario at each town size. */
const LATEST = path.join(RESULTS, 'latest.json');

/**
 * Prints the checks as a table, writes bench/results/<scenario>-<N>-<date>[-label].json (ignored
 * by git) and the scenario's entry of bench/results/latest.json. A target not met sets exit code 1.
 */
export function report(
  scenario: string,
  households: number,
  checks: Check[],
  details: Record<string, unknown> = {},
): void {
  console.log(`\n${scenario}, ${households.toLocaleString('en')} households`);
  console.table(
    checks.map((c) => ({
      figure: c.figure,
      value: `${typeof c.value === 'number' ? c.value.toLocaleString('en') : c.value}${c.unit ? ` ${c.unit}` : ''}`,
      target: c.target ? `${c.target}${c.unit ? ` ${c.unit}` : ''}` : '',
      met: c.met === null ? '' : c.met ? 'met' : 'NOT MET',
    })),
  );
  const entry = {
    scenario,
    households,
    date: new Date().toISOString(),
    command: `npm run ${process.env.npm_lifecycle_event ?? '?'} -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    checks,
  };
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(
    RESULTS,
    `${scenario}-${households}-${entry.date.slice(0, 10)}${LABEL ? `-${LABEL}` : ''}.json`,
  );
  writeFileSync(file, JSON.stringify({ ...entry, details }, null, 2) + '\n');
  const latest = existsSync(LATEST)
    ? (JSON.parse(readFileSync(LATEST, 'utf8')) as Record<string, unknown>)
    : {};
  latest[`${scenario} (${households} households)`] = entry;
  const sorted = Object.fromEntries(Object.entries(latest).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(LATEST, JSON.stringify(sorted, null, 2) + '\n');
  console.log(`Written to ${path.relative(ROOT, file)} and bench/results/latest.json`);
  if (checks.some((c) => c.met === false)) {
    console.error('Some targets were not met.');
    process.exitCode = 1;
  }
}
