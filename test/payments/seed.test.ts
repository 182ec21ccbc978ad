// The payments demo data: idempotent, and nothing without invoices.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createInvoice } from '../support/index.js';
import { seed } from '../../seeds/080-payments.js';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const householdOf = (email: string) =>
  ctx.db('household_accounts as ha').join('accounts as a', 'a.id', 'ha.account_id').where('a.email', email).first('ha.household_id');

it('creates one active mandate and one online payment through the stand-in, once', async () => {
  const camille = await householdOf('parent@demo.test');
  const karim = await householdOf('parent2@demo.test');
  if (!camille || !karim) return; // the households demo data is not there yet
  await seed(ctx.deps);
  expect(await ctx.db('sepa_mandates')).toHaveLength(0); // no invoices: nothing

  const invoice = await createInvoice(ctx.deps, { householdId: camille.household_id, totalCents: 3120, month: '2026-08' });
  await createInvoice(ctx.deps, { householdId: karim.household_id, totalCents: 2000, month: '2026-08' });
  await seed(ctx.deps);
  await seed(ctx.deps);

  const mandates = await ctx.db('sepa_mandates');
  expect(mandates).toHaveLength(1);
  expect(mandates[0]).toMatchObject({ household_id: karim.household_id, status: 'active', signed_on: '2026-09-14' });
  expect(mandates[0].rum).toBeTruthy();
  const ops = await ctx.db('payment_operations');
  expect(ops).toHaveLength(1);
  expect(ops[0]).toMatchObject({ household_id: camille.household_id, state: 'paid', amount_cents: 3120 });
  expect(await ctx.db('payments').where({ method: 'online' })).toHaveLength(1);
  expect(await ctx.db('invoices').where({ id: invoice.id }).first()).toMatchObject({ status: 'paid', paid_cents: 3120 });
  // The stand-in holds the same operation, paid, so its result query answers P for it.
  const standin = await ctx.db('standin_operations').where({ id_op: ops[0].id_op }).first();
  expect(standin.result.resultrans).toBe('P');
  expect(standin.args.montant).toBe('3120');
});
