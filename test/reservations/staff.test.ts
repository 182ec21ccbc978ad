// Staff: closing a day, the attendance sheet, the kitchen headcount, animators' sites, booking rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createEnrolment,
  createHousehold,
  createService,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';
import { enrolledFamily, live, slot } from './helpers.js';

let ctx: TestContext;
let schools: { id: number; kind: string; name: string }[];
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  schools = await ctx.db('schools').orderBy('id').select('id', 'kind', 'name');
});
afterAll(async () => ctx?.close());

const school = (kind: string) => schools.find((s) => s.kind === kind)!;

describe('closing a day', () => {
  it('cancels the day free of charge, emails the families and empties the counters', async () => {
    const service = await createService(ctx.deps, { capacity: 5 });
    const a = await enrolledFamily(ctx, {}, [{ firstName: 'Ana' }], service);
    const b = await enrolledFamily(ctx, {}, [{ firstName: 'Bob' }], service);
    for (const f of [a, b])
      await f.browser.post(
        '/reservations',
        { slots: [slot(f.child.id, service.id, '2026-09-24'), slot(f.child.id, service.id, '2026-09-25')] },
        { from: '/reservations' },
      );
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));

    const bad = await agent.post('/admin/reservations/close', {
      service: String(service.id),
      day: '2026-09-24',
      reason: '',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Indiquez le motif');
    expect(await ctx.db('service_day_closures').where({ service_id: service.id })).toEqual([]);

    const res = await agent.post('/admin/reservations/close', {
      service: String(service.id),
      day: '2026-09-24',
      reason: 'Grève',
    });
    expect(res.status).toBe(303);
    const day = await ctx.db('reservations').where({ service_id: service.id, day: '2026-09-24' });
    expect(day.map((r) => r.status)).toEqual(['closed_by_town', 'closed_by_town']);
    expect(
      (await ctx.db('reservation_counters').where({ service_id: service.id, day: '2026-09-24' }).first())
        .booked,
    ).toBe(0);
    expect(await live(ctx, { service_id: service.id, day: '2026-09-25' })).toHaveLength(2);
    await ctx.flushEmails();
    for (const f of [a, b])
      expect(ctx.smtp.to(f.parent.email).some((m) => m.subject.includes('journée fermée'))).toBe(true);
    expect(await ctx.db('audit_events').where({ action: 'reservations.close_day' })).toHaveLength(1);
    const calendar = await a.browser.get('/reservations?month=2026-09');
    expect(calendar.text).toContain('motif : Grève');
    const again = await agent.post('/admin/reservations/close', {
      service: String(service.id),
      day: '2026-09-24',
      reason: 'Grève',
    });
    expect(again.status).toBe(422);
    const occupation = await agent.get('/admin/reservations?week=2026-09-21');
    expect(occupation.text).toContain(service.name);
  });
});

