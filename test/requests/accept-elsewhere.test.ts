// A rate (QF) update is accepted only on its validation page (the QF and its dates): the generic
// request page offers that page instead of an "Accepter" that always failed, and keeps "ask for
// more" and "refuse". Other request types keep their plain "Accepter".
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBillingService } from '../../src/billing/service.js';
import { withTransaction } from '../../src/platform/db.js';
import { createRequestsService } from '../../src/requests/service.js';
import {
  addDocument,
  createAccount,
  createFamily,
  createTestContext,
  loginAs,
  type Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
let agent: Browser;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-20T08:00:00Z' });
  agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
});
afterAll(async () => ctx?.close());

async function rateUpdate() {
  const { household, parent } = await createFamily(ctx.deps, [{}]);
  const doc = await addDocument(ctx.deps, household.id, 'tax_notice', '2026-09-18T10:00:00Z');
  return createBillingService(ctx.deps).requestRateUpdate(
    household.id,
    { accountId: parent.id, role: 'parent' },
    { source: 'tax_notice', allocataireNumber: '', qf: 900, documentId: doc },
  );
}

const decisions = ($: cheerio.CheerioAPI) =>
  $('input[name="decision"]')
    .map((_, i) => $(i).val())
    .get();

describe('deciding a rate update', () => {
  it('the request page leads to the QF validation instead of a generic "Accepter"; asking for more still works', async () => {
    const request = await rateUpdate();
    const page = await agent.get(`/admin/requests/${request.id}`);
    expect(page.status).toBe(200);
    const $ = cheerio.load(page.text);
    expect(decisions($)).toEqual(['incomplete', 'refused']);
    expect($('label').filter((_, l) => $(l).text().trim() === 'Accepter')).toHaveLength(0);
    const validate = $(`main a[href="/admin/billing/qf/${request.id}"]`);
    expect(validate).toHaveLength(1);
    expect(validate.text()).toBe('Valider le quotient familial');

    // The validation page: the QF form, refusing, and the way back for asking more.
    const qf = cheerio.load((await agent.get(`/admin/billing/qf/${request.id}`)).text);
    expect(qf(`form[action="/admin/billing/qf/${request.id}"]`)).toHaveLength(1);
    expect(qf(`form[action="/admin/billing/qf/${request.id}/refuse"]`)).toHaveLength(1);
    expect(qf(`main a[href="/admin/requests/${request.id}"]`)).toHaveLength(1);

    const asked = await agent.post(`/admin/requests/${request.id}/decide`, {
      decision: 'incomplete',
      message: 'Merci de joindre la page 2 de l’avis.',
    });
    expect(asked.status).toBe(303);
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('incomplete');
  });

  it('a forged "accepted" on the generic page is refused with its message and changes nothing', async () => {
    const request = await rateUpdate();
    const res = await agent.post(`/admin/requests/${request.id}/decide`, {
      decision: 'accepted',
      message: '',
    });
    expect(res.status).toBe(422);
    const $ = cheerio.load(res.text);
    expect($('.error-summary').text()).toContain(
      'saisissez le quotient familial et ses dates sur la page de validation du QF',
    );
    expect(decisions($)).toEqual(['incomplete', 'refused']);
    expect((await ctx.db('requests').where({ id: request.id }).first()).status).toBe('submitted');
    expect(await ctx.db('qf_history').where({ request_id: request.id })).toEqual([]);
  });

  it('another type of request keeps its plain "Accepter"', async () => {
    const { household, parent } = await createFamily(ctx.deps, [{}]);
    const request = await withTransaction(ctx.db, (tx) =>
      createRequestsService(ctx.deps).create(tx, {
        type: 'lost_activation_code',
        accountId: parent.id,
        householdId: household.id,
        summary: 'Code perdu',
        actor: { accountId: parent.id, role: 'parent' },
      }),
    );
    const $ = cheerio.load((await agent.get(`/admin/requests/${request.id}`)).text);
    expect(decisions($)).toEqual(['accepted', 'incomplete', 'refused']);
    expect($('main a[href^="/admin/billing/qf/"]')).toHaveLength(0);
  });
});
