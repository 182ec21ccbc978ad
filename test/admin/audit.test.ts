// The audit log, as an admin reads it: the actor's name and role, a French label per action, what
// changed in words (the days booked, the document and its decision), filters by dates, actor,
// family and action, CSV export, pages.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDocument,
  createAccount,
  createEnrolment,
  createFamily,
  createService,
  createTestContext,
  loginAs,
  type Browser,
  type TestAccount,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
let admin: Browser;
let agent: TestAccount;
let family: Awaited<ReturnType<typeof createFamily>>;
let other: Awaited<ReturnType<typeof createFamily>>;
let service: { id: number; name: string };

const rowsOf = (html: string) => {
  const $ = cheerio.load(html);
  return $('main tbody tr')
    .map((_, tr) =>
      [
        $(tr)
          .find('td')
          .map((_, td) => $(td).text().replace(/\s+/g, ' ').trim())
          .get(),
      ].map(([at, actor, action, familyNumber, details]) => ({ at, actor, action, familyNumber, details })),
    )
    .get() as { at: string; actor: string; action: string; familyNumber: string; details: string }[];
};

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  family = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  other = await createFamily(ctx.deps, [{ firstName: 'Noé' }]);
  service = await createService(ctx.deps, { name: 'Cantine Ferry' });
  await createEnrolment(ctx.deps, {
    childId: family.household.children[0]!.id,
    serviceId: service.id,
    householdId: family.household.id,
  });
  agent = await createAccount(ctx.deps, { role: 'agent', firstName: 'Inès', lastName: 'Guichet' });
  const desk = await loginAs(ctx, agent);
  // A desk booking of two days for Léa.
  const lea = family.household.children[0]!.id;
  const booked = await desk.post(
    `/admin/reservations/family/${family.household.id}`,
    { slots: [`${lea}:${service.id}:2026-09-17`, `${lea}:${service.id}:2026-09-18`] },
    { from: `/admin/reservations/family?number=${family.household.familyNumber}` },
  );
  expect(booked.status).toBe(303);
  // A document of the other family, refused the next day.
  ctx.clock.set('2026-09-15T09:00:00Z');
  const doc = await addDocument(ctx.deps, other.household.id, 'caf_attestation', '2026-09-14T08:00:00Z');
  await ctx.db('documents').where({ id: doc }).update({ status: 'pending' });
  // A day later: a new login (the first one has timed out).
  const desk2 = await loginAs(ctx, agent);
  const review = await desk2.post(
    `/admin/documents/${doc}/review`,
    { decision: 'reject', reason: 'illegible' },
    { from: `/admin/documents/${doc}` },
  );
  expect(review.status).toBe(303);
  expect(review.headers.location).toBe('/admin/documents');
  ctx.clock.set('2026-09-16T09:00:00Z');
  admin = await loginAs(ctx, await createAccount(ctx.deps, { role: 'admin' }));
});
afterAll(async () => ctx?.close());