describe('attendance sheet and kitchen headcount', () => {
  // A January day: the demo data (seeds/060) books the autumn term for the demo children.
  it('lists the booked children with their needs, saves each mark as it is made, and counts meals', async () => {
    const elementary = school('elementary');
    const nursery = school('nursery');
    const service = await createService(ctx.deps, {
      site_school_id: elementary.id,
      name: 'Cantine Jules-Ferry (test)',
    });
    const parent = await createAccount(ctx.deps);
    const household = await createHousehold(ctx.deps, {
      accounts: [parent],
      children: [
        { firstName: 'Alice', lastName: 'Aubry', hasPai: true, classLevel: 'CE1' },
        { firstName: 'Basile', lastName: 'Aubry', allergies: 'arachide', diet: 'no_pork' },
        { firstName: 'Chloé', lastName: 'Aubry', diet: 'vegetarian' },
        { firstName: 'Denis', lastName: 'Aubry' },
        { firstName: 'Zoé <b>', lastName: 'Aubry & "Co"', allergies: '<script>x</script>' },
      ],
    });
    // Pick-ups: only contacts allowed to pick up who are not deleted, by name.
    const contacts = await ctx
      .db('members')
      .insert([
        {
          kind: 'contact',
          first_name: 'Mamie',
          last_name: 'Aubry',
          can_pick_up: true,
          phone: '06 00 00 00 01',
          relationship: 'grand-mère',
          created_at: new Date(),
        },
        {
          kind: 'contact',
          first_name: 'Papy',
          last_name: 'Aubry',
          can_pick_up: true,
          created_at: new Date(),
        },
        {
          kind: 'contact',
          first_name: 'Voisin',
          last_name: 'Non',
          can_pick_up: false,
          created_at: new Date(),
        },
        {
          kind: 'contact',
          first_name: 'Parti',
          last_name: 'Ailleurs',
          can_pick_up: true,
          deleted_at: new Date(),
          created_at: new Date(),
        },
      ])
      .returning('id');
    await ctx.db('household_members').insert(
      contacts.map((c: { id: number }) => ({
        household_id: household.id,
        member_id: c.id,
        linked_at: new Date(),
      })),
    );
    for (const c of household.children)
      await createEnrolment(ctx.deps, { childId: c.id, serviceId: service.id, householdId: household.id });
    const browser = await loginAs(ctx, parent);
    // Alice, Basile, Chloé and Zoé are booked; Denis is enrolled only.
    await browser.post(
      '/reservations',
      { slots: [0, 1, 2, 4].map((i) => slot(household.children[i]!.id, service.id, '2027-01-07')) },
      { from: '/reservations' },
    );
    // A second canteen served at the nursery school, two meals.
    const nurseryService = await createService(ctx.deps, {
      site_school_id: nursery.id,
      name: 'Cantine Tilleuls (test)',
    });
    const small = await enrolledFamily(
      ctx,
      {},
      [
        { firstName: 'Eva', school: 'nursery' },
        { firstName: 'Fred', school: 'nursery', diet: 'vegetarian' },
      ],
      nurseryService,
    );
    await small.browser.post(
      '/reservations',
      { slots: small.household.children.map((c) => slot(c.id, nurseryService.id, '2027-01-07')) },
      { from: '/reservations' },
    );

    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const sheetUrl = `/admin/attendance?service=${service.id}&date=2027-01-07`;
    const sheet = await agent.get(sheetUrl);
    expect(sheet.status).toBe(200);
    expect(sheet.text).toContain('Aubry Alice');
    expect(sheet.text).toContain('PAI');
    expect(sheet.text).toContain('Allergies : arachide');
    expect(sheet.text).toContain(
      'Peuvent venir chercher l&#39;enfant : Mamie Aubry, grand-mère, 06 00 00 00 01 ; Papy Aubry</p>',
    );
    expect(sheet.text).not.toContain('Voisin');
    expect(sheet.text).not.toContain('Parti');
    expect(sheet.text).toContain('4 réservés, 0 présents');
    expect(sheet.text).toContain('data-autosave');
    const [alice, basile, chloe, denis, zoe] = household.children.map((c) => ({ id: c.id })) as [
      { id: number },
      { id: number },
      { id: number },
      { id: number },
      { id: number },
    ];
    // Who is on the sheet, in name order; Denis (enrolled, not booked) is offered below it instead.
    const rowIds = (html: string) => [...html.matchAll(/<li id="child-(\d+)"/g)].map((m) => Number(m[1]));
    expect(rowIds(sheet.text)).toEqual([alice.id, basile.id, chloe.id, zoe.id]);
    expect(sheet.text).toContain(`<option value="${denis.id}">Aubry Denis</option>`);
    // One form for the sheet (its token and hidden fields once); each row: three labelled radios
    // named after the child, its own submit button; nothing recorded yet; every value escaped.
    expect(sheet.text.match(/<form method="post" action="\/admin\/attendance"/g)).toHaveLength(2); // the sheet, and the unbooked child's
    expect(sheet.text.match(/name="date"/g)).toHaveLength(3); // the day picker, the sheet, the unbooked child's form
    expect(sheet.text).toContain(
      `<button class="button button--small button--secondary" name="child" value="${alice.id}">Enregistrer<span class="visually-hidden"> – Alice Aubry</span></button>`,
    );
    expect(sheet.text).toContain(
      `<label><input type="radio" name="status-${alice.id}" value="absent_excused">absent excusé</label>`,
    );
    expect(sheet.text).toContain('<ol class="attendance-sheet__list" data-autosave-rows>');
    expect(sheet.text).toContain(`<output><span class="print-only">non pointé</span></output>`);
    expect(sheet.text).toContain(
      'Aubry &amp; &#34;Co&#34; Zoé &lt;b&gt;<span class="visually-hidden"> – Présence de Zoé &lt;b&gt;</span>',
    );
    expect(sheet.text).toContain('Allergies : &lt;script&gt;x&lt;/script&gt;');
    expect(sheet.text).not.toContain('<script>x');

    const json = await agent.agent
      .post('/admin/attendance')
      .set('Accept', 'application/json')
      .type('form')
      .send(
        new URLSearchParams({
          _csrf: agent.token,
          service: String(service.id),
          date: '2027-01-07',
          child: String(alice.id),
          status: 'present',
        }).toString(),
      );
    expect(json.status).toBe(200);
    expect(json.body).toEqual({ ok: true });
    // Without JavaScript the whole sheet is sent, with the clicked button's child: only that row is
    // saved (Alice's radio changed on the page but not saved stays as recorded).
    const noScript = await agent.post(
      '/admin/attendance',
      {
        ...sheetFields(sheet.text),
        [`status-${alice.id}`]: 'absent',
        [`status-${basile.id}`]: 'absent_excused',
        child: String(basile.id),
      },
      { from: sheetUrl },
    );
    expect(noScript.status).toBe(303);
    expect(noScript.headers.location).toBe(`${sheetUrl}#child-${basile.id}`);
    await agent.post(
      '/admin/attendance',
      { service: String(service.id), date: '2027-01-07', child: String(chloe.id), status: 'absent' },
      { from: sheetUrl },
    );
    await agent.post(
      '/admin/attendance',
      {
        service: String(service.id),
        date: '2027-01-07',
        child: String(denis.id),
        status: 'present_unbooked',
      },
      { from: sheetUrl },
    );
    const marks = await ctx
      .db('attendance')
      .where({ service_id: service.id, day: '2027-01-07' })
      .orderBy('child_id');
    expect(marks.map((m) => m.status)).toEqual(['present', 'absent_excused', 'absent', 'present_unbooked']);
    expect(marks[3].household_id).toBe(household.id);
    const marked = (await agent.get(sheetUrl)).text;
    expect(marked).toContain('4 réservés, 2 présents');
    // Denis, present without booking, is now on the sheet and no longer offered.
    expect(rowIds(marked)).toEqual([alice.id, basile.id, chloe.id, denis.id, zoe.id]);
    expect(marked).not.toContain(`<option value="${denis.id}">`);
    expect(marked).toContain(`name="status-${alice.id}" value="present" checked>`);
    expect(marked).toContain(`name="status-${denis.id}" value="present" checked>`);
    const bad = await agent.post(
      '/admin/attendance',
      { service: String(service.id), date: '2027-01-07', child: String(alice.id), status: 'maybe' },
      { from: sheetUrl },
    );
    expect(bad.status).toBe(422);

    // Once the month is invoiced, the sheet is locked.
    await ctx.db('locked_months').insert({ month: '2027-01', locked_at: new Date() });
    const locked = await agent.post(
      '/admin/attendance',
      { service: String(service.id), date: '2027-01-07', child: String(alice.id), status: 'absent' },
      { from: sheetUrl },
    );
    expect(locked.status).toBe(422);
    expect(locked.text).toContain('Ce mois est facturé');
    expect(
      (await ctx.db('attendance').where({ service_id: service.id, child_id: alice.id }).first()).status,
    ).toBe('present');
    await ctx.db('locked_months').where({ month: '2027-01' }).delete();

    // The kitchen: 4 meals at Jules-Ferry (standard 2, sans porc 1, végétarien 1), 2 at the nursery.
    const headcount = await agent.get('/admin/headcount?date=2027-01-07');
    expect(headcount.text).toContain(
      'Total de la journée : 6 déjeuners d&#39;enfants, 0 repas d&#39;adultes, 0 goûters',
    );
    expect(headcount.text).toContain(
      '<th scope="row">standard</th><td class="num">2</td><td class="num">0</td>',
    );
    // Children with allergies or a PAI, once each, by name, under their school.
    const allergyRows = [
      ...headcount.text.matchAll(
        /<tr><th scope="row">([^<]*)<\/th><td>[^<]*<\/td><td>([^<]*)<\/td><td>(oui|non)<\/td><td>([^<]*)<\/td><\/tr>/g,
      ),
    ].map((m) => m.slice(1));
    expect(allergyRows).toEqual([
      ['Aubry Alice', '', 'oui', 'standard'],
      ['Aubry Basile', 'arachide', 'non', 'sans porc'],
      ['Aubry &amp; &#34;Co&#34; Zoé &lt;b&gt;', '&lt;script&gt;x&lt;/script&gt;', 'non', 'standard'],
    ]);
    expect(headcount.text.indexOf('Aubry Alice')).toBeGreaterThan(
      headcount.text.indexOf(`<h2>${elementary.name}</h2>`),
    );
    const csv = await agent.get('/admin/headcount?date=2027-01-07&format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines.slice(1).sort()).toEqual(
      [
        `"${elementary.name}";"Déjeuner";"Enfants";"sans porc";"1"`,
        `"${elementary.name}";"Déjeuner";"Enfants";"standard";"2"`,
        `"${elementary.name}";"Déjeuner";"Enfants";"végétarien";"1"`,
        `"${nursery.name}";"Déjeuner";"Enfants";"standard";"1"`,
        `"${nursery.name}";"Déjeuner";"Enfants";"végétarien";"1"`,
      ].sort(),
    );

    // An animator of the nursery sees only the nursery.
    const animator = await loginAs(
      ctx,
      await createAccount(ctx.deps, { role: 'animator', schoolIds: [nursery.id] }),
    );
    expect((await animator.get(sheetUrl)).status).toBe(404);
    expect(
      (await animator.get(`/admin/attendance?service=${nurseryService.id}&date=2027-01-07`)).text,
    ).toContain('Eva');
    expect(
      (
        await animator.post(
          '/admin/attendance',
          { service: String(service.id), date: '2027-01-07', child: String(alice.id), status: 'absent' },
          { from: `/admin/attendance?service=${nurseryService.id}&date=2027-01-07` },
        )
      ).status,
    ).toBe(404);
    const theirHeadcount = await animator.get('/admin/headcount?date=2027-01-07');
    expect(theirHeadcount.text).toContain('Total de la journée : 2 déjeuners');
    expect(theirHeadcount.text).not.toContain('arachide');
    expect((await animator.get('/admin/reservations')).status).toBe(403);
    expect((await animator.get('/admin')).text).toContain('/admin/attendance');
  });
});

