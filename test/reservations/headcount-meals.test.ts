// The kitchen headcount of issue 22: every service that serves lunch or a snack (services.meals,
// set on the service's form), the adults' meals each school enters (stored, audited), a print
// button and the CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import {
  addReservations,
  createAccount,
  createFamily,
  createService,
  createTestContext,
  loginAs,
  type Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
const THU = '2026-09-17';
const WED = '2026-09-16';
let A: { id: number; name: string }; // elementary
let B: { id: number; name: string }; // nursery

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  A = (await ctx.db('schools').where({ kind: 'elementary' }).first('id', 'name')) as typeof A;
  B = (await ctx.db('schools').where({ kind: 'nursery' }).first('id', 'name')) as typeof B;
  const canteen = await createService(ctx.deps, { kind: 'canteen', name: 'Cantine (effectifs)' });
  const evening = await createService(ctx.deps, { kind: 'after_school', name: 'Soir (effectifs)' });
  const morning = await createService(ctx.deps, { kind: 'before_school', name: 'Matin (effectifs)' });
  const wednesday = await createService(ctx.deps, {
    kind: 'wednesday',
    name: 'Mercredi (effectifs)',
    opening_days: 'wednesdays',
    weekdays: [3],
  });
  const { household: h1 } = await createFamily(ctx.deps, [
    { firstName: 'Ana', school: 'elementary', diet: 'vegetarian', allergies: 'kiwi' },
  ]);
  const { household: h2 } = await createFamily(ctx.deps, [{ firstName: 'Bob', school: 'nursery' }]);
  const ana = h1.children[0]!.id;
  const bob = h2.children[0]!.id;
  const book = (serviceId: number, childId: number, householdId: number, day: string) =>
    addReservations(ctx.deps, { serviceId, childId, householdId, days: [day] });
  for (const s of [canteen, evening, morning]) await book(s.id, ana, h1.id, THU);
  await book(evening.id, bob, h2.id, THU);
  await book(wednesday.id, ana, h1.id, WED);
  await addReservations(ctx.deps, {
    serviceId: canteen.id,
    childId: bob,
    householdId: h2.id,
    days: [THU],
    status: 'cancelled',
  });
});
afterAll(async () => ctx?.close());

async function page(browser: Browser, day: string) {
  const res = await browser.get(`/admin/headcount?date=${day}`);
  expect(res.status).toBe(200);
  return cheerio.load(res.text);
}
/** Each school's table: [diet, lunches, snacks] rows, then the totals and adults rows. */
const table = ($: cheerio.CheerioAPI, schoolId: number) =>
  $(`#school-${schoolId} table`)
    .first()
    .find('tbody tr, tfoot tr')
    .map((_, tr) => [
      $(tr)
        .children()
        .map((__, c) => $(c).text().trim())
        .get(),
    ])
    .get();

