// The booking rush: concurrent POSTs through HTTP and two service instances at once (as two app
// instances would) give exactly the seats there are, and each parent its own answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReservationsService } from '../../src/reservations/service.js';
import {
  createEnrolment,
  createFamily,
  createService,
  createTestContext,
  type TestContext,
} from '../support/index.js';
import { enrolledFamily, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const DAY = '2026-09-24';

/** The day's live reservations in waiting-list order (created_at, id), with their position. */
async function dayRows(serviceId: number) {
  const { rows } = await ctx.db.raw(
    `SELECT id, child_id, status, row_number() OVER (PARTITION BY status ORDER BY created_at, id)::int AS position
       FROM reservations WHERE service_id = ? AND day = ? AND status IN ('booked', 'waiting') ORDER BY id`,
    [serviceId, DAY],
  );
  return rows as { id: number; child_id: number; status: string; position: number }[];
}

describe('the booking rush through HTTP', () => {
  it('40 parents at once, 8 seats: exactly 8 booked, the others waiting 1..32, each told its own outcome', async () => {
    const service = await createService(ctx.deps, { capacity: 8 });
    const families = [];
    for (let i = 0; i < 40; i++)
      families.push(await enrolledFamily(ctx, {}, [{ firstName: `Ruée${i}` }], service));
    for (const f of families) await f.browser.get('/reservations?month=2026-09');
    // One parent posts another household's child and one posts garbage in the middle of the rush.
    const intruder = families[0]!;
    const responses = await Promise.all([
      ...families.map((f) =>
        f.browser.post(
          '/reservations',
          { slots: [slot(f.child.id, service.id, DAY)], waitlist: '1' },
          { csrf: f.browser.token },
        ),
      ),
      intruder.browser.post(
        '/reservations',
        { slots: [slot(families[1]!.child.id, service.id, '2026-09-25')], waitlist: '1' },
        { csrf: intruder.browser.token },
      ),
      intruder.browser.post(
        '/reservations',
        { slots: ['1:x:2026-09-25'], waitlist: '1' },
        { csrf: intruder.browser.token },
      ),
    ]);
    expect(responses.slice(0, 40).map((r) => r.status)).toEqual(Array(40).fill(303));
    expect(responses[40]!.status).toBe(404);
    expect(responses[41]!.status).toBe(422);

    const rows = await dayRows(service.id);
    const booked = rows.filter((r) => r.status === 'booked');
    const waiting = rows.filter((r) => r.status === 'waiting');
    expect(booked).toHaveLength(8);
    expect(waiting.map((r) => r.position)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.child_id)).size).toBe(40);
    expect(
      (await ctx.db('reservation_counters').where({ service_id: service.id, day: DAY }).first()).booked,
    ).toBe(8);
    // Nothing written by the foreign child or the bad input.
    expect(await ctx.db('reservations').where({ service_id: service.id, day: '2026-09-25' })).toEqual([]);

    // Each parent's answer is its own row's status.
    const statusOf = new Map(rows.map((r) => [r.child_id, r.status]));
    expect(new Set(responses.slice(0, 40).map((r) => r.headers.location))).toEqual(
      new Set(['/reservations/result']),
    );
    const pages = await Promise.all(families.map((f) => f.browser.get('/reservations/result')));
    for (const [i, f] of families.entries()) {
      expect(pages[i]!.status).toBe(200);
      expect(pages[i]!.text).toContain(`Ruée${i}`);
      expect(pages[i]!.text).toContain(
        statusOf.get(f.child.id) === 'booked' ? '>Réservé<' : 'Inscrit sur la liste d&#39;attente',
      );
    }
  }, 120_000);

  it("another household's parent never sees a booking's answer", async () => {
    const a = await enrolledFamily(ctx);
    const b = await enrolledFamily(ctx, {}, [{ firstName: 'Autre' }], a.service);
    const res = await a.browser.post(
      '/reservations',
      { slots: [slot(a.child.id, a.service.id, '2026-09-17')] },
      { from: '/reservations' },
    );
    expect(res.headers.location).toBe('/reservations/result');
    expect((await a.browser.get('/reservations/result')).text).toContain('Léa');
    const other = await b.browser.get('/reservations/result');
    expect(other.status).toBe(303);
    expect(other.headers.location).toBe('/reservations');
  });
});

describe('a big selection', () => {
  it('gets its whole answer', async () => {
    const { browser, child, service } = await enrolledFamily(ctx);
    const days: string[] = [];
    for (let d = new Date('2026-09-15T12:00:00Z'); days.length < 45; d.setUTCDate(d.getUTCDate() + 1))
      if (d.getUTCDay() % 6 !== 0) days.push(d.toISOString().slice(0, 10));
    const res = await browser.post(
      '/reservations',
      { slots: days.map((day) => slot(child.id, service.id, day)) },
      { from: '/reservations' },
    );
    expect(res.headers.location).toBe('/reservations/result');
    const page = await browser.get('/reservations/result');
    expect(page.text).toContain('Réservé');
    expect(page.text).toContain('Léa');
  });
});

describe('several instances at once', () => {
  it('two services (two app instances) booking the same day together still give exactly the seats', async () => {
    const service = await createService(ctx.deps, { capacity: 10 });
    const requests = [];
    for (let i = 0; i < 50; i++) {
      const { parent, household } = await createFamily(ctx.deps, [{ firstName: `Inst${i}` }]);
      const child = household.children[0]!;
      await createEnrolment(ctx.deps, {
        childId: child.id,
        serviceId: service.id,
        householdId: household.id,
      });
      requests.push({
        householdId: household.id,
        actor: { accountId: parent.id, role: 'parent' as const },
        slots: [{ childId: child.id, serviceId: service.id, day: DAY }],
        waitlist: i % 3 !== 0,
      });
    }
    const one = createReservationsService(ctx.deps);
    const two = createReservationsService(ctx.deps);
    const outcomes = await Promise.all(requests.map((r, i) => (i % 2 ? one : two).bookOwn(r)));
    const results = outcomes.map((o) => o![0]!.result);
    const rows = await dayRows(service.id);
    expect(results.filter((r) => r === 'booked')).toHaveLength(10);
    expect(rows.filter((r) => r.status === 'booked')).toHaveLength(10);
    expect(rows.filter((r) => r.status === 'waiting')).toHaveLength(
      results.filter((r) => r === 'waiting').length,
    );
    expect(results.filter((r) => r === 'full').length + rows.length).toBe(50);
    expect(
      (await ctx.db('reservation_counters').where({ service_id: service.id, day: DAY }).first()).booked,
    ).toBe(10);
    // A child already holding the day, asked again together with others: told so, nothing doubled.
    const again = await Promise.all([
      one.bookOwn(requests[1]!),
      one.bookOwn(requests[1]!),
      two.bookOwn(requests[1]!),
    ]);
    expect(
      again.map((o) => o![0]!.result).every((r) => r === 'already_booked' || r === 'already_waiting'),
    ).toBe(true);
    expect((await dayRows(service.id)).length).toBe(rows.length);
  });
});
