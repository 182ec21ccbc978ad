// What each household owes for a month: reads the month's reservations and attendance in a few
// set-based queries, resolves who pays each child × service × day, prices it on that day (QF
// history, out-of-town rate) and applies the rules of rules.ts. Pure reading: nothing is written.
import { DateTime } from 'luxon';
import { monthBounds } from '../platform/clock.js';
import type { Queryable } from '../platform/db.js';
import { certificateDeadline } from '../reservations/rules.js';
import { multiplyCents, sumCents } from './money.js';
import {
  childHouseholds,
  childNames,
  householdFlags,
  householdMonthRows,
  listBrackets,
  listRateBrackets,
  listRates,
  listServices,
  monthAttendanceDays,
  monthReservationDays,
  qfHistoryOf,
  type AttendanceDays,
  type BracketRow,
  type ChildNameRow,
  type CustodyRow,
  type HouseholdMonthRows,
  type ReservationDays,
  type ServiceBillingRow,
  type ServiceRatesRow,
} from './repository.js';
import {
  chargeForDay,
  priceFor,
  qfOnDay,
  type AttendanceMark,
  type BookingState,
  type ChargeKind,
  type PriceBracket,
  type QfHistoryEntry,
} from './rules.js';

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

/** The booking state of a reservation row for billing. */
function bookingStateOf(r: { status: string; day: string; certificate_day: string | null }): BookingState {
  switch (r.status) {
    case 'booked':
      return 'booked';
    case 'sick':
      return r.certificate_day !== null && r.certificate_day <= certificateDeadline(r.day)
        ? 'sick_excused'
        : 'sick_unexcused';
    case 'late_cancelled':
      return 'late_cancelled';
    case 'cancelled_free':
      return 'cancelled_free';
    case 'closed_by_town':
      return 'closed_by_town';
    default:
      return 'cancelled';
  }
}

// When several rows exist for one child × service × day (cancelled then booked again), the one
// that says most about the day wins: the town's closure, then a live booking, then the fees.
const PRECEDENCE: BookingState[] = [
  'closed_by_town',
  'booked',
  'sick_excused',
  'sick_unexcused',
  'late_cancelled',
  'cancelled_free',
  'cancelled',
  'none',
];

const RANK = new Map(PRECEDENCE.map((state, i) => [state, i]));

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

async function loadHouseholds(q: Queryable, ids: number[]): Promise<Map<number, HouseholdPricing>> {
  const [flags, history] = await Promise.all([householdFlags(q, ids), qfHistoryOf(q, ids)]);
  return householdsFrom(flags, history);
}

const byFrenchName = new Intl.Collator('fr').compare;

const KIND_ORDER: ChargeKind[] = [
  'booked',
  'attendance',
  'absent_unexcused',
  'late_cancellation',
  'unbooked_presence',
];

/** One child × service × day of the month: what was booked (and by whom) and what staff recorded. */
interface Cell {
  serviceId: number;
  childId: number;
  /** Day of the month − 1. */
  index: number;
  day: string;
  booking: BookingState;
  bookedBy: number | null;
  mark: AttendanceMark;
  unbookedPayer: number | null;
}

/** The indexes of the bits set in a day set (bit n = day n + 1). */
function daysOf(bits: number): number[] {
  const out: number[] = [];
  for (let i = 0; bits !== 0; i++, bits >>>= 1) if (bits & 1) out.push(i);
  return out;
}

/**
 * The month's cells from its grouped facts. When several reservations exist for a cell (cancelled
 * then booked again), the one that says most about the day wins (PRECEDENCE).
 */
function monthCells(month: string, reservations: ReservationDays[], attendance: AttendanceDays[]): Cell[] {
  const { to } = monthBounds(month);
  const dayNames = Array.from(
    { length: Number(to.slice(8)) },
    (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`,
  );
  // Per child × service, the month's cells indexed by day.
  const pairs = new Map<string, (Cell | undefined)[]>();
  const cellOf = (serviceId: number, childId: number, index: number): Cell => {
    const key = `${serviceId}|${childId}`;
    let row = pairs.get(key);
    if (!row) pairs.set(key, (row = []));
    let c = row[index];
    if (!c)
      row[index] = c = {
        serviceId,
        childId,
        index,
        day: dayNames[index]!,
        booking: 'none',
        bookedBy: null,
        mark: null,
        unbookedPayer: null,
      };
    return c;
  };
  for (const r of reservations) {
    for (const i of daysOf(r.days)) {
      const c = cellOf(r.service_id, r.child_id, i);
      const state = bookingStateOf({ status: r.status, day: c.day, certificate_day: r.certificate_day });
      if (c.bookedBy === null || RANK.get(state)! < RANK.get(c.booking)!) {
        c.booking = state;
        c.bookedBy = r.household_id;
      }
    }
  }
  for (const a of attendance) {
    for (const i of daysOf(a.days)) {
      const c = cellOf(a.service_id, a.child_id, i);
      c.mark = a.status as AttendanceMark;
      c.unbookedPayer = a.household_id;
    }
  }
  return [...pairs.values()].flatMap((row) => row.filter((c): c is Cell => c !== undefined));
}

/** Children with a day nobody booked and staff named no household for: their homes decide who pays. */
const orphanChildren = (cells: Cell[]) => [
  ...new Set(cells.filter((c) => c.bookedBy === null && c.unbookedPayer === null).map((c) => c.childId)),
];

/**
 * Who pays each cell, cells grouped by that household in day order (only `householdId`'s when given):
 * for a presence nobody booked, the household staff named, else the one that had the child that week.
 */
function cellsByPayer(cells: Cell[], custody: CustodyRow[], householdId?: number): Map<number, Cell[]> {
  const payerOf = (c: Cell): number | null => {
    if (c.mark === 'present_unbooked' && c.unbookedPayer !== null) return c.unbookedPayer;
    if (c.bookedBy !== null) return c.bookedBy;
    if (c.unbookedPayer !== null) return c.unbookedPayer;
    const homes = custody.filter((h) => h.member_id === c.childId);
    if (homes.length <= 1) return homes[0]?.household_id ?? null;
    const odd = DateTime.fromISO(c.day).weekNumber % 2 === 1;
    return (homes.find((h) => h.custody_weeks === (odd ? 'odd' : 'even')) ?? homes[0])!.household_id;
  };
  const byHousehold = new Map<number, Cell[]>();
  for (const c of cells) {
    const payer = payerOf(c);
    if (payer === null || (householdId && payer !== householdId)) continue;
    const list = byHousehold.get(payer);
    if (list) list.push(c);
    else byHousehold.set(payer, [c]);
  }
  for (const list of byHousehold.values()) list.sort((a, b) => a.index - b.index);
  return byHousehold;
}

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
