// Gets a database (embedded or DATABASE_URL), migrates it, and builds the app's dependencies.
// Shared by the server, the worker and the command-line tools.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { createDeps } from './compose.js';
import type { AppDeps } from './deps.js';
import { systemClock, type Clock } from './platform/clock.js';
import { createDb, migrateLatest, type Db } from './platform/db.js';
import { smtpMailer, smtpTimeoutsOf } from './platform/email.js';
import { startEmbeddedPostgres, databaseUrl, type EmbeddedDb } from './platform/embedded-db.js';
import { createLogger, type Logger } from './platform/logger.js';
import { resolveDataDir } from './platform/paths.js';

export interface Platform {
  deps: AppDeps;
  embedded: EmbeddedDb | null;
  databaseUrl: string;
  close(): Promise<void>;
}

/** The session secret: from the configuration, else generated once and kept under DATA_DIR. */
function sessionSecretFor(config: Config): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  const dir = resolveDataDir(config.DATA_DIR);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'session-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function getDatabase(
  config: Config,
  logger: Logger,
): Promise<{ url: string; embedded: EmbeddedDb | null }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: null };
  const embedded = await startEmbeddedPostgres({
    dataDir: resolveDataDir(config.DATA_DIR),
    port: config.EMBEDDED_PG_PORT,
    logger,
  });
  const client = embedded.server.getPgClient();
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'portail_famille'");
  if (exists.rowCount === 0) await client.query('CREATE DATABASE portail_famille');
  await client.end();
  return { url: databaseUrl(embedded.url, 'portail_famille'), embedded };
}

export async function startPlatform(
  config: Config,
  opts: { clock?: Clock; logger?: Logger; migrate?: boolean; poolMax?: number } = {},
): Promise<Platform> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const { url, embedded } = await getDatabase(config, logger);
  // 8 by default: on a small machine more backends only take turns on the same cores, and cost
  // more PostgreSQL CPU a page. Enough for the worker's invoicing run (a transaction and 4 PDFs at
  // once) to leave pages room; raise it with the database's cores.
  const db: Db = createDb(url, opts.poolMax ?? config.DATABASE_POOL_MAX);
  try {
    if (opts.migrate !== false) {
      const ran = await migrateLatest(db);
      if (ran.length) logger.info({ migrations: ran.length }, 'database migrated');
    }
  } catch (err) {
    await db.destroy();
    await embedded?.stop();
    throw err;
  }
  const deps = createDeps({
    config,
    db,
    logger,
    clock: opts.clock ?? systemClock,
    mailer: config.SMTP_URL ? smtpMailer(config.SMTP_URL, smtpTimeoutsOf(config)) : null,
    sessionSecret: sessionSecretFor(config),
  });
  return {
    deps,
    embedded,
    databaseUrl: url,
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}
