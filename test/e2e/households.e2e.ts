// The family card journey in a real browser: a parent adds a child and edits the address and sees
// them on the dashboard; an agent creates a household at the desk and opens the activation letter;
// a new parent account activates with it. axe on every page.
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createContact, createFamily } from '../support/index.js';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => e2e?.close());

describe('the family card', () => {
  it('a parent adds a child, edits the address, and sees them on the dashboard', async () => {
    const { deps, db } = e2e.ctx;
    const { parent, household } = await createFamily(deps, []);
    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, parent.email, parent.password);
    await visit(page, '/');
    await visit(page, '/household');
    await page.getByRole('link', { name: 'Ajouter un enfant' }).first().click();
    await page.waitForURL('**/household/members/new?kind=child');
    await expectAccessible(page);
    await page.getByLabel('Prénom').fill('Éloïse');
    await page.getByLabel('Nom', { exact: true }).fill('Testeur');
    await page.getByLabel('Date de naissance').fill('2019-04-02');
    await page.getByLabel('Fille').check();
    await page.getByLabel('École').selectOption({ label: 'École élémentaire Jules-Ferry' });
    await page.getByLabel('Classe').selectOption('CE1');
    await page.getByLabel('Sans porc').check();
    await page.getByRole('button', { name: 'Ajouter' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectAccessible(page);
    await expect(page.locator('main').textContent()).resolves.toContain('Éloïse Testeur');
    // At 360 px nothing is wider than the screen.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(0);
    // The parent's nine header links fit in three rows (they wrapped into five, half the first screen), each a 44 px target.
    const header = await page.evaluate(() => ({
      height: document.querySelector('.site-header')!.getBoundingClientRect().height,
      targets: [...document.querySelectorAll('.site-nav a, .site-nav button')].map(
        (el) => el.getBoundingClientRect().height,
      ),
    }));
    expect(header.targets).toHaveLength(9);
    expect(Math.min(...header.targets)).toBeGreaterThanOrEqual(44);
    expect(header.height).toBeLessThan(240);

    // A form error first, then the change.
    await visit(page, '/household/edit');
    await page.getByLabel('Numéro', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expectAccessible(page);
    await expect(page.locator('.error-summary').textContent()).resolves.toContain(
      'Indiquez le numéro dans la voie.',
    );
    await page.getByLabel('Numéro', { exact: true }).fill('42 bis');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL('**/household');
    await expectAccessible(page);
    await expect(page.locator('main').textContent()).resolves.toContain('42 bis');
    expect((await db('households').where({ id: household.id }).first()).house_number).toBe('42 bis');

    await visit(page, '/');
    await expect(page.locator('main').textContent()).resolves.toContain('Éloïse');
    const child = await db('members').where({ first_name: 'Éloïse', last_name: 'Testeur' }).first('id');
    await visit(page, `/children/${child.id}`);
    await visit(page, `/household/members/${child.id}/edit`);
    await visit(page, '/household/members/new');
    await visit(page, '/household/members/new?kind=contact');
    await visit(page, '/household/members/new?kind=guardian');
    await visit(page, '/household/invite');
    // A contact cannot be deleted by the parent: the request is filed and followed.
    const contactId = await createContact(deps, household.id, { firstName: 'Paulette' });
    await visit(page, `/household/members/${contactId}/edit`);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Demander la suppression' }).click();
    await page.waitForURL('**/household');
    await expectAccessible(page);
    const request = await db('requests')
      .where({ household_id: household.id, type: 'contact_deletion' })
      .first('id');
    await visit(page, '/requests');
    await visit(page, `/requests/${request.id}`);
  });

  it('an agent creates a household and prints the letter; a new parent activates with it', async () => {
    const { deps, db } = e2e.ctx;
    const agent = await createAccount(deps, { role: 'agent' });
    const staff = await e2e.newPage();
    await loginInBrowser(staff, agent.email, agent.password, () => authenticator.generate(agent.totpSecret!));
    await visit(staff, '/admin/households');
    await visit(staff, '/admin/requests');
    const filed = await db('requests').where({ type: 'contact_deletion' }).first('id');
    await visit(staff, `/admin/requests/${filed.id}`);
    await visit(staff, '/admin/households/new');
    await staff.getByLabel('Prénom').fill('Rose');
    await staff.getByLabel('Nom', { exact: true }).fill('Guichet');
    await staff.getByLabel('Numéro', { exact: true }).fill('3');
    await staff.getByLabel('Voie', { exact: true }).selectOption({ label: 'Rue de la Paix' });
    await staff.getByLabel('Téléphone portable').fill('06 12 12 12 12');
    await staff.getByLabel('Adresse électronique pour la correspondance').fill('rose.guichet@example.test');
    await staff.getByRole('button', { name: 'Créer la carte famille' }).click();
    await staff.waitForURL('**/letter');
    await expectAccessible(staff);
    const codes = await staff.locator('.letter__code').allTextContents();
    const [familyNumber, code] = codes.map((c) => c.trim());
    expect(familyNumber).toMatch(/^SE-\d{6}$/);
    expect(code).toMatch(/^[A-Z2-9]{12}$/);
    const h = await db('households').where({ family_number: familyNumber }).first('id');
    await visit(staff, `/admin/households/${h.id}`);
    await visit(staff, `/admin/households/${h.id}/edit`);

    const parent = await createAccount(deps, { firstName: 'Rose', lastName: 'Guichet' });
    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, parent.email, parent.password);
    await page.goto('/');
    await page.waitForURL('**/household/start');
    await expectAccessible(page);
    await visit(page, '/activate/lost-code');
    await visit(page, '/activate');
    await page.getByLabel('Numéro de famille').fill(familyNumber!);
    await page.getByLabel("Code d'activation").fill('AAAAAAAAAAAA');
    await page.getByRole('button', { name: 'Relier ma carte famille' }).click();
    await expectAccessible(page);
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('incorrect');
    await page.getByLabel("Code d'activation").fill(code!.toLowerCase());
    await page.getByRole('button', { name: 'Relier ma carte famille' }).click();
    await page.waitForURL('**/household');
    await expectAccessible(page);
    await expect(page.locator('main').textContent()).resolves.toContain(familyNumber!);
    await visit(page, '/');
  });
});
