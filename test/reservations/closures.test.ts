// Closures: a range of days for one service, a school's services or the whole town; one email per
// family listing its cancelled days; reopening tells the families without restoring anything.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createEnrolment,
  createService,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';
import { enrolledFamily, live, slot } from './helpers.js';

let ctx: TestContext;
let schools: { id: number; name: string }[];
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  schools = await ctx.db('schools').orderBy('id').select('id', 'name');
});
afterAll(async () => ctx?.close());

const agentBrowser = async () => loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));

describe('who may close and reopen', () => {
  it('agents and managers may; an animator and a parent may not', async () => {
    const agent = await agentBrowser();
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const animator = await loginAs(
      ctx,
      await createAccount(ctx.deps, { role: 'animator', schoolIds: [schools[0]!.id] }),
    );
    const { browser: parent } = await enrolledFamily(ctx);
    for (const path of ['/admin/reservations/close', '/admin/reservations/closures']) {
      expect((await agent.get(path)).status).toBe(200);
      expect((await manager.get(path)).status).toBe(200);
      expect((await animator.get(path)).status).toBe(403);
      expect((await parent.get(path)).status).toBe(403);
    }
    const service = await createService(ctx.deps);
    const refused = await animator.post(
      '/admin/reservations/close',
      { service: String(service.id), day: '2026-09-24', reason: 'Grève' },
      { from: '/admin/attendance' },
    );
    expect(refused.status).toBe(403);
    expect(await ctx.db('service_day_closures').where({ service_id: service.id })).toEqual([]);
  });
});

