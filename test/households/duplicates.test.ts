// Possible duplicates when a household is created: at the desk, the look-alikes are shown first
// (links, reasons) and the agent may create anyway; online, a parent is told only about a card
// holding their own account's email, with no detail, and never about anyone else's data.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createFamily,
  createHousehold,
  createTestContext,
  householdForm,
  loginAs,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const householdCount = async () =>
  Number(((await ctx.db('households').count({ c: '*' })) as [{ c: number }])[0].c);

describe('at the desk', () => {
  it('a household with the email of an existing one shows it first; "create anyway" creates', async () => {
    const existing = await createHousehold(ctx.deps, { email: 'martin@example.test' });
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const fields = {
      guardian_first_name: 'Paul',
      guardian_last_name: 'Martin',
      ...(await householdForm(ctx.deps, { email: 'Martin@Example.test', phone_mobile: '07 00 00 00 01' })),
    };
    const before = await householdCount();
    const res = await agent.post('/admin/households/new', fields);
    expect(res.status).toBe(409);
    const $ = cheerio.load(res.text);
    const panel = $('section[aria-labelledby="duplicates-title"]');
    expect(panel.find(`a[href="/admin/households/${existing.id}"]`).text()).toContain(existing.familyNumber);
    expect(panel.text()).toContain('même adresse électronique');
    expect($('#create_anyway')).toHaveLength(1);
    expect($('#guardian_last_name').val()).toBe('Martin');
    expect(await householdCount()).toBe(before);

    const anyway = await agent.post('/admin/households/new', { ...fields, create_anyway: '1' });
    expect(anyway.status).toBe(303);
    expect(await householdCount()).toBe(before + 1);
  });

  it('the same phone, or the same guardian at the same address, is a look-alike; a closed household is not', async () => {
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const byPhone = await createHousehold(ctx.deps, { email: 'a@example.test' });
    await ctx.db('households').where({ id: byPhone.id }).update({ phone_mobile: '06 55 44 33 22' });
    const res = await agent.post('/admin/households/new', {
      guardian_first_name: 'Zoé',
      guardian_last_name: 'Autre',
      ...(await householdForm(ctx.deps, { email: 'zoe@example.test', phone_mobile: '+33 6 55 44 33 22' })),
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain(byPhone.familyNumber);
    expect(res.text).toContain('même téléphone');

    // The first desk household of a guardian, then the same guardian at the same address.
    const first = await agent.post('/admin/households/new', {
      guardian_first_name: 'Éloïse',
      guardian_last_name: 'Dupré',
      ...(await householdForm(ctx.deps, { email: 'eloise@example.test', phone_mobile: '07 11 11 11 11' })),
    });
    expect(first.status).toBe(303);
    const again = await agent.post('/admin/households/new', {
      guardian_first_name: 'eloise',
      guardian_last_name: 'DUPRE',
      ...(await householdForm(ctx.deps, { email: 'autre@example.test', phone_mobile: '07 22 22 22 22' })),
    });
    expect(again.status).toBe(409);
    expect(again.text).toContain('même parent à la même adresse');

    // Closed (merged) households are never candidates.
    const closed = await createHousehold(ctx.deps, { email: 'ferme@example.test' });
    await ctx
      .db('households')
      .where({ id: closed.id })
      .update({ merged_into_id: byPhone.id, closed_at: ctx.clock.now() });
    const fresh = await agent.post('/admin/households/new', {
      guardian_first_name: 'Nina',
      guardian_last_name: 'Neuve',
      ...(await householdForm(ctx.deps, { email: 'ferme@example.test', phone_mobile: '07 33 33 33 33' })),
    });
    expect(fresh.status).toBe(303);
  });
});

describe('adding a child at the desk', () => {
  it('a child of the same name and birth date in another household is shown first; added if confirmed', async () => {
    const other = await createHousehold(ctx.deps, {
      children: [{ firstName: 'Léa', lastName: 'Martin', birthDate: '2018-05-12' }],
    });
    const mine = await createHousehold(ctx.deps, {});
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const school = await ctx.db('schools').where({ kind: 'elementary' }).first('id', 'class_levels');
    const fields = {
      kind: 'child',
      first_name: 'Lea',
      last_name: 'MARTIN',
      birth_date: '2018-05-12',
      sex: 'F',
      school_id: String(school.id),
      class_level: school.class_levels[0],
      diet: 'none',
    };
    const url = `/admin/households/${mine.id}/members`;
    const from = `${url}/new?kind=child`;
    const res = await agent.post(url, fields, { from });
    expect(res.status).toBe(409);
    const panel = cheerio.load(res.text)('section[aria-labelledby="duplicates-title"]');
    expect(panel.find(`a[href="/admin/households/${other.id}"]`)).toHaveLength(1);
    expect(panel.text()).toContain('même enfant (nom et date de naissance)');
    expect(await ctx.db('household_members').where({ household_id: mine.id })).toHaveLength(0);
    const anyway = await agent.post(url, { ...fields, create_anyway: '1' }, { from });
    expect(anyway.status).toBe(303);
    expect(await ctx.db('household_members').where({ household_id: mine.id })).toHaveLength(1);
  });
});

describe('online, by a parent', () => {
  it('a card holding the parent’s own email: told without any detail; may create anyway', async () => {
    const parent = await createAccount(ctx.deps);
    const desk = await createHousehold(ctx.deps, { email: parent.email.toUpperCase() });
    const browser = await loginAs(ctx, parent);
    const fields = await householdForm(ctx.deps, { email: parent.email, phone_mobile: '07 44 44 44 44' });
    const before = await householdCount();
    const res = await browser.post('/household/new', fields);
    expect(res.status).toBe(409);
    const $ = cheerio.load(res.text);
    expect($('#own-card-title').text()).toContain('Une carte famille existe peut-être déjà');
    expect($('main').text()).not.toContain(desk.familyNumber);
    expect($('a[href="/activate"]')).toHaveLength(1);
    expect(await householdCount()).toBe(before);
    const anyway = await browser.post('/household/new', { ...fields, create_anyway: '1' });
    expect(anyway.status).toBe(303);
    expect(await householdCount()).toBe(before + 1);
  });

  it('another family’s email or phone typed in the form reveals nothing: created, noted for staff only', async () => {
    const other = await createFamily(ctx.deps, [{ firstName: 'Secret' }]);
    await ctx.db('households').where({ id: other.household.id }).update({ phone_mobile: '06 99 88 77 66' });
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const res = await browser.post(
      '/household/new',
      await householdForm(ctx.deps, { email: other.parent.email, phone_mobile: '06 99 88 77 66' }),
    );
    expect(res.status).toBe(303);
    const home = await browser.get(String(res.headers.location));
    expect(home.text).not.toContain(other.household.familyNumber);
    expect(home.text).not.toContain('Secret');
    const mine = await ctx.db('household_accounts').where({ account_id: parent.id }).first();
    const noted = await ctx
      .db('audit_events')
      .where({ action: 'households.possible_duplicate', subject_id: String(mine.household_id) })
      .first();
    expect(noted.details.candidates).toEqual([other.household.id]);
  });
});
