// What each household owes for a month: reads the month's reservations and attendance in a few
// set-based queries, resolves who pays each child × service × day (month-cells.ts), prices it on
// that day (price-grid.ts) and applies the rules of rules.ts. Pure reading: nothing is written.
import { monthBounds } from '../platform/clock.js';
import type { Queryable } from '../platform/db.js';
import { cellsByPayer, monthCells, orphanChildren, type Cell } from './month-cells.js';
import { multiplyCents, sumCents } from './money.js';
import {
  householdsFrom,
  loadHouseholds,
  loadPricing,
  priceOnDay,
  pricingFrom,
  type HouseholdPricing,
  type ServicePricing,
} from './price-grid.js';
import {
  childHouseholds,
  childNames,
  householdMonthRows,
  monthAttendanceDays,
  monthReservationDays,
  type ChildNameRow,
  type HouseholdMonthRows,
} from './repository-month.js';
import { chargeForDay, type ChargeKind } from './rules.js';

export interface ComputedLine {
  childId: number;
  childName: string;
  serviceId: number;
  serviceName: string;
  unit: string;
  kind: Exclude<ChargeKind, 'none'>;
  quantity: number;
  unitCents: number;
  totalCents: number;
  days: string[];
}

type AnomalyKind = 'attendance_not_taken' | 'qf_missing' | 'rates_missing';

interface Anomaly {
  kind: AnomalyKind;
  householdId: number;
  childName?: string;
  serviceName?: string;
  days: string[];
}

export interface HouseholdMonth {
  householdId: number;
  familyNumber: string;
  paperless: boolean;
  lines: ComputedLine[];
  totalCents: number;
  anomalies: Anomaly[];
}

const byFrenchName = new Intl.Collator('fr').compare;

const KIND_ORDER: ChargeKind[] = [
  'booked',
  'attendance',
  'absent_unexcused',
  'late_cancellation',
  'unbooked_presence',
];

/** Prices each household's cells (in day order) into invoice lines and anomalies, by family number. */
function priceHouseholds(
  byHousehold: Map<number, Cell[]>,
  pricing: Map<number, ServicePricing>,
  households: Map<number, HouseholdPricing>,
  names: ChildNameRow[],
): HouseholdMonth[] {
  const nameOf = new Map(names.map((n) => [n.id, `${n.first_name} ${n.last_name}`]));
  const firstNameOf = new Map(names.map((n) => [n.id, n.first_name]));
  const result: HouseholdMonth[] = [];
  for (const [householdId, list] of byHousehold) {
    const household = households.get(householdId);
    if (!household) continue;
    const groups = new Map<string, ComputedLine>();
    const anomalies = new Map<string, Anomaly>();
    const flag = (kind: AnomalyKind, day: string, childId?: number, serviceId?: number) => {
      const key = `${kind}|${childId ?? ''}|${serviceId ?? ''}`;
      const a = anomalies.get(key) ?? {
        kind,
        householdId,
        childName: childId ? nameOf.get(childId) : undefined,
        serviceName: serviceId ? pricing.get(serviceId)?.service.name : undefined,
        days: [],
      };
      if (!a.days.includes(day)) a.days.push(day);
      anomalies.set(key, a);
    };
    for (const c of list) {
      const p = pricing.get(c.serviceId);
      if (!p) continue;
      const price = priceOnDay(p, household, c.day);
      if (!price) {
        // Only worth flagging when the day would be billed at all.
        const probe = chargeForDay({
          basis: p.service.billing_basis,
          booking: c.booking,
          attendance: c.mark,
          prices: { unitCents: 1, lateCancelCents: 1, unbookedSurchargeCents: 0 },
        });
        if (probe.charge) flag('rates_missing', c.day, c.childId, c.serviceId);
        continue;
      }
      const charge = chargeForDay({
        basis: p.service.billing_basis,
        booking: c.booking,
        attendance: c.mark,
        prices: {
          unitCents: price.unitCents,
          lateCancelCents: p.rates!.lateCancelCents,
          unbookedSurchargeCents: p.rates!.unbookedSurchargeCents,
        },
      });
      if (charge.anomaly) flag(charge.anomaly, c.day, c.childId, c.serviceId);
      if (!charge.charge || charge.kind === 'none') continue;
      if (price.basis === 'unknown') flag('qf_missing', c.day);
      if (charge.amountCents === 0) continue;
      const key = `${c.childId}|${c.serviceId}|${charge.kind}|${charge.amountCents}`;
      let line = groups.get(key);
      if (!line) {
        line = {
          childId: c.childId,
          childName: firstNameOf.get(c.childId) ?? '',
          serviceId: c.serviceId,
          serviceName: p.service.name,
          unit: p.service.unit,
          kind: charge.kind,
          quantity: 0,
          unitCents: charge.amountCents,
          totalCents: 0,
          days: [],
        };
        groups.set(key, line);
      }
      line.quantity += 1;
      line.days.push(c.day);
    }
    for (const line of groups.values()) line.totalCents = multiplyCents(line.unitCents, line.quantity);
    const lines = [...groups.values()].sort(
      (a, b) =>
        byFrenchName(a.childName, b.childName) ||
        a.childId - b.childId ||
        byFrenchName(a.serviceName, b.serviceName) ||
        KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
        a.unitCents - b.unitCents,
    );
    const totalCents = sumCents(lines.map((l) => l.totalCents));
    if (!lines.length && !anomalies.size) continue;
    result.push({
      householdId,
      familyNumber: household.familyNumber,
      paperless: household.paperless,
      lines,
      totalCents,
      anomalies: [...anomalies.values()],
    });
  }
  return result.sort((a, b) => a.familyNumber.localeCompare(b.familyNumber));
}

/** One household's month from what householdMonthRows read (empty: nothing billed and no anomaly). */
function householdMonthFrom(month: string, householdId: number, rows: HouseholdMonthRows): HouseholdMonth[] {
  const byPayer = cellsByPayer(
    monthCells(month, rows.reservations, rows.attendance),
    rows.custody,
    householdId,
  );
  if (!byPayer.size) return [];
  const pricing = pricingFrom(rows.services, rows.brackets, rows.rates, rows.rateBrackets);
  return priceHouseholds(byPayer, pricing, householdsFrom(rows.households, rows.qfHistory), rows.childNames);
}

/**
 * Computes the month for every household with something on it (or only `householdId`, in one
 * round trip: the dashboard's estimate). Households with nothing billed and no anomaly are left out.
 */
export async function computeMonth(
  q: Queryable,
  month: string,
  opts: { householdId?: number } = {},
): Promise<HouseholdMonth[]> {
  const { from, to } = monthBounds(month);
  if (opts.householdId)
    return householdMonthFrom(
      month,
      opts.householdId,
      await householdMonthRows(q, from, to, opts.householdId),
    );
  const [reservations, attendance] = await Promise.all([
    monthReservationDays(q, from, to),
    monthAttendanceDays(q, from, to),
  ]);
  const cells = monthCells(month, reservations, attendance);
  const orphans = orphanChildren(cells);
  const byPayer = cellsByPayer(cells, orphans.length ? await childHouseholds(q, orphans) : []);
  if (!byPayer.size) return [];
  const serviceIds = [...new Set(cells.map((c) => c.serviceId))];
  const childIds = [...new Set(cells.map((c) => c.childId))];
  const [pricing, households, names] = await Promise.all([
    loadPricing(q, serviceIds),
    loadHouseholds(q, [...byPayer.keys()]),
    childNames(q, childIds),
  ]);
  return priceHouseholds(byPayer, pricing, households, names);
}
