// Measures the month calendar page of a household with three children, each enrolled in three
// services and booked on most days. Prints the figures; fails only if grossly slow.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEnrolment, createFamily, createService, createTestContext, loginAs, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

it('renders the month calendar of a three-child household quickly', async () => {
  const services = [
    await createService(ctx.deps, { name: 'Cantine (mesure)', capacity: 200 }),
    await createService(ctx.deps, { name: 'Soir (mesure)', kind: 'after_school' }),
    await createService(ctx.deps, { name: 'Mercredi (mesure)', kind: 'wednesday', opening_days: 'wednesdays', weekdays: [3], capacity: 60 }),
  ];
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }, { firstName: 'Noé' }, { firstName: 'Zoé' }]);
  for (const c of household.children) for (const s of services) await createEnrolment(ctx.deps, { childId: c.id, serviceId: s.id, householdId: household.id });
  const browser = await loginAs(ctx, parent);
  for (const s of services) {
    await browser.post('/reservations', { mode: 'pattern', children: household.children.map((c) => String(c.id)), service: String(s.id), weekdays: ['1', '2', '3', '4', '5'], from: '2026-10-01', to: '2026-10-31' }, { from: '/reservations' });
  }
  const runs: number[] = [];
  const server: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const res = await browser.get('/reservations?month=2026-10');
    runs.push(performance.now() - started);
    server.push(Number(/dur=([\d.]+)/.exec(res.headers['server-timing'] ?? '')?.[1] ?? NaN));
    expect(res.status).toBe(200);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const page = await browser.get('/reservations?month=2026-10');
  const checkboxes = (page.text.match(/class="calendar__input"/g) ?? []).length;
  console.log(`[calendar] 3 children × 3 services, ${checkboxes} cells with a checkbox, ${Math.round(page.text.length / 1024)} KiB: page median ${median(runs).toFixed(1)} ms (max ${Math.max(...runs).toFixed(1)}), calendar data median ${median(server).toFixed(1)} ms over ${runs.length} requests`);
  expect(median(runs)).toBeLessThan(1000);
}, 120_000);
