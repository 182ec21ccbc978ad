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

/** A family with a contact-deletion request filed through the UI. */
async function familyWithRequest() {
  const family = await createFamily(ctx.deps, []);
  const contactId = await createContact(ctx.deps, family.household.id);
  const browser = await loginAs(ctx, family.parent);
  await browser.post(
    `/household/members/${contactId}/request-deletion`,
    {},
    { from: `/household/members/${contactId}/edit` },
  );
  const request = await ctx.db('requests').where({ household_id: family.household.id }).first();
  return { ...family, browser, request, contactId };
}

describe('parents follow their requests', () => {
  it('lists, shows the history, answers with a message and a document, and cancels', async () => {
    const { browser, request, household, parent } = await familyWithRequest();
    const list = await browser.get('/requests');
    expect(list.text).toContain(request.tracking_code);
    expect(list.text).toContain('déposée');
    // A document of the household, as the documents feature stores it.
    const type = await ctx
      .db('document_types')
      .insert({ code: `t-${request.id}`, name: 'Attestation d’assurance', scope: 'household' })
      .returning('id');
    const [doc] = await ctx
      .db('documents')
      .insert({
        household_id: household.id,
        type_id: (type[0] as { id: number }).id,
        status: 'pending',
        uploaded_by: parent.id,
        uploaded_at: ctx.clock.now(),
      })
      .returning('id');
    const page = await browser.get(`/requests/${request.id}`);
    expect(page.text).toContain('Attestation d’assurance');
    const answer = await browser.post(`/requests/${request.id}/messages`, {
      message: 'Merci de traiter vite.',
      document_id: String((doc as { id: number }).id),
    });
    expect(answer.status).toBe(303);
    const ev = await ctx
      .db('request_events')
      .where({ request_id: request.id })
      .whereNotNull('message')
      .first();
    expect(ev).toMatchObject({
      message: 'Merci de traiter vite.',
      actor_side: 'parent',
      document_id: (doc as { id: number }).id,
    });
    const empty = await browser.post(`/requests/${request.id}/messages`, { message: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Écrivez un message ou choisissez un document.');

    const cancel = await browser.post(
      `/requests/${request.id}/cancel`,
      {},
      { from: `/requests/${request.id}` },
    );
    expect(cancel.status).toBe(303);
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('cancelled');
    const after = await browser.get(`/requests/${request.id}`);
    expect(after.text).toContain('annulée');
    expect(after.text).not.toContain('/cancel"');
  });

  it('another household gets 404 on read and write, and nothing changes', async () => {
    const { request } = await familyWithRequest();
    const other = await createFamily(ctx.deps);
    const intruder = await loginAs(ctx, other.parent);
    expect((await intruder.get(`/requests/${request.id}`)).status).toBe(404);
    expect((await intruder.get('/requests')).text).not.toContain(request.tracking_code);
    await intruder.get('/requests');
    expect(
      (await intruder.post(`/requests/${request.id}/messages`, { message: 'x' }, { from: '/requests' }))
        .status,
    ).toBe(404);
    expect((await intruder.post(`/requests/${request.id}/cancel`, {}, { from: '/requests' })).status).toBe(
      404,
    );
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('submitted');
    expect(
      await ctx.db('request_events').where({ request_id: request.id }).count({ n: '*' }).first(),
    ).toEqual({ n: 1 });
  });
});

describe('staff handle the queue', () => {
  it('queue by type and status, oldest first, search by tracking code', async () => {
    const first = await familyWithRequest();
    ctx.clock.set('2026-09-14T09:00:00Z');
    const second = await familyWithRequest();
    ctx.clock.set('2026-09-14T08:00:00Z');
    const staff = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const queue = await staff.get('/admin/requests?type=contact_deletion');
    expect(queue.status).toBe(200);
    expect(queue.text.indexOf(first.request.tracking_code)).toBeLessThan(
      queue.text.indexOf(second.request.tracking_code),
    );
    const byCode = await staff.get(`/admin/requests?code=${second.request.tracking_code.toLowerCase()}`);
    expect(byCode.text).toContain(second.request.tracking_code);
    expect(byCode.text).not.toContain(first.request.tracking_code);
    const accepted = await staff.get('/admin/requests?status=accepted');
    expect(accepted.text).not.toContain(first.request.tracking_code);
  });

  it('each status change is in the history, audited and emailed; a refusal needs a reason', async () => {
    const { request, parent, browser } = await familyWithRequest();
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const staff = await loginAs(ctx, agent);
    await ctx.flushEmails();
    expect(ctx.smtp.to(parent.email).map((m) => m.subject)).toEqual([
      `Demande ${request.tracking_code} déposée : Suppression d'un contact`,
    ]);

    expect(
      (
        await staff.post(
          `/admin/requests/${request.id}/review`,
          {},
          { from: `/admin/requests/${request.id}` },
        )
      ).status,
    ).toBe(303);
    expect(
      (
        await staff.post(`/admin/requests/${request.id}/decide`, {
          decision: 'incomplete',
          message: 'Précisez le motif.',
        })
      ).status,
    ).toBe(303);
    // The parent answers: back to "en cours d'instruction".
    expect(
      (await browser.post(`/requests/${request.id}/messages`, { message: 'Elle a déménagé.' })).status,
    ).toBe(303);
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('in_review');

    const noReason = await staff.post(`/admin/requests/${request.id}/decide`, {
      decision: 'refused',
      message: '',
    });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Indiquez le motif du refus');
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('in_review');

    expect(
      (
        await staff.post(`/admin/requests/${request.id}/decide`, {
          decision: 'refused',
          message: 'Contact encore nécessaire.',
        })
      ).status,
    ).toBe(303);
    const events = await ctx
      .db('request_events')
      .where({ request_id: request.id })
      .whereNotNull('status')
      .orderBy('id');
    expect(events.map((e) => e.status)).toEqual([
      'submitted',
      'in_review',
      'incomplete',
      'in_review',
      'refused',
    ]);
    const audits = await ctx
      .db('audit_events')
      .where({ subject_type: 'request', subject_id: String(request.id) })
      .orderBy('id');
    expect(audits.map((a) => a.action)).toEqual([
      'requests.in_review',
      'requests.incomplete',
      'requests.refused',
    ]);
    await ctx.flushEmails();
    const subjects = ctx.smtp.to(parent.email).map((m) => m.subject);
    expect(subjects).toEqual(
      expect.arrayContaining([
        `Demande ${request.tracking_code} en cours d'instruction`,
        `Demande ${request.tracking_code} : des éléments manquent`,
        `Demande ${request.tracking_code} refusée`,
      ]),
    );
    const page = await browser.get(`/requests/${request.id}`);
    expect(page.text).toContain('Contact encore nécessaire.');
    expect(page.text).toContain('Elle a déménagé.');
    // Decided: no more decision.
    const late = await staff.post(
      `/admin/requests/${request.id}/decide`,
      { decision: 'accepted', message: '' },
      { from: `/admin/requests/${request.id}` },
    );
    expect(late.status).toBe(422);
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('refused');
  });

  it('parents and animators cannot reach the staff queue', async () => {
    const { parent } = await createFamily(ctx.deps);
    expect((await (await loginAs(ctx, parent)).get('/admin/requests')).status).toBe(403);
    expect(
      (await (await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }))).get('/admin/requests'))
        .status,
    ).toBe(403);
  });
});
