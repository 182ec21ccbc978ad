// Demo billing (idempotent): QF brackets and rates for the seeded services, a QF history for the
// demo households, and their invoices for September to November 2026 (issued at the start of the
// following month), one of them paid at the desk, one overdue. Skipped pieces whose data is absent.
import type { AppDeps } from '../src/deps.js';
import { createBillingService } from '../src/billing/service.js';
import { SYSTEM } from '../src/platform/audit.js';
import { parisInstant } from '../src/platform/clock.js';
import { withTransaction } from '../src/platform/db.js';
import { applyPayment } from '../src/billing/service.js';
import { SCHOOL_YEAR } from './010-town.js';

const BRACKETS: [number, number | null, string][] = [
  [0, 500, 'QF < 500'],
  [500, 800, '500 – 799'],
  [800, 1200, '800 – 1 199'],
  [1200, null, '≥ 1 200'],
];

// Unit prices in cents per bracket (low → high), out of town, late cancellation, unbooked surcharge.
const RATES: Record<string, { brackets: number[]; outOfTown: number; late: number; surcharge: number }> = {
  canteen: { brackets: [120, 250, 380, 450], outOfTown: 520, late: 300, surcharge: 150 },
  before_school: { brackets: [80, 120, 160, 200], outOfTown: 250, late: 0, surcharge: 50 },
  after_school: { brackets: [100, 150, 200, 250], outOfTown: 300, late: 0, surcharge: 50 },
  wednesday: { brackets: [500, 800, 1100, 1400], outOfTown: 1800, late: 800, surcharge: 300 },
  holiday: { brackets: [600, 900, 1200, 1500], outOfTown: 2000, late: 900, surcharge: 300 },
};

const MONTHS: [string, string][] = [
  ['2026-09', '2026-10-01T09:00'],
  ['2026-10', '2026-11-02T09:00'],
  ['2026-11', '2026-12-01T09:00'],
];

export async function seed(deps: AppDeps): Promise<void> {
  const { db } = deps;
  if (!(await db('school_years').where({ id: SCHOOL_YEAR }).first('id'))) return;
  for (const [min, max, label] of BRACKETS) {
    await db('qf_brackets')
      .insert({ school_year_id: SCHOOL_YEAR, min_qf: min, max_qf: max, label })
      .onConflict(['school_year_id', 'min_qf'])
      .ignore();
  }
  const brackets = (await db('qf_brackets')
    .where({ school_year_id: SCHOOL_YEAR })
    .orderBy('min_qf')
    .pluck('id')) as number[];

  const services = (await db('services').where({ school_year_id: SCHOOL_YEAR }).select('id', 'kind')) as {
    id: number;
    kind: string;
  }[];
  for (const s of services) {
    const r = RATES[s.kind];
    if (!r || (await db('service_rates').where({ service_id: s.id }).first('service_id'))) continue;
    await withTransaction(db, async (tx) => {
      await tx('service_rates').insert({
        service_id: s.id,
        out_of_town_cents: r.outOfTown,
        late_cancel_cents: r.late,
        unbooked_surcharge_cents: r.surcharge,
      });
      await tx('service_rate_brackets').insert(
        brackets.map((id, i) => ({ service_id: s.id, bracket_id: id, unit_cents: r.brackets[i]! })),
      );
    });
  }

  // QF: Camille Martin 742 (CAF), Karim Benali 1 350; other demo households keep an unknown QF.
  for (const [email, value] of [
    ['parent@demo.test', 742],
    ['parent2@demo.test', 1350],
  ] as const) {
    const h = await db('household_accounts as ha')
      .join('accounts as a', 'a.id', 'ha.account_id')
      .whereRaw('lower(a.email) = ?', [email])
      .first('ha.household_id');
    if (!h || (await db('qf_history').where({ household_id: h.household_id }).first('id'))) continue;
    await db('qf_history').insert({
      household_id: h.household_id,
      value,
      valid_from: '2026-01-01',
      valid_to: '2026-12-31',
      source: 'caf',
      validated_at: deps.clock.now(),
    });
  }

  // Invoices only where there is something to bill, and not in other features' test databases.
  if (!deps.config.DEMO_FAMILIES || !(await db('reservations').first('id'))) return;
  const billing = createBillingService(deps);
  for (const [month, at] of MONTHS) {
    if (await db('locked_months').where({ month }).first('month')) continue;
    await billing.run(month, SYSTEM, { issuedAt: parisInstant(at.slice(0, 10), at.slice(11)) });
  }
  // One invoice paid at the desk (the oldest); the others of September stay unpaid, hence overdue.
  const oldest = await db('invoices')
    .where({ kind: 'invoice', month: '2026-09' })
    .orderBy('number')
    .first('id', 'household_id', 'total_cents', 'paid_cents');
  if (
    oldest &&
    oldest.paid_cents === 0 &&
    !(await db('payments').where({ invoice_id: oldest.id }).first('id'))
  ) {
    await withTransaction(db, async (tx) => {
      await tx('payments').insert({
        invoice_id: oldest.id,
        household_id: oldest.household_id,
        method: 'cheque',
        amount_cents: oldest.total_cents,
        received_at: parisInstant('2026-10-12', '10:30'),
        reference: 'Chèque n° 0012345',
        recorded_at: parisInstant('2026-10-12', '10:30'),
      });
      await applyPayment(tx, oldest.id, oldest.total_cents);
    });
  }
}
