// One open online payment per invoice (issue 21: two tabs charged 60 € on a 30 € invoice): a
// second tab goes back to the open PayFiP page, racing clicks open one operation, and an
// operation abandoned or expired at PayFiP frees the invoice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createFamily, createInvoice, loginAs } from '../support/index.js';
import {
  eventually,
  payOnStandin,
  startPaying,
  startPaymentsContext,
  type PaymentsContext,
} from './support.js';

const START = '2026-09-14T08:00:00Z';
let ctx: PaymentsContext;
beforeAll(async () => {
  ctx = await startPaymentsContext({ now: START });
});
afterAll(async () => ctx?.close());
afterEach(() => ctx.clock.set(START));

const operationsOf = (invoiceId: number) =>
  ctx.db('payment_operations').where({ invoice_id: invoiceId }).orderBy('id');
const paymentsOf = (invoiceId: number) => ctx.db('payments').where({ invoice_id: invoiceId });
const invoiceRow = (id: number) => ctx.db('invoices').where({ id }).first();

async function family(totalCents: number) {
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const invoice = await createInvoice(ctx.deps, { householdId: household.id, totalCents });
  const browser = await loginAs(ctx, parent);
  return { parent, household, invoice, browser };
}

describe('one open online payment per invoice', () => {
  it('a second tab is sent back to the same PayFiP page: one operation, one payment', async () => {
    const { invoice, browser } = await family(3000);
    const first = await startPaying(browser, invoice.id);
    const second = await startPaying(browser, invoice.id);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(first.headers.location).toMatch(/\/payfip-standin\/tpa\/paiementws\.web\?idop=/);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await operationsOf(invoice.id)).toHaveLength(1);

    await payOnStandin(first.headers.location!, 'payer');
    await eventually(
      () => invoiceRow(invoice.id),
      (i) => i.status === 'paid',
    );
    // The other tab's page is the same operation: PayFiP serves it once.
    expect((await payOnStandin(second.headers.location!, 'payer')).pageStatus).toBe(409);
    expect(await paymentsOf(invoice.id)).toHaveLength(1);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 3000 });
  });

  it('four clicks racing open one operation, and all go to its page', async () => {
    const { invoice, browser } = await family(3000);
    await browser.get('/payments');
    const token = browser.token;
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        browser.post(`/payments/invoices/${invoice.id}/pay`, {}, { csrf: token }),
      ),
    );
    const ops = await operationsOf(invoice.id);
    expect(ops).toHaveLength(1);
    for (const res of answers) {
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(ops[0].redirect_url);
    }
    expect(ops[0].redirect_url).toContain(`idop=${ops[0].id_op}`);
  });

  it('the database refuses a second open operation for an invoice', async () => {
    const { invoice, browser } = await family(3000);
    await startPaying(browser, invoice.id);
    const { id: _id, ...op } = (await operationsOf(invoice.id))[0];
    const copy = { ...op, id_op: `${op.id_op}-2` };
    await expect(ctx.db('payment_operations').insert(copy)).rejects.toMatchObject({
      code: '23505',
      constraint: 'payment_operations_one_open',
    });
    // A closed one does not count.
    await expect(ctx.db('payment_operations').insert({ ...copy, state: 'abandoned' })).resolves.toBeTruthy();
  });

  it('an open operation about to expire, or for another amount, is refused with a message; once expired at PayFiP the invoice is free', async () => {
    const { invoice, browser } = await family(3000);
    const first = await startPaying(browser, invoice.id);
    const [op] = await operationsOf(invoice.id);

    // 13 minutes later the payer would have 2 minutes left on the page: wait for it instead.
    ctx.clock.advance(13 * 60_000);
    const late = await startPaying(browser, invoice.id);
    expect(late.status).toBe(303);
    expect(late.headers.location).toBe('/payments');
    expect((await browser.get('/payments')).text).toContain(
      'Un paiement en ligne de cette facture est déjà en cours',
    );
    expect(await operationsOf(invoice.id)).toHaveLength(1);

    // Past 15 minutes PayFiP answers P4: the operation expires and a new one starts.
    ctx.clock.advance(3 * 60_000);
    const again = await startPaying(browser, invoice.id);
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/paiementws\.web\?idop=/);
    expect(again.headers.location).not.toBe(first.headers.location);
    const ops = await operationsOf(invoice.id);
    expect(ops.map((o) => [o.id_op === op.id_op, o.state])).toEqual([
      [true, 'expired'],
      [false, 'pending'],
    ]);

    // A desk payment meanwhile: the open operation is for more than is due now.
    const staff = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const desk = await staff.post('/admin/payments/desk', {
      invoice: invoice.number,
      method: 'cash',
      amount: '10,00',
      received_on: '2026-09-14',
    });
    expect(desk.status).toBe(303);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'partially_paid', paid_cents: 1000 });
    const changed = await startPaying(browser, invoice.id);
    expect(changed.headers.location).toBe('/payments');
    expect((await browser.get('/payments')).text).toContain('déjà en cours');
    expect(await operationsOf(invoice.id)).toHaveLength(2);
  });

  it('an operation the payer abandoned at PayFiP (notification lost) frees the invoice at the next click', async () => {
    const { invoice, browser } = await family(2400);
    const first = await startPaying(browser, invoice.id);
    const [op] = await operationsOf(invoice.id);
    // The payer pressed "Abandonner", but the notification never came and the poll has not run.
    await ctx
      .db('standin_operations')
      .where({ id_op: op.id_op })
      .update({
        result: JSON.stringify({
          resultrans: 'A',
          numauto: '',
          dattrans: '14092026',
          heurtrans: '1001',
          decidedAt: ctx.clock.now().toISOString(),
        }),
      });
    const again = await startPaying(browser, invoice.id);
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/paiementws\.web\?idop=/);
    expect(again.headers.location).not.toBe(first.headers.location);
    expect((await operationsOf(invoice.id)).map((o) => o.state)).toEqual(['abandoned', 'pending']);
  });
});
