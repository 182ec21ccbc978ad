// The kitchen headcount's statement is sent with the day and the sites written in (so that it is
// planned for that day): they are checked first, and every site filter gives the same counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headcount } from '../../src/reservations/headcount-repository.js';
import {
  createAccount,
  createService,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';
import { enrolledFamily, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

describe('kitchen headcount', () => {
  it('counts the same meals whatever the site filter, and refuses a malformed day or site', async () => {
    const school = (await ctx.db('schools').where({ kind: 'elementary' }).orderBy('id').first('id')) as {
      id: number;
    };
    const service = await createService(ctx.deps, { site_school_id: school.id, name: 'Cantine (comptage)' });
    const family = await enrolledFamily(
      ctx,
      {},
      [
        { firstName: 'Ana', diet: 'vegetarian' },
        { firstName: 'Bob', allergies: 'gluten' },
      ],
      service,
    );
    await family.browser.post(
      '/reservations',
      { slots: family.household.children.map((c) => slot(c.id, service.id, '2026-10-01')) },
      { from: '/reservations' },
    );

    const all = await headcount(ctx.db, '2026-10-01', null);
    const mine = all.rows.filter((r) => r.school_id === school.id);
    expect(mine.map((r) => [r.meal, r.diet, r.meals])).toEqual([
      ['lunch', 'none', 1],
      ['lunch', 'vegetarian', 1],
    ]);
    expect((await headcount(ctx.db, '2026-10-01', [school.id])).rows).toEqual(mine);
    expect((await headcount(ctx.db, '2026-10-01', [school.id])).allergies.map((a) => a.allergies)).toEqual([
      'gluten',
    ]);
    expect(await headcount(ctx.db, '2026-10-01', [])).toEqual({ rows: [], allergies: [] });

    await expect(headcount(ctx.db, "2026-10-01' OR '1'='1", null)).rejects.toThrow('invalid day');
    await expect(headcount(ctx.db, '2026-10-01', [1.5])).rejects.toThrow('invalid day or site');

    // An animator without sites sees no meal; the agent sees this school's two.
    const animator = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }));
    expect((await animator.get('/admin/headcount?date=2026-10-01')).text).toContain(
      'Total de la journée : 0 déjeuners d&#39;enfants, 0 repas d&#39;adultes, 0 goûters',
    );
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const page = (await agent.get('/admin/headcount?date=2026-10-01')).text;
    expect(page).toContain('<th scope="row">végétarien</th><td class="num">1</td><td class="num">0</td>');
  });
});
