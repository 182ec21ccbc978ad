// The attendance sheet is kept rendered (src/web/page-cache.ts) while its key holds: a fingerprint
// of the day's reservations and attendance, and the count of changes to everything else it shows
// (the accepted enrolments among them: staff-repository.ts sheetKey, migration 20261206120000).
//
// How the test sees whether a page was kept, as for the dashboard: a child's last name is changed
// with the triggers off (session_replication_role = replica), which neither logs a change nor
// touches the day's rows. A kept page does not show it; a page rendered again does. Before each
// change below the page must not show that silent mark; after it, it must.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compactSheetChanges } from '../../src/reservations/staff-repository.js';
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
  renameSilently,
  type Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2027-01-05T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const DAY = '2027-01-07';

const silently = (memberId: number, lastName: string) => renameSilently(ctx.deps, memberId, lastName);

/** A service at a school, and a family whose first child is enrolled and booked on DAY. */
async function sheetWithOneChild(name: string) {
  const school = (await ctx.db('schools').where({ kind: 'elementary' }).first('id', 'name')) as { id: number; name: string };
  const service = await createService(ctx.deps, { site_school_id: school.id, name });
  const family = await createFamily(ctx.deps, [{ firstName: 'Iris' }, { firstName: 'Paul' }]);
  const [iris, paul] = [family.household.children[0]!, family.household.children[1]!];
  await createEnrolment(ctx.deps, { childId: iris.id, serviceId: service.id, householdId: family.household.id });
  await addReservations(ctx.deps, { serviceId: service.id, childId: iris.id, householdId: family.household.id, days: [DAY] });
  return { school, service, household: family.household, iris, paul, url: `/admin/attendance?service=${service.id}&date=${DAY}` };
}

const page = async (browser: Browser, url: string) => {
  const res = await browser.get(url);
  expect(res.status).toBe(200);
  return res.text;
};

