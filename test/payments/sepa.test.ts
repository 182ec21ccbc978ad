// Direct debit: the mandate request, its validation by staff, the monthly pain.008 export,
// rejected debits and revocation; desk payments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createFamily, createInvoice, loginAs, type TestAccount } from '../support/index.js';
import { createRequestsService } from '../../src/requests/service.js';
import { parsePain008 } from '../../src/payments/sepa/pain008.js';
import { issueInvoice, runDailyDirectDebits, startPaymentsContext, type PaymentsContext } from './support.js';

let ctx: PaymentsContext;
let manager: TestAccount;
beforeAll(async () => {
  ctx = await startPaymentsContext({ now: '2026-09-14T08:00:00Z' });
  manager = await createAccount(ctx.deps, { role: 'manager' });
});
afterAll(async () => ctx?.close());

const VALID = {
  holder: 'Camille Martin',
  iban: 'FR76 3000 6000 0112 3456 7890 189',
  bic: 'AGRIFRPP',
  address: '12 rue des Écoles, 49999 Saint-Exemple',
  consent: 'yes',
};

async function mandatedFamily() {
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const browser = await loginAs(ctx, parent);
  const res = await browser.post('/payments/direct-debit', VALID);
  expect(res.status).toBe(303);
  const mandate = await ctx.db('sepa_mandates').where({ household_id: household.id }).first();
  await createRequestsService(ctx.deps).decide(
    mandate.request_id,
    'accepted',
    { accountId: manager.id, role: 'manager' },
    null,
  );
  return {
    parent,
    household,
    browser,
    mandate: await ctx.db('sepa_mandates').where({ id: mandate.id }).first(),
  };
}