describe('booking rules of a service', () => {
  it('a manager sets them; bad input changes nothing; an agent may not', async () => {
    const service = await createService(ctx.deps);
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const url = `/admin/services/${service.id}/booking-rules`;
    const form = {
      booking_kind: 'week_before',
      booking_days: '',
      booking_weekday: '4',
      booking_time: '12:00',
      cancel_kind: 'working_days',
      cancel_days: '2',
      cancel_weekday: '',
      cancel_time: '18:00',
      window_days: '60',
      opens_at: '2027-01-05T18:00',
      capacity: '24',
      capacity_split: 'age',
      capacity_groups: 'petits ; Moins de 6 ans ; ; 5 ; ; 8\ngrands ; 6 ans et plus ; 6 ; ; ; 16',
      booking_unit: 'week',
      sick_declaration_until: '09:30',
    };
    const bad = await manager.post(url, { ...form, booking_time: '25:00', capacity_groups: 'oops' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('HH:MM');
    expect((await ctx.db('services').where({ id: service.id }).first()).capacity).toBeNull();
    expect((await manager.post(url, form)).status).toBe(303);
    const row = await ctx.db('services').where({ id: service.id }).first();
    expect(row).toMatchObject({
      capacity: 24,
      capacity_split: 'age',
      booking_unit: 'week',
      booking_window_days: 60,
      sick_declaration_until: '09:30',
    });
    expect(row.booking_deadline).toEqual({ kind: 'week_before', weekday: 4, time: '12:00' });
    expect(row.capacity_groups).toEqual([
      { key: 'petits', label: 'Moins de 6 ans', maxAge: 5, capacity: 8 },
      { key: 'grands', label: '6 ans et plus', minAge: 6, capacity: 16 },
    ]);
    expect(new Date(row.booking_opens_at).toISOString()).toBe('2027-01-05T17:00:00.000Z');
    expect((await manager.get(url)).text).toContain('value="2027-01-05T18:00"');
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect((await agent.get(url)).status).toBe(403);
  });

  it('splits capacity by age group', async () => {
    const service = await createService(ctx.deps, {
      capacity: 2,
      capacity_split: 'age',
      capacity_groups: [
        { key: 'petits', maxAge: 5, capacity: 1 },
        { key: 'grands', minAge: 6, capacity: 1 },
      ],
    });
    const small = await enrolledFamily(
      ctx,
      {},
      [
        { firstName: 'Petit', birthDate: '2022-01-01' },
        { firstName: 'Grand', birthDate: '2018-01-01' },
      ],
      service,
    );
    const other = await enrolledFamily(ctx, {}, [{ firstName: 'Petit2', birthDate: '2022-03-01' }], service);
    await small.browser.post(
      '/reservations',
      { slots: small.household.children.map((c) => slot(c.id, service.id, '2026-09-24')) },
      { from: '/reservations' },
    );
    const res = await other.browser.post(
      '/reservations',
      { slots: [slot(other.child.id, service.id, '2026-09-24')] },
      { from: '/reservations' },
    );
    expect((await live(ctx, { service_id: service.id })).map((r) => r.group_key).sort()).toEqual([
      'grands',
      'petits',
    ]);
    expect((await other.browser.get(res.headers.location!)).text).toContain('Non réservé : complet');
  });
});

/** The fields the sheet's form sends as the page shows it (its hidden fields, the radios checked), as a browser would; the token is added by Browser.post. */
function sheetFields(html: string): Record<string, string> {
  const form = html.slice(
    html.indexOf('class="attendance-sheet"'),
    html.indexOf('</form>', html.indexOf('class="attendance-sheet"')),
  );
  const fields: Record<string, string> = {};
  for (const [input] of form.matchAll(/<input [^>]*>/g)) {
    const attr = (name: string) => input.match(new RegExp(`${name}="([^"]*)"`))?.[1];
    if (attr('type') === 'hidden' || (attr('type') === 'radio' && input.includes(' checked')))
      fields[attr('name')!] = attr('value')!;
  }
  delete fields._csrf;
  return fields;
}
