// Statements that come back run as named prepared statements (parsed once per connection, generic
// plan after five runs): the dashboard's queries cost more to plan than to execute.
import { afterAll, describe, expect, it } from 'vitest';
import { compiledReads, createDb, PLANNED_EACH_TIME, readTogether } from '../../src/platform/db.js';
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

  it('leaves a statement marked PLANNED_EACH_TIME unnamed (planned with its values every run)', async () => {
    const db = createDb(await createDatabase(), 1);
    dbs.push(db);
    const rows = await db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) {
        const { rows: got } = await tx.raw('SELECT count(*)::int AS n FROM schools WHERE id > ?', [i]).options(PLANNED_EACH_TIME);
        expect(got).toHaveLength(1);
        await tx.raw('SELECT count(*)::int AS n FROM services WHERE id > ?', [i]);
      }
      return (await tx.raw('SELECT statement FROM pg_prepared_statements')).rows as { statement: string }[];
    });
    expect(rows.some((r) => r.statement.includes('FROM schools'))).toBe(false);
    expect(rows.some((r) => r.statement.includes('FROM services'))).toBe(true);
  });

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

describe('readTogether', () => {
  it('answers several reads in one statement, each with its own bindings, order and limit', async () => {
    const db = createDb(await createDatabase(), 2);
    try {
      await db.raw('CREATE TABLE rt (id int, name text, at timestamptz)');
      await db('rt').insert([
        { id: 1, name: 'a', at: new Date('2026-01-01T10:00:00Z') },
        { id: 2, name: 'b', at: new Date('2026-01-02T10:00:00Z') },
        { id: 3, name: 'c', at: new Date('2026-01-03T10:00:00Z') },
      ]);
      const got = await readTogether(db, {
        lastTwo: db('rt').where('id', '>', 0).orderBy('id', 'desc').limit(2).select('id', 'name') as Promise<{ id: number; name: string }[]>,
        named: db('rt').whereIn('name', ['a', 'c']).orderBy('id').select('id') as Promise<{ id: number }[]>,
        none: db('rt').where('id', '>', 99).select('id') as Promise<{ id: number }[]>,
        stamps: db('rt').where({ id: 1 }).select('at') as Promise<{ at: string }[]>,
      });
      expect(got.lastTwo).toEqual([{ id: 3, name: 'c' }, { id: 2, name: 'b' }]);
      expect(got.named).toEqual([{ id: 1 }, { id: 3 }]);
      expect(got.none).toEqual([]);
      // Through JSON a timestamp is an ISO string, not a Date: pages select what they show.
      expect(new Date(got.stamps[0]!.at).toISOString()).toBe('2026-01-01T10:00:00.000Z');
    } finally {
      await db.destroy();
    }
  });
});

describe('compiledReads', () => {
  it('builds the SQL once and fills each call with its own parameters (raw statements too)', async () => {
    const db = createDb(await createDatabase(), 2);
    try {
      await db.raw('CREATE TABLE cr (id int, name text, day date)');
      await db('cr').insert([
        { id: 1, name: 'a', day: '2026-09-01' },
        { id: 2, name: 'b', day: '2026-09-02' },
        { id: 3, name: 'a', day: '2026-09-03' },
      ]);
      let builds = 0;
      const reads = compiledReads((q, p: { name: string; from: string; minId: number }) => {
        builds++;
        return {
          byName: q('cr').where({ name: p.name }).where('day', '>=', p.from).orderBy('id').select('id', 'day') as Promise<{ id: number; day: string }[]>,
          counted: q.raw('SELECT count(*)::int AS n FROM cr WHERE id >= ? AND name <> ?', [p.minId, p.name]) as unknown as Promise<{ n: number }[]>,
        };
      });
      expect(await reads(db, { name: 'a', from: '2026-09-02', minId: 1 })).toEqual({ byName: [{ id: 3, day: '2026-09-03' }], counted: [{ n: 1 }] });
      expect(await reads(db, { name: 'b', from: '2026-09-01', minId: 3 })).toEqual({ byName: [{ id: 2, day: '2026-09-02' }], counted: [{ n: 1 }] });
      expect(await db.transaction((tx) => reads(tx, { name: 'a', from: '2026-09-01', minId: 2 }))).toEqual({ byName: [{ id: 1, day: '2026-09-01' }, { id: 3, day: '2026-09-03' }], counted: [{ n: 1 }] });
      expect(builds).toBe(1);
      await expect(reads(db, { name: 'a', from: undefined as unknown as string, minId: 1 })).rejects.toThrow(/no value for "from"/);
    } finally {
      await db.destroy();
    }
  });
});
