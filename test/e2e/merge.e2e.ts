// Duplicates and merge in a real browser: an agent creating a family at the desk sees the
// look-alike first and creates anyway; a manager merges the new card into the old one (at 360 px
// and 1280 px) and opens the closed card, which points to the kept one. axe on every page.
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createFamily } from '../support/index.js';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => e2e?.close());

describe('duplicates and merge', () => {
  it('an agent sees the look-alike and creates anyway; a manager merges the two cards', async () => {
    const { deps, db } = e2e.ctx;
    const existing = await createFamily(deps, [{ firstName: 'Lina' }]);
    await db('households')
      .where({ id: existing.household.id })
      .update({ email: 'famille.martin@example.test' });

    const agent = await createAccount(deps, { role: 'agent' });
    const desk = await e2e.newPage();
    await loginInBrowser(desk, agent.email, agent.password, () => authenticator.generate(agent.totpSecret!));
    await visit(desk, '/admin/households/new');
    await desk.getByLabel('Prénom').fill('Paul');
    await desk.getByLabel('Nom', { exact: true }).fill('Martin');
    await desk.getByLabel('Numéro', { exact: true }).fill('5');
    await desk.getByLabel('Voie', { exact: true }).selectOption({ index: 1 });
    await desk.getByLabel('Téléphone portable').fill('07 12 34 56 78');
    await desk.getByLabel('Adresse électronique pour la correspondance').fill('famille.martin@example.test');
    await desk.getByRole('button', { name: 'Créer la carte famille' }).click();
    await desk.locator('#duplicates-title').waitFor();
    await expectAccessible(desk);
    const panel = desk.locator('section[aria-labelledby="duplicates-title"]');
    await expect(panel.textContent()).resolves.toContain(existing.household.familyNumber);
    await desk.getByLabel("Il s'agit d'une autre famille : créer la carte quand même").check();
    await desk.getByRole('button', { name: 'Créer la carte famille' }).click();
    await desk.waitForURL('**/letter');
    await expectAccessible(desk);
    const created = await db('households').orderBy('id', 'desc').first('id', 'family_number');

    const manager = await createAccount(deps, { role: 'manager' });
    for (const phone of [true, false]) {
      const page = await e2e.newPage({ phone });
      page.on('dialog', (d) => void d.accept());
      await loginInBrowser(page, manager.email, manager.password, () =>
        authenticator.generate(manager.totpSecret!),
      );
      await visit(page, `/admin/households/${existing.household.id}/merge`);
      await page.getByLabel("Numéro de l'autre famille").fill(phone ? 'SE-999999' : created.family_number);
      await page.getByRole('button', { name: 'Comparer les deux familles' }).click();
      await page.waitForURL(/merge\?other=/);
      await page.locator('#other').waitFor();
      await expectAccessible(page);
      expect(
        await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        ),
      ).toBeLessThanOrEqual(0);
      if (phone) {
        await expect(page.locator('#other-error').textContent()).resolves.toContain('Aucune famille');
        await db('accounts').where({ email: manager.email }).update({ totp_last_step: null });
        continue;
      }
      await expect(page.locator('main').textContent()).resolves.toContain('Paul Martin');
      await page.getByRole('button', { name: `Fusionner ${created.family_number}` }).click();
      await page.waitForURL(`**/admin/households/${existing.household.id}`);
      await expectAccessible(page);
      await visit(page, `/admin/households/${created.id}`);
      await expect(page.locator('main').textContent()).resolves.toContain(
        `fusionnée dans la famille ${existing.household.familyNumber}`,
      );
      await page.getByRole('link', { name: `Ouvrir la famille ${existing.household.familyNumber}` }).click();
      await page.waitForURL(`**/admin/households/${existing.household.id}`);
    }
    expect((await db('households').where({ id: created.id }).first()).merged_into_id).toBe(
      existing.household.id,
    );
  });
});