describe('the kept attendance sheet', () => {
  it('is rendered again after every kind of change it shows, and only then', async () => {
    const { school, service, household, iris, paul, url } = await sheetWithOneChild('Périscolaire Jaurès');
    const H = household.id;
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect(await page(agent, url)).toContain('Testeur Iris');

    let n = 0;
    const changes: [string, () => Promise<unknown>, string?][] = [
      ['a child booked', () => addReservations(ctx.deps, { serviceId: service.id, childId: paul.id, householdId: H, days: [DAY] }), 'Testeur Paul'],
      ['a booking cancelled', () => ctx.db('reservations').where({ child_id: paul.id, day: DAY }).update({ status: 'cancelled' })],
      ['a child declared sick', () => ctx.db('reservations').where({ child_id: iris.id, day: DAY }).update({ status: 'sick' }), 'absence pour maladie déclarée'],
      ['a mark recorded', () => addAttendance(ctx.deps, { serviceId: service.id, childId: iris.id, days: [DAY], status: 'absent_excused', householdId: H }), 'value="absent_excused" checked'],
      ['a mark changed', () => ctx.db('attendance').where({ child_id: iris.id, day: DAY }).update({ status: 'absent' }), 'value="absent" checked'],
      ['a mark removed', () => ctx.db('attendance').where({ child_id: iris.id, day: DAY }).delete()],
      ['an enrolment accepted', () => createEnrolment(ctx.deps, { childId: paul.id, serviceId: service.id, householdId: H }), `<option value="${paul.id}">Testeur Paul</option>`],
      ['a child\'s allergies', () => ctx.db('members').where({ id: iris.id }).update({ allergies: 'kiwi' }), 'kiwi'],
      ['a contact who may pick up', () => createContact(ctx.deps, H, { firstName: 'Mamie', lastName: 'Rose' }), 'Mamie Rose'],
      ['a school renamed', () => ctx.db('schools').where({ id: school.id }).update({ name: 'École des Tilleuls' }), 'École des Tilleuls'],
      ['a service renamed', () => ctx.db('services').where({ id: service.id }).update({ name: 'Accueil du soir Jaurès' }), 'Accueil du soir Jaurès'],
      ['the day closed', () => ctx.db('service_day_closures').insert({ service_id: service.id, day: DAY, reason: 'Grève', closed_at: ctx.clock.now() }), 'Grève'],
      ['the day reopened', () => ctx.db('service_day_closures').where({ service_id: service.id, day: DAY }).delete()],
      ['the month locked', () => ctx.db('locked_months').insert({ month: '2027-01', locked_at: ctx.clock.now() }), '<fieldset disabled>'],
      ['the month unlocked', () => ctx.db('locked_months').where({ month: '2027-01' }).delete()],
      ['a table emptied at once (TRUNCATE)', () => ctx.db.raw('TRUNCATE locked_months')],
    ];
    for (const [what, change, shows] of changes) {
      const mark = `Marque${++n}`;
      await silently(iris.id, mark);
      expect(await page(agent, url), `kept before ${what}`).not.toContain(mark);
      await change();
      const after = await page(agent, url);
      expect(after, `rendered again after ${what}`).toContain(`${mark} Iris`);
      if (shows) expect(after, what).toContain(shows);
    }

    // Other days' and services' bookings and marks, and enrolment drafts, leave this one kept (what
    // is written all day; a new service, child or accepted enrolment is a change to every sheet, as
    // any change logged).
    const other = await sheetWithOneChild('Cantine voisine');
    await page(agent, url);
    await silently(iris.id, 'Inchangé');
    await addReservations(ctx.deps, { serviceId: service.id, childId: paul.id, householdId: H, days: ['2027-01-08'] });
    await addAttendance(ctx.deps, { serviceId: other.service.id, childId: other.iris.id, days: [DAY], status: 'present' });
    await createEnrolment(ctx.deps, { childId: other.paul.id, serviceId: service.id, householdId: other.household.id, status: 'draft' });
    await ctx.db('enrolments').where({ child_id: other.paul.id }).update({ step: 'documents' });
    expect(await page(agent, url)).not.toContain('Inchangé');
  });

  it('is shown with each viewer\'s own CSRF token, and a mark posted with it is saved and shown', async () => {
    const { iris, url } = await sheetWithOneChild('Garderie du matin');
    const first = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const firstPage = await page(first, url);
    await silently(iris.id, 'Gardé');
    const second = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const kept = await page(second, url);
    expect(kept).not.toContain('Gardé'); // the first agent's page, kept
    expect(csrfFrom(kept)).not.toBe(csrfFrom(firstPage));
    expect(kept).not.toContain(csrfFrom(firstPage));
    expect(kept).toMatch(/<title>Feuille de présence – Portail Famille/);

    const saved = await second.post('/admin/attendance', { service: url.match(/service=(\d+)/)![1]!, date: DAY, child: String(iris.id), [`status-${iris.id}`]: 'absent' }, { csrf: csrfFrom(kept) });
    expect(saved.status).toBe(303);
    expect(await ctx.db('attendance').where({ child_id: iris.id, day: DAY }).first('status')).toEqual({ status: 'absent' });
    const after = await page(second, url);
    expect(after).toContain('Gardé Iris');
    expect(after).toContain('value="absent" checked');
  });

  it('is kept per animator: a site taken away is a 404 at once, though the sheet was kept', async () => {
    const { school, iris, url } = await sheetWithOneChild('Centre de loisirs Jaurès');
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const animatorAccount = await createAccount(ctx.deps, { role: 'animator', schoolIds: [school.id] });
    const animator = await loginAs(ctx, animatorAccount);
    expect(await page(animator, url)).toContain('Testeur Iris');
    expect(await page(agent, url)).toContain('Testeur Iris');
    // Another animator, of another site, never gets the kept sheet.
    const elsewhere = (await ctx.db('schools').whereNot({ id: school.id }).first('id')) as { id: number };
    const stranger = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator', schoolIds: [elsewhere.id] }));
    expect((await stranger.get(url)).status).toBe(404);
    await silently(iris.id, 'Gardé');
    await ctx.db('account_sites').where({ account_id: animatorAccount.id }).delete();
    expect((await animator.get(url)).status).toBe(404);
    expect(await page(agent, url)).toContain('Gardé Iris');
  });

  it('keeps its key through the daily folding of the change log, even while changes are logged', async () => {
    const { iris, url } = await sheetWithOneChild('Étude surveillée');
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    await page(agent, url);
    const sum = async () => Number((await ctx.db('sheet_changes').sum('changes as n').first())!.n);
    const before = await sum();
    expect(Number((await ctx.db('sheet_changes').count('* as n').first())!.n)).toBeGreaterThan(1);
    await silently(iris.id, 'Gardé');
    await compactSheetChanges(ctx.db);
    expect(await ctx.db('sheet_changes').select('changes')).toEqual([{ changes: before }]);
    expect(await page(agent, url)).not.toContain('Gardé'); // the same key: still kept

    // Twenty changes logged by concurrent transactions while the log is folded, twice: none lost.
    const schoolIds = (await ctx.db('schools').select('id')).map((s: { id: number }) => s.id);
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => ctx.db('schools').where({ id: schoolIds[i % schoolIds.length] }).update({ name: ctx.db.raw('name') })),
      compactSheetChanges(ctx.db),
      compactSheetChanges(ctx.db),
    ]);
    await compactSheetChanges(ctx.db);
    expect(await sum()).toBe(before + 20);
    expect(Number((await ctx.db('sheet_changes').count('* as n').first())!.n)).toBe(1);
    expect(await page(agent, url)).toContain('Gardé Iris');
  });

  it('logs, every quarter of an hour of use, its views served kept and rendered anew', async () => {
    const QUARTER = 15 * 60_000 + 1000;
    const info = vi.spyOn(ctx.deps.logger, 'info');
    try {
      const { iris, url } = await sheetWithOneChild('Cantine du soir');
      const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
      ctx.clock.advance(QUARTER);
      await page(agent, url); // the earlier tests' report; this view finds no page
      info.mockClear();
      await page(agent, url); // kept
      await ctx.db('members').where({ id: iris.id }).update({ class_level: 'CP' });
      await page(agent, url); // changed
      ctx.clock.advance(QUARTER);
      await page(agent, url);
      const reports = info.mock.calls.filter(([fields]) => (fields as { keptPages?: string }).keptPages === 'attendance sheet');
      expect(reports).toEqual([[{ keptPages: 'attendance sheet', served: 1, absent: 1, changed: 1, dropped: 0, pages: expect.any(Number), bytes: expect.any(Number) }, 'kept pages']]);
    } finally {
      info.mockRestore();
      ctx.clock.advance(-2 * QUARTER);
    }
  });
});
