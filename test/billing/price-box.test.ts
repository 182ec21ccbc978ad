// The booking page's price box and the billing preview are one computation (issue 21): a sick day
// excused by a certificate in time is not billed, so the booking page does not count it either.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDocument,
  addQf,
  addReservations,
  createAccount,
  createEnrolment,
  createFamily,
  createService,
  createTestContext,
  loginAs,
  setRates,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-10-02T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const money = (text: string) => text.replace(/\s/g, ' ').trim();

describe('the price box of the booking page', () => {
  it('shows the amount the billing preview gives, an excused sick day left out', async () => {
    const canteen = await createService(ctx.deps, {
      kind: 'canteen',
      unit: 'meal',
      billing_basis: 'bookings',
      name: 'Cantine (prix)',
    });
    await setRates(ctx.deps, canteen.id, { brackets: [450] });
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const lea = household.children[0]!;
    await addQf(ctx.deps, household.id, 650, '2026-01-01');
    await createEnrolment(ctx.deps, { childId: lea.id, serviceId: canteen.id, householdId: household.id });
    // Five days booked; Léa was sick on the Wednesday, with a certificate the next day.
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: lea.id,
      householdId: household.id,
      days: ['2026-09-07', '2026-09-08', '2026-09-10', '2026-09-11'],
    });
    const certificate = await addDocument(
      ctx.deps,
      household.id,
      'medical_certificate',
      '2026-09-10T08:00:00Z',
      lea.id,
    );
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: lea.id,
      householdId: household.id,
      days: ['2026-09-09'],
      status: 'sick',
      sickCertificateDocumentId: certificate,
    });

    const page = cheerio.load((await (await loginAs(ctx, parent)).get('/reservations?month=2026-09')).text);
    const box = page('table').filter(
      (_, table) => page(table).find('caption').text() === 'Prix de vos réservations du mois',
    );
    expect(box).toHaveLength(1);
    expect(money(box.find('tfoot td').last().text())).toBe('18,00 €');
    expect(money(box.find('tbody tr').first().find('td').last().text())).toBe('18,00 €');
    expect(box.find('tbody tr').first().find('td').eq(1).text()).toBe('4'); // days billed

    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    const preview = cheerio.load((await manager.get('/admin/billing?month=2026-09')).text);
    const amounts = preview('table').filter((_, table) =>
      preview(table).find('caption').text().startsWith('Montant par famille'),
    );
    const row = amounts.find(`a[href="/admin/billing/households/${household.id}"]`).closest('tr');
    expect(money(row.find('td').eq(1).text())).toBe('18,00 €');
  });
});
