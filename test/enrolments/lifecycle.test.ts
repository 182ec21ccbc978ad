// After submission: withdraw, end of enrolment, school derogation, staff asking for more, bulk
// acceptance, desk enrolment, and who may see or do what (404 for other households, 403 for roles).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestsService } from '../../src/requests/service.js';
import {
  Browser,
  createAccount,
  createFamily,
  createTestContext,
  loginAs,
  type TestAccount,
  type TestContext,
} from '../support/index.js';
import { addDocument, serviceWith } from './helpers.js';

let ctx: TestContext;
let agent: TestAccount;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  agent = await createAccount(ctx.deps, { role: 'agent' });
});
afterAll(async () => ctx?.close());

/** A family whose child has the canteen documents, with a submitted enrolment made through the wizard. */
async function submitted(serviceId: number, opts: { docs?: boolean } = {}) {
  const family = await createFamily(ctx.deps, [{ firstName: 'Léo' }]);
  const child = family.household.children[0]!;
  if (opts.docs !== false) {
    await addDocument(ctx.deps, family.household.id, child.id, 'insurance', { status: 'accepted' });
    await addDocument(ctx.deps, family.household.id, child.id, 'vaccinations', {
      status: 'accepted',
      validUntil: null,
    });
  }
  const browser = await loginAs(ctx, family.parent);
  const start = await browser.post(
    '/enrolments/new',
    { child: child.id, service: serviceId },
    { from: '/enrolments' },
  );
  const id = Number(/\/enrolments\/(\d+)\//.exec(String(start.headers.location))![1]);
  await browser.post(`/enrolments/${id}/documents`, {});
  await browser.post(`/enrolments/${id}/options`, { weekdays: ['1', '2'] });
  const res = await browser.post(`/enrolments/${id}/submit`, {}, { from: `/enrolments/${id}/summary` });
  expect(res.status).toBe(303);
  return { ...family, child, browser, id, e: await ctx.db('enrolments').where({ id }).first() };
}

describe('after submission', () => {
  it('a parent withdraws a request before the decision: the request is cancelled, the enrolment withdrawn', async () => {
    const service = await serviceWith(ctx.deps);
    const { browser, id, e } = await submitted(service.id);
    const res = await browser.post(`/enrolments/${id}/withdraw`, {}, { from: `/enrolments/${id}` });
    expect(res.status).toBe(303);
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('withdrawn');
    expect((await ctx.db('requests').where({ id: e.request_id }).first()).status).toBe('cancelled');
    // A decided one can no longer be withdrawn.
    const again = await browser.post(`/enrolments/${id}/withdraw`, {}, { from: `/enrolments/${id}` });
    expect(again.status).toBe(303);
    expect((await ctx.db('requests').where({ id: e.request_id }).first()).status).toBe('cancelled');
  });

  it('ending an accepted enrolment files a "fin d\'inscription" request; accepted by staff, the enrolment ends on that day', async () => {
    const service = await serviceWith(ctx.deps);
    const { browser, id, e, parent } = await submitted(service.id);
    const staff = await loginAs(ctx, agent);
    await staff.post(`/admin/enrolments/${id}/decide`, { decision: 'accepted' });
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('accepted');

    const bad = await browser.post(
      `/enrolments/${id}/end`,
      { ends_on: '2026-02-30' },
      { from: `/enrolments/${id}` },
    );
    expect(bad.status).toBe(422);
    const past = await browser.post(
      `/enrolments/${id}/end`,
      { ends_on: '2026-09-01' },
      { from: `/enrolments/${id}` },
    );
    expect(past.status).toBe(422);
    expect(past.text).toContain('ne peut pas être passée');
    expect(await ctx.db('requests').where({ type: 'enrolment_end', account_id: parent.id })).toHaveLength(0);

    const res = await browser.post(
      `/enrolments/${id}/end`,
      { ends_on: '2026-12-18' },
      { from: `/enrolments/${id}` },
    );
    expect(res.status).toBe(303);
    const endRequest = await ctx
      .db('requests')
      .where({ type: 'enrolment_end', account_id: parent.id })
      .first();
    expect(endRequest.data).toEqual({ enrolmentId: id, endsOn: '2026-12-18' });
    expect((await browser.get(`/enrolments/${id}`)).text).toContain(endRequest.tracking_code);
    expect(
      (await browser.post(`/enrolments/${id}/end`, { ends_on: '2026-12-19' }, { from: `/enrolments/${id}` }))
        .status,
    ).toBe(422);

    await createRequestsService(ctx.deps).decide(
      endRequest.id,
      'accepted',
      { accountId: agent.id, role: 'agent' },
      null,
    );
    expect(await ctx.db('enrolments').where({ id }).first()).toMatchObject({
      status: 'ended',
      ends_on: '2026-12-18',
    });
    expect(e.request_id).not.toBe(endRequest.id);
  });

  it('school enrolment: the catchment school, or a derogation request with a reason, text and documents', async () => {
    const school = await serviceWith(ctx.deps, { kind: 'school', opening_days: 'none' }, [
      ['proof_of_address', 'valid_at_start'],
    ]);
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Nina', classLevel: 'CE1' }]);
    const child = household.children[0]!;
    const proof = await addDocument(ctx.deps, household.id, child.id, 'proof_of_address', {
      status: 'accepted',
      validUntil: null,
    });
    const browser = await loginAs(ctx, parent);
    const start = await browser.post(
      '/enrolments/new',
      { child: child.id, service: school.id },
      { from: '/enrolments' },
    );
    const id = Number(/\/enrolments\/(\d+)\//.exec(String(start.headers.location))![1]);
    expect((await browser.post(`/enrolments/${id}/documents`, {})).headers.location).toBe(
      `/enrolments/${id}/school`,
    );
    const page = await browser.get(`/enrolments/${id}/school`);
    expect(page.text).toContain('École élémentaire Jules-Ferry');

    const sainteMarie = await ctx.db('schools').where({ kind: 'private' }).first('id');
    const noReason = await browser.post(`/enrolments/${id}/school`, {
      choice: 'other',
      school_id: sainteMarie.id,
      text: 'Ma sœur y est',
    });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Choisissez le motif');
    expect(noReason.text).toContain('Ma sœur y est');
    expect((await ctx.db('enrolments').where({ id }).first()).derogation).toBe(false);

    const ok = await browser.post(`/enrolments/${id}/school`, {
      choice: 'other',
      school_id: sainteMarie.id,
      reason: 'siblings',
      text: 'Sa sœur est en CM2',
      documents: [String(proof)],
    });
    expect(ok.headers.location).toBe(`/enrolments/${id}/summary`);
    const summary = await browser.get(`/enrolments/${id}/summary`);
    expect(summary.text).toContain('Un frère ou une sœur');
    await browser.post(`/enrolments/${id}/submit`, {}, { from: `/enrolments/${id}/summary` });
    const e = await ctx.db('enrolments').where({ id }).first();
    expect(e).toMatchObject({ status: 'submitted', derogation: true, school_id: sainteMarie.id });
    const request = await ctx.db('requests').where({ id: e.request_id }).first();
    expect(request).toMatchObject({ type: 'derogation', status: 'submitted' });
    expect(request.data).toMatchObject({
      reason: 'siblings',
      documentIds: [proof],
      schoolId: sainteMarie.id,
    });

    const staff = await loginAs(ctx, agent);
    const staffPage = await staff.get(`/admin/enrolments/${id}`);
    expect(staffPage.text).toContain('Sa sœur est en CM2');
    await staff.post(`/admin/enrolments/${id}/decide`, { decision: 'accepted' });
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('accepted');
  });

  it('staff ask for more, the parent answers with a document, staff accept: each step in the history with an email', async () => {
    const service = await serviceWith(ctx.deps);
    const { browser, id, e, parent, household, child } = await submitted(service.id);
    const staff = await loginAs(ctx, agent);
    const noMessage = await staff.post(`/admin/enrolments/${id}/decide`, {
      decision: 'incomplete',
      message: '',
    });
    expect(noMessage.status).toBe(422);
    expect((await ctx.db('requests').where({ id: e.request_id }).first()).status).toBe('submitted');
    expect(
      (
        await staff.post(`/admin/enrolments/${id}/decide`, {
          decision: 'incomplete',
          message: 'Merci de joindre le PAI.',
        })
      ).status,
    ).toBe(303);

    // The requests queue's page shows the child, the family and the documents beside the request.
    const requestPage = await staff.get(`/admin/requests/${e.request_id}`);
    expect(requestPage.status).toBe(200);
    expect(requestPage.text).toContain('Léo');
    expect(requestPage.text).toContain(household.familyNumber);
    expect(requestPage.text).toContain('fourni');

    const page = await browser.get(`/enrolments/${id}`);
    expect(page.text).toContain('Répondre à la mairie');
    expect(page.text).toContain('Merci de joindre le PAI.');
    const pai = await addDocument(ctx.deps, household.id, child.id, 'insurance', { status: 'pending' });
    const empty = await browser.post(
      `/enrolments/${id}/answer`,
      { message: '', document_id: '' },
      { from: `/enrolments/${id}` },
    );
    expect(empty.status).toBe(422);
    const other = await createFamily(ctx.deps, [{}]);
    const foreign = await addDocument(
      ctx.deps,
      other.household.id,
      other.household.children[0]!.id,
      'insurance',
    );
    expect(
      (
        await browser.post(
          `/enrolments/${id}/answer`,
          { message: 'x', document_id: String(foreign) },
          { from: `/enrolments/${id}` },
        )
      ).status,
    ).toBe(422);
    expect(
      (
        await browser.post(
          `/enrolments/${id}/answer`,
          { message: 'Voici le document.', document_id: String(pai) },
          { from: `/enrolments/${id}` },
        )
      ).status,
    ).toBe(303);
    expect((await ctx.db('requests').where({ id: e.request_id }).first()).status).toBe('in_review');

    expect((await staff.post(`/admin/enrolments/${id}/decide`, { decision: 'accepted' })).status).toBe(303);
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('accepted');
    const events = await ctx.db('request_events').where({ request_id: e.request_id }).orderBy('id');
    expect(events.map((x: { status: string | null }) => x.status)).toEqual([
      'submitted',
      'incomplete',
      null,
      'in_review',
      'accepted',
    ]);
    expect(events[2]).toMatchObject({
      actor_side: 'parent',
      document_id: pai,
      message: 'Voici le document.',
    });
    await ctx.flushEmails();
    const subjects = ctx.smtp.to(parent.email).map((m) => m.subject);
    expect(subjects.filter((s) => s.includes('déposée'))).toHaveLength(1);
    expect(subjects.filter((s) => s.includes('éléments manquent'))).toHaveLength(1);
    expect(subjects.filter((s) => s.includes("en cours d'instruction"))).toHaveLength(1);
    expect(subjects.filter((s) => s.includes('acceptée'))).toHaveLength(1);
    expect((await browser.get(`/enrolments/${id}`)).text).toContain('acceptée');
  });

  it('a refusal needs a reason', async () => {
    const service = await serviceWith(ctx.deps);
    const { id } = await submitted(service.id);
    const staff = await loginAs(ctx, agent);
    const res = await staff.post(`/admin/enrolments/${id}/decide`, { decision: 'refused', message: ' ' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('motif du refus');
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('submitted');
    await staff.post(`/admin/enrolments/${id}/decide`, { decision: 'refused', message: 'Hors secteur.' });
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('refused');
  });

  it('bulk acceptance accepts only the complete enrolments', async () => {
    const service = await serviceWith(ctx.deps);
    const a = await submitted(service.id);
    const b = await submitted(service.id);
    const c = await submitted(service.id);
    // c's insurance was deleted after submission: incomplete now.
    await ctx.db('documents').where({ member_id: c.child.id }).update({ deleted_at: ctx.clock.now() });
    const staff = await loginAs(ctx, agent);
    const list = await staff.get(`/admin/enrolments?service=${service.id}&status=submitted`);
    expect(list.text).toContain(`id="select-${a.id}"`);
    expect(list.text).toContain(`id="select-${b.id}"`);
    expect(list.text).not.toContain(`id="select-${c.id}"`);
    expect(list.text).toContain('pièces manquantes');
    const none = await staff.post(
      '/admin/enrolments/accept',
      { service: String(service.id) },
      { from: `/admin/enrolments?service=${service.id}&status=submitted` },
    );
    expect(none.status).toBe(303);
    const res = await staff.post(
      '/admin/enrolments/accept',
      { service: String(service.id), ids: [a.id, b.id, c.id].map(String) },
      { from: `/admin/enrolments?service=${service.id}&status=submitted` },
    );
    expect(res.status).toBe(303);
    const statuses = await ctx
      .db('enrolments')
      .whereIn('id', [a.id, b.id, c.id])
      .orderBy('id')
      .pluck('status');
    expect(statuses).toEqual(['accepted', 'accepted', 'submitted']);
    expect(
      await ctx.db('audit_events').where({ action: 'enrolments.bulk_accepted', actor_account_id: agent.id }),
    ).toHaveLength(1);
  });

  it("an agent enrols a child at the desk on the family's behalf (audited)", async () => {
    const service = await serviceWith(ctx.deps);
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Sami' }]);
    const child = household.children[0]!;
    const staff = await loginAs(ctx, agent);
    const form = await staff.get(`/admin/enrolments/new?household=${household.id}`);
    expect(form.text).toContain('Sami');
    const missing = await staff.post(
      '/admin/enrolments/new',
      {
        household_id: String(household.id),
        child_id: String(child.id),
        service_id: String(service.id),
        weekdays: ['1'],
      },
      { from: `/admin/enrolments/new?household=${household.id}` },
    );
    expect(missing.status).toBe(422);
    expect(await ctx.db('enrolments').where({ child_id: child.id })).toHaveLength(0);
    await addDocument(ctx.deps, household.id, child.id, 'insurance', { status: 'accepted' });
    await addDocument(ctx.deps, household.id, child.id, 'vaccinations', {
      status: 'accepted',
      validUntil: null,
    });
    const res = await staff.post(
      '/admin/enrolments/new',
      {
        household_id: String(household.id),
        child_id: String(child.id),
        service_id: String(service.id),
        weekdays: ['1', '4'],
      },
      { from: `/admin/enrolments/new?household=${household.id}` },
    );
    expect(res.status).toBe(303);
    const e = await ctx.db('enrolments').where({ child_id: child.id }).first();
    expect(e).toMatchObject({ status: 'submitted', created_by: agent.id, options: { weekdays: [1, 4] } });
    expect((await ctx.db('requests').where({ id: e.request_id }).first()).account_id).toBe(parent.id);
    expect(
      await ctx.db('audit_events').where({ action: 'enrolments.desk_created', subject_id: String(e.id) }),
    ).toHaveLength(1);
  });
});

describe('who can see and do what', () => {
  it('another household reads and acts on none of it (404)', async () => {
    const service = await serviceWith(ctx.deps);
    const { id, child, household } = await submitted(service.id);
    const draftFamily = await createFamily(ctx.deps, [{}]);
    const db = await loginAs(ctx, draftFamily.parent);
    const dStart = await db.post(
      '/enrolments/new',
      { child: draftFamily.household.children[0]!.id, service: service.id },
      { from: '/enrolments' },
    );
    const draftId = Number(/\/enrolments\/(\d+)\//.exec(String(dStart.headers.location))![1]);

    const intruder = await createFamily(ctx.deps, [{}]);
    const other = await loginAs(ctx, intruder.parent);
    for (const path of [
      `/enrolments/${id}`,
      `/enrolments/${id}/confirmation`,
      `/enrolments/${draftId}`,
      `/enrolments/${draftId}/documents`,
      `/enrolments/${draftId}/options`,
      `/enrolments/${draftId}/summary`,
      `/enrolments/new?child=${child.id}&service=${service.id}`,
    ]) {
      expect((await other.get(path)).status, path).toBe(404);
    }
    await other.get('/enrolments');
    for (const [path, body] of [
      [`/enrolments/${id}/withdraw`, {}],
      [`/enrolments/${id}/end`, { ends_on: '2026-12-18' }],
      [`/enrolments/${id}/answer`, { message: 'x' }],
      [`/enrolments/${draftId}/documents`, {}],
      [`/enrolments/${draftId}/options`, { weekdays: '1' }],
      [`/enrolments/${draftId}/submit`, {}],
      [`/enrolments/${draftId}/withdraw`, {}],
      ['/enrolments/new', { child: String(child.id), service: String(service.id) }],
    ] as [string, Record<string, string>][]) {
      expect((await other.post(path, body, { csrf: other.token })).status, path).toBe(404);
    }
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('submitted');
    expect((await ctx.db('enrolments').where({ id: draftId }).first()).status).toBe('draft');
    expect(await ctx.db('enrolments').where({ household_id: intruder.household.id })).toHaveLength(0);
    expect(household.id).not.toBe(intruder.household.id);
  });

  it('staff-only actions are 403 for parents and animators; parent pages are 403 for staff', async () => {
    const service = await serviceWith(ctx.deps);
    const { id, browser } = await submitted(service.id);
    const animator = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }));
    await animator.get('/admin');
    for (const who of [browser, animator] as Browser[]) {
      for (const path of [
        '/admin/enrolments',
        `/admin/enrolments/${id}`,
        '/admin/enrolments/new',
        '/admin/services/new',
        '/admin/calendar',
      ]) {
        expect((await who.get(path)).status, path).toBe(403);
      }
      expect(
        (await who.post(`/admin/enrolments/${id}/decide`, { decision: 'accepted' }, { csrf: who.token }))
          .status,
      ).toBe(403);
      expect(
        (
          await who.post(
            '/admin/enrolments/accept',
            { service: String(service.id), ids: [String(id)] },
            { csrf: who.token },
          )
        ).status,
      ).toBe(403);
    }
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('submitted');
    const staff = await loginAs(ctx, agent);
    expect((await staff.get('/enrolments')).status).toBe(403);
  });
});
