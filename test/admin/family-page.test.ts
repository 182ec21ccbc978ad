// The staff's family page, the desk's hub (issue 22): what it shows of one family only, who may
// open it, and the desk tools' one family search.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/db.js';
import { createRequestsService } from '../../src/requests/service.js';
import {
  addDocument,
  addQf,
  addReservations,
  createAccount,
  createContact,
  createEnrolment,
  createFamily,
  createInvoice,
  createService,
  createTestContext,
  loginAs,
  setRates,
  type Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
let agent: Browser;
let manager: Browser;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
  manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
});
afterAll(async () => ctx?.close());

const tableCounts = async () =>
  Object.fromEntries(
    await Promise.all(
      ['households', 'audit_events', 'reservations', 'enrolments', 'documents'].map(async (table) => [
        table,
        Number(((await ctx.db(table).count({ n: '*' })) as [{ n: string }])[0].n),
      ]),
    ),
  );

/** A family with a bit of everything, and a second one whose rows must never show on the first's page. */
let made = 0;
async function familyWithEverything(firstName: string) {
  const canteen = await createService(ctx.deps, {
    name: `Cantine ${firstName} ${++made}`,
    billing_basis: 'bookings',
  });
  await setRates(ctx.deps, canteen.id, { brackets: [380] });
  const { parent, household } = await createFamily(ctx.deps, [{ firstName, lastName: 'Deschamps' }]);
  const child = household.children[0]!;
  await addQf(ctx.deps, household.id, 650, '2026-01-01');
  const enrolment = await createEnrolment(ctx.deps, {
    childId: child.id,
    serviceId: canteen.id,
    householdId: household.id,
  });
  await addReservations(ctx.deps, {
    serviceId: canteen.id,
    childId: child.id,
    householdId: household.id,
    days: ['2026-09-17', '2026-09-18', '2026-10-01'],
  });
  const documentId = await addDocument(ctx.deps, household.id, 'insurance', '2026-09-01T08:00:00Z', child.id);
  const invoice = await createInvoice(ctx.deps, {
    householdId: household.id,
    totalCents: 4250,
    month: '2026-08',
  });
  const contactId = await createContact(ctx.deps, household.id);
  const request = await withTransaction(ctx.db, (tx) =>
    createRequestsService(ctx.deps).create(tx, {
      type: 'contact_deletion',
      accountId: parent.id,
      householdId: household.id,
      summary: 'Supprimer un contact',
      data: { member_id: contactId },
      actor: { accountId: parent.id, role: 'parent' },
      side: 'parent',
    }),
  );
  return { canteen, parent, household, child, enrolment, documentId, invoice, request };
}

describe('the family page', () => {
  it('shows an agent the family’s card, documents, requests, enrolments, bookings and account, and nothing of another family', async () => {
    const f = await familyWithEverything('Maël');
    const other = await familyWithEverything('Zoé');
    const res = await agent.get(`/admin/households/${f.household.id}`);
    expect(res.status).toBe(200);
    const $ = cheerio.load(res.text);
    expect($('h1').text()).toContain(f.household.familyNumber);
    // Documents open on their staff page; requests and enrolments on theirs.
    expect($(`a[href="/admin/documents/${f.documentId}"]`)).toHaveLength(1);
    expect($(`a[href="/admin/requests/${f.request.id}"]`).text()).toContain(f.request.tracking_code);
    expect($(`a[href="/admin/enrolments/${f.enrolment.id}"]`).text()).toContain(f.canteen.name);
    // This month's and next month's bookings, per child and service, with their days.
    const bookings = $('h2:contains("Réservations")').nextUntil('h2').text();
    expect(bookings).toContain(`Maël – ${f.canteen.name}`);
    expect(bookings).toContain('2 jours réservés');
    expect(bookings).toContain('17/09');
    expect(bookings).toContain('01/10');
    // The account: the invoice (which an agent may open) and the balance.
    expect($(`a[href="/admin/invoices/${f.invoice.id}"]`).text()).toBe(f.invoice.number);
    expect($('dt:contains("Solde")').next().text()).toContain('42,50');
    // The desk tools open on this family; an agent has no payment tool.
    const tools = $('nav[aria-label="Outils du guichet pour cette famille"] a')
      .map((_, a) => $(a).attr('href'))
      .get();
    expect(tools).toEqual([
      `/admin/reservations/family?household=${f.household.id}`,
      `/admin/enrolments/new?household=${f.household.id}`,
      `/admin/documents/upload?household=${f.household.id}`,
      '#activation',
    ]);
    // Nothing of the other family.
    for (const text of ['Zoé', other.invoice.number, other.request.tracking_code, other.canteen.name])
      expect(res.text).not.toContain(text);
    expect($(`a[href="/admin/documents/${other.documentId}"]`)).toHaveLength(0);

    // Every link of the page opens for the agent; opening a document is audited.
    const links = new Set(
      $('main a[href^="/admin/"]')
        .map((_, a) => $(a).attr('href'))
        .get(),
    );
    for (const href of links) expect((await agent.get(href)).status, href).toBe(200);
    expect(
      await ctx.db('audit_events').where({ action: 'documents.viewed', subject_id: String(f.documentId) }),
    ).toHaveLength(1);
  });

  it('gives a manager the payment tool, opening on the family’s open invoices', async () => {
    const f = await familyWithEverything('Inès');
    const $ = cheerio.load((await manager.get(`/admin/households/${f.household.id}`)).text);
    const pay = $(`a[href="/admin/payments/desk?household=${f.household.id}"]`);
    expect(pay.text()).toBe('Enregistrer un paiement');
    const desk = cheerio.load((await manager.get(pay.attr('href')!)).text);
    expect(
      desk('select#invoice option')
        .map((_, o) => desk(o).attr('value'))
        .get(),
    ).toEqual([f.invoice.number]);
  });

  it('is 403 for animators and parents, 404 for a family that does not exist', async () => {
    const f = await familyWithEverything('Nino');
    const animator = await loginAs(ctx, await createAccount(ctx.deps, { role: 'animator' }));
    const parent = await loginAs(ctx, f.parent);
    for (const who of [animator, parent]) {
      expect((await who.get(`/admin/households/${f.household.id}`)).status).toBe(403);
      expect((await who.get(`/admin/families/find?for=book&q=Nino`)).status).toBe(403);
      expect((await who.get(`/admin/billing/households/${f.household.id}`)).status).toBe(403);
      expect((await who.get(`/admin/invoices/${f.invoice.id}`)).status).toBe(403);
    }
    expect((await agent.get('/admin/households/999999')).status).toBe(404);
    expect((await agent.get('/admin/households/abc')).status).toBe(404);
  });
});

