// What is billed for one child × service × day, the unit price of a household, and its QF on a day.
// Pure functions over integer cents; the invoicing run reads the rows and applies these rules.
import { assertCents } from './money.js';

/** bookings: booked days are billed (canteen, centres); attendance: only presences are (care). */
export type BillingBasis = 'bookings' | 'attendance';

export type BookingState =
  | 'none'
  | 'booked'
  | 'cancelled'
  | 'late_cancelled'
  | 'cancelled_free'
  | 'sick_excused'
  | 'sick_unexcused'
  | 'closed_by_town';

/** What staff recorded; null when the register was not taken. */
export type AttendanceMark = 'present' | 'absent_excused' | 'absent' | 'present_unbooked' | null;

export interface DayPrices {
  unitCents: number;
  lateCancelCents: number;
  unbookedSurchargeCents: number;
}

export type ChargeKind =
  'booked' | 'absent_unexcused' | 'late_cancellation' | 'unbooked_presence' | 'attendance' | 'none';

/**
 * `charge` is true when the day makes an invoice line (kind ≠ 'none'); `amountCents` may still be 0
 * for a free service. `anomaly` flags what staff should fix before invoicing.
 */
export interface DayCharge {
  charge: boolean;
  kind: ChargeKind;
  amountCents: number;
  anomaly?: 'attendance_not_taken';
}

export interface DayBillingInput {
  basis: BillingBasis;
  booking: BookingState;
  attendance: AttendanceMark;
  prices: DayPrices;
}

const NO_CHARGE: DayCharge = { charge: false, kind: 'none', amountCents: 0 };

function charged(kind: Exclude<ChargeKind, 'none'>, amountCents: number): DayCharge {
  return { charge: true, kind, amountCents };
}

/** States in which the child still holds a place for the day (sickness keeps the booking, excused or not). */
function holdsBooking(booking: BookingState): boolean {
  return booking === 'booked' || booking === 'sick_excused' || booking === 'sick_unexcused';
}

/**
 * The charge for one child × service × day. Rules, in order:
 * - a day closed by the town is never billed;
 * - a presence (present or present_unbooked) is billed the unit price when the child held a
 *   booking (or on the attendance basis when staff marked plain 'present'); otherwise it is an
 *   unbooked presence: unit + surcharge — replacing, not adding to, a late-cancellation fee;
 * - on the attendance basis nothing but presences is billed;
 * - on the bookings basis: staff's 'absent_excused' waives everything; booked and absent, or sick
 *   without a certificate, is billed as an unexcused absence; sick with a certificate in time and a
 *   free cancellation are not billed; a late cancellation costs the late price (none when that
 *   price is 0); booked with no register taken is billed as booked and flagged.
 */
export function chargeForDay(input: DayBillingInput): DayCharge {
  const { basis, booking, attendance, prices } = input;
  const unit = assertCents(prices.unitCents, 'unitCents');
  const late = assertCents(prices.lateCancelCents, 'lateCancelCents');
  const surcharge = assertCents(prices.unbookedSurchargeCents, 'unbookedSurchargeCents');

  if (booking === 'closed_by_town') return NO_CHARGE;

  if (attendance === 'present' || attendance === 'present_unbooked') {
    if (holdsBooking(booking)) return charged(basis === 'attendance' ? 'attendance' : 'booked', unit);
    if (basis === 'attendance' && attendance === 'present') return charged('attendance', unit);
    return charged('unbooked_presence', unit + surcharge);
  }

  if (basis === 'attendance') return NO_CHARGE;
  if (attendance === 'absent_excused') return NO_CHARGE;

  switch (booking) {
    case 'booked':
      if (attendance === 'absent') return charged('absent_unexcused', unit);
      return { ...charged('booked', unit), anomaly: 'attendance_not_taken' };
    case 'sick_unexcused':
      return charged('absent_unexcused', unit);
    case 'late_cancelled':
      return late > 0 ? charged('late_cancellation', late) : NO_CHARGE;
    case 'none':
    case 'cancelled':
    case 'cancelled_free':
    case 'sick_excused':
      return NO_CHARGE;
  }
}

