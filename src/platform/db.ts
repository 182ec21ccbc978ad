// Knex over pg. Dates (`date` columns) come back as 'YYYY-MM-DD' strings, bigints as numbers
// (ids and cents stay far below 2^53), and migrations are loaded from migrations/ by import.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { MIGRATIONS_DIR } from './paths.js';

export type Db = Knex;
export type Tx = Knex.Transaction;
/** Anything that runs queries: the pool or a transaction. */
export type Queryable = Knex | Knex.Transaction;

pg.types.setTypeParser(1082, (v: string) => v); // date → 'YYYY-MM-DD'
pg.types.setTypeParser(20, (v: string) => Number(v)); // int8 → number (counts, ids)

export function createDb(url: string, poolMax = 10): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'portail-famille' },
    pool: { min: 0, max: poolMax },
  });
}

const migrationExt = /\.(ts|js)$/;

class ImportMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return readdirSync(MIGRATIONS_DIR)
      .filter((f) => migrationExt.test(f) && !f.endsWith('.d.ts'))
      .sort();
  }
  getMigrationName(file: string): string {
    return file.replace(migrationExt, '');
  }
  async getMigration(file: string): Promise<Knex.Migration> {
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as Knex.Migration;
  }
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, log] = (await db.migrate.latest({ migrationSource: new ImportMigrationSource() })) as [
    number,
    string[],
  ];
  return log;
}

/** SQLSTATE codes a caller may retry (serialization failure, deadlock). */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '40001' || code === '40P01';
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && (!constraint || e.constraint === constraint);
}

/** Runs fn in a transaction, retrying on serialization failures and deadlocks. */
export async function withTransaction<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  opts: { isolationLevel?: 'serializable' | 'repeatable read' | 'read committed'; retries?: number } = {},
): Promise<T> {
  const retries = opts.retries ?? 5;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(
        fn,
        opts.isolationLevel ? { isolationLevel: opts.isolationLevel } : undefined,
      );
    } catch (err) {
      if (attempt < retries && isRetryable(err)) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
      }
      throw err;
    }
  }
}
