// The dashboard's estimate reads one household's month in one statement: it must give exactly the
// household's part of the whole town's computation (the invoicing run's), on a month that mixes
// every rule, shared custody, a QF that changes mid-month and a service without rates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMonth, type HouseholdMonth } from '../../src/billing/compute.js';
import { monthEstimate } from '../../src/billing/pricing.js';
import { createDashboardService } from '../../src/dashboard/service.js';
import {
  addAttendance,
  addDocument,
  addQf,
  addReservations,
  createAccount,
  createFamily,
  createHousehold,
  createService,
  createTestContext,
  setRates,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-10-02T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const d = (n: number) => `2026-09-${String(n).padStart(2, '0')}`;
// The order of anomalies of a same day is not part of the result.
const comparable = (h: HouseholdMonth | undefined) =>
  h && { ...h, anomalies: h.anomalies.map((a) => JSON.stringify(a)).sort() };

describe('the month of one household', () => {
  it('equals its part of the whole month, and the estimate is its total', async () => {
    const canteen = await createService(ctx.deps, {
      kind: 'canteen',
      unit: 'meal',
      billing_basis: 'bookings',
    });
    await setRates(ctx.deps, canteen.id, {
      brackets: [120, 250, 380, 450],
      outOfTown: 520,
      lateCancel: 300,
      surcharge: 150,
    });
    const care = await createService(ctx.deps, {
      kind: 'after_school',
      unit: 'session',
      billing_basis: 'attendance',
    });
    await setRates(ctx.deps, care.id, { brackets: [100, 150, 200, 250], surcharge: 50 });
    const unpriced = await createService(ctx.deps, { kind: 'canteen', unit: 'meal' });

    // A: two children, QF changes on the 15th, every booking state.
    const a = await createFamily(ctx.deps, [{ firstName: 'Léa' }, { firstName: 'Tom' }]);
    const [lea, tom] = a.household.children.map((c) => c.id) as [number, number];
    await addQf(ctx.deps, a.household.id, 650, '2026-01-01', '2026-09-14');
    await addQf(ctx.deps, a.household.id, 1200, '2026-09-15');
    const ca = { serviceId: canteen.id, childId: lea, householdId: a.household.id };
    await addReservations(ctx.deps, { ...ca, days: [d(1), d(3), d(4), d(7), d(8), d(17), d(18)] });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: lea,
      days: [d(1), d(3), d(17)],
      status: 'present',
    });
    await addAttendance(ctx.deps, { serviceId: canteen.id, childId: lea, days: [d(7)], status: 'absent' });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: lea,
      days: [d(8)],
      status: 'absent_excused',
    });
    const inTime = await addDocument(
      ctx.deps,
      a.household.id,
      'medical_certificate',
      '2026-09-12T09:00:00Z',
      lea,
    );
    await addReservations(ctx.deps, {
      ...ca,
      days: [d(10)],
      status: 'sick',
      sickCertificateDocumentId: inTime,
    });
    await addReservations(ctx.deps, { ...ca, days: [d(11), d(14)], status: 'sick' });
    await addReservations(ctx.deps, { ...ca, days: [d(21), d(22)], status: 'late_cancelled' });
    await addReservations(ctx.deps, { ...ca, days: [d(23)], status: 'cancelled_free' });
    await addReservations(ctx.deps, { ...ca, days: [d(24)], status: 'closed_by_town' });
    await addReservations(ctx.deps, { ...ca, days: [d(25)], status: 'waiting' });
    // Cancelled, then booked again: the live booking wins.
    await addReservations(ctx.deps, { ...ca, days: [d(28)], status: 'cancelled' });
    await addReservations(ctx.deps, { ...ca, days: [d(28)] });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: lea,
      days: [d(29)],
      status: 'present_unbooked',
      householdId: a.household.id,
    });
    await addReservations(ctx.deps, {
      serviceId: care.id,
      childId: tom,
      householdId: a.household.id,
      days: [d(1), d(2)],
    });
    await addAttendance(ctx.deps, {
      serviceId: care.id,
      childId: tom,
      days: [d(1), d(9), d(16)],
      status: 'present',
    });
    await addAttendance(ctx.deps, { serviceId: care.id, childId: tom, days: [d(2)], status: 'absent' });
    await addReservations(ctx.deps, {
      serviceId: unpriced.id,
      childId: tom,
      householdId: a.household.id,
      days: [d(30)],
    });

    // B shares Tom on even weeks, books some days, and has a day nobody booked (staff named no household).
    const b = await createFamily(ctx.deps, [{ firstName: 'Zoé' }]);
    await ctx
      .db('household_members')
      .insert({ household_id: b.household.id, member_id: tom, custody_weeks: 'even', linked_at: new Date() });
    await ctx
      .db('household_members')
      .where({ household_id: a.household.id, member_id: tom })
      .update({ custody_weeks: 'odd' });
    await addQf(ctx.deps, b.household.id, 100, '2026-01-01');
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: tom,
      householdId: b.household.id,
      days: [d(8), d(10)],
    });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: tom,
      days: [d(8), d(10)],
      status: 'present',
    });
    await addAttendance(ctx.deps, {
      serviceId: care.id,
      childId: tom,
      days: [d(22), d(23)],
      status: 'present',
    }); // week 39 (odd): A; nobody booked
    await addAttendance(ctx.deps, {
      serviceId: care.id,
      childId: tom,
      days: [d(15)],
      status: 'present_unbooked',
      householdId: b.household.id,
    });
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: b.household.children[0]!.id,
      householdId: b.household.id,
      days: [d(1)],
    });

    // C: out of town, no QF; D: QF expired; E: nothing this month.
    const parent = await createAccount(ctx.deps);
    const c = await createHousehold(ctx.deps, { accounts: [parent], children: [{}], outOfTown: true });
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: c.children[0]!.id,
      householdId: c.id,
      days: [d(1), d(2)],
    });
    await addAttendance(ctx.deps, {
      serviceId: canteen.id,
      childId: c.children[0]!.id,
      days: [d(1), d(2)],
      status: 'present',
    });
    await addReservations(ctx.deps, {
      serviceId: care.id,
      childId: c.children[0]!.id,
      householdId: c.id,
      days: [d(3)],
    });
    await addAttendance(ctx.deps, {
      serviceId: care.id,
      childId: c.children[0]!.id,
      days: [d(3)],
      status: 'present',
    });
    const dd = await createFamily(ctx.deps, [{}]);
    await addQf(ctx.deps, dd.household.id, 300, '2025-09-01', '2026-08-31');
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: dd.household.children[0]!.id,
      householdId: dd.household.id,
      days: [d(4), d(7)],
    });
    const e = await createFamily(ctx.deps, [{}]);

    const all = await computeMonth(ctx.db, '2026-09');
    const ids = [a.household.id, b.household.id, c.id, dd.household.id, e.household.id];
    for (const id of ids) {
      const whole = all.find((h) => h.householdId === id);
      const [one] = await computeMonth(ctx.db, '2026-09', { householdId: id });
      expect(comparable(one)).toEqual(comparable(whole));
      expect(await monthEstimate(ctx.db, id, '2026-09')).toEqual({
        month: '2026-09',
        totalCents: whole?.totalCents ?? 0,
        lines: whole?.lines.length ?? 0,
      });
    }
    // The dashboard reads the same statement with its other lists (one compiled statement for every
    // household): each household still gets its own estimate.
    ctx.clock.set('2026-09-20T08:00:00Z');
    const dashboard = createDashboardService(ctx.deps);
    for (const id of ids)
      expect((await dashboard.dashboard(id, 0)).estimate).toEqual(await monthEstimate(ctx.db, id, '2026-09'));
    ctx.clock.set('2026-10-02T08:00:00Z');
    // The fixture does reach the cases it is meant to.
    const mine = all.find((h) => h.householdId === a.household.id)!;
    expect(
      mine.lines
        .filter((l) => l.childId === lea && l.kind === 'booked')
        .map((l) => l.unitCents)
        .sort(),
    ).toEqual([250, 450]);
    expect(mine.anomalies.map((x) => x.kind).sort()).toEqual(['attendance_not_taken', 'rates_missing']);
    expect(
      mine.lines.find((l) => l.childId === tom && l.kind === 'attendance' && l.days.includes(d(22))),
    ).toBeDefined();
    const theirs = all.find((h) => h.householdId === b.household.id)!;
    expect(theirs.lines.filter((l) => l.childId === tom).map((l) => [l.kind, l.days])).toEqual(
      expect.arrayContaining([
        ['booked', [d(8), d(10)]],
        ['unbooked_presence', [d(15)]],
      ]),
    );
    expect(all.find((h) => h.householdId === e.household.id)).toBeUndefined();
  });

  it('counts the days a household booked for a child that has since moved to another household', async () => {
    const canteen = await createService(ctx.deps, {
      kind: 'canteen',
      unit: 'meal',
      billing_basis: 'bookings',
    });
    await setRates(ctx.deps, canteen.id, { brackets: [130, 260, 390, 460], outOfTown: 530 });
    const f = await createFamily(ctx.deps, [{ firstName: 'Noé' }]);
    const g = await createFamily(ctx.deps, [{ firstName: 'Ana' }]);
    const noe = f.household.children[0]!.id;
    await addQf(ctx.deps, f.household.id, 700, '2026-01-01');
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: noe,
      householdId: f.household.id,
      days: [d(1), d(2), d(3)],
    });
    // Noé moves to G mid-month: F keeps the days it booked, G pays the ones after.
    await ctx.db('household_members').where({ household_id: f.household.id, member_id: noe }).delete();
    await ctx
      .db('household_members')
      .insert({ household_id: g.household.id, member_id: noe, linked_at: new Date() });
    await addReservations(ctx.deps, {
      serviceId: canteen.id,
      childId: noe,
      householdId: g.household.id,
      days: [d(17), d(18)],
    });

    const all = await computeMonth(ctx.db, '2026-09');
    ctx.clock.set('2026-09-20T08:00:00Z');
    const dashboard = createDashboardService(ctx.deps);
    for (const id of [f.household.id, g.household.id]) {
      const whole = all.find((h) => h.householdId === id);
      const [one] = await computeMonth(ctx.db, '2026-09', { householdId: id });
      expect(comparable(one)).toEqual(comparable(whole));
      expect((await dashboard.dashboard(id, 0)).estimate).toEqual({
        month: '2026-09',
        totalCents: whole?.totalCents ?? 0,
        lines: whole?.lines.length ?? 0,
      });
    }
    ctx.clock.set('2026-10-02T08:00:00Z');
    expect(
      all.find((h) => h.householdId === f.household.id)!.lines.map((l) => [l.childId, l.kind, l.days]),
    ).toEqual([[noe, 'booked', [d(1), d(2), d(3)]]]);
    expect(
      all
        .find((h) => h.householdId === g.household.id)!
        .lines.filter((l) => l.childId === noe)
        .map((l) => l.days),
    ).toEqual([[d(17), d(18)]]);
  });
});
