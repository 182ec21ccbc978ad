import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/index.js';
import { enrolledFamily, live, slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' }); // Monday 14 Sept, 10:00 Paris
});
afterAll(async () => ctx?.close());

describe('booking days in the month calendar', () => {
  it('shows an accessible calendar and books the ticked days, reporting what happened', async () => {
    const { browser, service, child } = await enrolledFamily(ctx);
    const page = await browser.get('/reservations?month=2026-09');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<caption>');
    expect(page.text).toContain(`value="${slot(child.id, service.id, '2026-09-17')}"`);
    expect(page.text).toMatch(/réservable/);
    const res = await browser.post(
      '/reservations',
      {
        slots: [
          slot(child.id, service.id, '2026-09-17'),
          slot(child.id, service.id, '2026-09-18'),
          slot(child.id, service.id, '2026-09-15'),
        ],
      },
      { from: '/reservations?month=2026-09' },
    );
    expect(res.status).toBe(303);
    const result = await browser.get(res.headers.location!);
    expect(result.text).toContain('Réservé');
    expect(result.text).toContain('délai de réservation dépassé');
    expect((await live(ctx, { child_id: child.id })).map((r) => r.day)).toEqual(['2026-09-17', '2026-09-18']);
    const again = await browser.get('/reservations?month=2026-09');
    expect(again.text).toMatch(/réservé, annulable/);
  });
});

describe('weekly pattern, several children, whole weeks', () => {
  it('reports exactly what a pattern did over full, closed and other-custody days', async () => {
    const { createService } = await import('../support/index.js');
    const service = await createService(ctx.deps, { capacity: 1 });
    const other = await enrolledFamily(ctx, {}, [{ firstName: 'Tom' }], service);
    await other.browser.post(
      '/reservations',
      { slots: [slot(other.child.id, service.id, '2026-09-21')] },
      { from: '/reservations' },
    );
    await ctx
      .db('service_day_closures')
      .insert({ service_id: service.id, day: '2026-09-22', reason: 'Grève', closed_at: new Date() });
    const { browser, child, household } = await enrolledFamily(ctx, {}, [{ firstName: 'Léa' }], service);
    await ctx
      .db('household_members')
      .where({ household_id: household.id, member_id: child.id })
      .update({ custody_weeks: 'odd' });
    const res = await browser.post(
      '/reservations',
      {
        mode: 'pattern',
        children: String(child.id),
        service: String(service.id),
        weekdays: ['1', '2', '4'],
        from: '2026-09-21',
        to: '2026-10-02',
      },
      { from: '/reservations' },
    );
    expect(res.status).toBe(303);
    const text = (await browser.get('/reservations/result')).text;
    expect(text).toContain('Non réservé : complet');
    expect(text).toContain('Non réservé : fermé ce jour-là');
    expect(text).toContain('semaine de l&#39;autre parent');
    expect(text).toMatch(/Réservé<\/span> <span class="hint">1 jour</);
    expect(text).toMatch(
      /semaine de l&#39;autre parent \(garde alternée\)<\/span> <span class="hint">3 jours</,
    );
    expect((await live(ctx, { child_id: child.id })).map((r) => r.day)).toEqual(['2026-09-24']);
    // The full day offers the waiting list.
    expect(text).toContain('Inscrire sur la liste d&#39;attente ces jours complets');
    await browser.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2026-09-21')], waitlist: '1' },
      { from: '/reservations/result' },
    );
    expect((await live(ctx, { child_id: child.id, day: '2026-09-21' }))[0]).toMatchObject({
      status: 'waiting',
    });
  });

  it('books the same days for several children at once, the weekdays prefilled from the enrolment', async () => {
    const { createService, createFamily, createEnrolment, loginAs } = await import('../support/index.js');
    const service = await createService(ctx.deps);
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }, { firstName: 'Noé' }]);
    for (const c of household.children)
      await createEnrolment(ctx.deps, {
        childId: c.id,
        serviceId: service.id,
        householdId: household.id,
        options: { weekdays: [1, 4] },
      });
    const browser = await loginAs(ctx, parent);
    const page = await browser.get('/reservations?month=2026-10');
    expect(page.text).toMatch(/id="pattern-wd-1" name="weekdays" value="1" checked/);
    expect(page.text).toMatch(/id="pattern-wd-2" name="weekdays" value="2">/);
    await browser.post(
      '/reservations',
      {
        mode: 'pattern',
        children: household.children.map((c) => String(c.id)),
        service: String(service.id),
        weekdays: ['1', '4'],
        from: '2026-10-05',
        to: '2026-10-16',
      },
      { from: '/reservations' },
    );
    for (const c of household.children) {
      expect((await live(ctx, { child_id: c.id })).map((r) => r.day)).toEqual([
        '2026-10-05',
        '2026-10-08',
        '2026-10-12',
        '2026-10-15',
      ]);
    }
  });

  it('a whole-week service books the open days of the week together, or none of them', async () => {
    const { createService } = await import('../support/index.js');
    const service = await createService(ctx.deps, {
      kind: 'holiday',
      opening_days: 'holidays',
      booking_unit: 'week',
      capacity: 1,
    });
    const a = await enrolledFamily(ctx, {}, [{ firstName: 'Ana' }], service);
    await a.browser.post(
      '/reservations',
      { slots: [slot(a.child.id, service.id, '2026-10-21')] },
      { from: '/reservations' },
    );
    expect((await live(ctx, { child_id: a.child.id })).map((r) => r.day)).toEqual([
      '2026-10-19',
      '2026-10-20',
      '2026-10-21',
      '2026-10-22',
      '2026-10-23',
    ]);
    // A second family: Tuesday of the second week is already full, so that week is not booked at all.
    await ctx
      .db('reservation_counters')
      .insert({ service_id: service.id, day: '2026-10-27', group_key: '', booked: 1 });
    const b = await enrolledFamily(ctx, {}, [{ firstName: 'Bob' }], service);
    const res = await b.browser.post(
      '/reservations',
      { slots: [slot(b.child.id, service.id, '2026-10-26')] },
      { from: '/reservations' },
    );
    const text = (await b.browser.get(res.headers.location!)).text;
    expect(text).toContain('Non réservé : complet');
    expect(text).toContain('semaine entière');
    expect(await live(ctx, { child_id: b.child.id })).toEqual([]);
  });
});

