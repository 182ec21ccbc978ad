// The staff home: what waits for each staff member, counted from the tables, each counter a link
// to its queue filtered the same way; only the counters of the queues the role may open.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestsService } from '../../src/requests/service.js';
import { withTransaction } from '../../src/platform/db.js';
import {
  addDocument,
  createAccount,
  createEnrolment,
  createFamily,
  createInvoice,
  createService,
  createTestContext,
  loginAs,
  type Browser,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
let schoolId: number;
let siteService: { id: number; name: string };

// Monday 14 September 2026, a school day.
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  const lea = household.children[0]!;
  // Two documents waiting, one accepted.
  for (const code of ['caf_attestation', 'tax_notice']) {
    const id = await addDocument(ctx.deps, household.id, code, '2026-09-10T08:00:00Z');
    await ctx.db('documents').where({ id }).update({ status: 'pending' });
  }
  await addDocument(ctx.deps, household.id, 'proof_of_address', '2026-09-10T08:00:00Z');
  // One enrolment submitted, one accepted.
  const canteen = await createService(ctx.deps);
  const care = await createService(ctx.deps, { kind: 'after_school' });
  await createEnrolment(ctx.deps, {
    childId: lea.id,
    serviceId: canteen.id,
    householdId: household.id,
    status: 'submitted',
  });
  await createEnrolment(ctx.deps, { childId: lea.id, serviceId: care.id, householdId: household.id });
  // Two open requests of one type, one decided.
  const requests = createRequestsService(ctx.deps);
  const type = [...ctx.deps.hooks.requestTypes.keys()][0]!;
  const actor = { accountId: parent.id, role: 'parent' };
  const made = [];
  for (let i = 0; i < 3; i++)
    made.push(
      await withTransaction(ctx.db, (tx) =>
        requests.create(tx, {
          type,
          accountId: parent.id,
          householdId: household.id,
          summary: `n° ${i}`,
          actor,
        }),
      ),
    );
  await ctx.db('requests').where({ id: made[2]!.id }).update({ status: 'refused' });
  // One invoice overdue, one not yet due, one paid.
  await createInvoice(ctx.deps, { householdId: household.id, totalCents: 1000, dueOn: '2026-09-01' });
  await createInvoice(ctx.deps, { householdId: household.id, totalCents: 1000, dueOn: '2026-09-30' });
  await createInvoice(ctx.deps, {
    householdId: household.id,
    totalCents: 1000,
    dueOn: '2026-09-01',
    paidCents: 1000,
    status: 'paid',
  });
  // A site of its own, with one service open today and one closed today.
  [{ id: schoolId }] = await ctx
    .db('schools')
    .insert({ name: 'École du Test', kind: 'elementary', address: '1 rue du Test', class_levels: ['CP'] })
    .returning('id');
  siteService = await createService(ctx.deps, { name: 'Cantine du Test', site_school_id: schoolId });
  const closed = await createService(ctx.deps, { name: 'Garderie fermée', site_school_id: schoolId });
  await ctx
    .db('service_day_closures')
    .insert({ service_id: closed.id, day: '2026-09-14', reason: 'Grève', closed_at: ctx.clock.now() });
});
afterAll(async () => ctx?.close());

const home = async (browser: Browser) => {
  const res = await browser.get('/admin');
  expect(res.status).toBe(200);
  return cheerio.load(res.text);
};
const counter = ($: cheerio.CheerioAPI, id: string) => $(`#${id}`).text().replace(/\s+/g, ' ').trim();

describe('the staff home', () => {
  it("counts an agent's queues and each counter opens its queue with the same count", async () => {
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const browser = await loginAs(ctx, agent);
    const $ = await home(browser);
    expect(counter($, 'counter-documents')).toBe('2 pièces à vérifier');
    expect(counter($, 'counter-requests')).toBe('2 démarches à traiter');
    expect(counter($, 'counter-enrolments')).toBe('1 inscription en attente de décision');
    expect($('#counter-overdue')).toHaveLength(0);
    expect($('#failed-emails')).toHaveLength(0);

    const docs = cheerio.load((await browser.get($('#counter-documents').attr('href')!)).text);
    expect(docs('main tbody tr')).toHaveLength(2);
    const enrolments = cheerio.load((await browser.get($('#counter-enrolments').attr('href')!)).text);
    expect(enrolments('main tbody tr')).toHaveLength(1);
    // Requests: one line per type, linking to the queue of that type.
    const byType = $('#counter-requests').parent().find('.counter__details a');
    expect(byType).toHaveLength(1);
    expect(byType.text()).toMatch(/ : 2$/);
    const queue = await browser.get(byType.attr('href')!);
    expect(queue.status).toBe(200);
    expect(cheerio.load(queue.text)('main tbody tr')).toHaveLength(2);
    // Today's sheets: every open service the agent may take, not the closed one.
    const sheets = $('#counter-sheets').parent().find('.counter__details a');
    const names = sheets.map((_, a) => $(a).text()).get();
    expect(names).toContain('Cantine du Test');
    expect(names).not.toContain('Garderie fermée');
    expect(counter($, 'counter-sheets')).toBe(`${names.length} feuilles d'appel ouvertes aujourd'hui`);
  });

  it('shows a manager the overdue invoices, linking to the overdue list', async () => {
    const manager = await createAccount(ctx.deps, { role: 'manager' });
    const browser = await loginAs(ctx, manager);
    const $ = await home(browser);
    expect(counter($, 'counter-overdue')).toBe('1 facture en retard de paiement');
    const overdue = await browser.get($('#counter-overdue').attr('href')!);
    expect(overdue.status).toBe(200);
    expect(cheerio.load(overdue.text)('main tbody tr')).toHaveLength(1);
  });

  it("shows an animator only today's sheets of their site, each opening that sheet", async () => {
    const animator = await createAccount(ctx.deps, { role: 'animator', schoolIds: [schoolId] });
    const browser = await loginAs(ctx, animator);
    const $ = await home(browser);
    for (const id of ['counter-documents', 'counter-requests', 'counter-enrolments', 'counter-overdue'])
      expect($(`#${id}`)).toHaveLength(0);
    // Their site's own service, and the two held nowhere in particular that its children may use
    // (the sheet then lists only this site's children); never the one closed today.
    expect(counter($, 'counter-sheets')).toBe("3 feuilles d'appel ouvertes aujourd'hui");
    const links = $('#counter-sheets').parent().find('.counter__details a');
    expect(links).toHaveLength(3);
    const link = links.filter((_, a) => $(a).text() === 'Cantine du Test');
    expect(link.attr('href')).toBe(`/admin/attendance?service=${siteService.id}&date=2026-09-14`);
    const sheet = await browser.get(link.attr('href')!);
    expect(sheet.status).toBe(200);
    expect(sheet.text).toContain('Cantine du Test');
  });

  it('is refused to parents', async () => {
    const { parent } = await createFamily(ctx.deps, [{ firstName: 'Tom' }]);
    const browser = await loginAs(ctx, parent);
    expect((await browser.get('/admin')).status).toBe(403);
  });
});
