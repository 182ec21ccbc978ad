// The month's facts as child × service × day cells (what was booked, and by whom; what staff
// recorded), and who pays each cell. Pure: the rows are read by the caller.
import { DateTime } from 'luxon';
import { monthBounds } from '../platform/clock.js';
import { certificateDeadline } from '../reservations/rules.js';
import type { AttendanceDays, CustodyRow, ReservationDays } from './repository-month.js';
import type { AttendanceMark, BookingState } from './rules.js';

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

/** One child × service × day of the month: what was booked (and by whom) and what staff recorded. */
export interface Cell {
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
export function monthCells(
  month: string,
  reservations: ReservationDays[],
  attendance: AttendanceDays[],
): Cell[] {
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
export const orphanChildren = (cells: Cell[]) => [
  ...new Set(cells.filter((c) => c.bookedBy === null && c.unbookedPayer === null).map((c) => c.childId)),
];

/**
 * Who pays each cell, cells grouped by that household in day order (only `householdId`'s when given):
 * for a presence nobody booked, the household staff named, else the one that had the child that week.
 */
export function cellsByPayer(
  cells: Cell[],
  custody: CustodyRow[],
  householdId?: number,
): Map<number, Cell[]> {
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
