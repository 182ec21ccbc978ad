// A parent on a 360 px phone: tables become stacked rows (.table--stack, docs/ui.md), so no page
// scrolls sideways and what matters — a document's status and its "Déposer" link, the prices, an
// invoice's amounts and an invoice's status — is on screen without scrolling sideways; the sick-day
// confirmation fits the screen and leads to the certificate upload. axe on every page.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addQf,
  addReservations,
  createEnrolment,
  createFamily,
  createInvoice,
  createService,
  setRates,
} from '../support/index.js';
import { expectAccessible, loginInBrowser, startE2E, visit, type E2E } from '../support/e2e.js';

const WIDTH = 360;

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ now: '2026-10-02T08:00:00Z' });
});
afterAll(async () => e2e?.close());

/** Neither the page nor any table in it scrolls sideways. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth, tables } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    tables: [...document.querySelectorAll('.table-wrap')]
      .filter((w) => w.scrollWidth > w.clientWidth)
      .map((w) => w.querySelector('caption')?.textContent?.trim()),
  }));
  expect(scrollWidth, `page width of ${page.url()}`).toBeLessThanOrEqual(clientWidth);
  expect(tables, `tables scrolling sideways in ${page.url()}`).toEqual([]);
}

/** Every match is shown and lies within the screen's width (no sideways scrolling needed, in the page or in a table). */
async function expectOnScreen(what: string, locator: Locator): Promise<void> {
  const count = await locator.count();
  expect(count, `${what}: found`).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const item = locator.nth(i);
    expect(await item.isVisible(), `${what} #${i + 1}: visible`).toBe(true);
    const box = (await item.boundingBox())!;
    expect(box.x, `${what} #${i + 1}: left edge`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${what} #${i + 1}: right edge`).toBeLessThanOrEqual(WIDTH);
  }
}

/** The label a stacked cell shows before its value (its CSS ::before, from data-label). */
const shownLabel = (cell: Locator) => cell.evaluate((el) => getComputedStyle(el, '::before').content);

