// Bulk acceptance: only enrolments whose mandatory documents staff have accepted and that are
// valid for the period; the others are listed with what is missing, and left untouched.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createEnrolment,
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

/** A submitted enrolment (with its request) of a new family, with the given documents. */
async function submitted(
  serviceId: number,
  docs: [string, { status?: 'pending' | 'accepted'; validUntil?: string | null }][],
) {
  const { household } = await createFamily(ctx.deps, [{ firstName: 'Léo' }]);
  const child = household.children[0]!;
  for (const [code, opts] of docs) await addDocument(ctx.deps, household.id, child.id, code, opts);
  const e = await createEnrolment(ctx.deps, {
    childId: child.id,
    serviceId,
    householdId: household.id,
    status: 'submitted',
  });
  const [r] = await ctx
    .db('requests')
    .insert({
      type: 'enrolment',
      tracking_code: Math.random().toString(36).slice(2, 10).toUpperCase().padEnd(8, 'X'),
      household_id: household.id,
      child_id: child.id,
      status: 'submitted',
      data: JSON.stringify({ enrolment_id: e.id }),
      created_at: ctx.clock.now(),
      updated_at: ctx.clock.now(),
    })
    .returning('id');
  await ctx
    .db('enrolments')
    .where({ id: e.id })
    .update({ request_id: (r as { id: number }).id });
  return e.id;
}

describe('bulk acceptance of enrolments', () => {
  it('accepts only enrolments whose documents are accepted and valid, and lists what the others lack', async () => {
    const service = await serviceWith(ctx.deps);
    const ready = await submitted(service.id, [
      ['insurance', { status: 'accepted' }],
      ['vaccinations', { status: 'accepted', validUntil: null }],
    ]);
    const unchecked = await submitted(service.id, [
      ['insurance', { status: 'pending' }],
      ['vaccinations', { status: 'accepted', validUntil: null }],
    ]);
    const tooShort = await submitted(service.id, [
      ['insurance', { status: 'accepted' }],
      ['vaccinations', { status: 'accepted', validUntil: '2027-01-31' }],
    ]);
    const none = await submitted(service.id, [['insurance', { status: 'accepted' }]]);

    const staff = await loginAs(ctx, agent);
    const url = `/admin/enrolments?service=${service.id}&status=submitted`;
    const $ = cheerio.load((await staff.get(url)).text);
    const row = (id: number) => $(`a[href="/admin/enrolments/${id}"]`).closest('tr');
    expect(row(ready).find(`#select-${ready}`)).toHaveLength(1);
    expect(row(ready).text()).toContain('pièces vérifiées');
    for (const id of [unchecked, tooShort, none])
      expect(row(id).find('input[type=checkbox]')).toHaveLength(0);
    expect(row(unchecked).text()).toMatch(/assurance[^:]*: pas encore vérifiée/);
    expect(row(tooShort).text()).toMatch(/vaccination[^:]*: pas valable assez longtemps/);
    expect(row(none).text()).toMatch(/vaccination[^:]*: non fournie/);

    // Even forced through the form, the incomplete ones stay submitted.
    const res = await staff.post(
      '/admin/enrolments/accept',
      { service: String(service.id), ids: [ready, unchecked, tooShort, none].map(String) },
      { from: url },
    );
    expect(res.status).toBe(303);
    const statuses = await ctx
      .db('enrolments')
      .whereIn('id', [ready, unchecked, tooShort, none])
      .orderBy('id')
      .pluck('status');
    expect(statuses).toEqual(['accepted', 'submitted', 'submitted', 'submitted']);
    const after = await staff.get(String(res.headers.location));
    expect(after.text).toContain('1 inscription acceptée');
    expect(after.text).toContain('3 inscriptions n&#39;ont pas pu être acceptées');
  });

  it('an animator may not accept in bulk (403) and nothing changes', async () => {
    const service = await serviceWith(ctx.deps);
    const id = await submitted(service.id, [
      ['insurance', { status: 'accepted' }],
      ['vaccinations', { status: 'accepted', validUntil: null }],
    ]);
    const animator = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }));
    expect((await animator.get('/admin/enrolments')).status).toBe(403);
    const res = await animator.post(
      '/admin/enrolments/accept',
      { service: String(service.id), ids: [String(id)] },
      { from: '/admin' },
    );
    expect(res.status).toBe(403);
    expect((await ctx.db('enrolments').where({ id }).first()).status).toBe('submitted');
  });
});