describe('the audit log', () => {
  it('names the actor and role, labels the action in French and says the days booked', async () => {
    const res = await admin.get(`/admin/audit?action=reservations.book`);
    expect(res.status).toBe(200);
    const [row, ...more] = rowsOf(res.text);
    expect(more).toHaveLength(0);
    expect(row!.actor).toBe('Inès Guichet (agent)');
    expect(row!.action).toBe('Jours réservés au guichet');
    expect(row!.familyNumber).toBe(family.household.familyNumber);
    expect(row!.details).toBe('2 jours réservés : Léa, Cantine Ferry : 17/09/2026, 18/09/2026');
    expect(res.text).not.toContain('#' + agent.id);
    expect(res.text).not.toContain('{"');
  });

  it('says the document and its decision', async () => {
    const rows = rowsOf((await admin.get('/admin/audit?action=documents.rejected')).text);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.action).toBe('Pièce refusée');
    expect(rows[0]!.familyNumber).toBe(other.household.familyNumber);
    expect(rows[0]!.details).toBe('Attestation CAF ou MSA (quotient familial) — Le document est illisible.');
  });

  it('filters by family, date range, actor and family of actions', async () => {
    const byFamily = rowsOf(
      (await admin.get(`/admin/audit?family=${other.household.familyNumber.toLowerCase()}`)).text,
    );
    // Opening the document to review it is traced too.
    expect(byFamily.map((r) => r.action)).toEqual(['Pièce refusée', 'Pièce consultée']);
    const day15 = rowsOf((await admin.get('/admin/audit?from=2026-09-15&to=2026-09-15&actor=guichet')).text);
    expect(day15.map((r) => r.action)).toEqual(['Pièce refusée', 'Pièce consultée', 'Connexion']);
    const day14 = rowsOf(
      (await admin.get('/admin/audit?from=2026-09-14&to=2026-09-14&actor=In%C3%A9s')).text,
    );
    expect(day14.map((r) => r.action)).toContain('Jours réservés au guichet');
    expect(day14.map((r) => r.action)).not.toContain('Pièce refusée');
    const documents = rowsOf((await admin.get('/admin/audit?action=documents.&actor=ines')).text);
    expect(documents.map((r) => r.action)).toEqual(['Pièce refusée', 'Pièce consultée']);
  });

  it('shows bad filters beside their field, in French, with no results', async () => {
    const res = await admin.get('/admin/audit?from=2026-13-45&to=&family=SE-999999');
    expect(res.status).toBe(400);
    const $ = cheerio.load(res.text);
    expect($('#from-error').text()).toContain('Saisissez une date valide');
    expect($('.error-summary a[href="#from"]')).toHaveLength(1);
    expect($('#from').val()).toBe('2026-13-45');
    expect($('main table')).toHaveLength(0);
    const range = cheerio.load(
      (await admin.get('/admin/audit?from=2026-09-15&to=2026-09-14&family=SE-999999')).text,
    );
    expect(range('#to-error').text()).toContain('après la date de début');
    expect(range('#family-error').text()).toContain('Aucune famille avec ce numéro');
  });

  it('exports the filtered events as CSV, French headers, semicolons, BOM', async () => {
    const page = cheerio.load((await admin.get(`/admin/audit?family=${family.household.familyNumber}`)).text);
    const href = page('a[href^="/admin/audit.csv"]').attr('href')!;
    expect(href).toBe(`/admin/audit.csv?family=${family.household.familyNumber}`);
    const res = await admin.agent
      .get(href)
      .buffer(true)
      .parse((r, cb) => {
        let data = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (data += c));
        r.on('end', () => cb(null, data));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const body = res.body as string;
    expect(body.startsWith('\ufeffDate;Auteur;Rôle;Action;Famille;Détails\r\n')).toBe(true);
    expect(body).toContain(
      `Inès;agent;Jours réservés au guichet;${family.household.familyNumber};2 jours réservés : Léa, Cantine Ferry : 17/09/2026, 18/09/2026`.replace(
        'Inès',
        'Inès Guichet',
      ),
    );
    expect(body).not.toContain('Pièce refusée');
  });

  it('is paginated, 50 events a page', async () => {
    await ctx.db('audit_events').insert(
      Array.from({ length: 60 }, () => ({
        at: new Date('2026-09-16T10:00:00Z'),
        actor_account_id: agent.id,
        actor_role: 'agent',
        action: 'documents.viewed',
        subject_type: 'document',
        subject_id: '999999',
        details: '{}',
      })),
    );
    const first = await admin.get('/admin/audit?action=documents.viewed');
    expect(rowsOf(first.text)).toHaveLength(50);
    const next = cheerio.load(first.text)('a[rel="next"]').attr('href')!;
    expect(next).toContain('action=documents.viewed');
    // 60 here and the one of the review in beforeAll.
    expect(rowsOf((await admin.get('/admin/audit' + next)).text)).toHaveLength(11);
  });

  it('says what a closure closed and what its reopening reopened', async () => {
    const desk = await loginAs(ctx, agent);
    const closed = await desk.post('/admin/reservations/close', {
      scope: 'town',
      day: '2026-09-24',
      until: '2026-09-25',
      reason: 'Neige',
    });
    expect(closed.status).toBe(303);
    const closure = await ctx.db('closures').orderBy('id', 'desc').first('id');
    // Every service of the town, on both days.
    const serviceDays = (await ctx.db('service_day_closures').where({ closure_id: closure.id })).length;
    expect(serviceDays).toBeGreaterThanOrEqual(2);
    const reopened = await desk.post(`/admin/reservations/closures/${closure.id}/reopen`, {});
    expect(reopened.status).toBe(303);
    const [closing] = rowsOf((await admin.get('/admin/audit?action=reservations.close_day')).text);
    expect(closing!.details).toBe(
      'Tous les services de la commune, du 24/09/2026 au 25/09/2026 : 0 réservation annulée',
    );
    const [reopening] = rowsOf((await admin.get('/admin/audit?action=reservations.reopen')).text);
    expect(reopening!.action).toContain('Fermeture levée');
    expect(reopening!.details).toBe(`${serviceDays} jours de service rouverts`);
  });

  it('is for admins only', async () => {
    for (const role of ['agent', 'manager', 'animator'] as const) {
      const staff = await loginAs(ctx, await createAccount(ctx.deps, { role }));
      expect((await staff.get('/admin/audit')).status).toBe(403);
      expect((await staff.get('/admin/audit.csv')).status).toBe(403);
    }
  });
});
