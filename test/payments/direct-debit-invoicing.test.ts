// A household with an active SEPA mandate: the month's invoicing run marks its new invoice
// "prélèvement prévu" in the transaction that issues it, and it can no longer be paid online; a
// household without one is untouched.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRequestsService } from '../../src/requests/service.js';
import {
  addReservations,
  createAccount,
  createFamily,
  createService,
  loginAs,
  setRates,
  type TestAccount,
} from '../support/index.js';
import { startPaymentsContext, type PaymentsContext } from './support.js';

let ctx: PaymentsContext;
let manager: TestAccount;
beforeAll(async () => {
  ctx = await startPaymentsContext({ now: '2026-09-14T08:00:00Z' });
  manager = await createAccount(ctx.deps, { role: 'manager' });
});
afterAll(async () => ctx?.close());

it('the invoicing run plans the direct debit of mandated households only', async () => {
  const canteen = await createService(ctx.deps, { kind: 'canteen', unit: 'meal', billing_basis: 'bookings' });
  await setRates(ctx.deps, canteen.id, { brackets: [300, 300, 300, 300] });
  const mandated = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const other = await createFamily(ctx.deps, [{ firstName: 'Hugo' }]);
  for (const f of [mandated, other]) {
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: f.household.children[0]!.id,
      householdId: f.household.id,
      days: ['2026-09-17', '2026-09-18'],
    });
  }
  const parent = await loginAs(ctx, mandated.parent);
  const asked = await parent.post('/payments/direct-debit', {
    holder: 'Camille Martin',
    iban: 'FR76 3000 6000 0112 3456 7890 189',
    bic: 'AGRIFRPP',
    address: '12 rue des Écoles, 49999 Saint-Exemple',
    consent: 'yes',
  });
  expect(asked.status).toBe(303);
  const mandate = await ctx.db('sepa_mandates').where({ household_id: mandated.household.id }).first();
  await createRequestsService(ctx.deps).decide(
    mandate.request_id,
    'accepted',
    { accountId: manager.id, role: 'manager' },
    null,
  );

  ctx.clock.set('2026-10-02T08:00:00Z');
  const staff = await loginAs(ctx, manager);
  const run = await staff.post(
    '/admin/billing/run',
    { month: '2026-09' },
    { from: '/admin/billing?month=2026-09' },
  );
  expect(run.status).toBe(303);

  const invoiceOf = (householdId: number) =>
    ctx
      .db('invoices')
      .where({ household_id: householdId, month: '2026-09' })
      .first('*', ctx.db.raw('xmin::text as xmin'));
  const planned = await invoiceOf(mandated.household.id);
  expect(planned).toMatchObject({ status: 'direct_debit_planned', total_cents: 600, due_on: '2026-11-15' });
  expect(planned.direct_debit_on).toBe(planned.due_on);
  const unpaid = await invoiceOf(other.household.id);
  expect(unpaid).toMatchObject({ status: 'unpaid', direct_debit_on: null });
  // Planned by the transaction that issued both (one batch), not by a later one: never seen issued but unplanned.
  expect(planned.xmin).toBe(unpaid.xmin);

  // Not payable online any more.
  const pay = await parent.post(
    `/payments/invoices/${planned.id}/pay`,
    {},
    { from: `/invoices/${planned.id}` },
  );
  expect(pay.headers.location ?? '').not.toContain('payfip');
  expect(await ctx.db('payment_operations').where({ invoice_id: planned.id })).toHaveLength(0);
});