describe('who can book what', () => {
  it('refuses a child without an accepted enrolment', async () => {
    const { createService, createFamily, createEnrolment, loginAs } = await import('../support/index.js');
    const service = await createService(ctx.deps);
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const child = household.children[0]!;
    await createEnrolment(ctx.deps, {
      childId: child.id,
      serviceId: service.id,
      householdId: household.id,
      status: 'submitted',
    });
    const browser = await loginAs(ctx, parent);
    expect((await browser.get('/reservations?month=2026-09')).text).not.toContain(
      `value="${slot(child.id, service.id, '2026-09-17')}"`,
    );
    const res = await browser.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2026-09-17')] },
      { from: '/reservations' },
    );
    expect((await browser.get(res.headers.location!)).text).toContain('pas inscrit à ce service');
    expect(await live(ctx, { child_id: child.id })).toEqual([]);
  });

  it("answers 404 for another household's child: booking, cancelling and the agenda", async () => {
    const mine = await enrolledFamily(ctx);
    const theirs = await enrolledFamily(ctx, {}, [{ firstName: 'Zoé' }], mine.service);
    await theirs.browser.post(
      '/reservations',
      { slots: [slot(theirs.child.id, mine.service.id, '2026-09-18')] },
      { from: '/reservations' },
    );
    const target = slot(theirs.child.id, mine.service.id, '2026-09-17');
    expect(
      (await mine.browser.post('/reservations', { slots: [target] }, { from: '/reservations' })).status,
    ).toBe(404);
    expect(
      (
        await mine.browser.post(
          '/reservations/cancel',
          { slots: [slot(theirs.child.id, mine.service.id, '2026-09-18')] },
          { from: '/reservations' },
        )
      ).status,
    ).toBe(404);
    expect((await mine.browser.get(`/children/${theirs.child.id}/agenda`)).status).toBe(404);
    expect((await live(ctx, { child_id: theirs.child.id })).map((r) => r.day)).toEqual(['2026-09-18']);
    expect((await mine.browser.get(`/children/${mine.child.id}/agenda?month=2026-09`)).status).toBe(200);
  });

  it('a double submit books once, even when both arrive together', async () => {
    const { browser, child, service } = await enrolledFamily(ctx);
    await browser.get('/reservations');
    const body = { slots: [slot(child.id, service.id, '2026-09-24')] };
    const [r1, r2] = await Promise.all([
      browser.post('/reservations', body, { csrf: browser.token }),
      browser.post('/reservations', body, { csrf: browser.token }),
    ]);
    expect([r1.status, r2.status]).toEqual([303, 303]);
    const again = await browser.post('/reservations', body, { from: '/reservations' });
    expect((await browser.get(again.headers.location!)).text).toContain('Déjà réservé');
    expect(await live(ctx, { child_id: child.id })).toHaveLength(1);
    expect(
      (await ctx.db('reservation_counters').where({ service_id: service.id, day: '2026-09-24' }).first())
        .booked,
    ).toBe(1);
  });

  it('bad input re-renders the form with the error and changes nothing', async () => {
    const { browser, child, service } = await enrolledFamily(ctx);
    const empty = await browser.post('/reservations', {}, { from: '/reservations' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Cochez au moins un jour.');
    const pattern = await browser.post(
      '/reservations',
      {
        mode: 'pattern',
        children: String(child.id),
        service: String(service.id),
        weekdays: '1',
        from: '2026-10-10',
        to: '2026-10-01',
      },
      { from: '/reservations' },
    );
    expect(pattern.status).toBe(422);
    expect(pattern.text).toContain('La date de fin doit être après la date de début.');
    expect(pattern.text).toContain('value="2026-10-10"');
    // A day ticked beside a malformed slot: the page comes back with that day still ticked.
    const ticked = slot(child.id, service.id, '2026-09-17');
    const malformed = await browser.post(
      '/reservations',
      { slots: [ticked, 'not-a-slot'], return_to: '/reservations?month=2026-09' },
      { from: '/reservations?month=2026-09' },
    );
    expect(malformed.status).toBe(422);
    expect(malformed.text).toContain(`name="slots" value="${ticked}" checked>`);
    expect(malformed.text.match(/name="slots" value="[^"]+" checked>/g)).toHaveLength(1);
    expect(await live(ctx, { child_id: child.id })).toEqual([]);
  });
});

describe("the child's agenda", () => {
  it('lists the month’s bookings with their status and attendance', async () => {
    const { browser, child, service } = await enrolledFamily(ctx);
    await browser.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2026-10-01'), slot(child.id, service.id, '2026-10-02')] },
      { from: '/reservations' },
    );
    await browser.post(
      '/reservations/cancel',
      { slots: [slot(child.id, service.id, '2026-10-02')] },
      { from: '/reservations' },
    );
    await ctx.db('attendance').insert({
      service_id: service.id,
      child_id: child.id,
      day: '2026-10-01',
      status: 'present',
      recorded_at: new Date(),
    });
    const page = await browser.get(`/children/${child.id}/agenda?month=2026-10`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Agenda de Léa');
    expect(page.text).toMatch(/jeudi 1 octobre 2026[\s\S]*réservé[\s\S]*présent/);
    expect(page.text).toMatch(/vendredi 2 octobre 2026[\s\S]*annulé/);
    expect((page.text.match(/<h1/g) ?? []).length).toBe(1);
  });
});