describe('SEPA direct debit', () => {
  it('an invalid IBAN, a BIC of another country or a missing consent is refused and nothing is saved', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{}]);
    const browser = await loginAs(ctx, parent);
    for (const [fields, message] of [
      [{ ...VALID, iban: 'FR76 3000 6000 0112 3456 7890 188' }, 'Cet IBAN n&#39;est pas valide'],
      [{ ...VALID, bic: 'DEUTDEFF' }, 'ne correspond pas au pays'],
      [{ ...VALID, consent: '' }, 'Cochez l&#39;autorisation'],
      [{ ...VALID, holder: '' }, 'Indiquez le nom du titulaire'],
    ] as const) {
      const res = await browser.post('/payments/direct-debit', fields);
      expect(res.status).toBe(422);
      expect(res.text).toContain('Il y a un problème');
      expect(res.text).toContain(message);
      expect(res.text).toContain('value="12 rue des Écoles, 49999 Saint-Exemple"');
    }
    expect(await ctx.db('sepa_mandates').where({ household_id: household.id })).toHaveLength(0);
    expect(await ctx.db('requests').where({ household_id: household.id })).toHaveLength(0);
  });

  it('a mandate request becomes a démarche; staff acceptance activates it with a RUM; the IBAN is masked for the parent', async () => {
    const { parent, household, browser, mandate } = await mandatedFamily();
    expect(mandate).toMatchObject({
      status: 'active',
      signed_on: '2026-09-14',
      iban: 'FR7630006000011234567890189',
      bic: 'AGRIFRPP',
    });
    expect(mandate.rum).toMatch(/^PF-SE\d{6}-\d{6}$/);
    const request = await ctx.db('requests').where({ id: mandate.request_id }).first();
    expect(request).toMatchObject({ type: 'sepa_mandate', household_id: household.id, status: 'accepted' });
    expect(JSON.stringify(request.data)).not.toContain('30006000011234567890');

    const page = await browser.get('/payments/direct-debit');
    expect(page.text).toContain(mandate.rum);
    expect(page.text).toContain('FR76 •••• •••• 0189');
    expect(page.text).not.toContain('FR7630006000011234567890189');
    const again = await browser.post('/payments/direct-debit', VALID, { from: '/payments' });
    expect(again.status).toBe(422);
    expect(await ctx.db('sepa_mandates').where({ household_id: household.id })).toHaveLength(1);
    await ctx.flushEmails();
    expect(ctx.smtp.to(parent.email).some((m) => m.subject.includes('acceptée'))).toBe(true);

    const staff = await loginAs(ctx, manager);
    expect((await staff.get('/admin/payments/sepa')).text).toContain('FR7630006000011234567890189');
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect((await agent.get('/admin/payments/sepa')).status).toBe(403);
  });

  it('new invoices are planned for direct debit, exported as pain.008 (FRST then RCUR) and marked debited; a rejected debit makes the invoice due again', async () => {
    const first = await mandatedFamily();
    const second = await mandatedFamily();
    await ctx.db('sepa_mandates').where({ id: second.mandate.id }).update({ first_debit_done: true });
    const a = await issueInvoice(ctx, {
      householdId: first.household.id,
      totalCents: 5333,
      month: '2026-09',
      dueOn: '2026-10-05',
    });
    const b = await issueInvoice(ctx, {
      householdId: second.household.id,
      totalCents: 12000,
      month: '2026-09',
      dueOn: '2026-10-05',
    });
    const other = await issueInvoice(ctx, {
      householdId: first.household.id,
      totalCents: 999,
      month: '2026-08',
    });

    const parentPage = await first.browser.get('/payments');
    expect(parentPage.text).toContain('prélèvement prévu le 5 octobre 2026');
    expect(parentPage.text).not.toContain(
      'Payer en ligne<span class="visually-hidden"> la facture ' + a.number,
    );
    const tryPay = await first.browser.post(`/payments/invoices/${a.id}/pay`, {}, { from: '/payments' });
    expect(tryPay.headers.location).toBe('/payments');
    expect(await ctx.db('payment_operations').where({ invoice_id: a.id })).toHaveLength(0);

    const staff = await loginAs(ctx, manager);
    const preview = await staff.get('/admin/payments/sepa?month=2026-09&collection_date=2026-09-25');
    expect(preview.text).toContain(a.number);
    expect(preview.text).toContain(b.number);
    const bad = await staff.post(
      '/admin/payments/sepa',
      { month: '2026-13', collection_date: '2026-09-25' },
      { from: '/admin/payments/sepa' },
    );
    expect(bad.status).toBe(422);
    expect(await ctx.db('sepa_exports')).toHaveLength(0);

    const done = await staff.post(
      '/admin/payments/sepa',
      { month: '2026-09', collection_date: '2026-09-25' },
      { from: '/admin/payments/sepa?month=2026-09&collection_date=2026-09-25' },
    );
    expect(done.status, done.text.match(/error-summary[\s\S]{0,600}/)?.[0]).toBe(303);
    const exp = await ctx.db('sepa_exports').first();
    expect(done.headers.location).toBe(`/admin/payments/sepa/${exp.id}`);

    const file = await staff.get(`/admin/payments/sepa/${exp.id}/file`);
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toContain(`${exp.message_id}.xml`);
    const parsed = parsePain008(file.text);
    expect(parsed.messageId).toBe(exp.message_id);
    expect(parsed.numberOfTransactions).toBe(2);
    expect(parsed.controlSumCents).toBe(5333 + 12000);
    expect(
      parsed.paymentInfos.map((p) => [
        p.sequenceType,
        p.numberOfTransactions,
        p.controlSumCents,
        p.collectionDate,
      ]),
    ).toEqual([
      ['FRST', 1, 5333, '2026-09-25'],
      ['RCUR', 1, 12000, '2026-09-25'],
    ]);
    expect(parsed.transactions).toEqual([
      { endToEndId: a.number, amountCents: 5333, sequenceType: 'FRST', mandateId: first.mandate.rum },
      { endToEndId: b.number, amountCents: 12000, sequenceType: 'RCUR', mandateId: second.mandate.rum },
    ]);

    for (const inv of [a, b]) {
      const row = await ctx.db('invoices').where({ id: inv.id }).first();
      expect(row.status).toBe('debited');
      expect(row.paid_cents).toBe(row.total_cents);
      expect(
        await ctx.db('payments').where({ invoice_id: inv.id, method: 'direct_debit', status: 'recorded' }),
      ).toHaveLength(1);
    }
    expect((await ctx.db('invoices').where({ id: other.id }).first()).status).toBe('direct_debit_planned');
    expect((await ctx.db('sepa_mandates').where({ id: first.mandate.id }).first()).first_debit_done).toBe(
      true,
    );
    expect(
      await ctx.db('audit_events').where({ action: 'payments.sepa_exported', actor_account_id: manager.id }),
    ).toHaveLength(1);
    // Nothing left to export for that month.
    const again = await staff.post(
      '/admin/payments/sepa',
      { month: '2026-09', collection_date: '2026-09-25' },
      { from: '/admin/payments/sepa' },
    );
    expect(again.status).toBe(422);

    // The bank returns the first debit: insufficient funds.
    const item = await ctx.db('sepa_export_items').where({ invoice_id: a.id }).first();
    const noCode = await staff.post(
      `/admin/payments/sepa/${exp.id}/items/${item.id}/reject`,
      { [`code-${item.id}`]: 'XX99' },
      { from: `/admin/payments/sepa/${exp.id}` },
    );
    expect(noCode.status).toBe(422);
    expect((await ctx.db('invoices').where({ id: a.id }).first()).status).toBe('debited');
    const rejected = await staff.post(
      `/admin/payments/sepa/${exp.id}/items/${item.id}/reject`,
      { [`code-${item.id}`]: 'AM04' },
      { from: `/admin/payments/sepa/${exp.id}` },
    );
    expect(rejected.status).toBe(303);
    expect(await ctx.db('invoices').where({ id: a.id }).first()).toMatchObject({
      status: 'unpaid',
      paid_cents: 0,
      direct_debit_on: null,
    });
    expect((await ctx.db('payments').where({ id: item.payment_id }).first()).status).toBe('rejected');
    expect((await ctx.db('sepa_mandates').where({ id: first.mandate.id }).first()).first_debit_done).toBe(
      false,
    );
    await ctx.flushEmails();
    const mail = ctx.smtp.to(first.parent.email).find((m) => m.subject.includes('Prélèvement rejeté'));
    expect(mail?.text).toContain('provision insuffisante');
    // Payable online again, and not re-planned by the daily job.
    await runDailyDirectDebits(ctx);
    expect((await ctx.db('invoices').where({ id: a.id }).first()).status).toBe('unpaid');
    expect((await first.browser.get('/payments')).text).toContain(`la facture ${a.number}`);
  });

  it('accepting the mandate plans, in its transaction, the invoices issued since its activation; older ones stay to pay', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const browser = await loginAs(ctx, parent);
    expect((await browser.post('/payments/direct-debit', VALID)).status).toBe(303);
    const requested = await ctx.db('sepa_mandates').where({ household_id: household.id }).first();
    const before = await issueInvoice(ctx, {
      householdId: household.id,
      totalCents: 3000,
      issuedAt: '2026-09-01T08:00:00Z',
    });
    // Issued at the activation's instant by a run that committed before the activation did: the
    // run's transaction saw no active mandate, the activation's sees the invoice.
    const meanwhile = await issueInvoice(ctx, {
      householdId: household.id,
      totalCents: 4000,
      dueOn: '2026-10-15',
    });
    expect((await ctx.db('invoices').where({ id: meanwhile.id }).first()).status).toBe('unpaid');

    await createRequestsService(ctx.deps).decide(
      requested.request_id,
      'accepted',
      { accountId: manager.id, role: 'manager' },
      null,
    );
    const mandate = await ctx.db('sepa_mandates').where({ id: requested.id }).first();
    expect(mandate.status).toBe('active');
    const planned = await ctx
      .db('invoices')
      .where({ id: meanwhile.id })
      .first('status', 'direct_debit_on', ctx.db.raw('xmin::text as xmin'));
    expect(planned).toMatchObject({ status: 'direct_debit_planned', direct_debit_on: '2026-10-15' });
    // Written by the transaction that activated the mandate.
    const activation = await ctx
      .db('sepa_mandates')
      .where({ id: requested.id })
      .first(ctx.db.raw('xmin::text as xmin'));
    expect(planned.xmin).toBe(activation.xmin);
    expect(await ctx.db('invoices').where({ id: before.id }).first()).toMatchObject({
      status: 'unpaid',
      direct_debit_on: null,
    });
  });

  it('viewing pages writes nothing: an invoice no transaction planned stays to pay until the daily job plans it', async () => {
    const { household, browser } = await mandatedFamily();
    // An invoice of a mandated household that nothing planned (the factory alone, not the run).
    const missed = await createInvoice(ctx.deps, {
      householdId: household.id,
      totalCents: 2200,
      dueOn: '2026-10-15',
    });
    const row = () =>
      ctx
        .db('invoices')
        .where({ id: missed.id })
        .first('status', 'direct_debit_on', ctx.db.raw('xmin::text as xmin'));
    const untouched = await row();
    expect(untouched).toMatchObject({ status: 'unpaid', direct_debit_on: null });

    const page = await browser.get('/payments');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`la facture ${missed.number}`);
    expect((await browser.get('/payments/direct-debit')).status).toBe(200);
    const staff = await loginAs(ctx, manager);
    const month = (await ctx.db('invoices').where({ id: missed.id }).first('month')).month;
    expect((await staff.get(`/admin/payments/sepa?month=${month}&collection_date=2026-10-20`)).status).toBe(
      200,
    );
    // Same row version: not even rewritten with the same values.
    expect(await row()).toEqual(untouched);

    await runDailyDirectDebits(ctx);
    expect(await ctx.db('invoices').where({ id: missed.id }).first()).toMatchObject({
      status: 'direct_debit_planned',
      direct_debit_on: '2026-10-15',
    });
    await runDailyDirectDebits(ctx);
    expect(await ctx.db('invoices').where({ id: missed.id }).first()).toMatchObject({
      status: 'direct_debit_planned',
      direct_debit_on: '2026-10-15',
    });
  });

  it('the parent revokes the mandate: planned debits go back to "à payer"', async () => {
    const { parent, household, browser, mandate } = await mandatedFamily();
    const inv = await issueInvoice(ctx, { householdId: household.id, totalCents: 2500, dueOn: '2026-10-15' });
    expect(await ctx.db('invoices').where({ id: inv.id }).first()).toMatchObject({
      status: 'direct_debit_planned',
      direct_debit_on: '2026-10-15',
    });
    const res = await browser.post('/payments/direct-debit/revoke', {}, { from: '/payments/direct-debit' });
    expect(res.status).toBe(303);
    expect((await ctx.db('sepa_mandates').where({ id: mandate.id }).first()).status).toBe('revoked');
    expect(await ctx.db('invoices').where({ id: inv.id }).first()).toMatchObject({
      status: 'unpaid',
      direct_debit_on: null,
    });
    // Nothing plans it again: neither the daily job nor a new invoice's issue.
    await runDailyDirectDebits(ctx);
    const later = await issueInvoice(ctx, { householdId: household.id, totalCents: 1000 });
    expect((await ctx.db('invoices').where({ id: inv.id }).first()).status).toBe('unpaid');
    expect((await ctx.db('invoices').where({ id: later.id }).first()).status).toBe('unpaid');
    expect(
      await ctx.db('audit_events').where({ action: 'payments.mandate_revoked', actor_account_id: parent.id }),
    ).toHaveLength(1);
    expect((await browser.get('/payments/direct-debit')).text).toContain(
      'Demander le prélèvement automatique',
    );
  });
});

