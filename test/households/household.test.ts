import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDocument,
  addReservations,
  createAccount,
  createContact,
  createEnrolment,
  createFamily,
  createService,
  householdForm,
  loginAs,
  type TestContext,
  createTestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const snapshot = async (householdId: number) => ({
  household: await ctx.db('households').where({ id: householdId }).first(),
  members: await ctx
    .db('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .where('hm.household_id', householdId)
    .orderBy('m.id')
    .select('m.*'),
});

describe('a parent without a household', () => {
  it('lands on /household/start from the dashboard and creates a family card', async () => {
    const parent = await createAccount(ctx.deps, { firstName: 'Lina', lastName: 'Nouvel' });
    const browser = await loginAs(ctx, parent);
    const home = await browser.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/household/start');
    const start = await browser.get('/household/start');
    expect(start.text).toContain('href="/activate"');
    expect(start.text).toContain('href="/household/new"');

    const res = await browser.post(
      '/household/new',
      await householdForm(ctx.deps, { email: 'lina@example.test' }),
    );
    expect(res.status).toBe(303);
    const link = await ctx.db('household_accounts').where({ account_id: parent.id }).first();
    const h = await ctx.db('households').where({ id: link.household_id }).first();
    expect(h.family_number).toMatch(/^SE-\d{6}$/);
    expect(h.paperless).toBe(true);
    expect(h.paperless_changed_at).toBeNull();
    expect(h.postcode).toBe('49999');
    const guardian = await ctx.db('members').where({ account_id: parent.id }).first();
    expect(guardian.kind).toBe('guardian');
    const page = await browser.get('/household');
    expect(page.status).toBe(200);
    expect(page.text).toContain(h.family_number);
    expect(page.text).toContain('École élémentaire Jules-Ferry'); // catchment school
  });

  it('gets errors per field, values kept, nothing created', async () => {
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const before = await ctx.db('households').count({ n: '*' }).first();
    const res = await browser.post('/household/new', {
      address_kind: 'out_of_town',
      address_line: '',
      postcode: '4400',
      city: 'Nantes',
      phone_mobile: '12',
      email: 'pas-une-adresse',
      allocataire_kind: 'CAF',
      allocataire_number: '123',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Indiquez l&#39;adresse (numéro et voie).');
    expect(res.text).toContain('Le code postal doit comporter 5 chiffres.');
    expect(res.text).toContain('Indiquez un numéro de téléphone français à 10 chiffres');
    expect(res.text).toContain('Indiquez une adresse électronique valide');
    expect(res.text).toContain('Le numéro d&#39;allocataire CAF comporte 7 chiffres.');
    expect(res.text).toContain('value="Nantes"');
    expect(res.text).toContain('href="#postcode"');
    expect(await ctx.db('households').count({ n: '*' }).first()).toEqual(before);
  });
});

describe('the owner of a household', () => {
  it('edits the address to out of town, unticks paperless (dated)', async () => {
    const { parent, household } = await createFamily(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const form = await browser.get('/household/edit');
    expect(form.status).toBe(200);
    const res = await browser.post('/household/edit', {
      address_kind: 'out_of_town',
      address_line: '4 rue du Port',
      postcode: '44000',
      city: 'Nantes',
      phone_home: '+33 2 40 00 00 00',
      email: 'x@example.test',
      allocataire_kind: 'MSA',
      allocataire_number: '123456789',
    });
    expect(res.status).toBe(303);
    const h = await ctx.db('households').where({ id: household.id }).first();
    expect(h).toMatchObject({
      out_of_town: true,
      street_id: null,
      postcode: '44000',
      phone_home: '02 40 00 00 00',
      allocataire_kind: 'MSA',
      paperless: false,
    });
    expect(h.paperless_changed_at).not.toBeNull();
    const audit = await ctx
      .db('audit_events')
      .where({ action: 'households.updated', subject_id: String(household.id) })
      .first();
    expect(audit).toBeTruthy();
  });
});

describe('another household', () => {
  it('gets 404 on members, child page and invitations of others, and changes nothing', async () => {
    const a = await createFamily(ctx.deps, [{ firstName: 'Alba' }]);
    const contactId = await createContact(ctx.deps, a.household.id);
    const b = await createFamily(ctx.deps, [{ firstName: 'Bruno' }]);
    const ownerBrowser = await loginAs(ctx, a.parent);
    await ownerBrowser.post('/household/invite', { email: 'second@example.test' });
    const invitation = await ctx.db('household_invitations').where({ household_id: a.household.id }).first();
    const before = await snapshot(a.household.id);

    const intruder = await loginAs(ctx, b.parent);
    const childId = a.household.children[0]!.id;
    expect((await intruder.get(`/children/${childId}`)).status).toBe(404);
    expect((await intruder.get(`/household/members/${childId}/edit`)).status).toBe(404);
    expect((await intruder.get(`/household/members/${contactId}/edit`)).status).toBe(404);
    await intruder.get('/household');
    const post = await intruder.post(
      `/household/members/${childId}/edit`,
      { first_name: 'Pirate', last_name: 'X', birth_date: '2018-01-01', sex: 'M', diet: 'none' },
      { from: '/household' },
    );
    expect(post.status).toBe(404);
    expect(
      (await intruder.post(`/household/members/${contactId}/request-deletion`, {}, { from: '/household' }))
        .status,
    ).toBe(404);
    expect(
      (await intruder.post(`/household/invitations/${invitation.id}/revoke`, {}, { from: '/household' }))
        .status,
    ).toBe(404);
    // Their own household page shows nothing of the other.
    const own = await intruder.get('/household');
    expect(own.text).not.toContain(a.household.familyNumber);
    expect(own.text).not.toContain('Alba');

    expect(await snapshot(a.household.id)).toEqual(before);
    expect(await ctx.db('household_invitations').where({ id: invitation.id }).first()).toBeTruthy();
    expect(
      await ctx.db('requests').where({ household_id: a.household.id, type: 'contact_deletion' }).first(),
    ).toBeUndefined();
  });

  it('a visitor is sent to the login page', async () => {
    const { Browser } = await import('../support/http.js');
    const res = await new Browser(ctx.app).get('/household');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
  });
});

describe('the dashboard', () => {
  it('shows unpaid invoices and open requests of the household only', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Iris' }]);
    const other = await createFamily(ctx.deps);
    const invoice = (n: string, householdId: number, status: string) => ({
      number: n,
      household_id: householdId,
      month: '2026-09',
      issued_at: ctx.clock.now(),
      due_on: '2026-10-15',
      total_cents: 4250,
      paid_cents: 1000,
      status,
      household_snapshot: '{}',
    });
    await ctx
      .db('invoices')
      .insert([
        invoice(`T-${household.id}-1`, household.id, 'partially_paid'),
        invoice(`T-${other.household.id}-1`, other.household.id, 'unpaid'),
      ]);
    const browser = await loginAs(ctx, parent);
    const res = await browser.get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Facture n° T-${household.id}-1`);
    expect(res.text).toContain('32,50');
    expect(res.text).not.toContain(`T-${other.household.id}-1`);
    expect(res.text).toContain('Iris');
    expect(res.text).toContain('Aucune démarche en cours.');
  });

  it("shows each child's next three activities, documents missing or expiring and open requests, of this household only", async () => {
    const { parent, household } = await createFamily(ctx.deps, [
      { firstName: 'Iris' },
      { firstName: 'Paul' },
    ]);
    const other = await createFamily(ctx.deps, [{ firstName: 'Zoé' }]);
    const [iris, paul] = household.children;
    const service = await createService(ctx.deps, { name: 'Cantine Jaurès' });
    const insurance = (
      await ctx
        .db('document_types')
        .insert({ code: `ins-${household.id}`, name: 'Attestation d’assurance scolaire', scope: 'child' })
        .returning('id')
    )[0] as { id: number };
    await ctx
      .db('service_requirements')
      .insert({ service_id: service.id, document_type_id: insurance.id, rule: 'valid_at_start' });
    await createEnrolment(ctx.deps, { childId: iris!.id, serviceId: service.id, householdId: household.id });
    await createEnrolment(ctx.deps, {
      childId: other.household.children[0]!.id,
      serviceId: service.id,
      householdId: other.household.id,
    });
    await addReservations(ctx.deps, {
      serviceId: service.id,
      childId: iris!.id,
      householdId: household.id,
      days: ['2026-09-10', '2026-09-15', '2026-09-17', '2026-09-18', '2026-09-21'],
    });
    await addReservations(ctx.deps, {
      serviceId: service.id,
      childId: paul!.id,
      householdId: household.id,
      days: ['2026-09-22'],
      status: 'waiting',
    });
    await addReservations(ctx.deps, {
      serviceId: service.id,
      childId: other.household.children[0]!.id,
      householdId: other.household.id,
      days: ['2026-09-16'],
    });
    const caf = await addDocument(ctx.deps, household.id, 'caf_attestation', '2026-01-10T10:00:00Z');
    await ctx.db('documents').where({ id: caf }).update({ valid_until: '2026-10-01' });
    const otherCaf = await addDocument(
      ctx.deps,
      other.household.id,
      'caf_attestation',
      '2026-01-10T10:00:00Z',
    );
    await ctx.db('documents').where({ id: otherCaf }).update({ valid_until: '2026-09-20' });
    await ctx.db('requests').insert({
      household_id: household.id,
      account_id: parent.id,
      type: 'contact_deletion',
      tracking_code: 'DASH2345',
      status: 'submitted',
      summary: 'x',
      created_at: ctx.clock.now(),
      updated_at: ctx.clock.now(),
    });

    const text = (await (await loginAs(ctx, parent)).get('/')).text;
    // Iris: the three next days from today (14 September), not the past one nor the fourth.
    const irisCard = text.slice(text.indexOf('Iris'), text.indexOf('Paul'));
    expect(irisCard).toMatch(/mardi 15 septembre[\s\S]*jeudi 17 septembre[\s\S]*vendredi 18 septembre/);
    expect(irisCard).not.toMatch(/10 septembre|21 septembre|16 septembre/);
    expect(text.slice(text.indexOf('Paul'))).toContain(
      'mardi 22 septembre 2026 – Cantine Jaurès (liste d&#39;attente)',
    );
    expect(text).toContain('Attestation d’assurance scolaire – Iris');
    expect(text).toContain(
      'expire bientôt</span> Attestation CAF ou MSA (quotient familial) : valable jusqu&#39;au 1 octobre 2026',
    );
    expect(text).not.toContain('20 septembre 2026');
    expect(text).toContain('DASH2345');
    expect(text).not.toContain('Zoé');
  });
});
