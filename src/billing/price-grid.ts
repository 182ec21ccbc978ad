// A service's price grid (its year's QF brackets, its rates) and a household's unit price on a day
// (its QF history on that day, the out-of-town rate): what the month's computation, the parents'
// price box and "Mes tarifs" and the staff rates list all price with.
import type { Queryable } from '../platform/db.js';
import {
  householdFlags,
  listBrackets,
  listRateBrackets,
  listRates,
  listServices,
  qfHistoryOf,
  type BracketRow,
  type ServiceBillingRow,
  type ServiceRatesRow,
} from './repository.js';
import { priceFor, qfOnDay, type PriceBracket, type QfHistoryEntry } from './rules.js';

export interface ServicePricing {
  service: ServiceBillingRow;
  /** null: the service has no rates yet (a set-up error: nothing can be billed). */
  rates: {
    outOfTownCents: number | null;
    unknownQfCents: number | null;
    lateCancelCents: number;
    unbookedSurchargeCents: number;
  } | null;
  brackets: (PriceBracket & { label: string; bracketId: number })[];
}

/** Each service's pricing from the rows of its grid (services, their year's QF brackets, rates, prices per bracket). */
export function pricingFrom(
  services: ServiceBillingRow[],
  brackets: BracketRow[],
  rates: ServiceRatesRow[],
  rateBrackets: { service_id: number; bracket_id: number; unit_cents: number }[],
): Map<number, ServicePricing> {
  const out = new Map<number, ServicePricing>();
  for (const service of services) {
    const r = rates.find((x) => x.service_id === service.id);
    const prices = rateBrackets.filter((x) => x.service_id === service.id);
    const grid = brackets
      .filter((b) => b.school_year_id === service.school_year_id)
      .flatMap((b) => {
        const p = prices.find((x) => x.bracket_id === b.id);
        return p
          ? [{ minQf: b.min_qf, maxQf: b.max_qf, unitCents: p.unit_cents, label: b.label, bracketId: b.id }]
          : [];
      });
    out.set(service.id, {
      service,
      rates: r
        ? {
            outOfTownCents: r.out_of_town_cents,
            unknownQfCents: r.unknown_qf_cents,
            lateCancelCents: r.late_cancel_cents,
            unbookedSurchargeCents: r.unbooked_surcharge_cents,
          }
        : grid.length
          ? { outOfTownCents: null, unknownQfCents: null, lateCancelCents: 0, unbookedSurchargeCents: 0 }
          : null,
      brackets: grid,
    });
  }
  return out;
}

export async function loadPricing(q: Queryable, serviceIds: number[]): Promise<Map<number, ServicePricing>> {
  if (!serviceIds.length) return new Map();
  const services = await listServices(q, serviceIds);
  const years = [...new Set(services.map((s) => s.school_year_id))];
  const [brackets, rates, rateBrackets] = await Promise.all([
    listBrackets(q, years),
    listRates(q, serviceIds),
    listRateBrackets(q, serviceIds),
  ]);
  return pricingFrom(services, brackets, rates, rateBrackets);
}

export interface PriceOnDay {
  unitCents: number;
  /** 'out_of_town', 'unknown' (QF missing or expired) or the bracket's label. */
  basis: 'out_of_town' | 'unknown' | 'bracket';
  bracketLabel: string | null;
  qf: number | null;
}

/** The unit price of a household for a service on a day, or null when the grid cannot price it. */
export function priceOnDay(
  p: ServicePricing,
  household: { outOfTown: boolean; qf: QfHistoryEntry[] },
  day: string,
): PriceOnDay | null {
  if (!p.rates) return null;
  const qf = qfOnDay(household.qf, day);
  try {
    const unitCents = priceFor({
      qf,
      outOfTown: household.outOfTown,
      brackets: p.brackets,
      outOfTownCents: p.rates.outOfTownCents,
      unknownQfCents: p.rates.unknownQfCents,
    });
    if (household.outOfTown && p.rates.outOfTownCents != null)
      return { unitCents, basis: 'out_of_town', bracketLabel: null, qf };
    if (qf === null) return { unitCents, basis: 'unknown', bracketLabel: null, qf };
    const bracket = p.brackets.find((b) => qf >= b.minQf && (b.maxQf === null || qf < b.maxQf));
    return { unitCents, basis: 'bracket', bracketLabel: bracket?.label ?? null, qf };
  } catch {
    return null;
  }
}

export interface HouseholdPricing {
  outOfTown: boolean;
  paperless: boolean;
  familyNumber: string;
  qf: QfHistoryEntry[];
}

export function householdsFrom(
  flags: { id: number; out_of_town: boolean; paperless: boolean; family_number: string }[],
  history: { household_id: number; value: number; valid_from: string; valid_to: string | null }[],
): Map<number, HouseholdPricing> {
  const out = new Map<number, HouseholdPricing>();
  for (const f of flags)
    out.set(f.id, {
      outOfTown: f.out_of_town,
      paperless: f.paperless,
      familyNumber: f.family_number,
      qf: [],
    });
  for (const h of history)
    out.get(h.household_id)?.qf.push({ value: h.value, validFrom: h.valid_from, validTo: h.valid_to });
  return out;
}

export async function loadHouseholds(q: Queryable, ids: number[]): Promise<Map<number, HouseholdPricing>> {
  const [flags, history] = await Promise.all([householdFlags(q, ids), qfHistoryOf(q, ids)]);
  return householdsFrom(flags, history);
}
