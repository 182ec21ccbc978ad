import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ seed: false });
});
afterAll(async () => ctx?.close());

it("never sees another test file's rows (each file has its own database)", async () => {
  await ctx.deps.audit.record(ctx.db, { accountId: null }, 'isolation.marker', null, { file: 'b' });
  await new Promise((r) => setTimeout(r, 300)); // let the other file write its marker
  const rows = await ctx.db('audit_events').where({ action: 'isolation.marker' });
  expect(rows.map((r) => r.details.file)).toEqual(['b']);
});
