// One PostgreSQL for the whole run (embedded, or the server of DATABASE_URL) and one migrated
// template database; every test file clones its own database from it (test/support/context.ts).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createDb, migrateLatest } from '../../src/platform/db.js';
import {
  databaseUrl,
  freePort,
  startEmbeddedPostgres,
  type EmbeddedDb,
} from '../../src/platform/embedded-db.js';
import { createLogger } from '../../src/platform/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDb: string;
  }
}

let embedded: EmbeddedDb | null = null;
let embeddedDir: string | null = null;

export default async function setup(project: TestProject) {
  const logger = createLogger('warn');
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    serverUrl = databaseUrl(process.env.DATABASE_URL, 'postgres');
  } else {
    // A throwaway cluster in a folder the postgres user can reach, deleted at the end.
    const dataDir = `/var/tmp/portail-famille-test-${process.pid}-${randomBytes(3).toString('hex')}`;
    embeddedDir = dataDir;
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), logger, persistent: false });
    serverUrl = embedded.url;
  }
  const templateDb = `pf_template_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${templateDb}`);
  const db = createDb(databaseUrl(serverUrl, templateDb), 2);
  await migrateLatest(db);
  await db.destroy();
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    try {
      // Drop the template and every database cloned from it (named after it).
      const { rows } = await admin.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [templateDb],
      );
      for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    } finally {
      await admin.end();
      await embedded?.stop();
      // The cluster removes its own folder; this is the one it was made in.
      if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
    }
  };
}