describe('agents read a family’s account; money stays with managers', () => {
  it('an agent opens the account and an invoice (with its PDF) but records nothing', async () => {
    const f = await familyWithEverything('Léon');
    const account = await agent.get(`/admin/billing/households/${f.household.id}`);
    expect(account.status).toBe(200);
    expect(account.text).toContain(f.invoice.number);
    const invoice = await agent.get(`/admin/invoices/${f.invoice.id}`);
    expect(invoice.status).toBe(200);
    const $ = cheerio.load(invoice.text);
    // No credit-note form for an agent, and the way back is the family's page.
    expect($('form[action$="/credit-notes"]')).toHaveLength(0);
    expect($(`a[href="/admin/households/${f.household.id}"]`)).toHaveLength(1);
    expect((await agent.get(`/admin/invoices/${f.invoice.id}/pdf`)).status).toBe(200);
    for (const path of [
      '/admin/invoices',
      '/admin/payments/desk',
      `/admin/payments/desk?household=${f.household.id}`,
    ])
      expect((await agent.get(path)).status, path).toBe(403);
    const credit = await manager.get(`/admin/invoices/${f.invoice.id}`);
    expect(cheerio.load(credit.text)('form[action$="/credit-notes"]')).toHaveLength(1);
    expect(
      (
        await agent.post(
          `/admin/invoices/${f.invoice.id}/credit-notes`,
          { amount: '10', reason: 'Geste' },
          { csrf: agent.token },
        )
      ).status,
    ).toBe(403);
    expect(await ctx.db('invoices').where({ credit_for_invoice_id: f.invoice.id })).toHaveLength(0);
  });
});

describe('the desk tools’ one family search', () => {
  it('finds a family by a child’s name without accents and opens each tool on it', async () => {
    const f = await familyWithEverything('Anaëlle');
    const tools = {
      book: '/admin/reservations/family',
      enrol: '/admin/enrolments/new',
      upload: '/admin/documents/upload',
    };
    for (const [tool, path] of Object.entries(tools)) {
      // The tool's page, without a family, shows the search.
      const page = cheerio.load((await agent.get(path)).text);
      expect(page(`form[action="/admin/families/find"] input[name="for"]`).val()).toBe(tool);
      const found = await agent.get(`/admin/families/find?for=${tool}&q=anaelle`);
      expect(found.status).toBe(303);
      expect(found.headers.location).toBe(`${path}?household=${f.household.id}`);
      const opened = await agent.get(found.headers.location!);
      expect(opened.status).toBe(200);
      expect(opened.text).toContain(f.household.familyNumber);
    }
    const booking = cheerio.load(
      (await agent.get(`/admin/reservations/family?household=${f.household.id}`)).text,
    );
    expect(booking('h2').text()).toContain('Anaëlle');
    const enrol = cheerio.load((await agent.get(`/admin/enrolments/new?household=${f.household.id}`)).text);
    expect(enrol('select#child_id option').text()).toContain('Anaëlle');
    expect(enrol('input[name="household_id"]').val()).toBe(String(f.household.id));
  });

  it('lists several families to choose from; none or nothing typed is an error beside the field', async () => {
    const a = await familyWithEverything('Capucine');
    const b = await familyWithEverything('Capucine');
    const list = await agent.get('/admin/families/find?for=upload&q=Capucine');
    expect(list.status).toBe(200);
    const $ = cheerio.load(list.text);
    for (const id of [a.household.id, b.household.id])
      expect($(`a[href="/admin/documents/upload?household=${id}"]`)).toHaveLength(1);
    const before = await tableCounts();
    for (const q of ['Personne-Inconnue', '']) {
      const none = await agent.get(`/admin/families/find?for=book&q=${q}`);
      expect(none.status).toBe(422);
      const page = cheerio.load(none.text);
      expect(page('#q-error').text()).toContain(q ? 'Aucune famille ne correspond' : 'Saisissez un nom');
      expect(page('.error-summary a[href="#q"]')).toHaveLength(1);
    }
    expect(await tableCounts()).toEqual(before);
    // An unknown tool or family is a 404; the payment's search is managers'.
    expect((await agent.get('/admin/families/find?for=nope&q=x')).status).toBe(404);
    expect((await agent.get('/admin/families/find?for=pay&q=Capucine')).status).toBe(403);
    expect((await manager.get('/admin/families/find?for=pay&q=Capucine')).status).toBe(200);
    for (const path of ['/admin/reservations/family', '/admin/enrolments/new', '/admin/documents/upload'])
      expect((await agent.get(`${path}?household=999999`)).status, path).toBe(404);
  });
});
