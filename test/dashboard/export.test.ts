// The RGPD export: a parent downloads everything stored about their household, and only that;
// each export is an audit event about the household.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createFamily,
  loginAs,
  type TestContext,
  createTestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

describe('the RGPD export', () => {
  it('downloads the household data as JSON from the household page, audited', async () => {
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Zoé' }]);
    await createFamily(ctx.deps, [{ firstName: 'Autre' }]);
    const browser = await loginAs(ctx, parent);
    const $ = cheerio.load((await browser.get('/household')).text);
    const link = $('a[href="/household/export"]');
    expect(link.length).toBe(1);

    const res = await browser.get(link.attr('href')!);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${household.familyNumber}.json"`);
    expect(res.body.household.family_number).toBe(household.familyNumber);
    const names = res.body.members.map((m: { first_name: string }) => m.first_name);
    expect(names).toContain('Zoé');
    expect(names).not.toContain('Autre');
    expect(res.body.accounts.map((a: { id: number }) => a.id)).toEqual([parent.id]);
    const audit = await ctx
      .db('audit_events')
      .where({ action: 'households.exported', subject_type: 'household', subject_id: String(household.id) });
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_account_id).toBe(parent.id);
  });

  it('sends a parent without a household to create one, and records nothing', async () => {
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const res = await browser.get('/household/export');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/household/start');
    expect(
      await ctx.db('audit_events').where({ action: 'households.exported', actor_account_id: parent.id }),
    ).toHaveLength(0);
  });
});
