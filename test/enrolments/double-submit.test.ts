// Issue 21: a double-clicked "submit" on the enrolment summary could show the parent a 404 right
// after success (the draft was gone for the second request). The second request now gets the
// first one's result: the confirmation with the tracking code, one enrolment request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFamily, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { addDocument, serviceWith } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

/** A family at the summary step of a canteen enrolment, every document present. */
async function atSummary(needsValidation = true) {
  const service = await serviceWith(ctx.deps, { needs_validation: needsValidation });
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léo' }]);
  const child = household.children[0]!;
  await addDocument(ctx.deps, household.id, child.id, 'insurance', { status: 'accepted' });
  await addDocument(ctx.deps, household.id, child.id, 'vaccinations', {
    status: 'accepted',
    validUntil: null,
  });
  const browser = await loginAs(ctx, parent);
  const start = await browser.post(
    '/enrolments/new',
    { child: child.id, service: service.id },
    { from: '/enrolments' },
  );
  const id = Number(/\/enrolments\/(\d+)\//.exec(String(start.headers.location))![1]);
  await browser.post(`/enrolments/${id}/documents`, {});
  await browser.post(`/enrolments/${id}/options`, { weekdays: ['1', '2'] });
  const summary = await browser.get(`/enrolments/${id}/summary`);
  expect(summary.status).toBe(200);
  return { browser, id };
}

const requestsOf = (enrolmentId: number) =>
  ctx.db('requests').whereRaw("type = 'enrolment' AND (data->>'enrolmentId')::bigint = ?", [enrolmentId]);

describe('submitting an enrolment twice', () => {
  it.each([
    ['needing validation', true],
    ['accepted at once', false],
  ])(
    'two submits at the same time (%s): both lead to the confirmation, one request',
    async (_label, needsValidation) => {
      const { browser, id } = await atSummary(needsValidation);
      const send = () => browser.post(`/enrolments/${id}/submit`, {}, { csrf: browser.token });
      const [a, b] = await Promise.all([send(), send()]);
      expect([a.status, b.status]).toEqual([303, 303]);
      expect(a.headers.location).toBe(`/enrolments/${id}/confirmation`);
      expect(b.headers.location).toBe(`/enrolments/${id}/confirmation`);
      const page = await browser.get(`/enrolments/${id}/confirmation`);
      expect(page.status).toBe(200);
      const e = await ctx.db('enrolments').where({ id }).first();
      expect(e.status).toBe(needsValidation ? 'submitted' : 'accepted');
      expect(await requestsOf(id)).toHaveLength(1);
      expect(page.text).toContain((await requestsOf(id))[0].tracking_code);
    },
  );

  it('a second submit after the first finished (back button, resent form) leads to the confirmation, not a 404', async () => {
    const { browser, id } = await atSummary();
    const first = await browser.post(`/enrolments/${id}/submit`, {}, { csrf: browser.token });
    const again = await browser.post(`/enrolments/${id}/submit`, {}, { csrf: browser.token });
    expect(first.status).toBe(303);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect((await browser.get(again.headers.location!)).status).toBe(200);
    expect(await requestsOf(id)).toHaveLength(1);
  });

  it("another household's enrolment is still a 404", async () => {
    const { id } = await atSummary();
    const other = await createFamily(ctx.deps, [{ firstName: 'Zoé' }]);
    const browser = await loginAs(ctx, other.parent);
    await browser.get('/enrolments');
    const res = await browser.post(`/enrolments/${id}/submit`, {}, { csrf: browser.token });
    expect(res.status).toBe(404);
  });
});
