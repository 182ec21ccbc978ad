import { describe, expect, it } from 'vitest';
import { multiplyCents, splitEvenly, sumCents } from '../../src/billing/money.js';
import {
  bracketProblems,
  chargeForDay,
  priceFor,
  qfOnDay,
  type AttendanceMark,
  type BillingBasis,
  type BookingState,
  type DayCharge,
  type DayPrices,
  type PriceBracket,
} from '../../src/billing/rules.js';
import { expandWeeklyPattern } from '../../src/reservations/rules.js';

describe('money', () => {
  it('sums integer cents and refuses floats', () => {
    expect(sumCents([])).toBe(0);
    expect(sumCents([280, 300, -50])).toBe(530);
    expect(sumCents(new Set([1, 2]))).toBe(3);
    expect(() => sumCents([10, 0.1])).toThrow(RangeError);
    expect(() => sumCents([Number.NaN])).toThrow(RangeError);
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });

  it('multiplies integers only', () => {
    expect(multiplyCents(280, 17)).toBe(4760);
    expect(multiplyCents(280, 0)).toBe(0);
    expect(() => multiplyCents(2.8, 17)).toThrow(RangeError);
    expect(() => multiplyCents(280, 0.5)).toThrow(RangeError);
  });

  it('splits evenly with the leftover cents on the first shares', () => {
    expect(splitEvenly(1000, 3)).toEqual([334, 333, 333]);
    expect(splitEvenly(1001, 2)).toEqual([501, 500]);
    expect(splitEvenly(2, 3)).toEqual([1, 1, 0]);
    expect(splitEvenly(-1000, 3)).toEqual([-334, -333, -333]);
    expect(sumCents(splitEvenly(9999, 7))).toBe(9999);
    expect(() => splitEvenly(100, 0)).toThrow(RangeError);
    expect(() => splitEvenly(10.5, 2)).toThrow(RangeError);
  });
});

const prices: DayPrices = { unitCents: 280, lateCancelCents: 300, unbookedSurchargeCents: 150 };
const none: DayCharge = { charge: false, kind: 'none', amountCents: 0 };
const day = (basis: BillingBasis, booking: BookingState, attendance: AttendanceMark): DayCharge =>
  chargeForDay({ basis, booking, attendance, prices });

describe('chargeForDay on the bookings basis', () => {
  it.each<[BookingState, AttendanceMark, DayCharge]>([
    ['booked', 'present', { charge: true, kind: 'booked', amountCents: 280 }],
    ['booked', 'absent', { charge: true, kind: 'absent_unexcused', amountCents: 280 }],
    ['booked', 'absent_excused', none],
    ['booked', null, { charge: true, kind: 'booked', amountCents: 280, anomaly: 'attendance_not_taken' }],
    // A booked child marked "unbooked" by mistake is still a booked child: no surcharge.
    ['booked', 'present_unbooked', { charge: true, kind: 'booked', amountCents: 280 }],
    ['sick_excused', null, none],
    ['sick_excused', 'absent_excused', none],
    ['sick_excused', 'absent', none],
    ['sick_excused', 'present', { charge: true, kind: 'booked', amountCents: 280 }],
    ['sick_unexcused', null, { charge: true, kind: 'absent_unexcused', amountCents: 280 }],
    ['sick_unexcused', 'absent', { charge: true, kind: 'absent_unexcused', amountCents: 280 }],
    ['sick_unexcused', 'absent_excused', none],
    ['late_cancelled', null, { charge: true, kind: 'late_cancellation', amountCents: 300 }],
    ['late_cancelled', 'absent', { charge: true, kind: 'late_cancellation', amountCents: 300 }],
    ['late_cancelled', 'absent_excused', none],
    // Came anyway after a late cancellation: an unbooked presence replaces the late fee.
    ['late_cancelled', 'present', { charge: true, kind: 'unbooked_presence', amountCents: 430 }],
    ['cancelled', null, none],
    ['cancelled', 'absent', none],
    ['cancelled', 'present', { charge: true, kind: 'unbooked_presence', amountCents: 430 }],
    ['cancelled_free', null, none],
    ['cancelled_free', 'present_unbooked', { charge: true, kind: 'unbooked_presence', amountCents: 430 }],
    ['closed_by_town', null, none],
    ['closed_by_town', 'present', none],
    ['none', null, none],
    ['none', 'absent', none],
    ['none', 'present', { charge: true, kind: 'unbooked_presence', amountCents: 430 }],
    ['none', 'present_unbooked', { charge: true, kind: 'unbooked_presence', amountCents: 430 }],
  ])('%s + attendance %s', (booking, attendance, expected) => {
    expect(day('bookings', booking, attendance)).toEqual(expected);
  });

  it('a late cancellation without a late price bills nothing', () => {
    expect(
      chargeForDay({
        basis: 'bookings',
        booking: 'late_cancelled',
        attendance: null,
        prices: { ...prices, lateCancelCents: 0 },
      }),
    ).toEqual(none);
  });

  it('refuses prices that are not integer cents', () => {
    expect(() =>
      chargeForDay({
        basis: 'bookings',
        booking: 'booked',
        attendance: 'present',
        prices: { ...prices, unitCents: 2.8 },
      }),
    ).toThrow(RangeError);
  });
});

