// The attendance sheet shows what is in the tables now: every kind of change to what it shows
// appears at the next view, whichever way it was written, and what an account may see is decided
// at each request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAttendance,
  addReservations,
  createAccount,
  createContact,
  createEnrolment,
  createFamily,
  createService,
  createTestContext,
  csrfFrom,
  loginAs,
  type Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2027-01-05T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const DAY = '2027-01-07';

/** A service at a school, and a family whose first child is enrolled and booked on DAY. */
async function sheetWithOneChild(name: string) {
  const school = (await ctx.db('schools').where({ kind: 'elementary' }).first('id', 'name')) as {
    id: number;
    name: string;
  };
  const service = await createService(ctx.deps, { site_school_id: school.id, name });
  const family = await createFamily(ctx.deps, [{ firstName: 'Iris' }, { firstName: 'Paul' }]);
  const [iris, paul] = [family.household.children[0]!, family.household.children[1]!];
  await createEnrolment(ctx.deps, {
    childId: iris.id,
    serviceId: service.id,
    householdId: family.household.id,
  });
  await addReservations(ctx.deps, {
    serviceId: service.id,
    childId: iris.id,
    householdId: family.household.id,
    days: [DAY],
  });
  return {
    school,
    service,
    household: family.household,
    iris,
    paul,
    url: `/admin/attendance?service=${service.id}&date=${DAY}`,
  };
}

const page = async (browser: Browser, url: string) => {
  const res = await browser.get(url);
  expect(res.status).toBe(200);
  return res.text;
};

describe('the attendance sheet', () => {
  it('shows every kind of change at the next view', async () => {
    const { school, service, household, iris, paul, url } = await sheetWithOneChild('Périscolaire Jaurès');
    const H = household.id;
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect(await page(agent, url)).toContain('Testeur Iris');

    const changes: [string, () => Promise<unknown>, string?][] = [
      [
        'a child booked',
        () =>
          addReservations(ctx.deps, { serviceId: service.id, childId: paul.id, householdId: H, days: [DAY] }),
        'Testeur Paul',
      ],
      [
        'a booking cancelled',
        () => ctx.db('reservations').where({ child_id: paul.id, day: DAY }).update({ status: 'cancelled' }),
      ],
      [
        'a child declared sick',
        () => ctx.db('reservations').where({ child_id: iris.id, day: DAY }).update({ status: 'sick' }),
        'absence pour maladie déclarée',
      ],
      [
        'a mark recorded',
        () =>
          addAttendance(ctx.deps, {
            serviceId: service.id,
            childId: iris.id,
            days: [DAY],
            status: 'absent_excused',
            householdId: H,
          }),
        'value="absent_excused" checked',
      ],
      [
        'a mark changed',
        () => ctx.db('attendance').where({ child_id: iris.id, day: DAY }).update({ status: 'absent' }),
        'value="absent" checked',
      ],
      ['a mark removed', () => ctx.db('attendance').where({ child_id: iris.id, day: DAY }).delete()],
      [
        'an enrolment accepted',
        () => createEnrolment(ctx.deps, { childId: paul.id, serviceId: service.id, householdId: H }),
        `<option value="${paul.id}">Testeur Paul</option>`,
      ],
      [
        "a child's allergies",
        () => ctx.db('members').where({ id: iris.id }).update({ allergies: 'kiwi' }),
        'kiwi',
      ],
      [
        'a contact who may pick up',
        () => createContact(ctx.deps, H, { firstName: 'Mamie', lastName: 'Rose' }),
        'Mamie Rose',
      ],
      [
        'a school renamed',
        () => ctx.db('schools').where({ id: school.id }).update({ name: 'École des Tilleuls' }),
        'École des Tilleuls',
      ],
      [
        'a service renamed',
        () => ctx.db('services').where({ id: service.id }).update({ name: 'Accueil du soir Jaurès' }),
        'Accueil du soir Jaurès',
      ],
      [
        'the day closed',
        () =>
          ctx
            .db('service_day_closures')
            .insert({ service_id: service.id, day: DAY, reason: 'Grève', closed_at: ctx.clock.now() }),
        'Grève',
      ],
      [
        'the day reopened',
        () => ctx.db('service_day_closures').where({ service_id: service.id, day: DAY }).delete(),
      ],
      [
        'the month locked',
        () => ctx.db('locked_months').insert({ month: '2027-01', locked_at: ctx.clock.now() }),
        '<fieldset disabled>',
      ],
      ['the month unlocked', () => ctx.db('locked_months').where({ month: '2027-01' }).delete()],
      ['a table emptied at once (TRUNCATE)', () => ctx.db.raw('TRUNCATE locked_months')],
    ];
    for (const [what, change, shows] of changes) {
      await change();
      const after = await page(agent, url);
      expect(after, what).toContain('Testeur Iris');
      if (shows) expect(after, what).toContain(shows);
    }
  });

  it("is shown with each viewer's own CSRF token, and a mark posted with it is saved and shown", async () => {
    const { iris, url } = await sheetWithOneChild('Garderie du matin');
    const first = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const firstPage = await page(first, url);
    const second = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const secondPage = await page(second, url);
    expect(csrfFrom(secondPage)).not.toBe(csrfFrom(firstPage));
    expect(secondPage).not.toContain(csrfFrom(firstPage));
    expect(secondPage).toMatch(/<title>Feuille de présence – Portail Famille/);

    const saved = await second.post(
      '/admin/attendance',
      {
        service: url.match(/service=(\d+)/)![1]!,
        date: DAY,
        child: String(iris.id),
        [`status-${iris.id}`]: 'absent',
      },
      { csrf: csrfFrom(secondPage) },
    );
    expect(saved.status).toBe(303);
    expect(await ctx.db('attendance').where({ child_id: iris.id, day: DAY }).first('status')).toEqual({
      status: 'absent',
    });
    expect(await page(second, url)).toContain('value="absent" checked');
  });

  it("is an animator's only for their sites: a site taken away is a 404 at once", async () => {
    const { school, url } = await sheetWithOneChild('Centre de loisirs Jaurès');
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const animatorAccount = await createAccount(ctx.deps, { role: 'animator', schoolIds: [school.id] });
    const animator = await loginAs(ctx, animatorAccount);
    expect(await page(animator, url)).toContain('Testeur Iris');
    expect(await page(agent, url)).toContain('Testeur Iris');
    // Another animator, of another site, never gets the sheet.
    const elsewhere = (await ctx.db('schools').whereNot({ id: school.id }).first('id')) as { id: number };
    const stranger = await loginAs(
      ctx,
      await createAccount(ctx.deps, { role: 'animator', schoolIds: [elsewhere.id] }),
    );
    expect((await stranger.get(url)).status).toBe(404);
    await ctx.db('account_sites').where({ account_id: animatorAccount.id }).delete();
    expect((await animator.get(url)).status).toBe(404);
    expect(await page(agent, url)).toContain('Testeur Iris');
  });
});
