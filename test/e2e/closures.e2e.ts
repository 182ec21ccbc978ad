// Browser journey: an agent reads a day's waiting list and gives a seat by hand, closes the whole
// town for two days (snow), then reopens the closure. Axe on every page at 1280 px and 360 px.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authenticator } from 'otplib';
import type { Page } from 'playwright-core';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';
import { createAccount, createEnrolment, createFamily, createService } from '../support/index.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
}, 60_000);
afterAll(async () => e2e?.close());

const DAY = '2026-09-24';

it('an agent promotes a child from the waiting list, closes the town for the snow and reopens it', async () => {
  const { ctx } = e2e;
  const service = await createService(ctx.deps, { name: 'Cantine (e2e)', capacity: 1 });
  const families = [];
  for (const firstName of ['Léa', 'Noé']) {
    const family = await createFamily(ctx.deps, [{ firstName }]);
    const child = family.household.children[0]!;
    await createEnrolment(ctx.deps, {
      childId: child.id,
      serviceId: service.id,
      householdId: family.household.id,
    });
    families.push({ ...family, child });
  }
  const [lea, noe] = families as [(typeof families)[0], (typeof families)[0]];
  // Léa has the only seat; Noé waits.
  await ctx.db('reservations').insert([
    {
      service_id: service.id,
      child_id: lea.child.id,
      household_id: lea.household.id,
      day: DAY,
      status: 'booked',
      created_at: new Date('2026-09-14T07:00:00Z'),
    },
    {
      service_id: service.id,
      child_id: noe.child.id,
      household_id: noe.household.id,
      day: DAY,
      status: 'waiting',
      created_at: new Date('2026-09-14T07:30:00Z'),
    },
  ]);
  await ctx.db('reservation_counters').insert({ service_id: service.id, day: DAY, group_key: '', booked: 1 });

  const agent = await createAccount(ctx.deps, { role: 'agent' });
  const page = await e2e.newPage();
  page.on('dialog', (d) => void d.accept());
  await loginInBrowser(page, agent.email, agent.password, () => authenticator.generate(agent.totpSecret!));

  // The waiting list, from the occupation page's count.
  await visit(page, `/admin/reservations?week=${DAY}`);
  await page.getByRole('link', { name: /Liste d'attente, Cantine \(e2e\)/ }).click();
  await page.waitForURL('**/admin/reservations/waiting?**');
  await expectAccessible(page);
  await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('Noé');
  // Full: the promotion is refused and says why.
  await page.getByRole('button', { name: /Inscrire Noé/ }).click();
  await expectAccessible(page);
  await expect(page.locator('#reservation').textContent()).resolves.toContain('capacité');
  // A seat is added on the rules page; now the agent gives it to Noé.
  await ctx.db('services').where({ id: service.id }).update({ capacity: 2 });
  await page.getByRole('button', { name: /Inscrire Noé/ }).click();
  await page.waitForURL('**/admin/reservations/waiting?**');
  await expectAccessible(page);
  await expect(page.getByText('Noé a une place').count()).resolves.toBe(1);
  expect((await ctx.db('reservations').where({ child_id: noe.child.id, day: DAY }).first()).status).toBe(
    'booked',
  );

  // Snow: the whole town, two days.
  await visit(page, '/admin/reservations/close');
  await page.getByLabel('Tous les services de la commune').check();
  await page.getByLabel('Premier jour').fill(DAY);
  await page.getByLabel('Dernier jour').fill('2026-09-25');
  await page.getByRole('button', { name: 'Fermer et prévenir les familles' }).click();
  await expectAccessible(page); // the reason is missing
  await expect(page.locator('#reason-error').textContent()).resolves.toContain('motif');
  await page.getByLabel('Motif (indiqué aux familles)').fill('Neige');
  await page.getByRole('button', { name: 'Fermer et prévenir les familles' }).click();
  await page.waitForURL('**/admin/reservations/closures');
  await expectAccessible(page);
  await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('Toute la commune');
  expect(
    (await ctx.db('reservations').where({ service_id: service.id, day: DAY }).orderBy('id')).map(
      (r) => r.status,
    ),
  ).toEqual(['closed_by_town', 'closed_by_town']);

  // Reopen: a confirmation page, then the families are told they may book again.
  await page
    .getByRole('link', { name: /Rouvrir/ })
    .first()
    .click();
  await page.waitForURL('**/reopen');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Rouvrir et prévenir les familles' }).click();
  await page.waitForURL('**/admin/reservations/closures');
  await expectAccessible(page);
  expect(await ctx.db('service_day_closures').where({ service_id: service.id })).toEqual([]);

  // The same pages on a phone.
  const phone = await e2e.newPage({ phone: true });
  await loginInBrowser(phone, agent.email, agent.password, () => authenticator.generate(agent.totpSecret!));
  for (const path of [
    '/admin/reservations/close',
    '/admin/reservations/closures',
    `/admin/reservations/waiting?service=${service.id}&day=${DAY}`,
  ]) {
    await visit(phone, path);
    await expectNoOverflow(phone);
  }
  const closure = await ctx.db('closures').orderBy('id', 'desc').first();
  await visit(phone, `/admin/reservations/closures/${closure.id}/reopen`);
}, 120_000);

async function expectNoOverflow(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}
