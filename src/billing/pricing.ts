// Prices shown to parents before they book (the reservations page) and the month's estimate
// (the dashboard). The same functions as the invoicing run, so a preview never disagrees with
// the invoice.
import type { Queryable } from '../platform/db.js';
import { computeMonth, householdsFrom, priceOnDay, pricingFrom, type PriceOnDay } from './compute.js';
import { pricingRows } from './repository.js';
import { sumCents } from './money.js';

/**
 * The unit price of each service for the household on `day` (its QF on that day, out-of-town
 * rate, or the unknown-QF price). A service without rates is left out of the map.
 */
export async function unitPricesFor(q: Queryable, householdId: number, serviceIds: number[], day: string): Promise<Map<number, PriceOnDay>> {
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

/** Total of a selection of days of one service: the unit price of each day, summed exactly. */
export async function selectionTotal(q: Queryable, householdId: number, serviceId: number, days: string[]): Promise<{ totalCents: number; unitCents: number | null }> {
  if (!days.length) return { totalCents: 0, unitCents: null };
  const { pricing, household } = await pricingOf(q, householdId, [serviceId]);
  const p = pricing.get(serviceId);
  if (!p || !household) return { totalCents: 0, unitCents: null };
  const prices = days.map((d) => priceOnDay(p, household, d)?.unitCents ?? 0);
  return { totalCents: sumCents(prices), unitCents: prices[0] ?? null };
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
export async function monthEstimate(q: Queryable, householdId: number, month: string): Promise<MonthEstimate> {
  const [mine] = await computeMonth(q, month, { householdId });
  return { month, totalCents: mine?.totalCents ?? 0, lines: mine?.lines.length ?? 0 };
}

/**
 * Prices for the reservations page: each service's unit price for the household on the month's
 * first day (or today, when later), keyed by service id, for views/reservations/_price.ejs.
 */
export async function bookingPrices(q: Queryable, householdId: number, serviceIds: number[], month: string, day: string): Promise<Record<number, PriceOnDay>> {
  const on = `${month}-01` > day ? `${month}-01` : day;
  return Object.fromEntries(await unitPricesFor(q, householdId, [...new Set(serviceIds)], on));
}
