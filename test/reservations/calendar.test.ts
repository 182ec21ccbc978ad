import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/index.js';
import { dayStates, openDays, publicHolidaysBetween } from '../../src/services/calendar.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

async function service(opening_days: string, weekdays = [1, 2, 4, 5]) {
  const [row] = await ctx
    .db('services')
    .insert({
      school_year_id: '2026-2027',
      kind: 'canteen',
      name: `Service ${opening_days} ${Math.random()}`,
      opening_days,
      weekdays,
    })
    .returning(['id', 'opening_days', 'weekdays', 'school_year_id']);
  return row as { id: number; opening_days: string; weekdays: number[]; school_year_id: string };
}

describe('openDays: the days a service runs', () => {
  it('school days: its weekdays in term time, not in the Toussaint holidays nor on 11 November', async () => {
    const s = await service('school_days');
    const days = await openDays(ctx.db, s, '2026-10-12', '2026-11-13');
    expect(days).toEqual([
      '2026-10-12',
      '2026-10-13',
      '2026-10-15',
      '2026-10-16',
      '2026-11-02',
      '2026-11-03',
      '2026-11-05',
      '2026-11-06',
      '2026-11-09',
      '2026-11-10',
      '2026-11-12',
      '2026-11-13',
    ]);
  });

  it('wednesdays: term-time Wednesdays only', async () => {
    const s = await service('wednesdays');
    expect(await openDays(ctx.db, s, '2026-10-12', '2026-11-08')).toEqual(['2026-10-14', '2026-11-04']);
  });

  it('holidays: weekdays of holiday periods, minus Christmas and New Year', async () => {
    const s = await service('holidays');
    expect(await openDays(ctx.db, s, '2026-12-21', '2027-01-03')).toEqual([
      '2026-12-21',
      '2026-12-22',
      '2026-12-23',
      '2026-12-24',
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
    ]);
  });

  it('none: never; and a day closed by staff is not open but says why', async () => {
    expect(await openDays(ctx.db, await service('none'), '2026-09-01', '2026-09-30')).toEqual([]);
    const s = await service('school_days');
    await ctx
      .db('service_day_closures')
      .insert({ service_id: s.id, day: '2026-09-15', reason: 'Grève', closed_at: new Date() });
    expect(await openDays(ctx.db, s, '2026-09-14', '2026-09-18')).toEqual([
      '2026-09-14',
      '2026-09-17',
      '2026-09-18',
    ]);
    const states = await dayStates(ctx.db, s, '2026-09-14', '2026-09-16');
    expect(states.get('2026-09-15')).toEqual({ open: false, reason: 'closed_by_town', note: 'Grève' });
    expect(states.get('2026-09-16')).toEqual({ open: false, reason: 'not_running' });
  });

  it('lists public holidays in a range', async () => {
    expect([...(await publicHolidaysBetween(ctx.db, '2027-05-01', '2027-05-31'))]).toEqual([
      '2027-05-06',
      '2027-05-07',
      '2027-05-17',
    ]);
  });
});

describe('service and enrolment factories', () => {
  it('create a service with defaults and an accepted enrolment', async () => {
    const { createService, createEnrolment, createFamily } = await import('../support/index.js');
    const s = await createService(ctx.deps, { capacity: 10 });
    expect(s).toMatchObject({ kind: 'canteen', capacity: 10, opening_days: 'school_days' });
    expect(s.booking_deadline).toEqual({ kind: 'calendar_days', days: 2, time: '10:00' });
    const { household } = await createFamily(ctx.deps, [{}]);
    const e = await createEnrolment(ctx.deps, {
      childId: household.children[0]!.id,
      serviceId: s.id,
      householdId: household.id,
    });
    expect(await ctx.db('enrolments').where({ id: e.id }).first()).toMatchObject({ status: 'accepted' });
  });
});
