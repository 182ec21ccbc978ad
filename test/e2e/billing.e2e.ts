// One journey: a manager invoices September; the parent reads the invoice and opens its PDF. Axe on every page.
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, visit, expectAccessible, loginInBrowser, type E2E } from '../support/e2e.js';
import {
  addAttendance,
  addQf,
  addReservations,
  createAccount,
  createFamily,
  createService,
  setRates,
  TEST_PASSWORD,
  TEST_TOTP_SECRET,
} from '../support/index.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-10-02T08:00:00Z' });
});
afterAll(async () => e2e?.close());

describe('monthly invoicing in a real browser', () => {
  it('a manager invoices a month; the parent sees the invoice and opens its PDF', async () => {
    const deps = e2e.ctx.deps;
    const service = await createService(deps, { name: 'Restauration scolaire (test)', unit: 'meal' });
    await setRates(deps, service.id, {
      brackets: [120, 250, 380, 450],
      outOfTown: 520,
      lateCancel: 300,
      surcharge: 150,
    });
    const { parent, household } = await createFamily(deps, [{ firstName: 'Léa' }]);
    await addQf(deps, household.id, 650, '2026-01-01');
    const days = ['2026-09-01', '2026-09-03', '2026-09-04'];
    await addReservations(deps, {
      serviceId: service.id,
      childId: household.children[0]!.id,
      householdId: household.id,
      days,
    });
    await addAttendance(deps, {
      serviceId: service.id,
      childId: household.children[0]!.id,
      days,
      status: 'present',
    });
    const manager = await createAccount(deps, { role: 'manager' });

    const staff = await e2e.newPage();
    staff.on('dialog', (d) => void d.accept());
    await loginInBrowser(staff, manager.email, TEST_PASSWORD, () => authenticator.generate(TEST_TOTP_SECRET));
    await visit(staff, '/admin/billing?month=2026-09');
    await expect(staff.locator('h1').textContent()).resolves.toContain('Facturation mensuelle');
    await staff.getByRole('button', { name: 'Émettre les factures de septembre 2026' }).click();
    await staff.waitForLoadState('load');
    await expect(staff.locator('.notice').first().textContent()).resolves.toContain('1 facture émise');
    await expectAccessible(staff);
    const number = (await deps.db('invoices').where({ household_id: household.id }).first('number'))
      .number as string;
    await visit(staff, '/admin/invoices');
    await visit(staff, '/admin/billing/rates');
    await visit(staff, `/admin/services/${service.id}/rates`);

    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, parent.email, TEST_PASSWORD);
    await visit(page, '/invoices');
    await page.getByRole('link', { name: `Facture ${number}` }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page);
    await expect(page.locator('h1').textContent()).resolves.toContain(number);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const href = await page.getByRole('link', { name: /Télécharger le PDF/ }).getAttribute('href');
    const pdf = await page.request.get(href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await visit(page, '/household/rates');
  });
});