describe('kitchen headcount', () => {
  it('counts the lunches and snacks of every service that serves them, per school and diet', async () => {
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const thu = await page(agent, THU);
    // Ana: a canteen lunch and an evening snack (the morning care serves nothing); Bob: a snack
    // (his cancelled lunch is not counted).
    expect(table(thu, A.id)).toEqual([
      ['végétarien', '1', '1'],
      ['Total enfants', '1', '1'],
      ["Repas d'adultes", '0', ''],
    ]);
    expect(table(thu, B.id)).toEqual([
      ['standard', '0', '1'],
      ['Total enfants', '0', '1'],
      ["Repas d'adultes", '0', ''],
    ]);
    expect(thu('main').text()).toContain(
      "Total de la journée : 1 déjeuners d'enfants, 0 repas d'adultes, 2 goûters",
    );
    expect(thu(`#school-${A.id}`).text()).toContain('kiwi');
    // The Wednesday centre serves lunch and a snack.
    expect(table(await page(agent, WED), A.id).slice(0, 1)).toEqual([['végétarien', '1', '1']]);
    // A print button (shown by the script) and the CSV link; forms are not printed.
    expect(thu('button[data-print]').text()).toContain('Imprimer');
    expect(thu(`a[href="/admin/headcount?date=${THU}&format=csv"]`)).toHaveLength(1);
    expect(thu('form[action="/admin/headcount/adults"]').first().hasClass('no-print')).toBe(true);
  });

  it("stores and audits the adults' meals a school enters; bad input changes nothing", async () => {
    const account = await createAccount(ctx.deps, { role: 'animator', schoolIds: [A.id] });
    const animator = await loginAs(ctx, account);
    const mine = await page(animator, THU);
    expect(mine(`#school-${B.id}`)).toHaveLength(0); // an animator sees their sites only
    expect(mine(`label[for="adults-${A.id}"]`).text()).toContain(A.name);
    const field = `adults-${A.id}`;
    const from = `/admin/headcount?date=${THU}`;

    const ok = await animator.post(
      '/admin/headcount/adults',
      { school: String(A.id), date: THU, [field]: '12' },
      { from },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/admin/headcount?date=${THU}#school-${A.id}`);
    expect(
      await ctx.db('adult_meals').where({ school_id: A.id, day: THU }).first('meals', 'recorded_by'),
    ).toEqual({
      meals: 12,
      recorded_by: account.id,
    });
    const events = await ctx.db('audit_events').where({ action: 'reservations.adult_meals' });
    expect(events).toHaveLength(1);
    expect(events[0].details).toEqual({ day: THU, meals: 12, before: null });
    const after = await page(animator, THU);
    expect(table(after, A.id).at(-1)).toEqual(["Repas d'adultes", '12', '']);
    expect(after(`#${field}`).val()).toBe('12');
    expect(after('main').text()).toContain("12 repas d'adultes");

    for (const bad of ['douze', '-3', '1000', '']) {
      const res = await animator.post(
        '/admin/headcount/adults',
        { school: String(A.id), date: THU, [field]: bad },
        { from },
      );
      expect(res.status, bad).toBe(422);
      const $ = cheerio.load(res.text);
      expect($(`#${field}-error`).text()).toContain("Indiquez le nombre de repas d'adultes");
      expect($(`#${field}`).attr('aria-invalid')).toBe('true');
      expect($(`#${field}`).val()).toBe(bad);
      expect($('.error-summary a').attr('href')).toBe(`#${field}`);
    }
    expect(await ctx.db('adult_meals').where({ school_id: A.id, day: THU }).first('meals')).toEqual({
      meals: 12,
    });
    expect(await ctx.db('audit_events').where({ action: 'reservations.adult_meals' })).toHaveLength(1);

    // Another school's: not theirs (404), nothing stored.
    const other = await animator.post(
      '/admin/headcount/adults',
      { school: String(B.id), date: THU, [`adults-${B.id}`]: '3' },
      { from },
    );
    expect(other.status).toBe(404);
    expect(await ctx.db('adult_meals').where({ school_id: B.id })).toEqual([]);

    // An agent may enter any school's; a change records what it replaced.
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect(
      (
        await agent.post(
          '/admin/headcount/adults',
          { school: String(A.id), date: THU, [field]: '14' },
          { from },
        )
      ).status,
    ).toBe(303);
    const last = await ctx
      .db('audit_events')
      .where({ action: 'reservations.adult_meals' })
      .orderBy('id', 'desc')
      .first();
    expect(last.details).toEqual({ day: THU, meals: 14, before: 12 });

    const csv = await agent.get(`/admin/headcount?date=${THU}&format=csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('"École";"Repas";"Convives";"Régime";"Nombre"');
    expect(lines).toContain(`"${A.name}";"Déjeuner";"Enfants";"végétarien";"1"`);
    expect(lines).toContain(`"${A.name}";"Goûter";"Enfants";"végétarien";"1"`);
    expect(lines).toContain(`"${B.name}";"Goûter";"Enfants";"standard";"1"`);
    expect(lines).toContain(`"${A.name}";"Déjeuner";"Adultes";"";"14"`);
    expect(lines).toHaveLength(5);
  });

  it('is for staff only: a parent gets 403 on the page and the form', async () => {
    const { parent } = await createFamily(ctx.deps, [{ firstName: 'Nina' }]);
    const browser = await loginAs(ctx, parent);
    expect((await browser.get(`/admin/headcount?date=${THU}`)).status).toBe(403);
    const res = await browser.post(
      '/admin/headcount/adults',
      { school: String(A.id), date: THU, [`adults-${A.id}`]: '99' },
      { from: '/' },
    );
    expect(res.status).toBe(403);
    expect(await ctx.db('adult_meals').where({ meals: 99 })).toEqual([]);
  });

  it("is set on the service's form: a manager says what a service serves", async () => {
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const form = await manager.get('/admin/services/new');
    const $ = cheerio.load(form.text);
    expect($('#meal-lunch').attr('checked')).toBeDefined();
    expect($('#meal-snack').attr('checked')).toBeUndefined();
    const res = await manager.post('/admin/services/new', {
      school_year_id: '2026-2027',
      name: 'Centre du mercredi (repas)',
      kind: 'wednesday',
      description: '',
      site_school_id: '',
      opening_days: 'wednesdays',
      enrol_opens_on: '',
      enrol_closes_on: '',
      needs_validation: 'no',
      unit: 'day',
      billing_basis: 'bookings',
      active: 'on',
      min_age: '',
      max_age: '',
      meals: ['snack', 'lunch'],
    });
    expect(res.status).toBe(303);
    const row = await ctx.db('services').where({ name: 'Centre du mercredi (repas)' }).first('id', 'meals');
    expect(row.meals).toEqual(['lunch', 'snack']);
    const edit = cheerio.load((await manager.get(`/admin/services/${row.id}/edit`)).text);
    expect(edit('#meal-snack').attr('checked')).toBeDefined();
    const bad = await manager.post(`/admin/services/${row.id}/edit`, {
      school_year_id: '2026-2027',
      name: 'Centre du mercredi (repas)',
      kind: 'wednesday',
      opening_days: 'wednesdays',
      needs_validation: 'no',
      unit: 'day',
      billing_basis: 'bookings',
      site_school_id: '',
      meals: ['dinner'],
    });
    expect(bad.status).toBe(422);
    expect(cheerio.load(bad.text)('.error-summary a[href="#meals"]')).toHaveLength(1);
    expect((await ctx.db('services').where({ id: row.id }).first('meals')).meals).toEqual(['lunch', 'snack']);
  });
});
