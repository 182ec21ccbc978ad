// Pages are rendered from the tables themselves: the migrated schema keeps no derived table and no
// trigger or plpgsql function maintaining one (migration 20261207100000 dropped the last ones).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

describe('the migrated schema', () => {
  it('has no trigger and no plpgsql function of its own', async () => {
    const { rows: triggers } = await ctx.db.raw(
      `SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND n.nspname = 'public'`,
    );
    expect(triggers).toEqual([]);
    const { rows: functions } = await ctx.db.raw(
      `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
        WHERE n.nspname = 'public' AND l.lanname = 'plpgsql'`,
    );
    expect(functions).toEqual([]);
  });

  it('has none of the tables that kept pages and estimates', async () => {
    for (const table of ['child_pickups', 'household_estimates', 'pricing_epoch', 'sheet_changes'])
      expect(await ctx.db.schema.hasTable(table)).toBe(false);
  });
});
