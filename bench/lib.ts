// Shared by the benchmark scripts: where the bench database lives and how to reach it.
import { loadConfig } from '../src/config.js';
import { databaseUrl, startEmbeddedPostgres, type EmbeddedDb } from '../src/platform/embedded-db.js';
import { createLogger } from '../src/platform/logger.js';
import { resolveDataDir } from '../src/platform/paths.js';
import os from 'node:os';
import { execSync } from 'node:child_process';

export const BENCH_DB = 'portail_famille_bench';

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