describe('a parent on a phone', () => {
  let family: {
    email: string;
    password: string;
    childId: number;
    invoiceId: number;
    services: number;
    canteen: string;
  };
  beforeAll(async () => {
    const { deps, db } = e2e.ctx;
    const { parent, household } = await createFamily(deps, [{ firstName: 'Lila', classLevel: 'CE1' }]);
    const child = household.children[0]!;
    await addQf(deps, household.id, 650, '2026-01-01');
    const canteen = await db('services')
      .where({ school_year_id: '2026-2027', kind: 'canteen' })
      .first('id', 'name');
    const others = (await db('services')
      .where({ school_year_id: '2026-2027' })
      .whereIn('kind', ['before_school', 'after_school', 'wednesday'])
      .orderBy('id')
      .select('id')) as { id: number }[];
    for (const s of others) {
      await setRates(deps, s.id, { brackets: [120, 250, 380, 450], outOfTown: 520 });
      await createEnrolment(deps, { childId: child.id, serviceId: s.id, householdId: household.id });
    }
    const invoice = await createInvoice(deps, {
      householdId: household.id,
      totalCents: 12345,
      month: '2026-09',
      number: '2026-000042',
      dueOn: '2026-10-15',
    });
    await db('invoice_lines').insert({
      invoice_id: invoice.id,
      position: 2,
      label: 'Accueil périscolaire soir – Lila Testeur (présences non réservées)',
      kind: 'booked',
      quantity: 12,
      unit_cents: 250,
      total_cents: 3000,
      days: JSON.stringify([
        '2026-09-01',
        '2026-09-03',
        '2026-09-04',
        '2026-09-08',
        '2026-09-10',
        '2026-09-11',
      ]),
    });
    family = {
      email: parent.email,
      password: parent.password,
      childId: child.id,
      invoiceId: invoice.id,
      services: others.length,
      canteen: canteen.name,
    };
  });

  it('sees statuses, links, prices and amounts without scrolling sideways', async () => {
    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, family.email, family.password);

    // The enrolment form's documents step: each document's status and its "Déposer" link.
    await visit(page, '/enrolments');
    await page.getByRole('link', { name: `Inscrire Lila à ${family.canteen}` }).click();
    await page.getByRole('button', { name: /Ces informations sont exactes/ }).click();
    await page.waitForURL('**/documents');
    await expectAccessible(page);
    await expectNoSidewaysScroll(page);
    await expectOnScreen('document status', page.locator('#documents tbody .tag'));
    await expectOnScreen(
      '"Déposer" link',
      page.locator('#documents tbody').getByRole('link', { name: /^Déposer le document/ }),
    );
    expect(await shownLabel(page.locator('#documents tbody td').nth(1))).toContain('Situation');

    // "Mes tarifs": the price of each service.
    await visit(page, '/household/rates');
    await expectNoSidewaysScroll(page);
    const prices = page.locator('table').first().locator('tbody td.num');
    expect(await prices.count()).toBe(family.services);
    await expectOnScreen('price', prices);

    // An invoice: each line's amounts and the total.
    await visit(page, `/invoices/${family.invoiceId}`);
    await expectNoSidewaysScroll(page);
    await expectOnScreen('invoice amount', page.locator('table').first().locator('tbody td.num'));
    await expectOnScreen('invoice total', page.locator('.invoice__total'));
    expect(await shownLabel(page.locator('table').first().locator('tbody td.num').last())).toContain(
      'Montant',
    );

    // The invoice list: each invoice's status.
    await visit(page, '/invoices');
    await expectNoSidewaysScroll(page);
    await expectOnScreen('invoice status', page.locator('table tbody .tag'));
  }, 240_000);

  it("the family's other pages with tables fit the phone too; on a computer the tables stay tables", async () => {
    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, family.email, family.password);
    for (const path of [
      '/payments',
      '/household',
      `/children/${family.childId}`,
      '/enrolments',
      '/documents',
    ]) {
      await visit(page, path);
      await expectNoSidewaysScroll(page);
    }

    const desk = await e2e.newPage();
    await loginInBrowser(desk, family.email, family.password);
    await visit(desk, `/invoices/${family.invoiceId}`);
    expect(
      await desk
        .locator('table')
        .first()
        .evaluate((t) => getComputedStyle(t).display),
    ).toBe('table');
    expect(await desk.locator('table').first().locator('thead').isVisible()).toBe(true);
  }, 240_000);

  it('declares a sick day and sees the certificate deadline on screen, with a link to upload it', async () => {
    const { deps } = e2e.ctx;
    e2e.ctx.clock.set('2026-10-02T06:30:00Z'); // Friday 08:30 in Paris: too late to cancel the day, not to declare it
    const service = await createService(deps, {
      name: 'Restauration scolaire Jules-Ferry (maternelle et élémentaire)',
      cancel_deadline: { kind: 'calendar_days', days: 1, time: '09:00' },
      sick_declaration_until: '09:00',
    });
    const { parent, household } = await createFamily(deps, [{ firstName: 'Maëlys-Héloïse' }]);
    const child = household.children[0]!;
    await createEnrolment(deps, { childId: child.id, serviceId: service.id, householdId: household.id });
    await addReservations(deps, {
      serviceId: service.id,
      childId: child.id,
      householdId: household.id,
      days: ['2026-10-02'],
    });

    const page = await e2e.newPage({ phone: true });
    await loginInBrowser(page, parent.email, parent.password);
    await visit(page, '/documents');
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const declared = await page.request.post('/reservations/sick', {
      form: { _csrf: csrf, slots: `${child.id}:${service.id}:2026-10-02`, return_to: '/reservations' },
      maxRedirects: 0,
    });
    expect(declared.status()).toBe(303);

    await visit(page, '/reservations/result');
    await expectNoSidewaysScroll(page);
    await expectOnScreen('sick-day status', page.locator('main h3 .tag'));
    const deadline = page.getByText('certificat médical à déposer au plus tard le vendredi 9 octobre 2026');
    await expectOnScreen('certificate deadline', deadline);
    const upload = page.getByRole('link', { name: 'Déposer le certificat médical de Maëlys-Héloïse' });
    await expectOnScreen('upload link', upload);
    await upload.click();
    await page.waitForURL('**/documents?**');
    await expectAccessible(page);
    expect(await page.locator('#type').inputValue()).toBe('medical_certificate');
    expect(await page.locator('#member_id').inputValue()).toBe(String(child.id));
  }, 240_000);
});
