// Shared by the benchmark scripts: where the bench database lives and how to reach it.
import { loadConfig } from '../src/config.js';
import { databaseUrl, startEmbeddedPostgres, type EmbeddedDb } from '../src/platform/embedded-db.js';
import { createLogger } from '../src/platform/logger.js';
import { ROOT, resolveDataDir } from '../src/platform/paths.js';
import { createDb, type Db } from '../src/platform/db.js';
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execSync, spawnSync } from 'node:child_process';

export const BENCH_DB = 'portail_famille_bench';
/** Every generated parent's password. */
export const BENCH_PASSWORD = 'Bench-parent-2026!';

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

export const benchDatabaseUrl = (serverUrl: string) => databaseUrl(serverUrl, BENCH_DB);

export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = execSync("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", { encoding: 'utf8' }).trim() || cpu;
  } catch {
    // keep os.cpus()'s answer
  }
  return { node: process.version, cpus: os.cpus().length, cpu, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` };
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Rebuilds dist/ when a source file is newer than the compiled server (the benchmarks run the compiled app). */
export function ensureBuilt(): void {
  const root = ROOT;
  const compiled = path.join(root, 'dist/src/server.js');
  const builtAt = existsSync(compiled) ? statSync(compiled).mtimeMs : 0;
  const newest = (dir: string): number => {
    let max = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      max = Math.max(max, entry.isDirectory() ? newest(p) : entry.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
    }
    return max;
  };
  const sources = Math.max(...['src', 'migrations', 'seeds'].map((d) => newest(path.join(root, d))));
  if (sources <= builtAt) return;
  console.log('dist/ is older than the sources: npm run build');
  // tsc still emits when someone else's work in progress has a type error: report it, carry on.
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (!existsSync(compiled)) throw new Error('npm run build produced no dist/src/server.js');
  if (build.status !== 0) console.warn('npm run build reported errors (see above); the benchmark runs what was emitted.');
}

/** The bench database (server started if embedded), with a knex pool for preparing scenarios. */
export async function openBench(): Promise<{ url: string; db: Db; postmasterPid: number | null; close(): Promise<void> }> {
  const { serverUrl, embedded } = await benchServer();
  const url = benchDatabaseUrl(serverUrl);
  const db = createDb(url, 4);
  try {
    await db.raw('SELECT 1 FROM households WHERE id >= 100000 LIMIT 1');
  } catch {
    await db.destroy();
    await embedded?.stop();
    throw new Error(`No bench database: run \`npm run bench:data -- --households 5000\` first.`);
  }
  const { rows } = await db.raw('SELECT count(*)::int AS n FROM households WHERE id >= 100000');
  if (!rows[0].n) throw new Error('The bench database has no households: run `npm run bench:data` first.');
  // The embedded server's postmaster (first line of postmaster.pid): the load bench counts its CPU.
  let postmasterPid: number | null = null;
  try {
    if (embedded) postmasterPid = Number(readFileSync(path.join(embedded.dir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    postmasterPid = null;
  }
  return {
    url,
    db,
    postmasterPid,
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}


/** Writes a result file under bench/results/ and returns its path. */
export function writeResult(name: string, data: unknown): string {
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return path.relative(ROOT, file);
}

export const isoDate = () => new Date().toISOString().slice(0, 10);

/** utime + stime of a process (a PostgreSQL backend), in ms from /proc (10 ms ticks: read over many runs). */
export function backendCpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}
