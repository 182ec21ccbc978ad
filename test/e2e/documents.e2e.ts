// One journey: a parent uploads a PDF from the vault page and sees it pending; an agent accepts
// it from the review queue; the parent sees it accepted. Every page is checked with axe.
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';
import { createAccount, createFamily, TEST_TOTP_SECRET } from '../support/index.js';
import { pdf } from '../documents/fixtures/index.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => e2e?.close());

describe('document vault in a real browser', () => {
  it('upload a PDF, an agent accepts it, the parent sees it accepted', async () => {
    const { parent, household } = await createFamily(e2e.ctx.deps, [{ firstName: 'Léa' }]);
    const agent = await createAccount(e2e.ctx.deps, { role: 'agent' });

    // The parent, on a phone.
    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, parent.email, parent.password);
    await visit(page, '/documents');
    expect(await page.locator('h1').count()).toBe(1);
    await page.getByLabel('Type de document').selectOption('caf_attestation');
    await page.getByLabel('Fichiers').setInputFiles({
      name: 'attestation-caf.pdf',
      mimeType: 'application/pdf',
      buffer: await pdf(1, 'Attestation CAF'),
    });
    await page.getByRole('button', { name: 'Déposer le document' }).click();
    await page.waitForURL('**/documents');
    await expect(page.getByRole('status').first().textContent()).resolves.toContain(
      'Votre document est déposé',
    );
    const row = page.getByRole('row', { name: /Attestation CAF/ });
    await expect(row.textContent()).resolves.toContain('en attente de vérification');
    await expectAccessible(page);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);

    // A rejected upload keeps the type and says why.
    await page.getByLabel('Type de document').selectOption('tax_notice');
    await page.getByLabel('Fichiers').setInputFiles({
      name: 'page.html',
      mimeType: 'text/html',
      buffer: Buffer.from('<html><script>alert(1)</script></html>'),
    });
    await page.getByRole('button', { name: 'Déposer le document' }).click();
    await page.waitForLoadState('load');
    await expect(page.locator('.error-summary').textContent()).resolves.toContain("n'est pas accepté");
    expect(await page.getByLabel('Type de document').inputValue()).toBe('tax_notice');
    await expectAccessible(page);

    // The agent.
    const staff = await e2e.newPage();
    await loginInBrowser(staff, agent.email, agent.password, () => authenticator.generate(TEST_TOTP_SECRET));
    await visit(staff, '/admin/documents');
    await staff
      .getByRole('row', { name: new RegExp(household.familyNumber) })
      .getByRole('link', { name: /Vérifier/ })
      .click();
    await staff.waitForURL(/\/admin\/documents\/\d+$/);
    await expectAccessible(staff);
    await staff.getByRole('button', { name: 'Accepter le document' }).click();
    await staff.waitForURL('**/admin/documents');
    await expect(staff.getByRole('status').first().textContent()).resolves.toContain(
      'Le document est accepté',
    );
    await expectAccessible(staff);

    await visit(staff, '/admin/documents/upload');

    // The parent again.
    await visit(page, '/documents');
    await expect(page.getByRole('row', { name: /Attestation CAF/ }).textContent()).resolves.toContain(
      'acceptée',
    );
  });

  it('the admin pages of document types are accessible', async () => {
    const admin = await createAccount(e2e.ctx.deps, { role: 'admin' });
    const page = await e2e.newPage();
    await loginInBrowser(page, admin.email, admin.password, () => authenticator.generate(TEST_TOTP_SECRET));
    await visit(page, '/admin/document-types');
    await page.getByRole('link', { name: /Modifier le type Certificat médical/ }).click();
    await page.waitForURL(/document-types\/\d+$/);
    await expectAccessible(page);
    await page.getByLabel('Nom affiché').fill('');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForLoadState('load');
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Saisissez le nom');
    await expectAccessible(page);
  });
});