export interface PriceBracket {
  /** Inclusive. */
  minQf: number;
  /** Exclusive; null = no upper bound. */
  maxQf: number | null;
  unitCents: number;
}

export interface PriceRule {
  qf: number | null;
  outOfTown: boolean;
  brackets: readonly PriceBracket[];
  outOfTownCents: number | null;
  unknownQfCents?: number | null;
}

/**
 * The household's unit price. Out of town: the out-of-town rate when the service has one (else
 * the QF rules apply). Unknown QF: the "QF not provided" rate if set, else the maximum rate — the
 * usual rule that a family without a QF certificate pays full price. Otherwise the bracket with
 * minQf ≤ QF < maxQf. Throws when no bracket matches: a gap in the rate grid is a set-up error
 * that must not be billed silently.
 */
export function priceFor(rule: PriceRule): number {
  if (rule.outOfTown && rule.outOfTownCents != null)
    return assertCents(rule.outOfTownCents, 'outOfTownCents');
  if (rule.qf === null) {
    if (rule.unknownQfCents != null) return assertCents(rule.unknownQfCents, 'unknownQfCents');
    if (rule.brackets.length === 0) throw new RangeError('No price bracket to apply to an unknown QF');
    return Math.max(...rule.brackets.map((bracket) => assertCents(bracket.unitCents, 'unitCents')));
  }
  const qf = rule.qf;
  const bracket = rule.brackets.find((b) => qf >= b.minQf && (b.maxQf === null || qf < b.maxQf));
  if (!bracket) throw new RangeError(`No price bracket contains QF ${qf}`);
  return assertCents(bracket.unitCents, 'unitCents');
}

/**
 * Problems of a QF rate grid, for the rate form (empty = valid): brackets sorted by minQf must start
 * at 0, follow each other without gap or overlap, and the last one must be open-ended.
 */
export function bracketProblems(brackets: readonly PriceBracket[]): string[] {
  if (brackets.length === 0) return ['no_brackets'];
  const problems: string[] = [];
  const sorted = [...brackets].sort((a, b) => a.minQf - b.minQf);
  if (sorted[0]?.minQf !== 0) problems.push('first_bracket_not_zero');
  sorted.forEach((bracket, i) => {
    if (!Number.isSafeInteger(bracket.unitCents) || bracket.unitCents < 0)
      problems.push(`bracket_${i}_price`);
    if (bracket.maxQf !== null && bracket.maxQf <= bracket.minQf) problems.push(`bracket_${i}_empty`);
    const next = sorted[i + 1];
    if (next) {
      if (bracket.maxQf === null || bracket.maxQf > next.minQf) problems.push(`bracket_${i}_overlap`);
      else if (bracket.maxQf < next.minQf) problems.push(`bracket_${i}_gap`);
    } else if (bracket.maxQf !== null) {
      problems.push('last_bracket_not_open');
    }
  });
  return problems;
}

export interface QfHistoryEntry {
  value: number;
  validFrom: string;
  /** Inclusive; null = until further notice. */
  validTo: string | null;
}

/**
 * The QF valid on `day` (validFrom ≤ day ≤ validTo), or null when unknown or expired. When entries
 * overlap, the one that started last wins (it is the newer attestation).
 */
export function qfOnDay(history: readonly QfHistoryEntry[], day: string): number | null {
  let best: QfHistoryEntry | null = null;
  for (const entry of history) {
    // 'YYYY-MM-DD' strings compare like the dates they name.
    if (entry.validFrom > day || (entry.validTo !== null && entry.validTo < day)) continue;
    if (!best || entry.validFrom >= best.validFrom) best = entry;
  }
  return best ? best.value : null;
}