describe('closing', () => {
  it('bad input: the message beside the field, and nothing closed', async () => {
    const agent = await agentBrowser();
    const service = await createService(ctx.deps);
    const before = await ctx.db('closures').count({ n: '*' }).first();
    const cases: [Record<string, string>, string, string][] = [
      [
        { scope: 'school', school: '', day: '2026-09-24', reason: 'Grève' },
        'school',
        'Choisissez une école.',
      ],
      [
        {
          scope: 'service',
          service: String(service.id),
          day: '2026-09-25',
          until: '2026-09-24',
          reason: 'Grève',
        },
        'until',
        'La date de fin doit être après la date de début.',
      ],
      [
        { scope: 'service', service: String(service.id), day: '2026-09-10', reason: 'Grève' },
        'day',
        "La fermeture ne peut commencer avant aujourd'hui.",
      ],
      [
        { scope: 'town', day: '2026-09-24', until: '2026-12-24', reason: 'Grève' },
        'until',
        'Une fermeture ne peut dépasser 62 jours.',
      ],
      [{ scope: 'town', day: '2026-09-24', reason: '' }, 'reason', 'Indiquez le motif'],
      [{ scope: 'moon', day: '2026-09-24', reason: 'Grève' }, 'scope', 'Choisissez ce qu'],
    ];
    for (const [fields, field, message] of cases) {
      const res = await agent.post('/admin/reservations/close', fields);
      expect(res.status).toBe(422);
      const $ = cheerio.load(res.text);
      expect($(`#${field}-error`).text()).toContain(message);
      expect($('.error-summary, [role=alert]').first().text()).toContain(message);
    }
    expect(await ctx.db('closures').count({ n: '*' }).first()).toEqual(before);
    expect(await ctx.db('service_day_closures').where({ service_id: service.id })).toEqual([]);
  });

  it('the whole town for two days: every service closed, each family emailed once with its days', async () => {
    const canteen = await createService(ctx.deps, { capacity: 10 });
    const evening = await createService(ctx.deps, { kind: 'after_school', capacity: 10 });
    const a = await enrolledFamily(ctx, {}, [{ firstName: 'Ana' }, { firstName: 'Aldo' }], canteen);
    for (const child of a.household.children)
      await createEnrolment(ctx.deps, {
        childId: child.id,
        serviceId: evening.id,
        householdId: a.household.id,
      });
    const b = await enrolledFamily(ctx, {}, [{ firstName: 'Bob' }], canteen);
    const days = ['2026-09-24', '2026-09-25', '2026-09-28'];
    await a.browser.post(
      '/reservations',
      {
        slots: a.household.children.flatMap((c) =>
          [canteen, evening].flatMap((s) => days.map((d) => slot(c.id, s.id, d))),
        ),
      },
      { from: '/reservations' },
    );
    await b.browser.post(
      '/reservations',
      { slots: days.map((d) => slot(b.child.id, canteen.id, d)) },
      {
        from: '/reservations',
      },
    );
    expect(await live(ctx, { household_id: a.household.id })).toHaveLength(12);
    await ctx.flushEmails();
    const mailsBefore = (email: string) => ctx.smtp.to(email).length;
    const aBefore = mailsBefore(a.parent.email);
    const bBefore = mailsBefore(b.parent.email);

    const agent = await agentBrowser();
    const res = await agent.post('/admin/reservations/close', {
      scope: 'town',
      day: '2026-09-24',
      until: '2026-09-25',
      reason: 'Neige',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/reservations/closures');

    for (const s of [canteen, evening])
      expect(
        (await ctx.db('service_day_closures').where({ service_id: s.id }).orderBy('day')).map((r) => r.day),
      ).toEqual(['2026-09-24', '2026-09-25']);
    const closure = await ctx.db('closures').where({ scope: 'town' }).first();
    expect(closure).toMatchObject({ first_day: '2026-09-24', last_day: '2026-09-25', reason: 'Neige' });
    const aRows = await ctx.db('reservations').where({ household_id: a.household.id }).orderBy('day');
    expect(aRows.filter((r) => r.status === 'closed_by_town')).toHaveLength(8);
    expect(aRows.filter((r) => r.status === 'closed_by_town').every((r) => r.closure_id === closure.id)).toBe(
      true,
    );
    expect(await live(ctx, { household_id: a.household.id })).toHaveLength(4); // the 28th stays
    const counters = await ctx
      .db('reservation_counters')
      .where({ service_id: canteen.id })
      .whereIn('day', ['2026-09-24', '2026-09-25']);
    expect(counters.every((c) => c.booked === 0 && c.closed)).toBe(true);

    await ctx.flushEmails();
    const aMails = ctx.smtp.to(a.parent.email).slice(aBefore);
    expect(aMails).toHaveLength(1);
    expect(aMails[0]!.subject).toContain('2 journées fermées');
    for (const name of ['Ana', 'Aldo']) expect(aMails[0]!.text).toContain(name);
    expect(aMails[0]!.text).toContain(evening.name);
    expect(aMails[0]!.text).toContain('Neige');
    expect(ctx.smtp.to(b.parent.email).slice(bBefore)).toHaveLength(1);

    const audit = await ctx
      .db('audit_events')
      .where({ action: 'reservations.close_day', subject_id: String(closure.id) });
    expect(audit).toHaveLength(1);

    const list = await agent.get('/admin/reservations/closures');
    const $ = cheerio.load(list.text);
    expect($('tbody tr').first().text()).toContain('Toute la commune');
    expect($('tbody tr').first().text()).toContain('Neige');

    // The parent's calendar says the day is closed and a booking of it is refused.
    const calendar = await b.browser.get('/reservations?month=2026-09');
    expect(calendar.text).toContain('Neige');
  });

  it("a school's services: those held at the school close, the others stay open", async () => {
    const [here, there] = schools;
    const atSchool = await createService(ctx.deps, { site_school_id: here!.id });
    const elsewhere = await createService(ctx.deps, { site_school_id: there!.id });
    const agent = await agentBrowser();
    const res = await agent.post('/admin/reservations/close', {
      scope: 'school',
      school: String(here!.id),
      day: '2026-10-01',
      reason: 'Travaux',
    });
    expect(res.status).toBe(303);
    expect(await ctx.db('service_day_closures').where({ service_id: atSchool.id })).toHaveLength(1);
    expect(await ctx.db('service_day_closures').where({ service_id: elsewhere.id })).toHaveLength(0);
    const again = await agent.post('/admin/reservations/close', {
      scope: 'service',
      service: String(atSchool.id),
      day: '2026-10-01',
      reason: 'Travaux',
    });
    expect(again.status).toBe(422);
    expect(cheerio.load(again.text)('#day-error').text()).toContain('déjà fermé');
    // A school where no service is held: said beside the school, nothing closed.
    const empty = await ctx
      .db('schools')
      .insert({ name: 'École sans service', kind: 'elementary', address: '1 rue', class_levels: ['CP'] })
      .returning('id');
    const none = await agent.post('/admin/reservations/close', {
      scope: 'school',
      school: String(empty[0].id),
      day: '2026-10-02',
      reason: 'Travaux',
    });
    expect(none.status).toBe(422);
    expect(cheerio.load(none.text)('#school-error').text()).toContain(
      "Aucun service n'a lieu dans cette école",
    );
  });
});

describe('reopening', () => {
  it('puts the days back without restoring bookings, tells the families, and only once', async () => {
    const service = await createService(ctx.deps, { capacity: 5 });
    const a = await enrolledFamily(ctx, {}, [{ firstName: 'Iris' }], service);
    const b = await enrolledFamily(ctx, {}, [{ firstName: 'Jules' }], service);
    for (const f of [a, b])
      await f.browser.post(
        '/reservations',
        { slots: [slot(f.child.id, service.id, '2026-10-08')] },
        {
          from: '/reservations',
        },
      );
    const agent = await agentBrowser();
    await agent.post('/admin/reservations/close', {
      service: String(service.id),
      day: '2026-10-08',
      reason: 'Grève',
    });
    const closure = await ctx.db('closures').where({ service_id: service.id }).first();
    await ctx.flushEmails();
    const before = ctx.smtp.to(a.parent.email).length;

    const page = await agent.get(`/admin/reservations/closures/${closure.id}/reopen`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Grève');
    const res = await agent.post(`/admin/reservations/closures/${closure.id}/reopen`, {});
    expect(res.status).toBe(303);

    expect(await ctx.db('service_day_closures').where({ service_id: service.id })).toEqual([]);
    const rows = await ctx.db('reservations').where({ service_id: service.id, day: '2026-10-08' });
    expect(rows.map((r) => r.status)).toEqual(['closed_by_town', 'closed_by_town']);
    expect((await ctx.db('closures').where({ id: closure.id }).first()).reopened_at).not.toBeNull();
    expect(
      await ctx.db('audit_events').where({ action: 'reservations.reopen', subject_id: String(closure.id) }),
    ).toHaveLength(1);
    await ctx.flushEmails();
    const mails = ctx.smtp.to(a.parent.email).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('de nouveau ouverte');
    expect(mails[0]!.text).toContain('Iris');
    expect(mails[0]!.text).toContain('réservez à nouveau');

    // The family may book the day again.
    await a.browser.post(
      '/reservations',
      { slots: [slot(a.child.id, service.id, '2026-10-08')] },
      {
        from: '/reservations',
      },
    );
    expect(await live(ctx, { household_id: a.household.id, day: '2026-10-08' })).toHaveLength(1);

    const twice = await agent.post(
      `/admin/reservations/closures/${closure.id}/reopen`,
      {},
      {
        from: '/admin/reservations/closures',
      },
    );
    expect(twice.status).toBe(422);
    expect(twice.text).toContain('déjà été rouverte');
    expect(
      await ctx.db('audit_events').where({ action: 'reservations.reopen', subject_id: String(closure.id) }),
    ).toHaveLength(1);
    expect((await agent.get('/admin/reservations/closures/999999/reopen')).status).toBe(404);
  });
});
