// A parent pays an invoice online through the PayFiP stand-in's page and sees it paid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';
import { authenticator } from 'otplib';
import { createAccount, createFamily, createInvoice } from '../support/index.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => e2e?.close());

describe('online payment in a real browser', () => {
  it('a parent pays an invoice through the stand-in page and sees it paid (axe clean, 360 px)', async () => {
    const { parent, household } = await createFamily(e2e.ctx.deps, [{ firstName: 'Léa' }]);
    const invoice = await createInvoice(e2e.ctx.deps, {
      householdId: household.id,
      totalCents: 4250,
      month: '2026-08',
    });
    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, parent.email, parent.password);

    await visit(page, '/payments');
    expect(await page.locator('h1').count()).toBe(1);
    await page.getByRole('button', { name: `Payer en ligne la facture ${invoice.number}` }).click();

    await page.waitForURL(/\/payfip-standin\/tpa\/paiementws\.web\?idop=/);
    await expectAccessible(page);
    await expect(page.locator('h1').textContent()).resolves.toContain('Paiement en ligne');
    await page.getByRole('button', { name: /^Payer 42,50/ }).click();

    await page.waitForURL(/\/payments\/return\?idop=/);
    await expectAccessible(page);
    await expect(page.locator('h1').textContent()).resolves.toContain('Paiement accepté');

    await visit(page, '/payments');
    await expect(page.locator('body').textContent()).resolves.toContain('en ligne (carte)');
    expect(
      await page.getByRole('button', { name: `Payer en ligne la facture ${invoice.number}` }).count(),
    ).toBe(0);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await e2e.ctx.db('invoices').where({ id: invoice.id }).first()).toMatchObject({
      status: 'paid',
      paid_cents: 4250,
    });

    await visit(page, '/payments/direct-debit');

    // The town's finance manager sees it among the day's online payments.
    const manager = await createAccount(e2e.ctx.deps, { role: 'manager' });
    const staff = await e2e.newPage();
    await loginInBrowser(staff, manager.email, manager.password, () =>
      authenticator.generate(manager.totpSecret!),
    );
    await visit(staff, '/admin/payments');
    await expect(staff.locator('body').textContent()).resolves.toContain(invoice.number);
    for (const path of [
      '/admin/payments/desk',
      '/admin/payments/refunds',
      '/admin/payments/anomalies',
      '/admin/payments/sepa',
    ])
      await visit(staff, path);
  });
});
