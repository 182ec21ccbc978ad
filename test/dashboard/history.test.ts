// A family's history: who did what on their household, only their household's, staff shown by
// role (not by name), the family's own guardians by name.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDocument,
  Browser,
  createAccount,
  createEnrolment,
  createFamily,
  createService,
  createTestContext,
  loginAs,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
let family: Awaited<ReturnType<typeof createFamily>>;
let other: Awaited<ReturnType<typeof createFamily>>;

const rowsOf = (html: string) => {
  const $ = cheerio.load(html);
  return $('main tbody tr')
    .map((_, tr) => [
      $(tr)
        .find('td')
        .map((_, td) => $(td).text().replace(/\s+/g, ' ').trim())
        .get(),
    ])
    .get() as string[][];
};

beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
  family = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
  other = await createFamily(ctx.deps, [{ firstName: 'Noé' }]);
  const service = await createService(ctx.deps, { name: 'Cantine Ferry' });
  const lea = family.household.children[0]!.id;
  await createEnrolment(ctx.deps, { childId: lea, serviceId: service.id, householdId: family.household.id });
  const agent = await createAccount(ctx.deps, { role: 'agent', firstName: 'Inès', lastName: 'Guichet' });
  const desk = await loginAs(ctx, agent);
  const booked = await desk.post(
    `/admin/reservations/family/${family.household.id}`,
    { slots: [`${lea}:${service.id}:2026-09-17`] },
    { from: `/admin/reservations/family?number=${family.household.familyNumber}` },
  );
  expect(booked.status).toBe(303);
  // The other family's document, refused: not in this family's history.
  const doc = await addDocument(ctx.deps, other.household.id, 'caf_attestation', '2026-09-14T08:00:00Z');
  await ctx.db('documents').where({ id: doc }).update({ status: 'pending' });
  const review = await desk.post(
    `/admin/documents/${doc}/review`,
    { decision: 'reject', reason: 'illegible' },
    { from: `/admin/documents/${doc}` },
  );
  expect(review.status).toBe(303);
  // The family's own export, by its guardian.
  const parent = await loginAs(ctx, family.parent);
  expect((await parent.get('/household/export')).status).toBe(200);
});
afterAll(async () => ctx?.close());

describe("a family's history", () => {
  it('lists what was done on the household, the town hall by role, the guardian by name', async () => {
    const parent = await loginAs(ctx, family.parent);
    const household = cheerio.load((await parent.get('/household')).text);
    const link = household('a[href="/household/history"]');
    expect(link.text()).toBe('Voir qui a fait quoi sur mon dossier');
    const res = await parent.get('/household/history');
    expect(res.status).toBe(200);
    const rows = rowsOf(res.text);
    const booking = rows.find((r) => r[2] === 'Jours réservés au guichet')!;
    expect(booking[1]).toBe('Mairie (agent)');
    expect(booking[3]).toBe('1 jour réservé : Léa, Cantine Ferry : 17/09/2026');
    const exported = rows.find((r) => r[2] === 'Données de la famille exportées')!;
    expect(exported[1]).toBe('Alex Testeur');
    // Staff never by name; nothing of the other family.
    expect(res.text).not.toContain('Guichet');
    expect(res.text).not.toContain('Pièce refusée');
  });

  it('shows the other family only its own history', async () => {
    const parent = await loginAs(ctx, other.parent);
    const rows = rowsOf((await parent.get('/household/history')).text);
    expect(rows.map((r) => r[2])).toEqual(['Pièce refusée', 'Pièce consultée']);
    expect(rows[0]![1]).toBe('Mairie (agent)');
  });

  it('is for parents: staff get 403, visitors the login page', async () => {
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    expect((await agent.get('/household/history')).status).toBe(403);
    const visitor = new Browser(ctx.app);
    const res = await visitor.get('/household/history');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
  });
});
