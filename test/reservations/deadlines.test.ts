// Each deadline rule, one minute before and one minute after, through HTTP, with the clock set
// in UTC so that the Paris offsets (DST) are really exercised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { enrolledFamily, live, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

async function tryBook(service: { id: number }, day: string, atUtc: string) {
  ctx.clock.set(atUtc);
  const { browser, child } = await enrolledFamily(ctx, {}, [{ firstName: 'Léa' }], service);
  const res = await browser.post(
    '/reservations',
    { slots: [slot(child.id, service.id, day)] },
    { from: `/reservations?month=${day.slice(0, 7)}` },
  );
  expect(res.status).toBe(303);
  const page = await browser.get(res.headers.location!);
  return { booked: (await live(ctx, { child_id: child.id })).length === 1, text: page.text };
}

describe('booking deadlines, one minute either side', () => {
  it('N calendar days before at HH:MM, on the spring DST Sunday (deadline Sun 28 March 2027 10:00 CEST)', async () => {
    const service = await createService(ctx.deps, {
      booking_deadline: { kind: 'calendar_days', days: 2, time: '10:00' },
    });
    expect((await tryBook(service, '2027-03-30', '2027-03-28T07:59:00Z')).booked).toBe(true); // 09:59 CEST
    const late = await tryBook(service, '2027-03-30', '2027-03-28T08:01:00Z'); // 10:01 CEST
    expect(late.booked).toBe(false);
    expect(late.text).toContain('délai de réservation dépassé');
  });

  it('N working days before: Easter Monday is skipped (Tue 30 March → Fri 26 March 18:00 CET)', async () => {
    const service = await createService(ctx.deps, {
      booking_deadline: { kind: 'working_days', days: 1, time: '18:00' },
    });
    expect((await tryBook(service, '2027-03-30', '2027-03-26T16:59:00Z')).booked).toBe(true);
    expect((await tryBook(service, '2027-03-30', '2027-03-26T17:01:00Z')).booked).toBe(false);
  });

  it('the week before by Thursday noon; Ascension Thursday moves it to Wednesday 5 May 2027', async () => {
    const service = await createService(ctx.deps, {
      booking_deadline: { kind: 'week_before', weekday: 4, time: '12:00' },
    });
    expect((await tryBook(service, '2027-05-11', '2027-05-05T09:59:00Z')).booked).toBe(true); // 11:59 CEST
    expect((await tryBook(service, '2027-05-11', '2027-05-05T10:01:00Z')).booked).toBe(false);
  });

  it('the week before, across the autumn DST change (Thu 29 October 2026 12:00 CET)', async () => {
    const service = await createService(ctx.deps, {
      booking_deadline: { kind: 'week_before', weekday: 4, time: '12:00' },
    });
    expect((await tryBook(service, '2026-11-02', '2026-10-29T10:59:00Z')).booked).toBe(true);
    expect((await tryBook(service, '2026-11-02', '2026-10-29T11:01:00Z')).booked).toBe(false);
  });

  it('a fixed opening time: holiday bookings open on 5 January 2027 at 18:00', async () => {
    const service = await createService(ctx.deps, {
      kind: 'holiday',
      opening_days: 'holidays',
      booking_deadline: null,
      booking_opens_at: new Date('2027-01-05T17:00:00Z'),
    });
    const early = await tryBook(service, '2027-02-22', '2027-01-05T16:59:00Z');
    expect(early.booked).toBe(false);
    expect(early.text).toContain('pas encore ouvertes');
    expect((await tryBook(service, '2027-02-22', '2027-01-05T17:00:00Z')).booked).toBe(true);
  });

  it('a rolling window: not beyond N days ahead', async () => {
    const service = await createService(ctx.deps, { booking_window_days: 30 });
    expect((await tryBook(service, '2026-10-13', '2026-09-14T08:00:00Z')).booked).toBe(true); // 29 days ahead
    const beyond = await tryBook(service, '2026-10-15', '2026-09-14T08:00:00Z'); // 31 days ahead
    expect(beyond.booked).toBe(false);
    expect(beyond.text).toContain('pas encore ouvertes');
  });
});

describe('cancellation deadline, one minute either side', () => {
  it('cancels free before the deadline and refuses after it', async () => {
    const service = await createService(ctx.deps, {
      cancel_deadline: { kind: 'calendar_days', days: 1, time: '09:00' },
    });
    ctx.clock.set('2026-09-14T08:00:00Z');
    const { browser: first, child, parent } = await enrolledFamily(ctx, {}, [{ firstName: 'Léa' }], service);
    await first.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2026-09-17'), slot(child.id, service.id, '2026-09-18')] },
      { from: '/reservations' },
    );
    ctx.clock.set('2026-09-16T06:59:00Z'); // Wed 08:59 CEST: deadline for Thursday is Wed 09:00
    let browser = await loginAs(ctx, parent);
    let res = await browser.post(
      '/reservations/cancel',
      { slots: [slot(child.id, service.id, '2026-09-17')] },
      { from: '/reservations' },
    );
    expect(res.status).toBe(303);
    expect((await browser.get('/reservations/result')).text).toContain('Annulé sans frais');
    ctx.clock.set('2026-09-17T07:01:00Z'); // Thu 09:01 CEST: deadline for Friday passed
    browser = await loginAs(ctx, parent);
    res = await browser.post(
      '/reservations/cancel',
      { slots: [slot(child.id, service.id, '2026-09-18')] },
      { from: '/reservations' },
    );
    const page = await browser.get('/reservations/result');
    expect(page.text).toContain('délai d&#39;annulation dépassé');
    expect((await live(ctx, { child_id: child.id })).map((r) => [r.day, r.status])).toEqual([
      ['2026-09-18', 'booked'],
    ]);
  });
});
