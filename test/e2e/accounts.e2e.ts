// One journey: sign up, read the verification email, confirm, log out, log in again. axe on every page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn } from '../support/index.js';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => e2e?.close());

const PASSWORD = 'Marelle-Ecole-2026!';

describe('create my space in a real browser', () => {
  it('signs up, verifies through the emailed link, logs out and in, accessible at every step (phone size)', async () => {
    const page = await e2e.newPage({ phone: true });
    await visit(page, '/signup');

    // A first try with a weak password: errors shown, accessible, values kept.
    await page.getByLabel('Prénom').fill('Léa');
    await page.getByLabel('Nom', { exact: true }).fill('Bernard');
    await page.getByLabel('Adresse électronique').fill('lea.bernard@example.test');
    await page.getByLabel('Mot de passe', { exact: true }).fill('azerty');
    await page.getByLabel('Confirmez le mot de passe').fill('azerty');
    await page.getByRole('button', { name: 'Créer mon espace' }).click();
    await page.waitForLoadState('load');
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('au moins 12 caractères');
    await expectAccessible(page);
    expect(await page.getByLabel('Prénom').inputValue()).toBe('Léa');

    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirmez le mot de passe').fill(PASSWORD);
    await page.getByLabel(/J'ai lu la notice/).check();
    await page.getByRole('button', { name: 'Créer mon espace' }).click();
    await page.waitForURL('**/signup/sent');
    await expectAccessible(page);
    await expect(page.locator('h1').textContent()).resolves.toContain('Consultez votre messagerie');

    await e2e.ctx.flushEmails();
    const mail = e2e.ctx.smtp.to('lea.bernard@example.test')[0]!;
    expect(mail.subject).toContain('Confirmez votre adresse');
    const link = linkIn(mail.text, `${e2e.baseUrl}/verify-email/`);
    await visit(page, link.slice(e2e.baseUrl.length));
    await page.getByRole('button', { name: 'Confirmer mon adresse' }).click();
    await page.waitForLoadState('load');
    expect(new URL(page.url()).pathname).not.toMatch(/verify-email/);
    const cookies = await page.context().cookies();
    expect(cookies.some((c) => c.name === 'pf.sid')).toBe(true);

    await visit(page, '/account');
    await expect(page.locator('h1').textContent()).resolves.toBe('Mon compte');
    // Log out (the button is in the header).
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page);
    await visit(page, '/forgot-password');
    await loginInBrowser(page, 'lea.bernard@example.test', PASSWORD);
    await visit(page, '/account');
    await visit(page, '/account/two-factor');
    await visit(page, '/account/password');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
