// The attendance sheet lists, for each child, the contacts of its households allowed to pick it up:
// whatever way a contact or a household's membership changes, the next sheet shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHouseholdsService } from '../../src/households/service.js';
import * as cheerio from 'cheerio';
import {
  addReservations,
  createAccount,
  createEnrolment,
  createFamily,
  createHousehold,
  createService,
  createTestContext,
  loginAs,
  type Browser,
  type TestContext,
} from '../support/index.js';
import { slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const DAY = '2027-01-07';

/** A service whose sheet of DAY lists the children given (booked), read by an agent. */
async function sheetOf(children: { id: number; householdId: number }[]) {
  const service = await createService(ctx.deps, {});
  for (const c of children)
    await addReservations(ctx.deps, {
      serviceId: service.id,
      childId: c.id,
      householdId: c.householdId,
      days: [DAY],
    });
  const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
  return { service, agent };
}

/** Each child's pick-up line on the sheet (null: "nobody else"). */
async function pickupsOn(agent: Browser, serviceId: number): Promise<Record<number, string | null>> {
  const res = await agent.get(`/admin/attendance?service=${serviceId}&date=${DAY}`);
  expect(res.status).toBe(200);
  const $ = cheerio.load(res.text);
  const out: Record<number, string | null> = {};
  $('li[id^="child-"]').each((_, li) => {
    const line = $(li).find('p').eq(1).text();
    const prefix = "Peuvent venir chercher l'enfant : ";
    out[Number($(li).attr('id')!.slice('child-'.length))] = line.startsWith(prefix)
      ? line.slice(prefix.length)
      : null;
  });
  return out;
}

async function addContact(householdId: number, contact: Record<string, unknown>): Promise<number> {
  const [row] = await ctx
    .db('members')
    .insert({ kind: 'contact', can_pick_up: true, created_at: new Date(), ...contact })
    .returning('id');
  await ctx
    .db('household_members')
    .insert({ household_id: householdId, member_id: (row as { id: number }).id, linked_at: new Date() });
  return (row as { id: number }).id;
}

describe('authorised pick-ups on the attendance sheet', () => {
  it('follow contacts added, edited and deleted by parents and staff, on the attendance sheet', async () => {
    const service = await createService(ctx.deps, { name: 'Accueil du soir (pick-ups)' });
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Lina', lastName: 'Perrin' }]);
    const child = household.children[0]!;
    await createEnrolment(ctx.deps, { childId: child.id, serviceId: service.id, householdId: household.id });
    const browser = await loginAs(ctx, parent);
    await browser.post(
      '/reservations',
      { slots: [slot(child.id, service.id, '2027-01-07')] },
      { from: '/reservations' },
    );
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const sheet = async () =>
      (await agent.get(`/admin/attendance?service=${service.id}&date=2027-01-07`)).text;
    expect(await sheet()).toContain('Aucune autre personne autorisée');

    // The parent adds a contact who may pick the child up (the households feature's form).
    const added = await browser.post(
      '/household/members',
      {
        kind: 'contact',
        first_name: 'Mamie',
        last_name: 'Perrin',
        phone: '06 00 00 00 00',
        relationship: 'grand-mère',
        can_pick_up: 'on',
      },
      { from: '/household/members/new?kind=contact' },
    );
    expect(added.status).toBe(303);
    expect(await sheet()).toContain(
      'Peuvent venir chercher l&#39;enfant : Mamie Perrin, grand-mère, 06 00 00 00 00</p>',
    );

    // The parent changes the phone number, then withdraws the permission.
    const mamie = (await ctx
      .db('members')
      .where({ kind: 'contact', first_name: 'Mamie', last_name: 'Perrin' })
      .first('id')) as { id: number };
    const edit = (fields: Record<string, string>) =>
      browser.post(`/household/members/${mamie.id}/edit`, {
        kind: 'contact',
        first_name: 'Mamie',
        last_name: 'Perrin',
        phone: '06 99 99 99 99',
        relationship: 'grand-mère',
        ...fields,
      });
    expect((await edit({ can_pick_up: 'on' })).status).toBe(303);
    expect(await sheet()).toContain('Mamie Perrin, grand-mère, 06 99 99 99 99</p>');
    expect((await edit({})).status).toBe(303);
    expect(await sheet()).not.toContain('Mamie Perrin');
    expect((await edit({ can_pick_up: 'on' })).status).toBe(303);
    expect(await sheet()).toContain('Mamie Perrin, grand-mère, 06 99 99 99 99</p>');

    // Staff delete the contact (soft delete).
    await createHouseholdsService(ctx.deps).deleteContact(household.id, mamie.id, {
      accountId: null,
      role: 'system',
    } as never);
    expect(await sheet()).not.toContain('Mamie Perrin');
    expect(await sheet()).toContain('Aucune autre personne autorisée');
  });

  it('follow every kind of change to contacts and households, each contact once', async () => {
    const first = await createHousehold(ctx.deps, {
      children: [
        { firstName: 'Tom', lastName: 'Roux' },
        { firstName: 'Ada', lastName: 'Roux' },
      ],
    });
    const second = await createHousehold(ctx.deps, { children: [{ firstName: 'Eli', lastName: 'Marin' }] });
    const tom = first.children[0]!.id;
    const ada = first.children[1]!.id;
    const eli = second.children[0]!.id;
    const { service, agent } = await sheetOf([
      { id: tom, householdId: first.id },
      { id: ada, householdId: first.id },
      { id: eli, householdId: second.id },
    ]);
    const shown = () => pickupsOn(agent, service.id);

    const zed = await addContact(first.id, { first_name: 'Zed', last_name: 'Roux', phone: '06 11 11 11 11' });
    const amy = await addContact(first.id, { first_name: 'Amy', last_name: 'Abel', relationship: 'voisine' });
    await addContact(first.id, { first_name: 'Non', last_name: 'Autorisé', can_pick_up: false });
    expect(await shown()).toEqual({
      [tom]: 'Amy Abel, voisine ; Zed Roux, 06 11 11 11 11',
      [ada]: 'Amy Abel, voisine ; Zed Roux, 06 11 11 11 11',
      [eli]: null,
    });

    // Edits of the fields shown, of the permission, deletion and restoration.
    await ctx
      .db('members')
      .where({ id: zed })
      .update({ first_name: 'Zoé', phone: null, relationship: 'tante' });
    expect((await shown())[tom]).toBe('Amy Abel, voisine ; Zoé Roux, tante');
    await ctx.db('members').where({ id: amy }).update({ can_pick_up: false });
    expect((await shown())[tom]).toBe('Zoé Roux, tante');
    await ctx.db('members').where({ id: zed }).update({ deleted_at: new Date() });
    expect((await shown())[tom]).toBeNull();
    await ctx.db('members').where({ id: zed }).update({ deleted_at: null });
    await ctx.db('members').where({ id: amy }).update({ can_pick_up: true });
    expect((await shown())[tom]).toBe('Amy Abel, voisine ; Zoé Roux, tante');
    // A contact who becomes a guardian is no longer a pick-up contact.
    await ctx.db('members').where({ id: amy }).update({ kind: 'guardian' });
    expect((await shown())[tom]).toBe('Zoé Roux, tante');

    // Alternating custody: Tom joins the second household too; its contacts are added, and a
    // contact linked to both households is listed once.
    await ctx
      .db('household_members')
      .insert({ household_id: second.id, member_id: tom, custody_weeks: 'odd', linked_at: new Date() });
    await addContact(second.id, { first_name: 'Bea', last_name: 'Marin' });
    await ctx
      .db('household_members')
      .insert({ household_id: second.id, member_id: zed, linked_at: new Date() });
    expect(await shown()).toEqual({
      [tom]: 'Bea Marin ; Zoé Roux, tante',
      [eli]: 'Bea Marin ; Zoé Roux, tante',
      [ada]: 'Zoé Roux, tante',
    });

    // A contact unlinked from one household, a link moved, a child leaving a household.
    await ctx.db('household_members').where({ household_id: second.id, member_id: zed }).delete();
    expect(await shown()).toMatchObject({ [eli]: 'Bea Marin', [tom]: 'Bea Marin ; Zoé Roux, tante' });
    await ctx
      .db('household_members')
      .where({ household_id: first.id, member_id: zed })
      .update({ household_id: second.id });
    expect(await shown()).toMatchObject({ [ada]: null, [eli]: 'Bea Marin ; Zoé Roux, tante' });
    await ctx.db('household_members').where({ household_id: second.id, member_id: tom }).delete();
    expect((await shown())[tom]).toBeNull();
  });
});