describe('chargeForDay on the attendance basis', () => {
  it.each<[BookingState, AttendanceMark, DayCharge]>([
    ['none', 'present', { charge: true, kind: 'attendance', amountCents: 280 }],
    ['booked', 'present', { charge: true, kind: 'attendance', amountCents: 280 }],
    ['cancelled', 'present', { charge: true, kind: 'attendance', amountCents: 280 }],
    ['none', 'present_unbooked', { charge: true, kind: 'unbooked_presence', amountCents: 430 }],
    ['booked', 'present_unbooked', { charge: true, kind: 'attendance', amountCents: 280 }],
    ['booked', 'absent', none],
    ['booked', null, none],
    ['booked', 'absent_excused', none],
    ['sick_unexcused', null, none],
    ['late_cancelled', null, none],
    ['none', null, none],
    ['closed_by_town', 'present', none],
  ])('%s + attendance %s', (booking, attendance, expected) => {
    expect(day('attendance', booking, attendance)).toEqual(expected);
  });
});

const canteenBrackets: PriceBracket[] = [
  { minQf: 0, maxQf: 500, unitCents: 120 },
  { minQf: 500, maxQf: 900, unitCents: 280 },
  { minQf: 900, maxQf: 1300, unitCents: 410 },
  { minQf: 1300, maxQf: null, unitCents: 520 },
];

describe('priceFor', () => {
  const base = { outOfTown: false, brackets: canteenBrackets, outOfTownCents: 650 };

  it('takes the bracket containing the QF, min inclusive, max exclusive', () => {
    expect(priceFor({ ...base, qf: 0 })).toBe(120);
    expect(priceFor({ ...base, qf: 499 })).toBe(120);
    expect(priceFor({ ...base, qf: 500 })).toBe(280);
    expect(priceFor({ ...base, qf: 899.5 })).toBe(280);
    expect(priceFor({ ...base, qf: 900 })).toBe(410);
    expect(priceFor({ ...base, qf: 1300 })).toBe(520);
    expect(priceFor({ ...base, qf: 99_999 })).toBe(520);
  });

  it('bills out-of-town households the out-of-town rate, whatever their QF', () => {
    expect(priceFor({ ...base, outOfTown: true, qf: 300 })).toBe(650);
    expect(priceFor({ ...base, outOfTown: true, qf: null })).toBe(650);
    // No out-of-town rate: the QF grid applies.
    expect(priceFor({ ...base, outOfTown: true, outOfTownCents: null, qf: 300 })).toBe(120);
  });

  it('with an unknown QF: the "QF not provided" rate if set, else the highest', () => {
    expect(priceFor({ ...base, qf: null })).toBe(520);
    expect(priceFor({ ...base, qf: null, unknownQfCents: null })).toBe(520);
    expect(priceFor({ ...base, qf: null, unknownQfCents: 480 })).toBe(480);
    // The highest price, even listed out of order.
    expect(priceFor({ ...base, qf: null, brackets: [...canteenBrackets].reverse() })).toBe(520);
  });

  it('refuses to guess when no bracket matches', () => {
    expect(() => priceFor({ ...base, qf: 700, brackets: [canteenBrackets[0]!] })).toThrow(/No price bracket/);
    expect(() => priceFor({ ...base, qf: null, brackets: [] })).toThrow(RangeError);
  });
});

