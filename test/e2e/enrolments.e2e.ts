// The September journey: a parent with a child and the documents in the vault enrols the child in
// the canteen through the step-by-step form, an agent accepts, the parent sees "acceptée". axe on every page.
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createFamily } from '../support/index.js';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';
import { addDocument } from '../enrolments/helpers.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => e2e?.close());

describe('the September journey', () => {
  it('a canteen enrolment through the form, accepted by an agent, seen as "acceptée" by the parent', async () => {
    const { deps, db } = e2e.ctx;
    const { parent, household } = await createFamily(deps, [{ firstName: 'Lila', classLevel: 'CE1' }]);
    const child = household.children[0]!;
    await addDocument(deps, household.id, child.id, 'insurance', {
      status: 'pending',
      validUntil: '2027-08-31',
    });
    await addDocument(deps, household.id, child.id, 'vaccinations', { status: 'accepted', validUntil: null });
    const canteen = await db('services').where({ school_year_id: '2026-2027', kind: 'canteen' }).first('id');

    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, parent.email, parent.password);
    await visit(page, '/services');
    await visit(page, '/enrolments');
    await page.getByRole('link', { name: 'Inscrire Lila à Restauration scolaire' }).click();
    await page.waitForURL(`**/enrolments/new?child=${child.id}&service=${canteen.id}`);
    await expectAccessible(page);

    await page.getByRole('button', { name: /Ces informations sont exactes/ }).click();
    await page.waitForURL('**/documents');
    await expectAccessible(page);
    await expect(page.locator('#documents').textContent()).resolves.toContain('fourni');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL('**/options');
    await expectAccessible(page);
    await page
      .getByLabel('mercredi')
      .count()
      .then((n) => expect(n).toBe(0));
    await page.getByLabel('vendredi').uncheck();
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL('**/summary');
    await expectAccessible(page);
    await expect(page.locator('main').textContent()).resolves.toContain('lundi, mardi, jeudi');
    await page.getByRole('button', { name: "Envoyer ma demande d'inscription" }).click();
    await page.waitForURL('**/confirmation');
    await expectAccessible(page);
    const code = (await page.locator('.panel__code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    const e = await db('enrolments').where({ child_id: child.id, service_id: canteen.id }).first();
    expect(e.status).toBe('submitted');

    const agent = await createAccount(deps, { role: 'agent' });
    const staff = await e2e.newPage();
    await loginInBrowser(staff, agent.email, agent.password, () => authenticator.generate(agent.totpSecret!));
    await visit(staff, `/admin/enrolments?service=${canteen.id}&status=submitted`);
    await staff.getByRole('link', { name: /Lila/ }).first().click();
    await staff.waitForURL(`**/admin/enrolments/${e.id}`);
    await expectAccessible(staff);
    await staff.getByRole('button', { name: /Accepter le document/ }).click();
    await staff.waitForLoadState('load');
    await expectAccessible(staff);
    await staff.getByLabel("Accepter l'inscription").check();
    await staff.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await staff.waitForLoadState('load');
    await expectAccessible(staff);
    expect((await db('enrolments').where({ id: e.id }).first()).status).toBe('accepted');

    await visit(page, '/enrolments');
    await expect(page.locator('main').textContent()).resolves.toContain('acceptée');
    await visit(page, `/enrolments/${e.id}`);
    await expect(page.locator('main').textContent()).resolves.toContain(code);
  });
});
