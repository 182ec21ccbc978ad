// One journey: an agent opens the staff home on a phone, reads the counters and follows one to its
// queue with the staff menu; an admin reads the audit log (filtered by family) on a desktop and on
// a phone; the family reads its history. axe on every page, at 360 px and 1280 px.
import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';
import {
  addDocument,
  createAccount,
  createEnrolment,
  createFamily,
  createService,
  loginAs,
  TEST_TOTP_SECRET,
} from '../support/index.js';
import type { Page } from 'playwright-core';

let e2e: E2E;
let parent: Awaited<ReturnType<typeof createFamily>>['parent'];
let household: Awaited<ReturnType<typeof createFamily>>['household'];
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
  const deps = e2e.ctx.deps;
  ({ parent, household } = await createFamily(deps, [{ firstName: 'Léa' }]));
  const lea = household.children[0]!.id;
  const service = await createService(deps, { name: 'Cantine Ferry' });
  await createEnrolment(deps, { childId: lea, serviceId: service.id, householdId: household.id });
  const doc = await addDocument(deps, household.id, 'caf_attestation', '2026-09-10T08:00:00Z');
  await e2e.ctx.db('documents').where({ id: doc }).update({ status: 'pending' });
  // A desk booking by another agent, for the audit log.
  const desk = await loginAs(
    e2e.ctx,
    await createAccount(deps, { role: 'agent', firstName: 'Inès', lastName: 'Guichet' }),
  );
  const booked = await desk.post(
    `/admin/reservations/family/${household.id}`,
    { slots: [`${lea}:${service.id}:2026-09-17`, `${lea}:${service.id}:2026-09-18`] },
    { from: `/admin/reservations/family?number=${household.familyNumber}` },
  );
  expect(booked.status).toBe(303);
}, 120_000);
afterAll(async () => e2e?.close());

const totp = () => authenticator.generate(TEST_TOTP_SECRET);
const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('the staff home, the staff menu and the audit log in a real browser', () => {
  it('an agent follows a counter to its queue, with the staff menu, on a phone', async () => {
    const deps = e2e.ctx.deps;
    // The agent, on a phone: the counters, one of them to its queue, the menu marking it.
    const agent = await createAccount(deps, { role: 'agent' });
    const phone = await e2e.newPage({ phone: true });
    await loginInBrowser(phone, agent.email, agent.password, totp);
    await visit(phone, '/admin');
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    const menu = phone.getByRole('navigation', { name: 'Menu des agents' });
    await expect(menu.getByRole('link', { name: 'Accueil' }).getAttribute('aria-current')).resolves.toBe(
      'page',
    );
    await expect(phone.locator('#counter-documents').textContent()).resolves.toMatch(/1\s+pièce à vérifier/);
    await phone.locator('#counter-documents').click();
    await phone.waitForURL('**/admin/documents');
    await expectAccessible(phone);
    await expect(menu.getByRole('link', { name: 'Pièces' }).getAttribute('aria-current')).resolves.toBe(
      'page',
    );
    await expect(phone.getByRole('row', { name: new RegExp(household.familyNumber) }).count()).resolves.toBe(
      1,
    );
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    await menu.getByRole('link', { name: 'Inscriptions' }).click();
    await phone.waitForURL('**/admin/enrolments');
    await expectAccessible(phone);
  }, 180_000);

  it('an admin reads the audit log of a family in words, on a desktop and a phone', async () => {
    const deps = e2e.ctx.deps;
    const admin = await createAccount(deps, { role: 'admin' });
    const desktop = await e2e.newPage();
    await loginInBrowser(desktop, admin.email, admin.password, totp);
    await visit(desktop, '/admin');
    await visit(desktop, '/admin/audit');
    await desktop.getByLabel('Famille').fill(household.familyNumber);
    await desktop.getByLabel('Action').selectOption('reservations.book');
    await desktop.getByRole('button', { name: 'Filtrer' }).click();
    await desktop.waitForURL(/family=/);
    await expectAccessible(desktop);
    const row = desktop.getByRole('row', { name: /Jours réservés au guichet/ });
    await expect(row.textContent()).resolves.toContain('Inès Guichet (agent)');
    await expect(row.textContent()).resolves.toContain(
      '2 jours réservés : Léa, Cantine Ferry : 17/09/2026, 18/09/2026',
    );
    // A bad date says so beside the field.
    await desktop.locator('#from').fill('2026-09-20');
    await desktop.locator('#to').fill('2026-09-01');
    await desktop.getByRole('button', { name: 'Filtrer' }).click();
    await desktop.waitForLoadState('load');
    await expect(desktop.locator('#to-error').textContent()).resolves.toContain('après la date de début');
    await expectAccessible(desktop);

    // The same log on a phone.
    const adminPhone = await e2e.newPage({ phone: true });
    const admin2 = await createAccount(deps, { role: 'admin' });
    await loginInBrowser(adminPhone, admin2.email, admin2.password, totp);
    await visit(adminPhone, `/admin/audit?family=${household.familyNumber}`);
    await visit(adminPhone, '/admin');
    expect(await overflow(adminPhone)).toBeLessThanOrEqual(0);
  }, 180_000);

  it('the family reads its history, on a phone', async () => {
    const family = await e2e.newPage({ phone: true });
    await loginInBrowser(family, parent.email, parent.password);
    await visit(family, '/household');
    await family.getByRole('link', { name: 'Voir qui a fait quoi sur mon dossier' }).click();
    await family.waitForURL('**/household/history');
    await expectAccessible(family);
    await expect(
      family.getByRole('row', { name: /Jours réservés au guichet/ }).textContent(),
    ).resolves.toContain('Mairie (agent)');
    await expect(family.locator('nav.staff-menu').count()).resolves.toBe(0);
  }, 180_000);
});