describe('bracketProblems', () => {
  it('accepts a contiguous grid from 0 ending open', () => {
    expect(bracketProblems(canteenBrackets)).toEqual([]);
    expect(bracketProblems([...canteenBrackets].reverse())).toEqual([]);
  });

  it('reports gaps, overlaps, a closed end, a missing start and bad prices', () => {
    expect(bracketProblems([])).toEqual(['no_brackets']);
    expect(
      bracketProblems([
        { minQf: 0, maxQf: 500, unitCents: 120 },
        { minQf: 600, maxQf: 900, unitCents: 280 },
        { minQf: 800, maxQf: 1000, unitCents: 2.5 },
      ]),
    ).toEqual(['bracket_0_gap', 'bracket_1_overlap', 'bracket_2_price', 'last_bracket_not_open']);
    expect(bracketProblems([{ minQf: 100, maxQf: null, unitCents: 100 }])).toEqual([
      'first_bracket_not_zero',
    ]);
  });
});

describe('qfOnDay', () => {
  const history = [
    { value: 640, validFrom: '2025-09-01', validTo: '2025-12-31' },
    { value: 820, validFrom: '2026-01-01', validTo: '2026-12-31' },
  ];

  it('finds the value valid on the day, both ends inclusive', () => {
    expect(qfOnDay(history, '2025-09-01')).toBe(640);
    expect(qfOnDay(history, '2025-12-31')).toBe(640);
    expect(qfOnDay(history, '2026-01-01')).toBe(820);
    expect(qfOnDay(history, '2026-12-31')).toBe(820);
  });

  it('is null before the first value, after expiry, and with no history', () => {
    expect(qfOnDay(history, '2025-08-31')).toBeNull();
    expect(qfOnDay(history, '2027-01-01')).toBeNull();
    expect(qfOnDay([], '2026-06-01')).toBeNull();
  });

  it('prefers the most recently started value when two overlap', () => {
    const updated = [...history, { value: 1010, validFrom: '2026-06-01', validTo: null }];
    expect(qfOnDay(updated, '2026-05-31')).toBe(820);
    expect(qfOnDay(updated, '2026-06-01')).toBe(1010);
    expect(qfOnDay(updated, '2030-01-01')).toBe(1010);
  });
});

