// The desk tools opened on a family (issue 22): the desk booking shows the family's real prices and
// links only to pages staff may open, and its audit names the days; the desk payment on a family
// offers its open invoices only.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addQf,
  createAccount,
  createEnrolment,
  createFamily,
  createInvoice,
  createService,
  createTestContext,
  loginAs,
  setRates,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const slot = (childId: number, serviceId: number, day: string) => `${childId}:${serviceId}:${day}`;

describe('the desk booking', () => {
  it("shows the family's real prices, links only to staff pages, and audits the days booked", async () => {
    const canteen = await createService(ctx.deps, { name: 'Cantine du guichet', billing_basis: 'bookings' });
    await setRates(ctx.deps, canteen.id, { brackets: [150, 380, 420, 510] });
    const { household } = await createFamily(ctx.deps, [{ firstName: 'Lina' }]);
    const lina = household.children[0]!;
    await addQf(ctx.deps, household.id, 650, '2026-01-01');
    await createEnrolment(ctx.deps, { childId: lina.id, serviceId: canteen.id, householdId: household.id });
    const agentAccount = await createAccount(ctx.deps, { role: 'agent' });
    const agent = await loginAs(ctx, agentAccount);
    const page = `/admin/reservations/family?household=${household.id}&month=2026-09`;
    const res = await agent.get(page);
    expect(res.status).toBe(200);
    const $ = cheerio.load(res.text);
    const box = $('caption:contains("Prix de vos réservations du mois")').closest('table');
    // QF 650: the second bracket's price, not "tarif non encore fixé".
    expect(box.find('tbody td').first().text().replace(/\s/g, ' ')).toContain('3,80 €');
    expect(res.text).not.toContain('tarif non encore fixé');
    // No parent page ("Mes tarifs") at the desk: every link opens for the agent.
    expect($('a[href="/household/rates"]')).toHaveLength(0);
    const links = new Set(
      $('main a[href]')
        .map((_, a) => $(a).attr('href'))
        .get()
        .filter((href) => !href.startsWith('#'))
        .map((href) => (href.startsWith('?') ? `/admin/reservations/family${href}` : href)),
    );
    expect(links).toContain(`/admin/billing/households/${household.id}`);
    for (const href of links) expect((await agent.get(href)).status, href).toBe(200);

    const booked = await agent.post(
      `/admin/reservations/family/${household.id}`,
      { slots: [slot(lina.id, canteen.id, '2026-09-18'), slot(lina.id, canteen.id, '2026-09-17')] },
      { from: page },
    );
    expect(booked.status).toBe(303);
    const event = await ctx
      .db('audit_events')
      .where({ action: 'reservations.book', actor_account_id: agentAccount.id })
      .first();
    event.details.days.sort((a: { day: string }, b: { day: string }) => a.day.localeCompare(b.day));
    expect(event.details).toEqual({
      booked: 2,
      waiting: 0,
      days: ['2026-09-17', '2026-09-18'].map((day) => ({
        day,
        childId: lina.id,
        serviceId: canteen.id,
        result: 'booked',
      })),
    });
  });
});

describe('the desk payment on a family', () => {
  it("offers the family's open invoices; another invoice is refused beside the field, nothing recorded", async () => {
    const { household } = await createFamily(ctx.deps, [{ firstName: 'Eliott' }]);
    const other = await createFamily(ctx.deps, [{ firstName: 'Romy' }]);
    const open = await createInvoice(ctx.deps, {
      householdId: household.id,
      totalCents: 3000,
      month: '2026-07',
    });
    await createInvoice(ctx.deps, {
      householdId: household.id,
      totalCents: 1000,
      paidCents: 1000,
      status: 'paid',
      month: '2026-06',
    });
    const foreign = await createInvoice(ctx.deps, { householdId: other.household.id, totalCents: 500 });
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const page = `/admin/payments/desk?household=${household.id}`;
    const $ = cheerio.load((await manager.get(page)).text);
    expect(
      $('select#invoice option')
        .map((_, o) => $(o).attr('value'))
        .get(),
    ).toEqual([open.number]);

    const fields = { method: 'cash', amount: '30', received_on: '2026-09-14', reference: '' };
    const refused = await manager.post(
      '/admin/payments/desk',
      { ...fields, household_id: String(household.id), invoice: foreign.number },
      { from: page },
    );
    expect(refused.status).toBe(422);
    expect(cheerio.load(refused.text)('#invoice-error').text()).toContain('Choisissez une des factures');
    const badAmount = await manager.post(
      '/admin/payments/desk',
      { ...fields, amount: 'trente', household_id: String(household.id), invoice: open.number },
      { from: page },
    );
    expect(badAmount.status).toBe(422);
    expect(cheerio.load(badAmount.text)('#amount-error').text().trim()).not.toBe('');
    expect(await ctx.db('payments').whereIn('invoice_id', [open.id, foreign.id])).toHaveLength(0);

    const paid = await manager.post(
      '/admin/payments/desk',
      { ...fields, household_id: String(household.id), invoice: open.number },
      { from: page },
    );
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe(`/admin/households/${household.id}`);
    expect(await ctx.db('payments').where({ invoice_id: open.id })).toHaveLength(1);
    expect(
      (
        await manager.post(
          '/admin/payments/desk',
          { ...fields, household_id: '999999', invoice: open.number },
          { from: page },
        )
      ).status,
    ).toBe(404);
  });
});
