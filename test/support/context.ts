// Each test file gets its own database cloned from the migrated template, a real app on it, a
// fixed clock and a real SMTP receiver. Nothing is mocked.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import pg from 'pg';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDeps } from '../../src/compose.js';
import type { AppDeps } from '../../src/deps.js';
import { FixedClock } from '../../src/platform/clock.js';
import { createDb, type Db } from '../../src/platform/db.js';
import { databaseUrl } from '../../src/platform/embedded-db.js';
import { sendPendingEmails, smtpMailer } from '../../src/platform/email.js';
import { createLogger } from '../../src/platform/logger.js';
import { runSeeds } from '../../src/platform/seeds.js';
import { clearTownCache } from '../../src/platform/town.js';
import { SmtpReceiver } from './smtp.js';

export interface TestContext {
  app: App;
  deps: AppDeps;
  db: Db;
  clock: FixedClock;
  smtp: SmtpReceiver;
  databaseUrl: string;
  config: Config;
  /** Sends the outbox now (the worker would do it within seconds). */
  flushEmails(): Promise<number>;
  /** A new app on the same database and deps (e.g. to simulate a restart). */
  newApp(): App;
  close(): Promise<void>;
}

export interface ContextOptions {
  now?: string;
  env?: Record<string, string>;
  /** Load the seeds: the demo town (schools, streets, calendar, services, document types, rates) and the demo accounts. Default true. */
  seed?: boolean;
  /** Also the demo families (households, documents, enrolments, bookings, invoices). Default false: tests build their own. */
  demo?: boolean;
}

export async function createDatabase(): Promise<string> {
  const server = inject('pgServerUrl');
  const template = inject('templateDb');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(server, name);
}

export async function createTestContext(opts: ContextOptions = {}): Promise<TestContext> {
  const url = await createDatabase();
  const smtp = new SmtpReceiver();
  const smtpUrl = await smtp.start();
  // Uploaded files of this test file go to a folder of its own, removed at the end.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pf-test-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DEMO_FAMILIES: opts.demo ? 'true' : 'false',
    DATABASE_URL: url,
    BASE_URL: 'http://portail.test',
    SMTP_URL: smtpUrl,
    LOG_LEVEL: 'silent',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_ITERATIONS: '1',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000',
    RATE_LIMIT_LOGIN_PER_IP: '1000',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-1234',
    ...opts.env,
  });
  const db = createDb(url, 10);
  const clock = new FixedClock(opts.now ?? '2026-09-14T08:00:00Z');
  const mailer = smtpMailer(smtpUrl);
  const deps = createDeps({
    config,
    db,
    logger: createLogger('silent'),
    clock,
    mailer,
    sessionSecret: config.SESSION_SECRET!,
  });
  clearTownCache();
  if (opts.seed !== false) await runSeeds(deps);
  const apps: App[] = [];
  const newApp = () => {
    const a = createApp(deps);
    apps.push(a);
    return a;
  };
  const app = newApp();
  return {
    app,
    deps,
    db,
    clock,
    smtp,
    config,
    databaseUrl: url,
    newApp,
    flushEmails: () => sendPendingEmails({ db, mailer, clock, logger: deps.logger, from: config.MAIL_FROM }),
    async close() {
      for (const a of apps) await a.close();
      mailer.transporter.close();
      await db.destroy();
      await smtp.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
