// The month page shows a calendar per service the child is enrolled in, but a service closed all
// month (a holiday centre in term time) takes one line instead of a table of "fermé" days.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createEnrolment,
  createFamily,
  createService,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-11-16T08:00:00Z' });
});
afterAll(async () => ctx?.close());

it('a service with no open day in the month is one line, the others are calendars', async () => {
  const canteen = await createService(ctx.deps, { name: 'Cantine test' });
  const holidays = await createService(ctx.deps, {
    name: 'Vacances test',
    kind: 'holiday',
    opening_days: 'holidays',
    weekdays: [1, 2, 3, 4, 5],
  });
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const lea = household.children[0]!.id;
  for (const s of [canteen, holidays])
    await createEnrolment(ctx.deps, { childId: lea, serviceId: s.id, householdId: household.id });
  const page = await (await loginAs(ctx, parent)).get('/reservations?month=2026-11');
  expect(page.status).toBe(200);
  expect(page.text).toContain('Vacances test : pas d’ouverture en novembre 2026.');
  expect(page.text).not.toMatch(/<caption>[^<]*Vacances test/);
  expect(page.text).toMatch(/<caption>[^<]*Cantine test/);
  // In a holiday month, the holiday centre has its calendar.
  const december = await (await loginAs(ctx, parent)).get('/reservations?month=2026-12');
  expect(december.text).toMatch(/<caption>[^<]*Vacances test/);
});
