// The attendance sheet page's facts (read in one statement beside the rows): which service is
// shown, whether the day is open for it (calendar, staff closures), whether the month is invoiced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createService,
  createTestContext,
  loginAs,
  type Browser,
  type TestContext,
} from '../support/index.js';
import { enrolledFamily, slot } from './helpers.js';

let ctx: TestContext;
let agent: Browser;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
});
afterAll(async () => ctx?.close());

const CLOSED = 'pas ouvert ce jour-là';

describe('attendance sheet page', () => {
  it('says when the day is not open for the service: weekend, closed by the town (with the reason)', async () => {
    const { service, browser, child } = await enrolledFamily(ctx, { name: 'Accueil (feuille)' });
    await browser.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2026-09-24'), slot(child.id, service.id, '2026-09-25')] },
      { from: '/reservations' },
    );
    const sheet = async (day: string) =>
      (await agent.get(`/admin/attendance?service=${service.id}&date=${day}`)).text;

    const open = await sheet('2026-09-24');
    expect(open).not.toContain(CLOSED);
    expect(open).toContain(`<li id="child-${child.id}"><fieldset>`);
    expect(open).toContain('1 réservés, 0 présents');
    expect(await sheet('2026-09-26')).toContain(CLOSED);

    expect(
      (
        await agent.post('/admin/reservations/close', {
          service: String(service.id),
          day: '2026-09-25',
          reason: 'Grève',
        })
      ).status,
    ).toBe(303);
    const closed = await sheet('2026-09-25');
    expect(closed).toContain(CLOSED);
    expect(closed).toContain('(Grève)');
    // A closure of this service leaves the other services' sheets open that day.
    const other = await createService(ctx.deps, { name: 'Autre accueil (feuille)' });
    expect((await agent.get(`/admin/attendance?service=${other.id}&date=2026-09-25`)).text).not.toContain(
      CLOSED,
    );
  });

  it('is read-only once the month is invoiced', async () => {
    const { service } = await enrolledFamily(ctx, { name: 'Accueil (facturé)' });
    const url = `/admin/attendance?service=${service.id}&date=2026-10-01`;
    expect((await agent.get(url)).text).not.toContain('Ce mois est facturé');
    await ctx.db('locked_months').insert({ month: '2026-10', locked_at: new Date() });
    try {
      expect((await agent.get(url)).text).toContain('Ce mois est facturé');
    } finally {
      await ctx.db('locked_months').where({ month: '2026-10' }).delete();
    }
  });

  it('answers 404 for a service that is not visible', async () => {
    expect((await agent.get('/admin/attendance?service=999999&date=2026-09-24')).status).toBe(404);
    expect((await agent.get('/admin/attendance?service=abc&date=2026-09-24')).status).toBe(404);
    const [held, other] = (await ctx.db('schools').orderBy('id').limit(2).select('id')) as { id: number }[];
    const elsewhere = await createService(ctx.deps, {
      name: 'Accueil ailleurs (feuille)',
      site_school_id: held!.id,
    });
    const animator = await loginAs(
      ctx,
      await createAccount(ctx.deps, { role: 'animator', schoolIds: [other!.id] }),
    );
    expect((await animator.get(`/admin/attendance?service=${elsewhere.id}&date=2026-09-24`)).status).toBe(
      404,
    );
  });
});
