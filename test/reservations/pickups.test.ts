// The attendance sheet's authorised pick-ups are kept per child in child_pickups by triggers
// (migration 090100): every way a contact or a household's membership changes must keep that text
// equal to what reading the contacts directly gives, and the sheet must show it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHouseholdsService } from '../../src/households/service.js';
import { createAccount, createEnrolment, createFamily, createHousehold, createService, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { slot } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

/** Every child's pick-ups read from the contacts themselves (the sheet's former per-child subquery). */
async function pickupsFromContacts(): Promise<{ child_id: number; pickups: string }[]> {
  const { rows } = await ctx.db.raw(`
    SELECT m.id AS child_id, (
      SELECT string_agg(p.text, ' ; ' ORDER BY p.last_name, p.first_name) FROM (
        SELECT DISTINCT concat_ws(', ', c.first_name || ' ' || c.last_name, NULLIF(c.relationship, ''), NULLIF(c.phone, '')) AS text, c.last_name, c.first_name
          FROM household_members child_hm
          JOIN household_members hm ON hm.household_id = child_hm.household_id
          JOIN members c ON c.id = hm.member_id
         WHERE child_hm.member_id = m.id AND c.kind = 'contact' AND c.can_pick_up AND c.deleted_at IS NULL) p) AS pickups
      FROM members m WHERE m.kind = 'child' ORDER BY m.id`);
  return (rows as { child_id: number; pickups: string | null }[]).filter((r): r is { child_id: number; pickups: string } => r.pickups !== null);
}

const kept = async () => (await ctx.db('child_pickups').orderBy('child_id').select('child_id', 'pickups')) as { child_id: number; pickups: string }[];
const pickupsOf = async (childId: number) => ((await ctx.db('child_pickups').where({ child_id: childId }).first()) as { pickups: string } | undefined)?.pickups ?? null;

async function addContact(householdId: number, contact: Record<string, unknown>): Promise<number> {
  const [row] = await ctx.db('members').insert({ kind: 'contact', can_pick_up: true, created_at: new Date(), ...contact }).returning('id');
  await ctx.db('household_members').insert({ household_id: householdId, member_id: (row as { id: number }).id, linked_at: new Date() });
  return (row as { id: number }).id;
}

describe('authorised pick-ups kept per child', () => {
  it('follow contacts added, edited and deleted by parents and staff, on the attendance sheet', async () => {
    const service = await createService(ctx.deps, { name: 'Accueil du soir (pick-ups)' });
    const { parent, household } = await createFamily(ctx.deps, [{ firstName: 'Lina', lastName: 'Perrin' }]);
    const child = household.children[0]!;
    await createEnrolment(ctx.deps, { childId: child.id, serviceId: service.id, householdId: household.id });
    const browser = await loginAs(ctx, parent);
    await browser.post('/reservations', { slots: [slot(child.id, service.id, '2027-01-07')] }, { from: '/reservations' });
    const agent = await loginAs(ctx, await createAccount(ctx.deps, { role: 'agent' }));
    const sheet = async () => (await agent.get(`/admin/attendance?service=${service.id}&date=2027-01-07`)).text;
    expect(await sheet()).toContain('Aucune autre personne autorisée');

    // The parent adds a contact who may pick the child up (the households feature's form).
    const added = await browser.post('/household/members', { kind: 'contact', first_name: 'Mamie', last_name: 'Perrin', phone: '06 00 00 00 00', relationship: 'grand-mère', can_pick_up: 'on' }, { from: '/household/members/new?kind=contact' });
    expect(added.status).toBe(303);
    expect(await sheet()).toContain('Peuvent venir chercher l&#39;enfant : Mamie Perrin, grand-mère, 06 00 00 00 00</p>');

    // The parent changes the phone number, then withdraws the permission.
    const mamie = (await ctx.db('members').where({ kind: 'contact', first_name: 'Mamie', last_name: 'Perrin' }).first('id')) as { id: number };
    const edit = (fields: Record<string, string>) =>
      browser.post(`/household/members/${mamie.id}/edit`, { kind: 'contact', first_name: 'Mamie', last_name: 'Perrin', phone: '06 99 99 99 99', relationship: 'grand-mère', ...fields });
    expect((await edit({ can_pick_up: 'on' })).status).toBe(303);
    expect(await sheet()).toContain('Mamie Perrin, grand-mère, 06 99 99 99 99</p>');
    expect((await edit({})).status).toBe(303);
    expect(await sheet()).not.toContain('Mamie Perrin');
    expect((await edit({ can_pick_up: 'on' })).status).toBe(303);
    expect(await sheet()).toContain('Mamie Perrin, grand-mère, 06 99 99 99 99</p>');

    // Staff delete the contact (soft delete).
    await createHouseholdsService(ctx.deps).deleteContact(household.id, mamie.id, { accountId: null, role: 'system' } as never);
    expect(await sheet()).not.toContain('Mamie Perrin');
    expect(await sheet()).toContain('Aucune autre personne autorisée');
    expect(await kept()).toEqual(await pickupsFromContacts());
  });

  it('stay equal to the contacts through every kind of change to members and households', async () => {
    const check = async () => expect(await kept()).toEqual(await pickupsFromContacts());
    const first = await createHousehold(ctx.deps, { children: [{ firstName: 'Tom', lastName: 'Roux' }, { firstName: 'Ada', lastName: 'Roux' }] });
    const second = await createHousehold(ctx.deps, { children: [{ firstName: 'Eli', lastName: 'Marin' }] });
    const tom = first.children[0]!;
    const ada = first.children[1]!;
    const eli = second.children[0]!;

    const zed = await addContact(first.id, { first_name: 'Zed', last_name: 'Roux', phone: '06 11 11 11 11' });
    const amy = await addContact(first.id, { first_name: 'Amy', last_name: 'Abel', relationship: 'voisine' });
    await addContact(first.id, { first_name: 'Non', last_name: 'Autorisé', can_pick_up: false });
    expect(await pickupsOf(tom.id)).toBe('Amy Abel, voisine ; Zed Roux, 06 11 11 11 11');
    expect(await pickupsOf(ada.id)).toBe('Amy Abel, voisine ; Zed Roux, 06 11 11 11 11');
    expect(await pickupsOf(eli.id)).toBeNull();
    await check();

    // Edits of the fields shown, of the permission, deletion and restoration.
    await ctx.db('members').where({ id: zed }).update({ first_name: 'Zoé', phone: null, relationship: 'tante' });
    expect(await pickupsOf(tom.id)).toBe('Amy Abel, voisine ; Zoé Roux, tante');
    await ctx.db('members').where({ id: amy }).update({ can_pick_up: false });
    expect(await pickupsOf(tom.id)).toBe('Zoé Roux, tante');
    await ctx.db('members').where({ id: zed }).update({ deleted_at: new Date() });
    expect(await pickupsOf(tom.id)).toBeNull();
    await ctx.db('members').where({ id: zed }).update({ deleted_at: null });
    await ctx.db('members').where({ id: amy }).update({ can_pick_up: true });
    await check();
    // A contact who becomes a guardian is no longer a pick-up contact.
    await ctx.db('members').where({ id: amy }).update({ kind: 'guardian' });
    expect(await pickupsOf(tom.id)).toBe('Zoé Roux, tante');
    await check();

    // Alternating custody: Tom joins the second household too; its contacts are added, and a
    // contact linked to both households is listed once.
    await ctx.db('household_members').insert({ household_id: second.id, member_id: tom.id, custody_weeks: 'odd', linked_at: new Date() });
    await addContact(second.id, { first_name: 'Bea', last_name: 'Marin' });
    await ctx.db('household_members').insert({ household_id: second.id, member_id: zed, linked_at: new Date() });
    expect(await pickupsOf(tom.id)).toBe('Bea Marin ; Zoé Roux, tante');
    expect(await pickupsOf(eli.id)).toBe('Bea Marin ; Zoé Roux, tante');
    expect(await pickupsOf(ada.id)).toBe('Zoé Roux, tante');
    await check();

    // A contact unlinked from one household, a link moved, a child leaving a household.
    await ctx.db('household_members').where({ household_id: second.id, member_id: zed }).delete();
    expect(await pickupsOf(eli.id)).toBe('Bea Marin');
    expect(await pickupsOf(tom.id)).toBe('Bea Marin ; Zoé Roux, tante');
    await ctx.db('household_members').where({ household_id: first.id, member_id: zed }).update({ household_id: second.id });
    expect(await pickupsOf(ada.id)).toBeNull();
    expect(await pickupsOf(eli.id)).toBe('Bea Marin ; Zoé Roux, tante');
    await ctx.db('household_members').where({ household_id: second.id, member_id: tom.id }).delete();
    expect(await pickupsOf(tom.id)).toBeNull();
    await check();

    // A household deleted (its links cascade), a child deleted.
    await ctx.db('household_members').insert({ household_id: first.id, member_id: zed, linked_at: new Date() });
    expect(await pickupsOf(tom.id)).toBe('Zoé Roux, tante');
    await ctx.db('households').where({ id: second.id }).delete();
    expect(await pickupsOf(eli.id)).toBeNull();
    await ctx.db('members').where({ id: ada.id }).delete();
    expect(await pickupsOf(tom.id)).toBe('Zoé Roux, tante');
    await check();
  });

  it('a rebuild of every child (over 1,000 ids: one table lock) gives the same texts', async () => {
    const household = await createHousehold(ctx.deps, { children: [{ firstName: 'Rui', lastName: 'Costa' }] });
    await addContact(household.id, { first_name: 'Ana', last_name: 'Costa', phone: '06 12 12 12 12' });
    await ctx.db('child_pickups').update({ pickups: 'stale' });
    await ctx.db.raw(`SELECT refresh_child_pickups(ARRAY(SELECT id FROM members WHERE kind = 'child') || ARRAY(SELECT -g FROM generate_series(1, 1001) g)::bigint[])`);
    expect(await pickupsOf(household.children[0]!.id)).toBe('Ana Costa, 06 12 12 12 12');
    expect(await kept()).toEqual(await pickupsFromContacts());
  });

  it('two transactions changing contacts of the same child at once both count', async () => {
    const household = await createHousehold(ctx.deps, { children: [{ firstName: 'Ines', lastName: 'Vidal' }] });
    const child = household.children[0]!;
    const one = await addContact(household.id, { first_name: 'Un', last_name: 'Vidal' });
    const two = await addContact(household.id, { first_name: 'Deux', last_name: 'Vidal' });
    const t1 = await ctx.db.transaction();
    const t2 = await ctx.db.transaction();
    try {
      await t1('members').where({ id: one }).update({ phone: '06 01 01 01 01' });
      // The second waits for the first's refresh of the same child, then reads its committed change.
      const second = t2('members').where({ id: two }).update({ phone: '06 02 02 02 02' }).then(() => t2.commit());
      await new Promise((resolve) => setTimeout(resolve, 200));
      await t1.commit();
      await second;
    } finally {
      if (!t1.isCompleted()) await t1.rollback();
      if (!t2.isCompleted()) await t2.rollback();
    }
    expect(await pickupsOf(child.id)).toBe('Deux Vidal, 06 02 02 02 02 ; Un Vidal, 06 01 01 01 01');
  });
});