describe('desk payments', () => {
  it('a manager records a partial cash payment, then the rest by cheque; bad input changes nothing', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{}]);
    const inv = await createInvoice(ctx.deps, { householdId: household.id, totalCents: 4000 });
    const staff = await loginAs(ctx, manager);

    const bad = await staff.post('/admin/payments/desk', {
      invoice: inv.number,
      method: 'cash',
      amount: '12,345',
      received_on: '2026-09-14',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Indiquez un montant en euros');
    expect(bad.text).toContain(`value="${inv.number}"`);
    const unknown = await staff.post('/admin/payments/desk', {
      invoice: '2099-999999',
      method: 'cash',
      amount: '10',
      received_on: '2026-09-14',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Aucune facture ne porte ce numéro');
    const future = await staff.post('/admin/payments/desk', {
      invoice: inv.number,
      method: 'cash',
      amount: '10',
      received_on: '2026-09-20',
    });
    expect(future.status).toBe(422);
    expect(await ctx.db('payments').where({ invoice_id: inv.id })).toHaveLength(0);

    expect(
      (
        await staff.post('/admin/payments/desk', {
          invoice: inv.number,
          method: 'cash',
          amount: '15,50',
          received_on: '2026-09-14',
        })
      ).status,
    ).toBe(303);
    expect(await ctx.db('invoices').where({ id: inv.id }).first()).toMatchObject({
      status: 'partially_paid',
      paid_cents: 1550,
    });
    expect(
      (
        await staff.post('/admin/payments/desk', {
          invoice: inv.number,
          method: 'cheque',
          amount: '24,50',
          received_on: '2026-09-13',
          reference: 'CHQ 0001234',
        })
      ).status,
    ).toBe(303);
    expect(await ctx.db('invoices').where({ id: inv.id }).first()).toMatchObject({
      status: 'paid',
      paid_cents: 4000,
    });
    expect(
      await ctx.db('audit_events').where({ action: 'payments.desk_recorded', actor_account_id: manager.id }),
    ).toHaveLength(2);
    await ctx.flushEmails();
    expect(ctx.smtp.to(parent.email).filter((m) => m.subject.includes('Reçu de paiement'))).toHaveLength(2);

    const page = await staff.get('/admin/payments?from=2026-09-13&to=2026-09-14');
    expect(page.text).toContain('espèces');
    expect(page.text).toContain('chèque');
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect(
      (
        await agent.post(
          '/admin/payments/desk',
          { invoice: inv.number, method: 'cash', amount: '1', received_on: '2026-09-14' },
          { from: '/admin' },
        )
      ).status,
    ).toBe(403);
  });
});
