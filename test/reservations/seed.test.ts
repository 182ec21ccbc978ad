import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/index.js';
import { seed } from '../../seeds/060-reservations.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-10-05T08:00:00Z', demo: true });
});
afterAll(async () => ctx?.close());

it('demo data: a term of bookings, attendance for past days, a full holiday day with a waiting list; idempotent', async () => {
  const count = async (table: string, where: Record<string, unknown> = {}) =>
    Number((await ctx.db(table).where(where).count({ n: '*' }).first())?.n);
  const martin = await ctx
    .db('accounts as a')
    .join('household_accounts as ha', 'ha.account_id', 'a.id')
    .where('a.email', 'parent@demo.test')
    .first('ha.household_id');
  expect(martin).toBeDefined(); // seeds/030-households.ts
  expect(
    await count('reservations', { household_id: martin.household_id, status: 'booked' }),
  ).toBeGreaterThan(50);
  expect(await count('attendance', { household_id: martin.household_id })).toBeGreaterThan(10);
  const holiday = await ctx.db('services').where({ name: 'Accueil de loisirs des vacances' }).first('id');
  if (holiday) {
    expect(await count('reservations', { service_id: holiday.id, day: '2026-10-19', status: 'booked' })).toBe(
      24,
    );
    expect(
      await count('reservations', {
        service_id: holiday.id,
        day: '2026-10-19',
        status: 'waiting',
        household_id: martin.household_id,
      }),
    ).toBe(1);
  }
  const before = await count('reservations');
  await seed(ctx.deps);
  expect(await count('reservations')).toBe(before);
}, 60_000);
