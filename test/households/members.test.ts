import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createContact,
  createFamily,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const schoolId = async (kind: string) => String((await ctx.db('schools').where({ kind }).first('id')).id);
const childFields = async (overrides: Record<string, string> = {}) => ({
  kind: 'child',
  first_name: 'Éloïse',
  last_name: 'Durand',
  birth_date: '2019-04-02',
  sex: 'F',
  school_id: await schoolId('elementary'),
  class_level: 'CE1',
  diet: 'no_pork',
  allergies: 'Arachide',
  has_pai: 'on',
  doctor_name: 'Dr Martin',
  doctor_phone: '02 99 00 00 01',
  image_rights: 'on',
  ...overrides,
});
const countMembers = async () => Number((await ctx.db('members').count({ n: '*' }).first())!.n);

describe('children', () => {
  it('a parent adds a child, who appears on the dashboard and has a child page', async () => {
    const { parent, household } = await createFamily(ctx.deps, []);
    const browser = await loginAs(ctx, parent);
    const form = await browser.get('/household/members/new?kind=child');
    expect(form.text).toContain('Sans porc');
    expect(form.text).not.toMatch(/halal|casher/i);
    const res = await browser.post('/household/members', await childFields(), {
      from: '/household/members/new?kind=child',
    });
    expect(res.status).toBe(303);
    const child = await ctx
      .db('members as m')
      .join('household_members as hm', 'hm.member_id', 'm.id')
      .where({ 'hm.household_id': household.id, 'm.kind': 'child' })
      .first('m.*');
    expect(child).toMatchObject({
      first_name: 'Éloïse',
      birth_date: '2019-04-02',
      class_level: 'CE1',
      diet: 'no_pork',
      has_pai: true,
      image_rights: true,
      doctor_phone: '02 99 00 00 01',
    });
    expect(child.image_rights_at).not.toBeNull();
    const dash = await browser.get('/');
    expect(dash.status).toBe(200);
    expect(dash.text).toContain('Éloïse Durand');
    expect(dash.text).toContain('Aucune démarche en cours.');
    expect(dash.text).toContain('Aucune facture à payer.');
    const page = await browser.get(`/children/${child.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/children/${child.id}/agenda`);
    expect(page.text).toContain('Aucune inscription pour le moment.');
  });

  it.each([
    [{ birth_date: '2027-01-01' }, 'La date de naissance ne peut pas être dans le futur.'],
    [{ birth_date: '2008-09-14' }, 'L&#39;enfant doit avoir moins de 18 ans.'],
    [{ birth_date: '2019-02-30' }, 'Indiquez une date réelle'],
    [{ birth_date: '' }, 'Indiquez la date de naissance.'],
    [{ first_name: '' }, 'Indiquez le prénom.'],
    [{ last_name: '' }, 'Indiquez le nom.'],
    [{ sex: '' }, 'Indiquez s&#39;il s&#39;agit d&#39;une fille ou d&#39;un garçon.'],
    [{ diet: 'halal' }, 'Choisissez un régime alimentaire.'],
    [{ class_level: 'MS' }, 'Cette classe n&#39;existe pas à l&#39;école École élémentaire Jules-Ferry.'],
    [{ school_id: '', class_level: 'CP' }, 'Choisissez l&#39;école de l&#39;enfant pour indiquer sa classe.'],
    [{ doctor_phone: '123' }, 'Indiquez un numéro de téléphone français'],
  ])('rejects %o with a message and changes nothing', async (overrides, message) => {
    const { parent } = await createFamily(ctx.deps, []);
    const browser = await loginAs(ctx, parent);
    const before = await countMembers();
    const res = await browser.post('/household/members', await childFields(overrides), {
      from: '/household/members/new?kind=child',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain('class="error-summary"');
    expect(res.text).toContain('value="Arachide"');
    expect(await countMembers()).toBe(before);
  });

  it('editing image rights dates the change', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Noé' }]);
    const childId = household.children[0]!.id;
    ctx.clock.set('2026-09-20T10:00:00Z');
    const browser = await loginAs(ctx, parent);
    const res = await browser.post(
      `/household/members/${childId}/edit`,
      await childFields({ first_name: 'Noé', image_rights: 'on' }),
    );
    expect(res.status).toBe(303);
    const child = await ctx.db('members').where({ id: childId }).first();
    expect(child.image_rights).toBe(true);
    expect(new Date(child.image_rights_at).toISOString()).toBe('2026-09-20T10:00:00.000Z');
    ctx.clock.set('2026-09-14T08:00:00Z');
  });
});

describe('guardians and contacts', () => {
  it('adds a guardian linked to a child, and a contact', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const browser = await loginAs(ctx, parent);
    const childId = household.children[0]!.id;
    const g = await browser.post(
      '/household/members',
      {
        kind: 'guardian',
        first_name: 'Marc',
        last_name: 'Testeur',
        phone: '0611223344',
        children: String(childId),
      },
      { from: '/household/members/new?kind=guardian' },
    );
    expect(g.status).toBe(303);
    const guardian = await ctx.db('members').where({ first_name: 'Marc', kind: 'guardian' }).first();
    expect(guardian.phone).toBe('06 11 22 33 44');
    expect(
      await ctx.db('guardian_children').where({ guardian_id: guardian.id, child_id: childId }).first(),
    ).toBeTruthy();
    const c = await browser.post(
      '/household/members',
      {
        kind: 'contact',
        first_name: 'Mamie',
        last_name: 'Testeur',
        phone: '06 00 00 00 00',
        relationship: 'grand-mère',
        can_pick_up: 'on',
      },
      { from: '/household/members/new?kind=contact' },
    );
    expect(c.status).toBe(303);
    const page = await browser.get('/household');
    expect(page.text).toContain('Mamie Testeur (grand-mère)');
  });

  it('a contact needs a phone and a relationship', async () => {
    const { parent } = await createFamily(ctx.deps, []);
    const browser = await loginAs(ctx, parent);
    const before = await countMembers();
    const res = await browser.post(
      '/household/members',
      { kind: 'contact', first_name: 'Mamie', last_name: 'X', phone: '', relationship: '' },
      { from: '/household/members/new?kind=contact' },
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Indiquez au moins un numéro de téléphone.');
    expect(res.text).toContain('Indiquez le lien avec l&#39;enfant.');
    expect(await countMembers()).toBe(before);
  });

  it('a guardian cannot be linked to another household’s child', async () => {
    const a = await createFamily(ctx.deps, [{ firstName: 'A' }]);
    const b = await createFamily(ctx.deps, [{ firstName: 'B' }]);
    const browser = await loginAs(ctx, a.parent);
    const before = await countMembers();
    const res = await browser.post(
      '/household/members',
      {
        kind: 'guardian',
        first_name: 'X',
        last_name: 'Y',
        phone: '0611223344',
        children: String(b.household.children[0]!.id),
      },
      { from: '/household/members/new?kind=guardian' },
    );
    expect(res.status).toBe(422);
    expect(await countMembers()).toBe(before);
  });
});

describe('contact deletion', () => {
  it('parents have no delete: they file a request; staff accepting it deletes the contact with an audit event', async () => {
    const { parent, household } = await createFamily(ctx.deps, []);
    const contactId = await createContact(ctx.deps, household.id, { firstName: 'Paulette' });
    const browser = await loginAs(ctx, parent);
    const edit = await browser.get(`/household/members/${contactId}/edit`);
    expect(edit.text).toContain('Demander la suppression');
    expect(edit.text).not.toContain('/delete"');

    const res = await browser.post(
      `/household/members/${contactId}/request-deletion`,
      {},
      { from: `/household/members/${contactId}/edit` },
    );
    expect(res.status).toBe(303);
    const request = await ctx
      .db('requests')
      .where({ household_id: household.id, type: 'contact_deletion' })
      .first();
    expect(request).toMatchObject({ status: 'submitted', account_id: parent.id });
    expect(request.data.member_id).toBe(contactId);
    expect((await ctx.db('members').where({ id: contactId }).first()).deleted_at).toBeNull();
    // Asking twice does not file a second request.
    await browser.post(
      `/household/members/${contactId}/request-deletion`,
      {},
      { from: `/household/members/${contactId}/edit` },
    );
    expect(
      await ctx
        .db('requests')
        .where({ household_id: household.id, type: 'contact_deletion' })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 1 });

    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const staff = await loginAs(ctx, agent);
    const page = await staff.get(`/admin/requests/${request.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Paulette Voisin'); // the staffDetails hook
    const decide = await staff.post(`/admin/requests/${request.id}/decide`, {
      decision: 'accepted',
      message: '',
    });
    expect(decide.status).toBe(303);
    const contact = await ctx.db('members').where({ id: contactId }).first();
    expect(contact.deleted_at).not.toBeNull();
    const audit = await ctx
      .db('audit_events')
      .where({ action: 'households.contact_deleted', subject_id: String(household.id) })
      .first();
    expect(audit).toMatchObject({ actor_account_id: agent.id });
    expect(audit.details.memberId).toBe(contactId);
    expect((await browser.get('/household')).text).not.toContain('Paulette');
  });

  it('staff can delete a contact directly, audited; parents get no such route', async () => {
    const { parent, household } = await createFamily(ctx.deps, []);
    const contactId = await createContact(ctx.deps, household.id);
    const browser = await loginAs(ctx, parent);
    await browser.get('/household');
    const attempt = await browser.post(
      `/admin/households/${household.id}/members/${contactId}/delete`,
      {},
      { from: '/household' },
    );
    expect(attempt.status).toBe(403);
    expect((await ctx.db('members').where({ id: contactId }).first()).deleted_at).toBeNull();

    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const staff = await loginAs(ctx, agent);
    const res = await staff.post(
      `/admin/households/${household.id}/members/${contactId}/delete`,
      {},
      { from: `/admin/households/${household.id}/members/${contactId}/edit` },
    );
    expect(res.status).toBe(303);
    expect((await ctx.db('members').where({ id: contactId }).first()).deleted_at).not.toBeNull();
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'households.contact_deleted', actor_account_id: agent.id })
        .first(),
    ).toBeTruthy();
  });
});

describe('editing a member, by the parent and at the desk', () => {
  it('bad input shows the form again with its error and its way back, and changes nothing; good input saves', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Inès' }]);
    const childId = household.children[0]!.id;
    const unchanged = async () =>
      expect(await ctx.db('members').where({ id: childId }).first('first_name', 'doctor_phone')).toEqual({
        first_name: 'Inès',
        doctor_phone: null,
      });
    const browser = await loginAs(ctx, parent);
    const bad = await browser.post(
      `/household/members/${childId}/edit`,
      await childFields({ first_name: 'Inès', doctor_phone: '123' }),
    );
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Indiquez un numéro de téléphone français');
    expect(bad.text).toContain('value="Arachide"');
    // The way back is the child's page, as on the form first shown.
    expect(bad.text).toContain(`<a href="/children/${childId}">Annuler</a>`);
    expect((await browser.get(`/household/members/${childId}/edit`)).text).toContain(
      `<a href="/children/${childId}">Annuler</a>`,
    );
    await unchanged();

    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const staff = await loginAs(ctx, agent);
    const base = `/admin/households/${household.id}`;
    const deskBad = await staff.post(
      `${base}/members/${childId}/edit`,
      await childFields({ first_name: 'Inès', doctor_phone: '123' }),
    );
    expect(deskBad.status).toBe(422);
    expect(deskBad.text).toContain('Indiquez un numéro de téléphone français');
    expect(deskBad.text).toContain(`<a href="${base}">Annuler</a>`);
    await unchanged();
    // Another household's member under this household's address: not found.
    const other = await createFamily(ctx.deps, [{ firstName: 'Autre' }]);
    expect(
      (
        await staff.post(
          `${base}/members/${other.household.children[0]!.id}/edit`,
          await childFields({ first_name: 'Pirate' }),
          { from: `${base}/members/${childId}/edit` },
        )
      ).status,
    ).toBe(404);

    const desk = await staff.post(
      `${base}/members/${childId}/edit`,
      await childFields({ first_name: 'Inès' }),
    );
    expect(desk.status).toBe(303);
    expect(desk.headers.location).toBe(base);
    const own = await browser.post(
      `/household/members/${childId}/edit`,
      await childFields({ first_name: 'Inès', doctor_phone: '02 99 00 00 02' }),
    );
    expect(own.status).toBe(303);
    expect(own.headers.location).toBe(`/children/${childId}`);
    expect(await ctx.db('members').where({ id: childId }).first('first_name', 'doctor_phone')).toEqual({
      first_name: 'Inès',
      doctor_phone: '02 99 00 00 02',
    });
    expect((await ctx.db('members').where({ id: other.household.children[0]!.id }).first()).first_name).toBe(
      'Autre',
    );
  });
});
