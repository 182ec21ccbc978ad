// Issue 22, attendance and headcount: an animator of one school opens the sheets on a phone, picks
// the evening care shared by two schools, sees their school's children only and marks one; enters
// the school's adults' meals on the headcount. An agent, on a desktop, filters the same sheet by
// school and prints the headcount. Axe runs on every page at 360 px and 1280 px.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authenticator } from 'otplib';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';
import {
  addReservations,
  createAccount,
  createEnrolment,
  createFamily,
  createService,
} from '../support/index.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-09-17T06:00:00Z' });
}, 60_000);
afterAll(async () => e2e?.close());

const DAY = '2026-09-17';

it('an animator takes their school’s attendance on a phone and enters adults’ meals; an agent filters by school', async () => {
  const { ctx } = e2e;
  const A = (await ctx.db('schools').where({ kind: 'elementary' }).first('id', 'name')) as {
    id: number;
    name: string;
  };
  const B = (await ctx.db('schools').where({ kind: 'nursery' }).first('id', 'name')) as {
    id: number;
    name: string;
  };
  const service = await createService(ctx.deps, {
    kind: 'after_school',
    name: 'Accueil du soir (deux écoles)',
  });
  await ctx.db('service_schools').insert([
    { service_id: service.id, school_id: A.id },
    { service_id: service.id, school_id: B.id },
  ]);
  const children: number[] = [];
  for (const [firstName, school] of [
    ['Ana', 'elementary'],
    ['Bob', 'nursery'],
  ] as const) {
    const { household } = await createFamily(ctx.deps, [{ firstName, lastName: 'Martin', school }]);
    const id = household.children[0]!.id;
    await createEnrolment(ctx.deps, { childId: id, serviceId: service.id, householdId: household.id });
    await addReservations(ctx.deps, {
      serviceId: service.id,
      childId: id,
      householdId: household.id,
      days: [DAY],
    });
    children.push(id);
  }
  const [ana, bob] = children as [number, number];

  // The animator, on a phone: today's open sheet of their school, then the shared evening care.
  const animator = await createAccount(ctx.deps, { role: 'animator', schoolIds: [A.id] });
  const phone = await e2e.newPage({ phone: true });
  await loginInBrowser(phone, animator.email, animator.password, () =>
    authenticator.generate(animator.totpSecret!),
  );
  await visit(phone, '/admin/attendance');
  expect(await phone.locator('h1').textContent()).toContain(A.name);
  await phone.getByLabel('Service', { exact: true }).selectOption(String(service.id));
  await phone.getByRole('button', { name: 'Afficher' }).click();
  await phone.waitForURL(`**/admin/attendance?service=${service.id}**`);
  await expectAccessible(phone);
  await phone.locator(`#child-${ana}`).waitFor();
  expect(await phone.locator(`#child-${bob}`).count()).toBe(0);
  const overflow = await phone.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await phone.locator(`#child-${ana}`).getByRole('radio', { name: 'présent' }).check();
  await phone.locator(`#child-${ana} output`).getByText('Enregistré').waitFor();
  await expectAccessible(phone);

  // The headcount: the school enters its adults' meals.
  await visit(phone, `/admin/headcount?date=${DAY}`);
  await phone.getByLabel(`Repas d'adultes – ${A.name}`).fill('8');
  await phone.getByRole('button', { name: "Enregistrer les repas d'adultes" }).click();
  await phone.waitForURL(`**/admin/headcount?date=${DAY}**`);
  await phone.getByText("Repas d'adultes enregistrés.").waitFor();
  await expectAccessible(phone);
  // A wrong number: the message beside the field, axe-clean too.
  await phone.getByLabel(`Repas d'adultes – ${A.name}`).fill('huit');
  await phone.getByRole('button', { name: "Enregistrer les repas d'adultes" }).click();
  await phone.getByText("Indiquez le nombre de repas d'adultes").first().waitFor();
  await expectAccessible(phone);

  // The agent, on a desktop: the same sheet, both schools, then the nursery only.
  const agent = await createAccount(ctx.deps, { role: 'agent' });
  const desk = await e2e.newPage();
  await loginInBrowser(desk, agent.email, agent.password, () => authenticator.generate(agent.totpSecret!));
  await visit(desk, `/admin/attendance?service=${service.id}&date=${DAY}`);
  await desk.locator(`#child-${bob}`).waitFor();
  await desk.getByLabel('École', { exact: true }).selectOption(String(B.id));
  await desk.getByRole('button', { name: 'Afficher' }).click();
  await desk.waitForURL(`**school=${B.id}**`);
  await expectAccessible(desk);
  expect(await desk.locator(`#child-${ana}`).count()).toBe(0);
  await desk.locator(`#child-${bob}`).waitFor();
  await visit(desk, `/admin/headcount?date=${DAY}`);
  await desk.getByRole('button', { name: 'Imprimer les effectifs' }).waitFor();
  expect(await desk.locator(`#school-${A.id} tfoot`).textContent()).toContain('8');

  expect(await ctx.db('attendance').where({ service_id: service.id }).select('child_id', 'status')).toEqual([
    { child_id: ana, status: 'present' },
  ]);
  expect(await ctx.db('adult_meals').where({ school_id: A.id, day: DAY }).first('meals')).toEqual({
    meals: 8,
  });
}, 180_000);
