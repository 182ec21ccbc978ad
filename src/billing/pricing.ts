// Prices shown to parents before they book (the reservations page's price box, "Mes tarifs") and
// the month's estimate (the dashboard). The amounts come from the invoicing run's own computation
// (computeMonth), so that neither ever disagrees with the billing preview or the invoice.
import type { Queryable } from '../platform/db.js';
import { computeMonth } from './compute.js';
import { householdsFrom, priceOnDay, pricingFrom, type PriceOnDay } from './price-grid.js';
import { pricingRows } from './repository-month.js';
import { sumCents } from './money.js';

/**
 * The unit price of each service for the household on `day` (its QF on that day, out-of-town
 * rate, or the unknown-QF price). A service without rates is left out of the map.
 */
export async function unitPricesFor(
  q: Queryable,
  householdId: number,
  serviceIds: number[],
  day: string,
): Promise<Map<number, PriceOnDay>> {
  const out = new Map<number, PriceOnDay>();
  if (!serviceIds.length) return out;
  const { pricing, household } = await pricingOf(q, householdId, serviceIds);
  if (!household) return out;
  for (const [id, p] of pricing) {
    const price = priceOnDay(p, household, day);
    if (price) out.set(id, price);
  }
  return out;
}

/** The services' pricing and the household's flags and QF history: one statement. */
async function pricingOf(q: Queryable, householdId: number, serviceIds: number[]) {
  const rows = await pricingRows(q, householdId, serviceIds);
  return {
    pricing: pricingFrom(rows.services, rows.brackets, rows.rates, rows.rateBrackets),
    household: householdsFrom(rows.households, rows.qfHistory).get(householdId),
  };
}

export interface MonthEstimate {
  month: string;
  totalCents: number;
  lines: number;
}

/**
 * The month's estimated total so far for the household: what its bookings and presences would be
 * billed, computed by the invoicing run's own functions.
 */
export async function monthEstimate(
  q: Queryable,
  householdId: number,
  month: string,
): Promise<MonthEstimate> {
  const [mine] = await computeMonth(q, month, { householdId });
  return { month, totalCents: mine?.totalCents ?? 0, lines: mine?.lines.length ?? 0 };
}

/** A line of the reservations page's price box: a child's service, its unit price, and what its month would be billed. */
export interface PriceBoxRow {
  childId: number;
  child: string;
  serviceId: number;
  service: string;
  unit: string;
  /** The unit price on the month's first day (or today, when later); null: no rate. */
  price: PriceOnDay | null;
  /** Days billed this month (booked, present, absent without excuse, cancelled late). */
  days: number;
  totalCents: number;
}

/**
 * The reservations page's price box: per child and service, its unit price and what the month's
 * bookings and presences would be billed, by the computation of the billing preview and the
 * invoice (an excused sick day is not billed, a late cancellation is). `shown`: the page's
 * calendars, in their order; the month's other billed lines follow (only `childId`'s, on a child's
 * agenda). The total is the rows' sum: the month's estimate when every child is shown.
 */
export async function priceBox(
  q: Queryable,
  householdId: number,
  month: string,
  day: string,
  shown: Pick<PriceBoxRow, 'childId' | 'child' | 'serviceId' | 'service' | 'unit'>[],
  childId?: number,
): Promise<{ rows: PriceBoxRow[]; totalCents: number }> {
  const [mine] = await computeMonth(q, month, { householdId });
  const rows = new Map<string, PriceBoxRow>(
    shown.map((s) => [`${s.childId}:${s.serviceId}`, { ...s, price: null, days: 0, totalCents: 0 }]),
  );
  for (const line of mine?.lines ?? []) {
    if (childId !== undefined && line.childId !== childId) continue;
    const key = `${line.childId}:${line.serviceId}`;
    let row = rows.get(key);
    if (!row)
      rows.set(
        key,
        (row = {
          childId: line.childId,
          child: line.childName,
          serviceId: line.serviceId,
          service: line.serviceName,
          unit: line.unit,
          price: null,
          days: 0,
          totalCents: 0,
        }),
      );
    row.days += line.quantity;
    row.totalCents = sumCents([row.totalCents, line.totalCents]);
  }
  const on = `${month}-01` > day ? `${month}-01` : day;
  const prices = await unitPricesFor(
    q,
    householdId,
    [...new Set([...rows.values()].map((r) => r.serviceId))],
    on,
  );
  const list = [...rows.values()].map((row) => ({ ...row, price: prices.get(row.serviceId) ?? null }));
  return { rows: list, totalCents: sumCents(list.map((r) => r.totalCents)) };
}
