// Staff and the waiting lists: each day's list in order with the date each family asked, and a free
// seat given by hand to any child in line (capacity respected, audited, the family emailed).
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const DAY = '2026-09-24';

async function fullDayWithTwoWaiting() {
  const service = await createService(ctx.deps, { capacity: 1 });
  const a = await enrolledFamily(ctx, {}, [{ firstName: 'Anouk' }], service);
  const b = await enrolledFamily(ctx, {}, [{ firstName: 'Basile' }], service);
  const c = await enrolledFamily(ctx, {}, [{ firstName: 'Céleste' }], service);
  // Within the session's idle time: the three families ask one after the other.
  for (const [f, at] of [
    [a, '2026-09-14T08:00:00Z'],
    [b, '2026-09-14T08:05:00Z'],
    [c, '2026-09-14T08:20:00Z'],
  ] as const) {
    ctx.clock.set(at);
    await f.browser.post(
      '/reservations',
      { slots: [slot(f.child.id, service.id, DAY)], waitlist: '1' },
      {
        from: '/reservations',
      },
    );
  }
  ctx.clock.set('2026-09-14T08:00:00Z');
  return { service, a, b, c };
}

const waitingOf = async (serviceId: number) =>
  ctx
    .db('reservations')
    .where({ service_id: serviceId, day: DAY })
    .orderBy('id')
    .select('child_id', 'status');

describe("staff and a day's waiting list", () => {
  it('shows the line in order with the date each family asked; only to agents and up', async () => {
    const { service, b, c } = await fullDayWithTwoWaiting();
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const page = await agent.get(`/admin/reservations/waiting?service=${service.id}&day=${DAY}`);
    expect(page.status).toBe(200);
    const $ = cheerio.load(page.text);
    const rows = $('tbody tr')
      .toArray()
      .map((tr) => $(tr).text().replace(/\s+/g, ' ').trim());
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^1 Basile/);
    expect(rows[0]).toContain(b.household.familyNumber);
    expect(rows[0]).toContain('10:05'); // Paris time
    expect(rows[1]).toMatch(/^2 Céleste/);
    expect(rows[1]).toContain('10:20');
    expect($('caption').text()).toContain('1 places réservées sur 1');
    // The family of a child in line only: nobody else's child is listed.
    expect(page.text).not.toContain('Anouk');
    expect(c.child.id).toBeTruthy();

    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    expect((await manager.get(`/admin/reservations/waiting?service=${service.id}&day=${DAY}`)).status).toBe(
      200,
    );
    const animator = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }));
    expect((await animator.get('/admin/reservations/waiting')).status).toBe(403);
    expect((await b.browser.get('/admin/reservations/waiting')).status).toBe(403);
  });

  it('promotes by hand within capacity only; bad input changes nothing', async () => {
    const { service, b, c } = await fullDayWithTwoWaiting();
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const from = `/admin/reservations/waiting?service=${service.id}&day=${DAY}`;
    const cWaiting = await ctx
      .db('reservations')
      .where({ service_id: service.id, child_id: c.child.id, status: 'waiting' })
      .first('id');
    const before = await waitingOf(service.id);
    await ctx.flushEmails();
    const cMails = ctx.smtp.to(c.parent.email).length;
    const bMails = ctx.smtp.to(b.parent.email).length;

    const bad = await agent.post(
      '/admin/reservations/waiting/promote',
      { reservation: 'abc', service: String(service.id), day: DAY },
      { from },
    );
    expect(bad.status).toBe(422);
    expect(cheerio.load(bad.text)('#reservation').text()).toContain("n'est plus sur la liste d'attente");

    const full = await agent.post(
      '/admin/reservations/waiting/promote',
      { reservation: String(cWaiting.id), service: String(service.id), day: DAY },
      { from },
    );
    expect(full.status).toBe(422);
    expect(cheerio.load(full.text)('#reservation').text()).toContain('la capacité ne peut être dépassée');
    expect(await waitingOf(service.id)).toEqual(before);
    expect(await ctx.db('audit_events').where({ action: 'reservations.promoted_by_hand' })).toHaveLength(0);

    // The town adds a seat: the agent gives it to the second in line.
    await ctx.db('services').where({ id: service.id }).update({ capacity: 2 });
    const res = await agent.post(
      '/admin/reservations/waiting/promote',
      { reservation: String(cWaiting.id), service: String(service.id), day: DAY },
      { from },
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(from);
    const after = await waitingOf(service.id);
    expect(after.find((r) => r.child_id === c.child.id)!.status).toBe('booked');
    expect(after.find((r) => r.child_id === b.child.id)!.status).toBe('waiting');
    expect(
      (await ctx.db('reservation_counters').where({ service_id: service.id, day: DAY }).first()).booked,
    ).toBe(2);
    const audit = await ctx
      .db('audit_events')
      .where({ action: 'reservations.promoted_by_hand', subject_id: String(cWaiting.id) });
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ day: DAY, position: 2 });
    await ctx.flushEmails();
    const mails = ctx.smtp.to(c.parent.email).slice(cMails);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('Céleste');
    expect(ctx.smtp.to(b.parent.email).slice(bMails)).toHaveLength(0);

    const page = await agent.get(from);
    expect(page.text).toContain('Céleste a une place');
    expect(cheerio.load(page.text)('tbody tr')).toHaveLength(1);

    // Promoting again: the child is no longer waiting.
    const again = await agent.post(
      '/admin/reservations/waiting/promote',
      { reservation: String(cWaiting.id), service: String(service.id), day: DAY },
      { from },
    );
    expect(again.status).toBe(422);
  });
});
