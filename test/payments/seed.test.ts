// The payments demo data, on the demo town with its families: one household paying by direct
// debit, one invoice paid online through the stand-in; running the seed again changes nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seed } from '../../seeds/080-payments.js';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-25T08:00:00Z', demo: true });
});
afterAll(async () => ctx?.close());

const householdOf = (email: string) =>
  ctx
    .db('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('a.email', email)
    .first('ha.household_id');

it('creates one active mandate and one online payment through the stand-in, once', async () => {
  const camille = await householdOf('parent@demo.test');
  const karim = await householdOf('parent2@demo.test');
  expect(camille && karim).toBeTruthy();
  expect(await ctx.db('invoices').where({ household_id: camille.household_id })).not.toHaveLength(0);
  await seed(ctx.deps);
  await seed(ctx.deps);

  const mandates = await ctx.db('sepa_mandates');
  expect(mandates).toHaveLength(1);
  expect(mandates[0]).toMatchObject({ household_id: karim.household_id, status: 'active' });
  expect(mandates[0].rum).toBeTruthy();
  const ops = await ctx.db('payment_operations');
  expect(ops).toHaveLength(1);
  expect(ops[0]).toMatchObject({ household_id: camille.household_id, state: 'paid' });
  const online = await ctx.db('payments').where({ method: 'online' });
  expect(online).toHaveLength(1);
  expect(online[0].amount_cents).toBe(ops[0].amount_cents);
  expect(await ctx.db('invoices').where({ id: ops[0].invoice_id }).first()).toMatchObject({ status: 'paid' });
  // The stand-in holds the same operation, paid, so its result query answers P for it.
  const standin = await ctx.db('standin_operations').where({ id_op: ops[0].id_op }).first();
  expect(standin.result.resultrans).toBe('P');
  expect(standin.args.montant).toBe(String(ops[0].amount_cents));
});
