// Online payment through the real PayFiP client and the stand-in, over HTTP.
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

const operationOf = (invoiceId: number) =>
  ctx.db('payment_operations').where({ invoice_id: invoiceId }).orderBy('id', 'desc').first();
const paymentsOf = (invoiceId: number) => ctx.db('payments').where({ invoice_id: invoiceId });
const invoiceRow = (id: number) => ctx.db('invoices').where({ id }).first();

async function family(totalCents = 4250) {
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const invoice = await createInvoice(ctx.deps, { householdId: household.id, totalCents });
  const browser = await loginAs(ctx, parent);
  return { parent, household, invoice, browser };
}

describe('paying an invoice online through PayFiP', () => {
  it('a parent pays: stand-in page → notification → result query → invoice paid → receipt email', async () => {
    const { parent, invoice, browser } = await family(4250);
    const list = await browser.get('/payments');
    expect(list.status).toBe(200);
    expect(list.text).toContain(invoice.number);
    expect(list.text).toContain('Payer en ligne');
    // The invoice page (billing) carries the same button.
    const invoicePage = await browser.get(`/invoices/${invoice.id}`);
    expect(invoicePage.status).toBe(200);
    expect(invoicePage.text).toContain(`action="/payments/invoices/${invoice.id}/pay"`);

    const start = await startPaying(browser, invoice.id);
    expect(start.status).toBe(303);
    expect(start.headers.location).toMatch(
      new RegExp(`^${ctx.baseUrl}/payfip-standin/tpa/paiementws.web\\?idop=`),
    );
    const op = await operationOf(invoice.id);
    expect(op).toMatchObject({
      state: 'pending',
      amount_cents: 4250,
      refdet: invoice.number.replace('-', ''),
      payer_email: parent.email,
    });

    const choice = await payOnStandin(start.headers.location!, 'payer');
    expect(choice.pageHtml).toMatch(/42,50\s€/);
    expect(choice.status).toBe(303);
    expect(choice.location).toBe(`${ctx.baseUrl}/payments/return?idop=${op.id_op}`);

    // The notification alone settles it (before the browser comes back).
    const settled = await eventually(
      () => operationOf(invoice.id),
      (o) => o.state !== 'pending',
    );
    expect(settled.state).toBe('paid');
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 4250 });
    const payments = await paymentsOf(invoice.id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      method: 'online',
      amount_cents: 4250,
      overpaid_cents: 0,
      reference: op.id_op,
      status: 'recorded',
    });

    const back = await browser.get(new URL(choice.location).pathname + new URL(choice.location).search);
    expect(back.status).toBe(200);
    expect(back.text).toContain('Paiement accepté');

    await ctx.flushEmails();
    const mails = ctx.smtp.to(parent.email).filter((m) => m.subject.includes('Reçu de paiement'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(invoice.number);
    expect(mails[0]!.text).toMatch(/42,50/);

    const after = await browser.get('/payments');
    expect(after.text).toContain('en ligne (carte)');
  });

  it('a notification sent three times records one payment', async () => {
    const { invoice, browser } = await family(1800);
    const start = await startPaying(browser, invoice.id);
    await payOnStandin(start.headers.location!, 'payer');
    const op = await operationOf(invoice.id);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${ctx.baseUrl}/payments/payfip/notify`, {
        method: 'POST',
        body: new URLSearchParams({ idOp: op.id_op }),
      });
      expect(res.status).toBe(200);
    }
    await eventually(
      () => operationOf(invoice.id),
      (o) => o.state === 'paid',
    );
    expect(await paymentsOf(invoice.id)).toHaveLength(1);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 1800 });
  });

  it('the same operation settled concurrently by notifications and the poll gives one payment', async () => {
    const { invoice, browser } = await family(2600);
    const start = await startPaying(browser, invoice.id);
    const op = await operationOf(invoice.id);
    // The stand-in notifies as soon as the payer pays; the poll and two more settles race with it.
    await payOnStandin(start.headers.location!, 'payer');
    const service = createPaymentsService(ctx.deps);
    await Promise.all([
      service.settle(op.id_op),
      service.pollPending(),
      fetch(`${ctx.baseUrl}/payments/payfip/notify`, {
        method: 'POST',
        body: new URLSearchParams({ idop: op.id_op }),
      }),
      service.settle(op.id_op),
    ]);
    await eventually(
      () => operationOf(invoice.id),
      (o) => o.state === 'paid',
    );
    expect(await paymentsOf(invoice.id)).toHaveLength(1);
    expect((await invoiceRow(invoice.id)).paid_cents).toBe(2600);
  });

  it('a notification for an unknown or foreign operation id records nothing', async () => {
    const before = await ctx.db('payments').count({ n: '*' }).first();
    // An operation created at the stand-in by someone else (not by the app) and paid there.
    const foreign = await ctx.deps.payments.createOperation({
      reference: 'ETRANGER1',
      amountCents: 5000,
      payerEmail: 'autre@example.test',
      label: 'Autre',
      notificationUrl: `${ctx.baseUrl}/payments/payfip/notify`,
      returnUrl: `${ctx.baseUrl}/payments/return`,
      exer: 2026,
    });
    await payOnStandin(foreign.redirectUrl, 'payer');
    for (const idop of [foreign.operationId, 'inconnu-123', '<script>', '']) {
      const res = await fetch(`${ctx.baseUrl}/payments/payfip/notify`, {
        method: 'POST',
        body: new URLSearchParams({ idop }),
      });
      expect(res.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await ctx.db('payments').count({ n: '*' }).first()).toEqual(before);
    expect(await ctx.db('payment_operations').where({ id_op: foreign.operationId }).first()).toBeUndefined();
  });

  it('refused and abandoned payments leave the invoice unpaid', async () => {
    for (const [choix, state, words] of [
      ['refuser', 'refused', 'Paiement refusé'],
      ['abandonner', 'abandoned', 'Paiement abandonné'],
    ] as const) {
      const { invoice, browser } = await family(3000);
      const start = await startPaying(browser, invoice.id);
      const choice = await payOnStandin(start.headers.location!, choix);
      const op = await eventually(
        () => operationOf(invoice.id),
        (o) => o.state !== 'pending',
      );
      expect(op.state).toBe(state);
      expect(await paymentsOf(invoice.id)).toHaveLength(0);
      expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'unpaid', paid_cents: 0 });
      const back = await browser.get(new URL(choice.location).pathname + new URL(choice.location).search);
      expect(back.text).toContain(words);
      // Still payable.
      expect((await browser.get('/payments')).text).toContain('Payer en ligne');
    }
  });

  it('the parent closes the tab (no notification, no return): the polling job settles it', async () => {
    const { parent, invoice, browser } = await family(5120);
    const start = await startPaying(browser, invoice.id);
    const op = await operationOf(invoice.id);
    // The payer pays, but the notification is lost and the browser never comes back:
    // record the choice in the stand-in's store only.
    await ctx
      .db('standin_operations')
      .where({ id_op: op.id_op })
      .update({
        result: JSON.stringify({
          resultrans: 'P',
          numauto: '123456',
          dattrans: '14092026',
          heurtrans: '1001',
          decidedAt: ctx.clock.now().toISOString(),
        }),
      });
    expect(start.status).toBe(303);
    expect((await operationOf(invoice.id)).state).toBe('pending');

    const job = (await import('../../src/payments/index.js')).paymentsFeature.jobs!(ctx.deps).find(
      (j) => j.name === 'payments.poll',
    )!;
    await job.handler({});
    expect(await operationOf(invoice.id)).toMatchObject({ state: 'paid', attempts: 1 });
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 5120 });
    await ctx.flushEmails();
    expect(ctx.smtp.to(parent.email).some((m) => m.subject.includes(invoice.number))).toBe(true);
  });

  it('an operation never finished expires after 15 minutes; before that the return page says "en cours de vérification"', async () => {
    const { invoice, browser } = await family(2000);
    await startPaying(browser, invoice.id);
    const op = await operationOf(invoice.id);
    const service = createPaymentsService(ctx.deps);
    await service.pollPending();
    expect(await operationOf(invoice.id)).toMatchObject({ state: 'pending', attempts: 1, result_code: 'P5' });
    const waiting = await browser.get(`/payments/return?idop=${op.id_op}`);
    expect(waiting.text).toContain('en cours de vérification');

    ctx.clock.advance(16 * 60_000);
    await service.pollPending();
    expect(await operationOf(invoice.id)).toMatchObject({ state: 'expired', result_code: 'P4' });
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'unpaid' });
    expect((await browser.get(`/payments/return?idop=${op.id_op}`)).text).toContain('Paiement expiré');
    ctx.clock.set('2026-09-14T08:00:00Z');
  });

  it('a result whose amount differs from the operation is refused and listed as an anomaly', async () => {
    const { invoice, browser } = await family(3300);
    const start = await startPaying(browser, invoice.id);
    const op = await operationOf(invoice.id);
    // What PayFiP would answer about this idOp says 1,00 € instead of 33,00 €.
    const args = (await ctx.db('standin_operations').where({ id_op: op.id_op }).first()).args;
    await ctx
      .db('standin_operations')
      .where({ id_op: op.id_op })
      .update({ args: JSON.stringify({ ...args, montant: '100' }) });
    await payOnStandin(start.headers.location!, 'payer');
    const settled = await eventually(
      () => operationOf(invoice.id),
      (o) => o.state !== 'pending',
    );
    expect(settled.state).toBe('anomaly');
    expect(await paymentsOf(invoice.id)).toHaveLength(0);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'unpaid', paid_cents: 0 });
    const anomaly = await ctx.db('payment_anomalies').where({ operation_id: op.id }).first();
    expect(anomaly).toMatchObject({ kind: 'amount_mismatch', expected_cents: 3300, received_cents: 100 });

    const manager = await createAccount(ctx.deps, { role: 'manager' });
    const staff = await loginAs(ctx, manager);
    const page = await staff.get('/admin/payments/anomalies');
    expect(page.status).toBe(200);
    expect(page.text).toContain(op.id_op);
    expect(page.text).toContain('montant différent');

    const bad = await staff.post(
      `/admin/payments/anomalies/${anomaly.id}/resolve`,
      { [`resolution-${anomaly.id}`]: '' },
      { from: '/admin/payments/anomalies' },
    );
    expect(bad.status).toBe(422);
    expect((await ctx.db('payment_anomalies').where({ id: anomaly.id }).first()).resolved_at).toBeNull();
    const ok = await staff.post(
      `/admin/payments/anomalies/${anomaly.id}/resolve`,
      { [`resolution-${anomaly.id}`]: 'Vérifié avec la trésorerie' },
      { from: '/admin/payments/anomalies' },
    );
    expect(ok.status).toBe(303);
    expect((await ctx.db('payment_anomalies').where({ id: anomaly.id }).first()).resolved_by).toBe(
      manager.id,
    );
  });

  it('a payment for an invoice already paid is recorded as an overpayment to refund', async () => {
    const { parent, invoice, browser } = await family(1500);
    // Two operations for the same remaining amount (the second opened past the one-open guard), both paid.
    const first = await startPaying(browser, invoice.id);
    await payOnStandin(first.headers.location!, 'payer');
    await eventually(
      () => paymentsOf(invoice.id),
      (p) => p.length === 1,
    );
    const second = await operationBehindTheGuard(ctx, invoice, 1500, parent.email);
    await payOnStandin(second.redirectUrl, 'payer');
    const payments = await eventually(
      () => paymentsOf(invoice.id).orderBy('id'),
      (p) => p.length === 2,
    );
    expect(payments.map((p) => [p.amount_cents, p.overpaid_cents])).toEqual([
      [1500, 0],
      [1500, 1500],
    ]);
    // Money received: 30 €, for a 15 € invoice: the invoice is paid once, the rest is to refund.
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'paid', paid_cents: 1500 });

    const manager = await createAccount(ctx.deps, { role: 'manager' });
    const staff = await loginAs(ctx, manager);
    expect((await staff.get('/admin/payments/refunds')).text).toContain(invoice.number);
    const overpaid = payments[1]!;
    const tooMuch = await staff.post(`/admin/payments/${overpaid.id}/refund`, {
      amount: '16,00',
      method: 'transfer',
      refunded_on: '2026-09-14',
      reason: 'Paiement en double',
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('ne peut pas dépasser');
    expect(tooMuch.text).toContain('value="Paiement en double"');
    expect(await ctx.db('refunds').where({ payment_id: overpaid.id })).toHaveLength(0);
    const noReason = await staff.post(`/admin/payments/${overpaid.id}/refund`, {
      amount: '15,00',
      method: 'transfer',
      refunded_on: '2026-09-14',
      reason: '',
    });
    expect(noReason.status).toBe(422);
    const ok = await staff.post(`/admin/payments/${overpaid.id}/refund`, {
      amount: '15,00',
      method: 'transfer',
      refunded_on: '2026-09-14',
      reason: 'Paiement en double',
    });
    expect(ok.status).toBe(303);
    expect(await ctx.db('refunds').where({ payment_id: overpaid.id })).toHaveLength(1);
    expect(
      await ctx.db('audit_events').where({ action: 'payments.refunded', actor_account_id: manager.id }),
    ).toHaveLength(1);
    expect((await staff.get('/admin/payments/refunds')).text).toContain('Aucun trop-perçu à rembourser');
  });

  it('another household cannot see, start or settle a payment for an invoice not theirs (404)', async () => {
    const owner = await family(2200);
    const other = await family(1000);
    const start = await startPaying(owner.browser, owner.invoice.id);
    const op = await operationOf(owner.invoice.id);

    expect((await other.browser.get('/payments')).text).not.toContain(owner.invoice.number);
    expect((await startPaying(other.browser, owner.invoice.id)).status).toBe(404);
    expect(await ctx.db('payment_operations').where({ invoice_id: owner.invoice.id })).toHaveLength(1);
    expect((await other.browser.get(`/payments/return?idop=${op.id_op}`)).status).toBe(404);
    expect((await startPaying(other.browser, 999999)).status).toBe(404);
    expect(start.status).toBe(303);
    expect((await operationOf(owner.invoice.id)).state).toBe('pending');
  });

  it('an invoice under direct debit or already paid cannot be paid online', async () => {
    const { household, browser } = await family(1000);
    const planned = await createInvoice(ctx.deps, {
      householdId: household.id,
      totalCents: 2000,
      status: 'direct_debit_planned',
    });
    await ctx.db('invoices').where({ id: planned.id }).update({ direct_debit_on: '2026-10-05' });
    const paid = await createInvoice(ctx.deps, {
      householdId: household.id,
      totalCents: 2000,
      paidCents: 2000,
      status: 'paid',
    });
    const page = await browser.get('/payments');
    expect(page.text).toContain('prélèvement prévu le 5 octobre 2026');
    for (const [id, message] of [
      [planned.id, 'sera prélevée automatiquement'],
      [paid.id, 'n&#39;est pas à payer'],
    ] as const) {
      const res = await startPaying(browser, id);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/payments');
      expect((await browser.get('/payments')).text).toContain(message);
    }
    expect(await ctx.db('payment_operations').whereIn('invoice_id', [planned.id, paid.id])).toHaveLength(0);
  });

  it('animators and agents get 403 on /admin/payments; managers see payments by day and method and a CSV', async () => {
    for (const role of ['animator', 'agent'] as const) {
      const staff = await loginAs(ctx, await createAccount(ctx.deps, { role }));
      expect((await staff.get('/admin/payments')).status).toBe(403);
      expect((await staff.get('/admin/payments/sepa')).status).toBe(403);
      expect((await staff.get('/admin/payments/export.csv')).status).toBe(403);
    }
    const parent = await family(1000);
    expect((await parent.browser.get('/admin/payments')).status).toBe(403);
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const page = await manager.get('/admin/payments?from=2026-09-01&to=2026-09-30');
    expect(page.status).toBe(200);
    expect(page.text).toContain('en ligne (carte)');
    const csv = await manager.get('/admin/payments/export.csv?from=2026-09-01&to=2026-09-30&method=online');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toContain('Date;Moyen de paiement;Facture');
    expect(csv.text).toContain('en ligne (carte)');
  });
});
