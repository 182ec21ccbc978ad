// Statements that come back run as named prepared statements (parsed once per connection, generic
// plan after five runs): the dashboard's queries cost more to plan than to execute.
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/platform/db.js';
import { createDatabase } from '../support/context.js';

describe('prepared statements', () => {
  const dbs: ReturnType<typeof createDb>[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.destroy();
  });

  async function preparedOn(db: ReturnType<typeof createDb>) {
    // One connection, so that the statements and pg_prepared_statements are the same session's.
    return db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) await tx('schools').where('id', '>', i).count({ n: '*' });
      await tx.raw('SELECT 1 AS one'); // no parameters: the simple protocol, never named
      const { rows } = await tx.raw('SELECT name, statement FROM pg_prepared_statements');
      return rows as { name: string; statement: string }[];
    });
  }

  it('names a parameterised statement from its second run, and only once', async () => {
    const db = createDb(await createDatabase(), 1);
    dbs.push(db);
    const rows = await preparedOn(db);
    const mine = rows.filter((r) => r.statement.includes('"schools"'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.name).toMatch(/^pf_[0-9a-f]{20}$/);
    expect(rows.some((r) => r.statement.includes('SELECT 1 AS one'))).toBe(false);
  });

  it('can be turned off (a pooler in transaction mode)', async () => {
    const db = createDb(await createDatabase(), 1, { prepare: false });
    dbs.push(db);
    expect((await preparedOn(db)).filter((r) => r.statement.includes('"schools"'))).toHaveLength(0);
  });
});
