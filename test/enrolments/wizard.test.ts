// The parent's enrolment form: draft at each step, the mandatory documents rule, submission as a
// request, instant acceptance, the private-school rule, duplicates, resume after logout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createFamily, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { addDocument, counts, serviceWith } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

async function startDraft(browser: Browser, childId: number, serviceId: number) {
  const res = await browser.post(
    '/enrolments/new',
    { child: childId, service: serviceId },
    { from: `/enrolments/new?child=${childId}&service=${serviceId}` },
  );
  expect(res.status).toBe(303);
  const id = Number(/\/enrolments\/(\d+)\//.exec(String(res.headers.location))![1]);
  return id;
}

describe('enrolment wizard', () => {
  it('without the required documents, nothing is submitted and the page lists what is missing with links', async () => {
    const service = await serviceWith(ctx.deps);
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const child = household.children[0]!;
    const browser = await loginAs(ctx, parent);
    const before = await counts(ctx.deps);
    const id = await startDraft(browser, child.id, service.id);
    const draft = await ctx.db('enrolments').where({ id }).first();
    expect(draft).toMatchObject({ status: 'draft', step: 'documents', household_id: household.id });

    const res = await browser.post(`/enrolments/${id}/documents`, {});
    expect(res.status).toBe(422);
    expect(res.text).toContain('Il y a un problème');
    expect(res.text).toContain('manquant');
    expect(res.text).toContain(
      `/documents?type=insurance&amp;member=${child.id}&amp;return_to=%2Fenrolments%2F${id}%2Fdocuments`,
    );
    expect((await ctx.db('enrolments').where({ id }).first()).step).toBe('documents');

    // Even forced to the last step, submitting is refused.
    await ctx.db('enrolments').where({ id }).update({ step: 'summary' });
    const submit = await browser.post(`/enrolments/${id}/submit`, {}, { from: `/enrolments/${id}/summary` });
    expect(submit.status).toBe(422);
    expect(submit.text).toContain('Déposez le document');
    expect(await counts(ctx.deps)).toEqual(before);
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('draft');
  });

  it('with the documents (one accepted, one pending) the enrolment and its request exist; once accepted the child is enrolled', async () => {
    const service = await serviceWith(ctx.deps);
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Hugo' }]);
    const child = household.children[0]!;
    await addDocument(ctx.deps, household.id, child.id, 'insurance', {
      status: 'accepted',
      validUntil: '2027-08-31',
    });
    await addDocument(ctx.deps, household.id, child.id, 'vaccinations', {
      status: 'pending',
      validUntil: null,
    });
    const browser = await loginAs(ctx, parent);
    const id = await startDraft(browser, child.id, service.id);

    const docs = await browser.get(`/enrolments/${id}/documents`);
    expect(docs.text).toContain('fourni');
    expect(docs.text).toContain('en attente de vérification');
    expect((await browser.post(`/enrolments/${id}/documents`, {})).headers.location).toBe(
      `/enrolments/${id}/options`,
    );
    // Bad input keeps the draft as it was.
    const bad = await browser.post(`/enrolments/${id}/options`, { weekdays: ['3'] });
    expect(bad.status).toBe(422);
    expect((await ctx.db('enrolments').where({ id }).first()).options.weekdays).toEqual([1, 2, 4, 5]);
    expect((await browser.post(`/enrolments/${id}/options`, { weekdays: ['1', '4'] })).headers.location).toBe(
      `/enrolments/${id}/summary`,
    );
    const summary = await browser.get(`/enrolments/${id}/summary`);
    expect(summary.text).toContain('Vérifiez votre demande');
    expect(summary.text).toContain('lundi, jeudi');

    const submit = await browser.post(`/enrolments/${id}/submit`, {}, { from: `/enrolments/${id}/summary` });
    expect(submit.status).toBe(303);
    expect(submit.headers.location).toBe(`/enrolments/${id}/confirmation`);
    const e = await ctx.db('enrolments').where({ id }).first();
    expect(e).toMatchObject({ status: 'submitted', options: { weekdays: [1, 4] } });
    const request = await ctx.db('requests').where({ id: e.request_id }).first();
    expect(request).toMatchObject({
      type: 'enrolment',
      status: 'submitted',
      household_id: household.id,
      child_id: child.id,
    });
    const confirmation = await browser.get(`/enrolments/${id}/confirmation`);
    expect(confirmation.text).toContain(request.tracking_code);
    await ctx.flushEmails();
    expect(ctx.smtp.to(parent.email).some((m) => m.subject.includes(request.tracking_code))).toBe(true);

    const { createAccount } = await import('../support/index.js');
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const staffPage = await agent.get(`/admin/enrolments/${id}`);
    expect(staffPage.status).toBe(200);
    expect(staffPage.text).toContain('Hugo');
    expect(staffPage.text).toContain(household.familyNumber);
    const decided = await agent.post(`/admin/enrolments/${id}/decide`, { decision: 'accepted', message: '' });
    expect(decided.status).toBe(303);
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('accepted');
    expect((await ctx.db('requests').where({ id: e.request_id }).first()).status).toBe('accepted');
    expect((await browser.get('/enrolments')).text).toContain('acceptée');
  });

  it('a service that needs no validation is accepted at once', async () => {
    const service = await serviceWith(ctx.deps, { needs_validation: false, kind: 'after_school' }, [
      ['insurance', 'valid_at_start'],
    ]);
    const { parent, household } = await createFamily(ctx.deps, [{}]);
    const child = household.children[0]!;
    await addDocument(ctx.deps, household.id, child.id, 'insurance', { status: 'pending' });
    const browser = await loginAs(ctx, parent);
    const id = await startDraft(browser, child.id, service.id);
    await browser.post(`/enrolments/${id}/documents`, {});
    await browser.post(`/enrolments/${id}/options`, { weekdays: ['2'] });
    await browser.post(`/enrolments/${id}/submit`, {}, { from: `/enrolments/${id}/summary` });
    const e = await ctx.db('enrolments').where({ id }).first();
    expect(e.status).toBe('accepted');
    expect((await ctx.db('requests').where({ id: e.request_id }).first()).status).toBe('accepted');
    expect((await browser.get(`/enrolments/${id}/confirmation`)).text).toContain('Inscription acceptée');
  });

  it('insurance valid on the first day is enough for valid_at_start, not for a whole-period rule', async () => {
    const atStart = await serviceWith(ctx.deps, {}, [['insurance', 'valid_at_start']]);
    const wholePeriod = await serviceWith(ctx.deps, {}, [['insurance', 'valid_whole_period']]);
    const { parent, household } = await createFamily(ctx.deps, [{}]);
    const child = household.children[0]!;
    await addDocument(ctx.deps, household.id, child.id, 'insurance', {
      status: 'accepted',
      validUntil: '2026-12-31',
    });
    const browser = await loginAs(ctx, parent);

    const a = await startDraft(browser, child.id, atStart.id);
    expect((await browser.post(`/enrolments/${a}/documents`, {})).status).toBe(303);

    const w = await startDraft(browser, child.id, wholePeriod.id);
    const refused = await browser.post(`/enrolments/${w}/documents`, {});
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('plus valable assez longtemps');
    expect(refused.text).toContain('2 juillet 2027');

    // An expired one does not count even for valid_at_start.
    const other = await createFamily(ctx.deps, [{}]);
    await addDocument(ctx.deps, other.household.id, other.household.children[0]!.id, 'insurance', {
      status: 'accepted',
      validUntil: '2026-09-10',
    });
    const b2 = await loginAs(ctx, other.parent);
    const x = await startDraft(b2, other.household.children[0]!.id, atStart.id);
    expect((await b2.post(`/enrolments/${x}/documents`, {})).status).toBe(422);
  });

  it('a draft survives logout and is resumed from the enrolments page', async () => {
    const service = await serviceWith(ctx.deps);
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Zoé' }]);
    const child = household.children[0]!;
    const browser = await loginAs(ctx, parent);
    const id = await startDraft(browser, child.id, service.id);
    expect((await browser.post('/logout', {}, { from: '/enrolments' })).status).toBe(303);
    expect((await browser.get('/enrolments')).status).toBe(303);

    const again = await loginAs(ctx, parent);
    const list = await again.get('/enrolments');
    expect(list.text).toContain(`href="/enrolments/${id}"`);
    expect(list.text).toContain('Reprendre');
    const tasks = await again.get(`/enrolments/${id}`);
    expect(tasks.text).toContain('Fournir les pièces obligatoires');
    expect(tasks.text).toContain('pièces manquantes');
    const resume = await again.get(`/enrolments/new?child=${child.id}&service=${service.id}`);
    expect(resume.status).toBe(302);
    expect(resume.headers.location).toBe(`/enrolments/${id}`);
    // Starting again resumes the same draft rather than creating another.
    expect(await startDraft(again, child.id, service.id)).toBe(id);
    expect(
      await ctx.db('enrolments').where({ child_id: child.id, service_id: service.id }).count({ c: '*' }),
    ).toEqual([{ c: 1 }]);
  });

  it('a child of a private school that runs its own canteen cannot be enrolled in the canteen; the page says whom to contact', async () => {
    const service = await serviceWith(ctx.deps);
    await ctx.db('service_schools').where({ service_id: service.id }).delete(); // every school eligible: the rule still applies
    const { parent, household } = await createFamily(ctx.deps, [{ school: 'private', classLevel: 'CE1' }]);
    const child = household.children[0]!;
    const browser = await loginAs(ctx, parent);
    const page = await browser.get(`/enrolments/new?child=${child.id}&service=${service.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Inscription impossible');
    expect(page.text).toContain('OGEC Sainte-Marie');
    const res = await browser.post(
      '/enrolments/new',
      { child: child.id, service: service.id },
      { from: `/enrolments/new?child=${child.id}&service=${service.id}` },
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('OGEC Sainte-Marie');
    expect(await ctx.db('enrolments').where({ child_id: child.id })).toEqual([]);
  });

  it('a second enrolment in the same service is refused with a clear message', async () => {
    const service = await serviceWith(ctx.deps, {}, []);
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Inès' }]);
    const child = household.children[0]!;
    const browser = await loginAs(ctx, parent);
    const id = await startDraft(browser, child.id, service.id);
    await browser.post(`/enrolments/${id}/documents`, {});
    await browser.post(`/enrolments/${id}/options`, { weekdays: ['1'] });
    await browser.post(`/enrolments/${id}/submit`, {}, { from: `/enrolments/${id}/summary` });
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('submitted');

    const page = await browser.get(`/enrolments/new?child=${child.id}&service=${service.id}`);
    expect(page.text).toContain('Inès a déjà une inscription à ce service');
    const again = await browser.post(
      '/enrolments/new',
      { child: child.id, service: service.id },
      { from: '/enrolments' },
    );
    expect(again.status).toBe(422);
    expect(again.text).toContain('Inès est déjà inscrit');
    expect(await ctx.db('enrolments').where({ child_id: child.id })).toHaveLength(1);
  });
});
