// The monthly invoicing page offers "Émettre" only for a finished month; for the current (or a
// later) month it says from when the month can be invoiced, and a forged post still changes nothing.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addReservations,
  createAccount,
  createFamily,
  createService,
  createTestContext,
  loginAs,
  setRates,
  type Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
let manager: Browser;
let householdId: number;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-10-14T08:00:00Z' });
  const canteen = await createService(ctx.deps, { kind: 'canteen', unit: 'meal', billing_basis: 'bookings' });
  await setRates(ctx.deps, canteen.id, { brackets: [300, 300, 300, 300] });
  const { household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  householdId = household.id;
  const child = household.children[0]!.id;
  await addReservations(ctx.deps, {
    serviceId: canteen.id,
    childId: child,
    householdId,
    days: ['2026-09-17', '2026-10-01', '2026-10-02'],
  });
  manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
});
afterAll(async () => ctx?.close());

const generateForm = ($: cheerio.CheerioAPI) => $('form[action="/admin/billing/run"]');

describe('the invoicing page', () => {
  it('offers no "Émettre" for the month under way, and says from which day it can be invoiced', async () => {
    const res = await manager.get('/admin/billing?month=2026-10');
    expect(res.status).toBe(200);
    const $ = cheerio.load(res.text);
    expect(generateForm($)).toHaveLength(0);
    expect($('button').filter((_, b) => $(b).text().includes('Émettre'))).toHaveLength(0);
    expect($('main .notice').text()).toContain(
      "Ce mois n'est pas terminé : il pourra être facturé à partir du 1er novembre 2026.",
    );
    // The preview is still shown.
    expect($('h2').text()).toContain('Aperçu de octobre 2026');
  });

  it('says the same for a later month', async () => {
    const $ = cheerio.load((await manager.get('/admin/billing?month=2027-01')).text);
    expect(generateForm($)).toHaveLength(0);
    expect($('main .notice').text()).toContain('à partir du 1er février 2027');
  });

  it('offers "Émettre" for a finished month', async () => {
    const $ = cheerio.load((await manager.get('/admin/billing?month=2026-09')).text);
    expect(generateForm($)).toHaveLength(1);
    expect(generateForm($).find('input[name="month"]').val()).toBe('2026-09');
    expect(generateForm($).find('button[type="submit"]').text()).toBe(
      'Émettre les factures de septembre 2026',
    );
    expect($('main').text()).not.toContain("Ce mois n'est pas terminé");
  });

  it('still refuses a post for the month under way, with its message, and issues nothing', async () => {
    const res = await manager.post(
      '/admin/billing/run',
      { month: '2026-10' },
      { from: '/admin/billing?month=2026-09' },
    );
    expect(res.status).toBe(422);
    const $ = cheerio.load(res.text);
    expect($('.error-summary').text()).toContain("On ne facture qu'un mois terminé.");
    expect(generateForm($)).toHaveLength(0);
    expect(await ctx.db('invoices').where({ household_id: householdId })).toEqual([]);
  });
});
