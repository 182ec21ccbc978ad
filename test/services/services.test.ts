// The services page (public), staff services (agents read, managers edit) and the town calendar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { documentType, serviceWith } from '../enrolments/helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z', demo: true });
});
afterAll(async () => ctx?.close());

describe('services', () => {
  it('the seeded services of the year are shown to everyone with their documents, days and booking rules', async () => {
    const visitor = new Browser(ctx.app);
    const res = await visitor.get('/services');
    expect(res.status).toBe(200);
    for (const name of [
      'Restauration scolaire',
      'Accueil périscolaire matin',
      'Accueil périscolaire soir',
      'Accueil de loisirs du mercredi',
      'Accueil de loisirs des vacances',
      'Inscription scolaire',
    ]) {
      expect(res.text).toContain(name);
    }
    expect(res.text).toContain('lundi, mardi, jeudi, vendredi');
    expect(res.text).toContain('Réservation jusqu&#39;à : 2 jours avant, à 10:00');
    expect(res.text).toContain('40 places par jour');
    const s = await serviceWith(ctx.deps, { name: 'Cantine test' });
    const again = await visitor.get('/services');
    expect(again.text).toContain('Cantine test');
    expect(again.text).toContain('valable pendant toute la période');
    // Seeding twice changes nothing.
    const before = await ctx.db('services').count({ c: '*' });
    const { seed } = await import('../../seeds/050-services.js');
    await seed(ctx.deps);
    expect(await ctx.db('services').count({ c: '*' })).toEqual(before);
    expect(s.id).toBeGreaterThan(0);
  });

  it('demo data: the demo households have enrolments in several states', async () => {
    const account = await ctx.db('accounts').where({ email: 'parent@demo.test' }).first('id');
    const link = await ctx.db('household_accounts').where({ account_id: account.id }).first('household_id');
    if (!link) return; // seeds/030-households.ts absent: nothing to enrol
    const statuses = await ctx.db('enrolments').pluck('status');
    expect(statuses).toContain('accepted');
    expect(statuses).toContain('submitted');
  });

  it('agents read the staff list; only managers and admins create and edit, with validation', async () => {
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect((await agent.get('/admin/services')).status).toBe(200);
    expect((await agent.get('/admin/services/new')).status).toBe(403);

    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    // From the list, managers reach each service's booking rules and rates.
    const list = await manager.get('/admin/services');
    const canteen = await ctx.db('services').where({ kind: 'canteen' }).first('id');
    expect(list.text).toContain(`href="/admin/services/${canteen.id}/booking-rules"`);
    expect(list.text).toContain(`href="/admin/services/${canteen.id}/rates"`);
    const insurance = await documentType(ctx.deps, 'insurance');
    const count = async () => Number(((await ctx.db('services').count({ c: '*' })) as [{ c: number }])[0].c);
    const before = await count();
    const base = {
      school_year_id: '2026-2027',
      kind: 'after_school',
      description: 'Étude surveillée',
      site_school_id: '',
      opening_days: 'school_days',
      weekdays: ['1', '2'],
      enrol_opens_on: '',
      enrol_closes_on: '',
      needs_validation: 'no',
      unit: 'session',
      billing_basis: 'bookings',
      active: 'on',
      min_age: '',
      max_age: '',
      [`req_${insurance.id}`]: 'valid_at_start',
    };
    const bad = await manager.post('/admin/services/new', { ...base, name: '', min_age: '9', max_age: '6' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Indiquez le nom du service');
    expect(bad.text).toContain('Étude surveillée');
    expect(await count()).toBe(before);
    const order = await manager.post('/admin/services/new', {
      ...base,
      name: 'Étude',
      min_age: '9',
      max_age: '6',
    });
    expect(order.status).toBe(422);
    expect(order.text).toContain('supérieur ou égal');
    expect(await count()).toBe(before);

    const ok = await manager.post('/admin/services/new', { ...base, name: 'Étude' });
    expect(ok.status).toBe(303);
    const s = await ctx.db('services').where({ name: 'Étude' }).first();
    expect(s).toMatchObject({
      kind: 'after_school',
      weekdays: [1, 2],
      needs_validation: false,
      active: true,
    });
    expect(await ctx.db('service_requirements').where({ service_id: s.id })).toEqual([
      { service_id: s.id, document_type_id: insurance.id, rule: 'valid_at_start' },
    ]);
    expect(
      await ctx.db('audit_events').where({ action: 'services.created', subject_id: String(s.id) }),
    ).toHaveLength(1);

    const dup = await manager.post('/admin/services/new', { ...base, name: 'Étude' });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('porte déjà ce nom');

    const edit = await manager.post(`/admin/services/${s.id}/edit`, {
      ...base,
      name: 'Étude du soir',
      [`req_${insurance.id}`]: '',
    });
    expect(edit.status).toBe(303);
    expect((await ctx.db('services').where({ id: s.id }).first()).name).toBe('Étude du soir');
    expect(await ctx.db('service_requirements').where({ service_id: s.id })).toEqual([]);
    expect((await manager.get('/admin/services/999999/edit')).status).toBe(404);
  });
});

describe('town calendar', () => {
  it('managers list, add, edit and delete periods, with validation; agents get 403', async () => {
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect((await agent.get('/admin/calendar')).status).toBe(403);
    expect(
      (await agent.post('/admin/calendar/new', { name: 'x' }, { from: '/admin', csrf: agent.token })).status,
    ).toBe(403);

    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const list = await manager.get('/admin/calendar');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Vacances de la Toussaint');
    const count = async () =>
      Number(((await ctx.db('calendar_periods').count({ c: '*' })) as [{ c: number }])[0].c);
    const before = await count();

    const order = await manager.post('/admin/calendar/new', {
      school_year_id: '2026-2027',
      kind: 'public_holiday',
      name: 'Pont',
      starts_on: '2026-11-12',
      ends_on: '2026-11-10',
    });
    expect(order.status).toBe(422);
    expect(order.text).toContain('après le premier jour');
    expect(order.text).toContain('value="Pont"');
    const out = await manager.post('/admin/calendar/new', {
      school_year_id: '2026-2027',
      kind: 'public_holiday',
      name: 'Pont',
      starts_on: '2028-11-12',
      ends_on: '2028-11-12',
    });
    expect(out.status).toBe(422);
    const dup = await manager.post('/admin/calendar/new', {
      school_year_id: '2026-2027',
      kind: 'holiday',
      name: 'Doublon',
      starts_on: '2026-10-17',
      ends_on: '2026-10-20',
    });
    expect(dup.status).toBe(422);
    expect(await count()).toBe(before);

    const ok = await manager.post('/admin/calendar/new', {
      school_year_id: '2026-2027',
      kind: 'public_holiday',
      name: 'Pont du 11 novembre',
      starts_on: '2026-11-12',
      ends_on: '2026-11-13',
    });
    expect(ok.status).toBe(303);
    const p = await ctx.db('calendar_periods').where({ name: 'Pont du 11 novembre' }).first();
    expect(p).toMatchObject({ kind: 'public_holiday', starts_on: '2026-11-12', ends_on: '2026-11-13' });
    expect(
      (
        await manager.post(`/admin/calendar/${p.id}/edit`, {
          school_year_id: '2026-2027',
          kind: 'public_holiday',
          name: 'Pont',
          starts_on: '2026-11-12',
          ends_on: '2026-11-12',
        })
      ).status,
    ).toBe(303);
    expect((await ctx.db('calendar_periods').where({ id: p.id }).first()).ends_on).toBe('2026-11-12');
    expect(
      (await manager.post(`/admin/calendar/${p.id}/delete`, {}, { from: '/admin/calendar' })).status,
    ).toBe(303);
    expect(await count()).toBe(before);
    expect(
      await ctx
        .db('audit_events')
        .whereIn('action', ['calendar.created', 'calendar.updated', 'calendar.deleted']),
    ).toHaveLength(3);
  });
});
