// Time to invoice a synthetic month: BILLING_BENCH=500 npx vitest run test/billing/run-time.test.ts
// (skipped otherwise). Households get one child, canteen + after-school care, ~17 school days each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBillingService } from '../../src/billing/service.js';
import { SYSTEM } from '../../src/platform/audit.js';
import { createService, createTestContext, setRates, type TestContext } from '../support/index.js';

const N = Number(process.env.BILLING_BENCH ?? 0);
let ctx: TestContext;

describe.skipIf(!N)('invoicing run time', () => {
  beforeAll(async () => {
    ctx = await createTestContext({ now: '2026-10-02T08:00:00Z' });
  });
  afterAll(async () => ctx?.close());

  it(`invoices ${N} households`, async () => {
    const canteen = await createService(ctx.deps, { unit: 'meal' });
    await setRates(ctx.deps, canteen.id, { brackets: [120, 250, 380, 450], lateCancel: 300, surcharge: 150 });
    const care = await createService(ctx.deps, { kind: 'after_school', unit: 'session', billing_basis: 'attendance' });
    await setRates(ctx.deps, care.id, { brackets: [100, 150, 200, 250] });
    const days = Array.from({ length: 30 }, (_, i) => `2026-09-${String(i + 1).padStart(2, '0')}`).filter((d) => ![0, 3, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay()));
    const db = ctx.db;
    const now = new Date();
    const households = await db('households')
      .insert(Array.from({ length: N }, (_, i) => ({ family_number: `BENCH-${i}`, postcode: '49999', city: 'Saint-Exemple', paperless: i % 3 !== 0, created_at: now })))
      .returning('id');
    const children = await db('members').insert(households.map(() => ({ kind: 'child', first_name: 'Enfant', last_name: 'Bench', birth_date: '2018-01-01', created_at: now }))).returning('id');
    await db('household_members').insert(households.map((h: { id: number }, i: number) => ({ household_id: h.id, member_id: (children[i] as { id: number }).id, linked_at: now })));
    await db('qf_history').insert(households.map((h: { id: number }, i: number) => ({ household_id: h.id, value: (i * 37) % 1600, valid_from: '2026-01-01', source: 'caf', validated_at: now })));
    for (const [i, h] of (households as { id: number }[]).entries()) {
      const child = (children[i] as { id: number }).id;
      await db('reservations').insert(days.map((day) => ({ service_id: canteen.id, child_id: child, household_id: h.id, day, status: 'booked', created_at: now })));
      await db('attendance').insert(days.map((day, k) => ({ service_id: canteen.id, child_id: child, day, status: k % 9 === 0 ? 'absent' : 'present', recorded_at: now })));
      await db('attendance').insert(days.filter((_, k) => k % 2 === 0).map((day) => ({ service_id: care.id, child_id: child, day, status: 'present', household_id: h.id, recorded_at: now })));
    }
    const billing = createBillingService(ctx.deps);
    const t0 = performance.now();
    const preview = await billing.preview('2026-09');
    const t1 = performance.now();
    const result = await billing.run('2026-09', SYSTEM);
    const t2 = performance.now();
    console.log(`preview ${N} households: ${(t1 - t0).toFixed(0)} ms; run: ${(t2 - t1).toFixed(0)} ms (${result.created} invoices, ${((t2 - t1) / result.created).toFixed(1)} ms each)`);
    expect(preview.households).toHaveLength(N);
    expect(result.created).toBe(N);
  }, 600_000);
});