describe('a month for a household with two children (November 2026)', () => {
  // The household's QF on the month is 820 → canteen 2,80 €, after-school care 0,90 €.
  const qf = qfOnDay([{ value: 820, validFrom: '2026-01-01', validTo: '2026-12-31' }], '2026-11-01');
  const canteen: DayPrices = {
    unitCents: priceFor({ qf, outOfTown: false, brackets: canteenBrackets, outOfTownCents: 650 }),
    lateCancelCents: 300,
    unbookedSurchargeCents: 150,
  };
  const care: DayPrices = {
    unitCents: priceFor({
      qf,
      outOfTown: false,
      brackets: [
        { minQf: 0, maxQf: 900, unitCents: 90 },
        { minQf: 900, maxQf: null, unitCents: 150 },
      ],
      outOfTownCents: null,
    }),
    lateCancelCents: 0,
    unbookedSurchargeCents: 100,
  };
  // Canteen days: Monday, Tuesday, Thursday, Friday (11 Nov is a Wednesday: no school anyway).
  const schoolDays = expandWeeklyPattern('2026-11-02', '2026-11-30', [1, 2, 4, 5]);

  type Row = { booking: BookingState; attendance: AttendanceMark };
  const bill = (basis: BillingBasis, dayPrices: DayPrices, rows: Map<string, Row>): DayCharge[] =>
    [...rows.values()].map((row) => chargeForDay({ basis, prices: dayPrices, ...row }));

  // Léa: canteen booked every school day.
  const lea = new Map<string, Row>(schoolDays.map((d) => [d, { booking: 'booked', attendance: 'present' }]));
  lea.set('2026-11-05', { booking: 'sick_excused', attendance: 'absent_excused' }); // certificate in time: 0
  lea.set('2026-11-06', { booking: 'sick_unexcused', attendance: 'absent' }); // no certificate: 280
  lea.set('2026-11-10', { booking: 'late_cancelled', attendance: null }); // late price: 300
  lea.set('2026-11-12', { booking: 'closed_by_town', attendance: null }); // strike, canteen closed: 0
  lea.set('2026-11-19', { booking: 'booked', attendance: 'absent' }); // absent, no excuse: 280
  lea.set('2026-11-26', { booking: 'booked', attendance: null }); // register not taken: 280 + anomaly
  lea.set('2026-11-30', { booking: 'cancelled', attendance: null }); // cancelled in time: 0

  // Hugo: canteen booked on Mondays and Tuesdays, after-school care billed on presence.
  const hugoCanteen = new Map<string, Row>(
    expandWeeklyPattern('2026-11-02', '2026-11-30', [1, 2]).map((d) => [
      d,
      { booking: 'booked', attendance: 'present' },
    ]),
  );
  hugoCanteen.set('2026-11-05', { booking: 'none', attendance: 'present' }); // came unbooked: 280 + 150
  hugoCanteen.set('2026-11-17', { booking: 'cancelled_free', attendance: null }); // school trip: 0
  hugoCanteen.set('2026-11-24', { booking: 'booked', attendance: 'present_unbooked' }); // mis-marked, booked: 280
  const hugoCare = new Map<string, Row>([
    ['2026-11-02', { booking: 'none', attendance: 'present' }], // 90
    ['2026-11-03', { booking: 'none', attendance: 'present' }], // 90
    ['2026-11-05', { booking: 'none', attendance: 'present' }], // 90
    ['2026-11-06', { booking: 'none', attendance: 'present' }], // 90
    ['2026-11-09', { booking: 'booked', attendance: 'absent' }], // absent: nothing on this basis
    ['2026-11-10', { booking: 'none', attendance: 'present_unbooked' }], // 90 + 100
    ['2026-11-13', { booking: 'booked', attendance: null }], // not taken: nothing, no anomaly
  ]);

  it('uses the expected prices and days', () => {
    expect(qf).toBe(820);
    expect(canteen.unitCents).toBe(280);
    expect(care.unitCents).toBe(90);
    expect(schoolDays).toHaveLength(17);
  });

  it('bills Léa 39,40 € of canteen', () => {
    // 10 plain days (2, 3, 9, 13, 16, 17, 20, 23, 24, 27) × 280 = 2800
    // + 6th (280) + 10th (300) + 19th (280) + 26th (280) = 1140; 5th, 12th, 30th free → 3940.
    const charges = bill('bookings', canteen, lea);
    expect(sumCents(charges.map((c) => c.amountCents))).toBe(3940);
    expect(charges.filter((c) => c.charge)).toHaveLength(14);
    expect(charges.filter((c) => c.anomaly === 'attendance_not_taken')).toHaveLength(1);
  });

  it('bills Hugo 26,70 € of canteen and 5,50 € of care', () => {
    // Canteen: 9 Mondays/Tuesdays booked (2, 3, 9, 10, 16, 17, 23, 24, 30) minus the free 17th
    // = 8 × 280 = 2240, + unbooked Thursday 5th 280 + 150 = 430 → 2670.
    expect(sumCents(bill('bookings', canteen, hugoCanteen).map((c) => c.amountCents))).toBe(2670);
    // Care: 4 presences × 90 = 360, + unbooked presence on the 10th 90 + 100 = 190 → 550.
    const care550 = bill('attendance', care, hugoCare);
    expect(sumCents(care550.map((c) => c.amountCents))).toBe(550);
    expect(care550.some((c) => c.anomaly)).toBe(false);
  });

  it('totals 71,60 € for the household', () => {
    const all = [
      ...bill('bookings', canteen, lea),
      ...bill('bookings', canteen, hugoCanteen),
      ...bill('attendance', care, hugoCare),
    ];
    // 3940 + 2670 + 550
    expect(sumCents(all.map((c) => c.amountCents))).toBe(7160);
  });

  it('an out-of-town household pays 6,50 € a canteen day', () => {
    const outOfTown = priceFor({ qf, outOfTown: true, brackets: canteenBrackets, outOfTownCents: 650 });
    // Léa's 10 plain days + 3 unit-priced days (6th, 19th, 26th) at 650, + late cancellation 300 → 8750.
    const charges = bill('bookings', { ...canteen, unitCents: outOfTown }, lea);
    expect(sumCents(charges.map((c) => c.amountCents))).toBe(multiplyCents(650, 13) + 300);
    expect(multiplyCents(650, 13) + 300).toBe(8750);
  });
});
