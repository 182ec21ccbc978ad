// Prices shown to parents before they book (the reservations page) and the month's estimate
// (the dashboard). The same functions as the invoicing run, so a preview never disagrees with
// the invoice.
import type { Queryable } from '../platform/db.js';
import { householdMonthFrom, householdsFrom, priceOnDay, pricingFrom, type HouseholdMonth, type PriceOnDay } from './compute.js';
import { householdMonthQuery, householdMonthRowsFrom, householdStampQuery, pricingRows, storedEstimateQuery, storeEstimate } from './repository.js';
import { monthBounds } from '../platform/clock.js';
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
 * The month's estimated total so far for the household (what its bookings and presences would be
 * billed), computed now — and stored, for the dashboard to read while nothing it depends on changes.
 */
export async function monthEstimate(q: Queryable, householdId: number, month: string): Promise<MonthEstimate> {
  const { from, to } = monthBounds(month);
  const { rows } = await householdMonthQuery(q, from, to, householdId);
  return computedEstimate(q, householdId, month, rows[0]!);
}

/** Computes the estimate from householdMonthQuery's row and stores it at the versions the row was read at. */
async function computedEstimate(q: Queryable, householdId: number, month: string, row: Record<string, unknown>): Promise<MonthEstimate> {
  const estimate = estimateOf(month, householdMonthFrom(month, householdId, householdMonthRowsFrom(row)));
  // Only a shortcut for later pages: the estimate shown is right whether or not it is kept.
  await storeEstimate(q, { householdId, month, version: String(row.estimate_version), epoch: String(row.pricing_epoch), totalCents: estimate.totalCents, lines: estimate.lines });
  return estimate;
}

type StoredRow = { total_cents: number; lines: number };

/**
 * The estimate's two reads for a page that runs them with others in one statement
 * (`compiledReads`): the stored estimate if still valid, else the rows to compute it from — exactly
 * one of them has a row, read in the same snapshot. `from`/`to` are the month's bounds (monthBounds).
 * Then `currentEstimate`.
 */
export const estimateReads = (q: Queryable, householdId: number, month: string, from: string, to: string) => ({
  // Typed as what compiledReads gives for them (their rows), not as what running them alone would.
  storedEstimate: storedEstimateQuery(q, householdId, month) as unknown as Promise<StoredRow[]>,
  estimateRows: householdMonthQuery(q, from, to, householdId, month) as unknown as Promise<Record<string, unknown>[]>,
});

/** The household's stamp (src/platform/stamps.ts) as a part of a compiledReads. */
export const stampRead = (q: Queryable, householdId: number) => householdStampQuery(q, householdId) as unknown as Promise<{ stamp: string }[]>;

/** The estimate from estimateReads' results: the stored one, or computed (and stored) from the rows read. */
export async function currentEstimate(
  q: Queryable,
  householdId: number,
  month: string,
  read: { storedEstimate: StoredRow[]; estimateRows: Record<string, unknown>[] },
): Promise<MonthEstimate> {
  const [stored] = read.storedEstimate;
  if (stored) return { month, totalCents: Number(stored.total_cents), lines: stored.lines };
  // Both parts test the same validity in one snapshot: with no stored row, the rows are there.
  return computedEstimate(q, householdId, month, read.estimateRows[0]!);
}

function estimateOf(month: string, computed: HouseholdMonth[]): MonthEstimate {
  const [mine] = computed;
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
