// Browser journey: a parent books a weekly pattern for two children and cancels a day; an agent
// takes attendance on a phone. Axe runs on the calendar, the answer and the attendance sheet.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authenticator } from 'otplib';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';
import { createAccount, createEnrolment, createFamily, createService } from '../support/index.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-14T08:00:00Z' });
}, 60_000);
afterAll(async () => e2e?.close());

it('a parent books Mondays and Thursdays for two children, cancels one day; an agent takes attendance on a phone', async () => {
  const { ctx } = e2e;
  const service = await createService(ctx.deps, { name: 'Cantine (e2e)' });
  const { parent, household } = await createFamily(ctx.deps, [
    { firstName: 'Léa', hasPai: true },
    { firstName: 'Noé' },
  ]);
  for (const c of household.children)
    await createEnrolment(ctx.deps, {
      childId: c.id,
      serviceId: service.id,
      householdId: household.id,
      options: { weekdays: [1, 4] },
    });
  const [lea, noe] = household.children.map((c) => ({ id: c.id })) as [{ id: number }, { id: number }];

  const page = await e2e.newPage({ phone: true });
  await loginInBrowser(page, parent.email, parent.password);
  await visit(page, '/reservations?month=2026-09');
  expect(await page.locator('h1').count()).toBe(1);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);

  // The weekly pattern, both children ticked by default, Monday and Thursday prefilled.
  await page.locator('#from').fill('2026-09-17');
  await page.locator('#to').fill('2026-09-30');
  await page.getByRole('button', { name: 'Réserver ces jours' }).click();
  await page.waitForURL('**/reservations/result');
  await expectAccessible(page);
  await expect(page.locator('h1').textContent()).resolves.toContain('Résultat de vos réservations');
  const booked = async (childId: number) =>
    (await ctx.db('reservations').where({ child_id: childId, status: 'booked' }).orderBy('day')).map(
      (r) => r.day,
    );
  expect(await booked(lea.id)).toEqual(['2026-09-17', '2026-09-21', '2026-09-24', '2026-09-28']);
  expect(await booked(noe.id)).toEqual(['2026-09-17', '2026-09-21', '2026-09-24', '2026-09-28']);

  // Cancel Noé's Monday 21st from the calendar.
  await visit(page, '/reservations?month=2026-09');
  await page.locator(`input[value="${noe.id}:${service.id}:2026-09-21"]`).check();
  await page.getByRole('button', { name: 'Annuler les jours cochés' }).click();
  await page.waitForURL('**/reservations/result');
  await expect(page.getByText('Annulé sans frais')).toBeTruthy();
  expect(await booked(noe.id)).toEqual(['2026-09-17', '2026-09-24', '2026-09-28']);
  await visit(page, `/children/${lea.id}/agenda?month=2026-09`);

  // The agent's attendance on Thursday 17th, on a phone, saved as each radio changes (JS).
  const agent = await createAccount(ctx.deps, { role: 'agent' });
  const staffPage = await e2e.newPage({ phone: true });
  await loginInBrowser(staffPage, agent.email, agent.password, () =>
    authenticator.generate(agent.totpSecret!),
  );
  await visit(staffPage, `/admin/attendance?service=${service.id}&date=2026-09-17`);
  const staffOverflow = await staffPage.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(staffOverflow).toBeLessThanOrEqual(0);
  // Each radio is named by its label (the label around it); each row says "saved" in its <output>.
  await staffPage.locator(`#child-${lea.id}`).getByRole('radio', { name: 'présent' }).check();
  await staffPage.locator(`#child-${lea.id} output`).getByText('Enregistré').waitFor();
  await staffPage.locator(`#child-${noe.id}`).getByRole('radio', { name: 'absent excusé' }).check();
  await staffPage.locator(`#child-${noe.id} output`).getByText('Enregistré').waitFor();
  await expectAccessible(staffPage);
  // The other staff pages of the feature, axe-checked on the phone too.
  await visit(staffPage, '/admin/headcount?date=2026-09-17');
  await visit(staffPage, '/admin/reservations?week=2026-09-14');
  await visit(staffPage, `/admin/reservations/close?service=${service.id}&day=2026-09-24`);
  await visit(staffPage, `/admin/reservations/family?household=${household.id}&month=2026-09`);
  const marks = await ctx
    .db('attendance')
    .where({ service_id: service.id, day: '2026-09-17' })
    .orderBy('child_id');
  expect(marks.map((m) => [m.child_id, m.status])).toEqual([
    [lea.id, 'present'],
    [noe.id, 'absent_excused'],
  ]);
}, 120_000);
