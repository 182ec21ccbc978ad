// The dashboard shows a stored month estimate while nothing it is computed from has changed
// (migration 20261206090000: triggers bump the household's version, or the town's pricing epoch).
// Each change below is made after the stored row was tampered with (a total no computation gives,
// at the current version): if that change did not make the stored row stale, the dashboard would
// show the tampered total instead of the one computed from the rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMonth } from '../../src/billing/compute.js';
import { monthEstimate } from '../../src/billing/pricing.js';
import { storeEstimate } from '../../src/billing/repository.js';
import { createHouseholdsService } from '../../src/households/service.js';
import { addAttendance, addDocument, addQf, addReservations, createFamily, createService, createTestContext, setRates, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-20T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const MONTH = '2026-09';
const d = (n: number) => `2026-09-${String(n).padStart(2, '0')}`;
const TAMPERED = 999_999_99;

async function truth(householdId: number) {
  const [one] = await computeMonth(ctx.db, MONTH, { householdId });
  return { month: MONTH, totalCents: one?.totalCents ?? 0, lines: one?.lines.length ?? 0 };
}

const stored = (householdId: number) => ctx.db('household_estimates').where({ household_id: householdId }).first();

describe('the stored month estimate', () => {
  it('is used while valid, and every change the estimate depends on makes it stale', async () => {
    const households = createHouseholdsService(ctx.deps);
    const shown = async (id: number) => (await households.dashboard(id, 0)).page.estimate;
    const canteen = await createService(ctx.deps, { kind: 'canteen', unit: 'meal', billing_basis: 'bookings' });
    await setRates(ctx.deps, canteen.id, { brackets: [120, 250, 380, 450], outOfTown: 520, lateCancel: 300, surcharge: 150 });
    const care = await createService(ctx.deps, { kind: 'after_school', unit: 'session', billing_basis: 'attendance' });
    await setRates(ctx.deps, care.id, { brackets: [100, 150, 200, 250], surcharge: 50 });
    const a = await createFamily(ctx.deps, [{ firstName: 'Léa' }, { firstName: 'Tom' }]);
    const b = await createFamily(ctx.deps, [{ firstName: 'Zoé' }]);
    const other = await createFamily(ctx.deps, [{ firstName: 'Ana' }]);
    const [lea, tom] = a.household.children.map((c) => c.id) as [number, number];
    const A = a.household.id;
    await addQf(ctx.deps, A, 650, '2026-01-01');
    await addReservations(ctx.deps, { serviceId: canteen.id, childId: lea, householdId: A, days: [d(1), d(2), d(3)] });
    // Tom lives with A on odd weeks and with B on even weeks.
    await ctx.db('household_members').insert({ household_id: b.household.id, member_id: tom, custody_weeks: 'even', linked_at: new Date() });
    await ctx.db('household_members').where({ household_id: A, member_id: tom }).update({ custody_weeks: 'odd' });

    // First view: computed and stored at the household's version.
    expect(await shown(A)).toEqual(await truth(A));
    const first = await stored(A);
    expect(first).toMatchObject({ month: MONTH, computed_version: first.version });
    // Read from the store while valid: a total no computation gives shows as is.
    await ctx.db('household_estimates').where({ household_id: A }).update({ total_cents: TAMPERED });
    expect((await shown(A)).totalCents).toBe(TAMPERED);

    const changes: [string, () => Promise<unknown>][] = [
      ['a booking', () => addReservations(ctx.deps, { serviceId: canteen.id, childId: lea, householdId: A, days: [d(7)] })],
      ['a booking cancelled late', () => ctx.db('reservations').where({ child_id: lea, day: d(7) }).update({ status: 'late_cancelled' })],
      ['a booking deleted', () => ctx.db('reservations').where({ child_id: lea, day: d(7) }).delete()],
      ['a sick certificate linked', async () => {
        const doc = await addDocument(ctx.deps, A, 'medical_certificate', '2026-09-02T09:00:00Z', lea);
        await ctx.db('reservations').where({ child_id: lea, day: d(2) }).update({ status: 'sick', sick_certificate_document_id: doc });
      }],
      ['the other home booking the shared child', () => addReservations(ctx.deps, { serviceId: canteen.id, childId: tom, householdId: b.household.id, days: [d(8)] })],
      ['a presence', () => addAttendance(ctx.deps, { serviceId: care.id, childId: tom, days: [d(15), d(16)], status: 'present' })],
      ['a presence corrected', () => ctx.db('attendance').where({ child_id: tom, day: d(16) }).update({ status: 'absent' })],
      ['a presence deleted', () => ctx.db('attendance').where({ child_id: tom, day: d(16) }).delete()],
      ['custody weeks swapped', async () => {
        await ctx.db('household_members').where({ household_id: A, member_id: tom }).update({ custody_weeks: 'even' });
        await ctx.db('household_members').where({ household_id: b.household.id, member_id: tom }).update({ custody_weeks: 'odd' });
      }],
      ['a new QF', () => addQf(ctx.deps, A, 1300, '2026-09-10')],
      ['a QF corrected', () => ctx.db('qf_history').where({ household_id: A, value: 1300 }).update({ value: 300 })],
      ['a QF deleted', () => ctx.db('qf_history').where({ household_id: A, value: 300 }).delete()],
      ['living out of town', () => ctx.db('households').where({ id: A }).update({ out_of_town: true })],
      ['living in town again', () => ctx.db('households').where({ id: A }).update({ out_of_town: false })],
      ['a price changed', () => ctx.db('service_rate_brackets').where({ service_id: canteen.id }).update({ unit_cents: 333 })],
      ['a late-cancel fee changed', () => ctx.db('service_rates').where({ service_id: canteen.id }).update({ late_cancel_cents: 10 })],
      ['a QF bracket moved', () => ctx.db('qf_brackets').where({ min_qf: 500 }).update({ min_qf: 600 })],
      ['a service billed on attendance', () => ctx.db('services').where({ id: canteen.id }).update({ billing_basis: 'attendance' })],
      ['the shared child leaving a home', () => ctx.db('household_members').where({ household_id: b.household.id, member_id: tom }).delete()],
    ];
    for (const [what, change] of changes) {
      await ctx.db('household_estimates').where({ household_id: A }).update({ total_cents: TAMPERED });
      await change();
      expect(await shown(A), what).toEqual(await truth(A));
      // Stored again, at the version the change left.
      const row = await stored(A);
      expect(row.computed_version, what).toBe(row.version);
    }
    // The fixture does move the estimate (several of these changes change the total).
    expect((await truth(A)).totalCents).not.toBe(0);

    // Another household's change leaves A's stored estimate valid (no needless recomputation).
    await ctx.db('household_estimates').where({ household_id: A }).update({ total_cents: TAMPERED });
    await addReservations(ctx.deps, { serviceId: canteen.id, childId: other.household.children[0]!.id, householdId: other.household.id, days: [d(9)] });
    await addQf(ctx.deps, other.household.id, 900, '2026-01-01');
    expect((await shown(A)).totalCents).toBe(TAMPERED);

    // Next month: the stored one is last month's, so this month's is computed.
    ctx.clock.set('2026-10-05T08:00:00Z');
    const october = await shown(A);
    expect(october.month).toBe('2026-10');
    expect((await stored(A)).month).toBe('2026-10');
    ctx.clock.set('2026-09-20T08:00:00Z');
  });

  it('never keeps an estimate computed before a change that came in meanwhile', async () => {
    const canteen = await createService(ctx.deps, { kind: 'canteen', unit: 'meal', billing_basis: 'bookings' });
    await setRates(ctx.deps, canteen.id, { brackets: [200, 200, 200, 200] });
    const f = await createFamily(ctx.deps, [{}]);
    const H = f.household.id;
    const child = f.household.children[0]!.id;
    await addReservations(ctx.deps, { serviceId: canteen.id, childId: child, householdId: H, days: [d(1)] });
    await monthEstimate(ctx.db, H, MONTH);
    const before = await stored(H);
    // A computation read the rows at `before.version`; a booking then commits before it stores.
    await addReservations(ctx.deps, { serviceId: canteen.id, childId: child, householdId: H, days: [d(2)] });
    await storeEstimate(ctx.db, { householdId: H, month: MONTH, version: String(before.version), epoch: String(before.computed_epoch), totalCents: TAMPERED, lines: 1 });
    expect(Number((await stored(H)).total_cents)).not.toBe(TAMPERED);
    const households = createHouseholdsService(ctx.deps);
    expect((await households.dashboard(H, 0)).page.estimate).toEqual(await truth(H));

    // A household's first computation (no row yet, version 0) loses to a change that created the row.
    const g = await createFamily(ctx.deps, [{}]);
    await ctx.db('household_estimates').where({ household_id: g.household.id }).delete();
    await addReservations(ctx.deps, { serviceId: canteen.id, childId: g.household.children[0]!.id, householdId: g.household.id, days: [d(3)] });
    await storeEstimate(ctx.db, { householdId: g.household.id, month: MONTH, version: '0', epoch: String(before.computed_epoch), totalCents: TAMPERED, lines: 1 });
    expect((await households.dashboard(g.household.id, 0)).page.estimate).toEqual(await truth(g.household.id));
  });

  it('is written by triggers that bump each household once, even for a whole sheet at once', async () => {
    const care = await createService(ctx.deps, { kind: 'after_school', unit: 'session', billing_basis: 'attendance' });
    const families = await Promise.all([1, 2, 3].map(() => createFamily(ctx.deps, [{}, {}])));
    const ids = families.map((f) => f.household.id);
    const version = async () => new Map((await ctx.db('household_estimates').whereIn('household_id', ids).select('household_id', 'version')).map((r) => [Number(r.household_id), Number(r.version)]));
    const v0 = await version();
    // One statement for six children of three households (as the attendance sheet saves).
    await ctx.db('attendance').insert(
      families.flatMap((f) => f.household.children.map((c) => ({ service_id: care.id, child_id: c.id, day: d(21), status: 'present', recorded_at: new Date() }))),
    );
    const v1 = await version();
    for (const id of ids) expect(v1.get(id)).toBe((v0.get(id) ?? 0) + 1);
  });
});
