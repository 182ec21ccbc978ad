// The desk's hub in a real browser (issue 22): an agent finds a family by a child's name from the
// desk booking, books two days with the family's prices shown, opens the family's page, a
// document from it and an invoice; a manager records a payment from the family's page. axe at
// 360 px and 1280 px on every page.
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDocument,
  addQf,
  createAccount,
  createEnrolment,
  createFamily,
  createInvoice,
  createService,
  setRates,
} from '../support/index.js';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => e2e?.close());

describe('the desk hub', () => {
  it("an agent works from the family's page (360 px), a manager records a payment from it", async () => {
    const { deps, db } = e2e.ctx;
    const canteen = await createService(deps, {
      name: 'Cantine du guichet',
      billing_basis: 'bookings',
    });
    await setRates(deps, canteen.id, { brackets: [150, 380, 420, 510] });
    const { household } = await createFamily(deps, [{ firstName: 'Hélène', lastName: 'Guichet' }]);
    const child = household.children[0]!;
    await addQf(deps, household.id, 650, '2026-01-01');
    await createEnrolment(deps, { childId: child.id, serviceId: canteen.id, householdId: household.id });
    const documentId = await addDocument(deps, household.id, 'insurance', '2026-09-01T08:00:00Z', child.id);
    const invoice = await createInvoice(deps, {
      householdId: household.id,
      totalCents: 2500,
      month: '2026-08',
    });

    const agent = await createAccount(deps, { role: 'agent' });
    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, agent.email, agent.password, () => authenticator.generate(agent.totpSecret!));

    // The desk booking without a family: the shared search, by a child's name without accents.
    await visit(page, '/admin/reservations/family');
    await page.getByLabel('Famille').fill('helene guichet');
    await page.getByRole('button', { name: 'Chercher la famille' }).click();
    await page.waitForURL(`**/admin/reservations/family?household=${household.id}`);
    await expectAccessible(page);
    await expect(page.locator('main').textContent()).resolves.toMatch(/3,80\s€ \/ repas/);
    await page.getByRole('link', { name: 'Mois suivant' }).first().waitFor();
    await page.locator(`input[value="${child.id}:${canteen.id}:2026-09-17"]`).check();
    await page.locator(`input[value="${child.id}:${canteen.id}:2026-09-18"]`).check();
    await page.getByRole('button', { name: 'Réserver' }).click();
    await page.waitForURL('**/admin/reservations/result');
    await expectAccessible(page);
    expect(
      await db('reservations').where({ child_id: child.id, status: 'booked' }).orderBy('day').pluck('day'),
    ).toEqual(['2026-09-17', '2026-09-18']);

    // A search that finds nothing: the message beside the field.
    await visit(page, '/admin/documents/upload');
    await page.getByLabel('Famille').fill('Personne Inconnue');
    await page.getByRole('button', { name: 'Chercher la famille' }).click();
    await page.locator('#q-error').waitFor();
    await expectAccessible(page);

    // The family's page: its bookings, documents, account, and the tools.
    await visit(page, `/admin/households/${household.id}`);
    const main = (await page.locator('main').textContent())!;
    expect(main).toContain('2 jours réservés');
    expect(main).toContain(invoice.number);
    await page.getByRole('link', { name: 'Déposer un document' }).click();
    await page.waitForURL(`**/admin/documents/upload?household=${household.id}`);
    await expectAccessible(page);
    await visit(page, `/admin/households/${household.id}`);
    await page.locator(`a[href="/admin/documents/${documentId}"]`).click();
    await page.waitForURL(`**/admin/documents/${documentId}`);
    await expectAccessible(page);
    await visit(page, `/admin/households/${household.id}`);
    await page.getByRole('link', { name: invoice.number }).click();
    await page.waitForURL(`**/admin/invoices/${invoice.id}`);
    await expectAccessible(page);
    await visit(page, `/admin/enrolments/new?household=${household.id}`);
    await visit(page, `/admin/billing/households/${household.id}`);

    // A manager records the payment from the family's page.
    const manager = await createAccount(deps, { role: 'manager' });
    const staff = await e2e.newPage({ phone: true });
    await loginInBrowser(staff, manager.email, manager.password, () =>
      authenticator.generate(manager.totpSecret!),
    );
    await visit(staff, `/admin/households/${household.id}`);
    await staff.getByRole('link', { name: 'Enregistrer un paiement' }).click();
    await staff.waitForURL(`**/admin/payments/desk?household=${household.id}`);
    await expectAccessible(staff);
    await staff.getByLabel('Moyen de paiement').selectOption('cash');
    await staff.getByLabel('Montant reçu (en euros)').fill('25');
    await staff.getByRole('button', { name: 'Enregistrer le paiement' }).click();
    await staff.waitForURL(`**/admin/households/${household.id}`);
    await expectAccessible(staff);
    expect(await db('payments').where({ invoice_id: invoice.id })).toHaveLength(1);

    // The same pages at 1280 px, axe-checked; a search finding two families lists both.
    await createFamily(deps, [{ firstName: 'Solène', lastName: 'Guichet' }]);
    const wide = await e2e.newPage();
    await loginInBrowser(wide, manager.email, manager.password, () =>
      authenticator.generate(manager.totpSecret!),
    );
    for (const path of [
      `/admin/households/${household.id}`,
      `/admin/reservations/family?household=${household.id}`,
      `/admin/families/find?for=enrol&q=Guichet`,
      `/admin/payments/desk?household=${household.id}`,
    ])
      await visit(wide, path);
  }, 300_000);
});
