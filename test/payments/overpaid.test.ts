// A payment that still arrives for an invoice already paid (issue 21): the money is recorded, the
// invoice is paid once, the excess goes to the refunds queue and the family is told, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createFamily, createInvoice, loginAs } from '../support/index.js';
import { createPaymentsService } from '../../src/payments/service.js';
import {
  eventually,
  operationBehindTheGuard,
  payOnStandin,
  startPaying,
  startPaymentsContext,
  type PaymentsContext,
} from './support.js';

let ctx: PaymentsContext;
beforeAll(async () => {
  ctx = await startPaymentsContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const paymentsOf = (invoiceId: number) => ctx.db('payments').where({ invoice_id: invoiceId }).orderBy('id');
const invoiceRow = (id: number) => ctx.db('invoices').where({ id }).first();
const overpaidMails = (email: string) =>
  ctx.smtp.to(email).filter((m) => m.subject.startsWith('Paiement reçu en trop'));

async function family(totalCents: number) {
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const invoice = await createInvoice(ctx.deps, { householdId: household.id, totalCents });
  const browser = await loginAs(ctx, parent);
  return { parent, household, invoice, browser };
}

describe('a payment beyond what is due', () => {
  it('paid twice from two tabs: the invoice is paid once, the excess is queued for refund, one email, a replay adds nothing', async () => {
    const { parent, invoice, browser } = await family(3000);
    const first = await startPaying(browser, invoice.id);
    await payOnStandin(first.headers.location!, 'payer');
    await eventually(
      () => invoiceRow(invoice.id),
      (i) => i.status === 'paid',
    );
    // The second tab, driven at the stand-in past the portal's guard, is paid too: 60 € for 30 €.
    const second = await operationBehindTheGuard(ctx, invoice, 3000, parent.email);
    await payOnStandin(second.redirectUrl, 'payer');
    const payments = await eventually(
      () => paymentsOf(invoice.id),
      (p) => p.length === 2,
    );

    // The money did arrive: both payments are recorded; the invoice counts what it was owed.
    expect(payments.map((p) => [p.method, p.amount_cents, p.overpaid_cents])).toEqual([
      ['online', 3000, 0],
      ['online', 3000, 3000],
    ]);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 3000 });
    expect(await ctx.db('payment_operations').where({ id_op: second.operationId }).first()).toMatchObject({
      state: 'paid',
      payment_id: payments[1]!.id,
    });

    await ctx.flushEmails();
    expect(ctx.smtp.to(parent.email).filter((m) => m.subject.startsWith('Reçu de paiement'))).toHaveLength(1);
    const told = overpaidMails(parent.email);
    expect(told).toHaveLength(1);
    expect(told[0]!.subject).toContain(invoice.number);
    expect(told[0]!.text).toContain('Cette facture était déjà réglée');
    expect(told[0]!.text).toMatch(/30,00\s€/);
    expect(told[0]!.text).toContain('rembourse');

    // A replayed notification, the poll and a direct settle record nothing more.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${ctx.baseUrl}/payments/payfip/notify`, {
        method: 'POST',
        body: new URLSearchParams({ idop: second.operationId }),
      });
      expect(res.status).toBe(200);
    }
    const service = createPaymentsService(ctx.deps);
    await Promise.all([service.pollPending(), service.settle(second.operationId)]);
    await ctx.flushEmails();
    expect(await paymentsOf(invoice.id)).toHaveLength(2);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 3000 });
    expect(overpaidMails(parent.email)).toHaveLength(1);

    // The parent sees it; the managers' refunds queue holds it, with why.
    const mine = await browser.get('/payments');
    expect(mine.text).toMatch(/dont 30,00\s€ payés en trop, à rembourser par la mairie/);
    const manager = await createAccount(ctx.deps, { role: 'manager' });
    const staff = await loginAs(ctx, manager);
    expect((await staff.get('/admin/payments')).text).toContain('href="/admin/payments/refunds"');
    const queue = await staff.get('/admin/payments/refunds');
    const row = queue.text.slice(queue.text.indexOf(`<td>${invoice.number}</td>`));
    expect(row).toMatch(
      /^<td>[^<]+<\/td>\s*<td>[^<]*<\/td>\s*<td>en ligne \(carte\)<\/td>\s*<td>facture déjà réglée<\/td>\s*<td class="num">30,00\s€<\/td>/,
    );

    // Refunded by the manager: out of the queue, the invoice untouched.
    const done = await staff.post(`/admin/payments/${payments[1]!.id}/refund`, {
      amount: '30,00',
      method: 'transfer',
      refunded_on: '2026-09-14',
      reason: 'Paiement en double',
    });
    expect(done.status).toBe(303);
    const [toRefund, refunded] = (await staff.get('/admin/payments/refunds')).text.split(
      'Derniers remboursements',
    );
    expect(toRefund).not.toContain(`<td>${invoice.number}</td>`);
    expect(refunded).toContain(`<td>${invoice.number}</td>`);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 3000 });
  });

  it('paid at the desk while an online payment was open: the online payment settles what was left, the rest is to refund', async () => {
    const { parent, invoice, browser } = await family(3000);
    const online = await startPaying(browser, invoice.id);
    const staff = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const desk = await staff.post('/admin/payments/desk', {
      invoice: invoice.number,
      method: 'cheque',
      amount: '10,00',
      received_on: '2026-09-14',
    });
    expect(desk.status).toBe(303);

    await payOnStandin(online.headers.location!, 'payer');
    const payments = await eventually(
      () => paymentsOf(invoice.id),
      (p) => p.length === 2,
    );
    expect(payments.map((p) => [p.method, p.amount_cents, p.overpaid_cents])).toEqual([
      ['cheque', 1000, 0],
      ['online', 3000, 1000],
    ]);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 3000 });

    await ctx.flushEmails();
    const told = overpaidMails(parent.email);
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toMatch(/Vous avez payé 10,00\s€ de plus que le montant dû/);
    expect(told[0]!.text).toContain('Votre facture est entièrement réglée');

    const queue = await staff.get('/admin/payments/refunds');
    const row = queue.text.slice(queue.text.indexOf(`<td>${invoice.number}</td>`));
    expect(row).toMatch(/<td>au-delà du reste à payer<\/td>\s*<td class="num">10,00\s€<\/td>/);
  });
});
