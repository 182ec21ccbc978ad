// Knex over pg. Dates (`date` columns) come back as 'YYYY-MM-DD' strings, bigints as numbers
// (ids and cents stay far below 2^53), and migrations are loaded from migrations/ by import.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** The part of knex's PostgreSQL client this file overrides (knex declares no type for it). */
interface PgDialect {
  _query(connection: unknown, obj: { sql: string; bindings?: unknown[]; options?: Record<string, unknown> }): Promise<unknown>;
}
const ClientPg = createRequire(import.meta.url)('knex/lib/dialects/postgres/index.js') as new (config: Knex.Config) => PgDialect;

/**
 * Statements that come back are sent as named prepared statements: PostgreSQL then parses them once
 * per connection and, after five runs, reuses a generic plan. On this schema planning cost more than
 * executing (the dashboard's queries: ≈ 5 ms of planning for 2.5 ms of execution), see
 * docs/performance.md. A text is named from its second run (one-off texts stay unnamed), and at
 * most MAX_NAMED texts are, so that the server's memory per connection stays bounded.
 */
const MAX_NAMED = 600;
const seen = new Map<string, string | number>();
let named = 0;
const DML = /^\s*(select|insert|update|delete|with)\b/i;

function statementName(sql: string): string | undefined {
  const entry = seen.get(sql);
  if (typeof entry === 'string') return entry;
  if (entry === undefined) {
    if (seen.size < MAX_NAMED * 10 && DML.test(sql)) seen.set(sql, 1);
    return undefined;
  }
  if (named >= MAX_NAMED) return undefined;
  const name = 'pf_' + createHash('sha1').update(sql).digest('hex').slice(0, 20);
  named++;
  seen.set(sql, name);
  return name;
}

/**
 * `.options(PLANNED_EACH_TIME)` on a query keeps it unnamed: PostgreSQL then plans it with its
 * values every time. For a statement whose best plan depends on them (the kitchen headcount: a
 * day's 7,800 meals, where the generic plan expects 900 and probes the children one by one).
 */
export const PLANNED_EACH_TIME = { planEachTime: true } as const;

class PreparingClient extends ClientPg {
  override _query(connection: unknown, obj: { sql: string; bindings?: unknown[]; options?: Record<string, unknown> }) {
    if (obj.options?.planEachTime) {
      const { planEachTime: _, ...rest } = obj.options;
      obj.options = rest;
    } else if (obj.bindings?.length && !obj.options?.name) {
      // Only statements with parameters: without them pg uses the simple protocol, where a text may hold several statements.
      const name = statementName(obj.sql);
      if (name) obj.options = { ...obj.options, name };
    }
    return super._query(connection, obj);
  }
}

export function createDb(url: string, poolMax = 10, opts: { prepare?: boolean } = {}): Db {
  return knexFactory({
    client: opts.prepare === false ? 'pg' : (PreparingClient as unknown as typeof knexFactory.Client),
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
  const [, log] = (await db.migrate.latest({ migrationSource: new ImportMigrationSource() })) as [number, string[]];
  return log;
}

/** SQLSTATE codes a caller may retry (serialization failure, deadlock). */
export function isRetryable(err: unknown): boolean {
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
      return await db.transaction(fn, opts.isolationLevel ? { isolationLevel: opts.isolationLevel } : undefined);
    } catch (err) {
      if (attempt < retries && isRetryable(err)) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
      }
      throw err;
    }
  }
}

/** Several knex queries as the JSON columns of one SELECT (see readTogether). */
function togetherSql(parts: Record<string, unknown>): { sql: string; bindings: unknown[] } {
  const columns: string[] = [];
  const bindings: unknown[] = [];
  for (const name of Object.keys(parts)) {
    if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`readTogether: "${name}" is not a plain column name`);
    const { sql, bindings: b } = (parts[name] as Knex.QueryBuilder | Knex.Raw).toSQL();
    columns.push(`(SELECT coalesce(json_agg(t), '[]'::json) FROM (${sql}) t) AS "${name}"`);
    bindings.push(...b);
  }
  return { sql: `SELECT ${columns.join(', ')}`, bindings };
}

type Together<T> = { [K in keyof T]: Awaited<T[K]> };

/**
 * Runs several independent reads in one round trip: each query builder becomes a JSON array in one
 * SELECT (`SELECT (SELECT coalesce(json_agg(t), '[]') FROM (<query>) t) AS <name>, …`). On this
 * stack a round trip costs more CPU than a small query (docs/performance.md), so a page that needs
 * six short lists asks once. Rows come back through JSON: dates and numbers as the pg parsers give
 * them, but timestamps as ISO strings — select the columns the page needs. Each sub-query keeps its
 * own ORDER BY/LIMIT (the aggregate reads the ordered sub-query as it comes). A part may also be a
 * `q.raw(…)` statement (its rows as one JSON array, like the others).
 */
export async function readTogether<T extends Record<string, PromiseLike<unknown[]>>>(q: Queryable, parts: T): Promise<Together<T>> {
  const { sql, bindings } = togetherSql(parts);
  const { rows } = (await q.raw(sql, bindings as Knex.RawBinding[])) as { rows: Together<T>[] };
  return rows[0]!;
}

/** Where a compiled read takes one of its parameters (see compiledReads). */
class Param {
  constructor(readonly name: string) {}
}

/**
 * readTogether for reads of a fixed shape, compiled once: the first call builds the knex queries
 * with placeholders for the parameters and keeps the SQL text; every call then only puts the
 * parameters in their places. Building and compiling the dashboard's queries with knex was ≈ 8 % of
 * its CPU for a text that never changes. Only values may be parameters: anything that changes the
 * text (an optional filter, a list's length, a limit) must be fixed inside `build`. The text is a
 * pure function of `build`, so keeping it is safe with any number of instances.
 */
export function compiledReads<P extends Record<string, Knex.Value>, T extends Record<string, PromiseLike<unknown[]>>>(
  build: (q: Queryable, params: P) => T,
): (q: Queryable, params: P) => Promise<Together<T>> {
  let compiled: { sql: string; bindings: unknown[] } | undefined;
  return async (q, params) => {
    if (!compiled) {
      const placeholders = Object.fromEntries(Object.keys(params).map((k) => [k, new Param(k)])) as unknown as P;
      compiled = togetherSql(build(q, placeholders));
    }
    const bindings = compiled.bindings.map((b) => {
      if (!(b instanceof Param)) return b;
      const value = params[b.name];
      if (value === undefined) throw new Error(`compiledReads: no value for "${b.name}"`);
      return value;
    });
    const { rows } = (await q.raw(compiled.sql, bindings as Knex.RawBinding[])) as { rows: Together<T>[] };
    return rows[0]!;
  };
}
