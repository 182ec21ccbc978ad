// A day is bookable only inside the enrolment's school year, inside a period of the town calendar
// with both ends, and inside the service's booking window (a default one when none is set).
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { enrolledFamily, live, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const holidayCentre = {
  kind: 'holiday',
  opening_days: 'holidays',
  weekdays: [1, 2, 3, 4, 5],
  unit: 'day',
  booking_deadline: null,
  cancel_deadline: null,
};

describe('bookings stay inside the school year', () => {
  it('refuses holiday-centre days after the summer of a 2026–2027 enrolment, and the calendar offers none', async () => {
    const { browser, service, child } = await enrolledFamily(ctx, holidayCentre);
    const far = ['2027-09-08', '2028-03-15', '2030-01-09', '2099-12-30'];
    const res = await browser.post(
      '/reservations',
      { slots: far.map((d) => slot(child.id, service.id, d)) },
      { from: '/reservations?month=2026-10' },
    );
    expect(res.status).toBe(303);
    expect(await live(ctx, { child_id: child.id })).toHaveLength(0);

    for (const month of ['2099-12', '2027-09']) {
      const $ = cheerio.load((await browser.get(`/reservations?month=${month}`)).text);
      expect($(`input[type=checkbox][name=slots][value^="${child.id}:${service.id}:"]`)).toHaveLength(0);
    }
    // The summer itself (a period with both ends) and the autumn holidays stay bookable.
    const october = cheerio.load((await browser.get('/reservations?month=2026-10')).text);
    expect(october(`input[name=slots][value="${slot(child.id, service.id, '2026-10-19')}"]`)).toHaveLength(1);
    const ok = await browser.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2026-10-19'), slot(child.id, service.id, '2027-07-05')] },
      { from: '/reservations?month=2026-10' },
    );
    expect(ok.status).toBe(303);
    expect((await live(ctx, { child_id: child.id })).map((r) => r.day)).toEqual(['2026-10-19', '2027-07-05']);
  });

  it('refuses a calendar period without an end date, and the database holds none', async () => {
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const count = async () =>
      Number(((await ctx.db('calendar_periods').count({ c: '*' })) as [{ c: number }])[0].c);
    const before = await count();
    const res = await manager.post(
      '/admin/calendar/new',
      {
        school_year_id: '2026-2027',
        kind: 'holiday',
        name: 'Été sans fin',
        starts_on: '2027-07-10',
        ends_on: '',
      },
      { from: '/admin/calendar/new' },
    );
    expect(res.status).toBe(422);
    const $ = cheerio.load(res.text);
    expect($('.error-summary').text()).toContain('Indiquez le dernier jour de la période.');
    expect(await count()).toBe(before);
    expect(await ctx.db('calendar_periods').whereNull('ends_on')).toHaveLength(0);
    await expect(
      ctx.db('calendar_periods').insert({
        school_year_id: '2026-2027',
        kind: 'holiday',
        name: 'x',
        starts_on: '2027-07-20',
        ends_on: null,
      }),
    ).rejects.toThrow();
  });

  it('keeps a service with no booking window of its own within a default window', async () => {
    ctx.clock.set('2026-09-14T08:00:00Z');
    const { browser, service, child } = await enrolledFamily(ctx, {
      ...holidayCentre,
      booking_window_days: null,
    });
    // The default window is a school year ahead: the summer 2027 is within it today.
    await browser.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2027-07-06')] },
      { from: '/reservations?month=2026-10' },
    );
    expect((await live(ctx, { child_id: child.id })).map((r) => r.day)).toEqual(['2027-07-06']);
  });
});
