import { Settings } from 'luxon';
import { describe, expect, it } from 'vitest';
import { shiftMonth } from '../../src/platform/clock.js';
import { weekDaysOf } from '../../src/platform/days.js';
import {
  ageGroupOf,
  ageOn,
  certificateDeadline,
  custodyAllows,
  deadlineFor,
  expandWeeklyPattern,
  frenchPublicHolidays,
  isBeforeDeadline,
  isOpenForBooking,
  isoWeekParity,
  isWorkingDay,
  previousWorkingDay,
  sickDeclarationAllowed,
  type Calendar,
  type Deadline,
} from '../../src/reservations/rules.js';
import { parisDayOf } from '../../src/platform/clock.js';

// Real French holidays of 2026–2027, plus Friday 7 May 2027: the town's bridge day after Ascension.
const cal: Calendar = {
  publicHolidays: new Set([...frenchPublicHolidays(2026), ...frenchPublicHolidays(2027), '2027-05-07']),
};
const noHolidays: Calendar = { publicHolidays: new Set() };

const utc = (iso: string): Date => new Date(iso);
const MINUTE = 60_000;
const shift = (d: Date, ms: number): Date => new Date(d.getTime() + ms);

/** The deadline is `expected`; one minute before and the deadline minute are allowed, the next minute is not. */
function expectDeadline(day: string, rule: Deadline, expectedIso: string, calendar: Calendar = cal): void {
  const deadline = deadlineFor(day, rule, calendar);
  expect(deadline.toISOString()).toBe(expectedIso);
  expect(isBeforeDeadline(shift(deadline, -MINUTE), day, rule, calendar)).toBe(true);
  expect(isBeforeDeadline(deadline, day, rule, calendar)).toBe(true);
  expect(isBeforeDeadline(shift(deadline, 59_999), day, rule, calendar)).toBe(true);
  expect(isBeforeDeadline(shift(deadline, MINUTE), day, rule, calendar)).toBe(false);
}

describe('calendar_days deadlines', () => {
  const twoDays: Deadline = { kind: 'calendar_days', days: 2, time: '10:00' };

  it('is N calendar days before at the given Paris time, in winter time', () => {
    // Thursday 19 Nov 2026 → Tuesday 17 Nov 10:00 CET = 09:00Z.
    expectDeadline('2026-11-19', twoDays, '2026-11-17T09:00:00.000Z');
  });

  it('lands on the day clocks go forward (Sunday 28 March 2027) in summer time', () => {
    // Tuesday 30 March 2027 → Sunday 28 March 10:00 CEST = 08:00Z.
    expectDeadline('2027-03-30', twoDays, '2027-03-28T08:00:00.000Z');
    // The day before the change is still winter time: Saturday 27 March 10:00 CET = 09:00Z.
    expectDeadline(
      '2027-03-30',
      { kind: 'calendar_days', days: 3, time: '10:00' },
      '2027-03-27T09:00:00.000Z',
    );
  });

  it('lands on the day clocks go back (Sunday 25 October 2026) in winter time', () => {
    // Tuesday 27 Oct 2026 → Sunday 25 Oct 10:00 CET = 09:00Z.
    expectDeadline('2026-10-27', twoDays, '2026-10-25T09:00:00.000Z');
    // Saturday 24 Oct is still summer time: 10:00 CEST = 08:00Z.
    expectDeadline(
      '2026-10-27',
      { kind: 'calendar_days', days: 3, time: '10:00' },
      '2026-10-24T08:00:00.000Z',
    );
  });

  it('with 0 days is the day itself', () => {
    expectDeadline(
      '2026-11-16',
      { kind: 'calendar_days', days: 0, time: '08:30' },
      '2026-11-16T07:30:00.000Z',
    );
  });

  it('resolves night times around the changes deterministically (gap moved forward, ambiguity to the first)', () => {
    const night: Deadline = { kind: 'calendar_days', days: 0, time: '02:30' };
    // 02:30 does not exist on 28 March 2027: it becomes 03:30 CEST = 01:30Z.
    expect(deadlineFor('2027-03-28', night, cal).toISOString()).toBe('2027-03-28T01:30:00.000Z');
    // 02:30 happens twice on 25 October 2026: the first one, 02:30 CEST = 00:30Z.
    expect(deadlineFor('2026-10-25', night, cal).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // …whatever the season of the machine's "now" (luxon guesses offsets from it when building dates).
    const realNow = Settings.now;
    try {
      for (const season of ['2026-07-01T12:00:00Z', '2026-12-01T12:00:00Z']) {
        Settings.now = () => Date.parse(season);
        expect(deadlineFor('2026-10-25', night, cal).toISOString()).toBe('2026-10-25T00:30:00.000Z');
        expect(deadlineFor('2027-03-28', night, cal).toISOString()).toBe('2027-03-28T01:30:00.000Z');
      }
    } finally {
      Settings.now = realNow;
    }
  });
});

describe('working_days deadlines', () => {
  it('skips the weekend', () => {
    // Monday 16 Nov 2026, 2 working days → Thursday 12 Nov 10:00 CET = 09:00Z.
    expectDeadline(
      '2026-11-16',
      { kind: 'working_days', days: 2, time: '10:00' },
      '2026-11-12T09:00:00.000Z',
    );
    // 1 working day before a Monday is the Friday.
    expectDeadline(
      '2026-11-16',
      { kind: 'working_days', days: 1, time: '10:00' },
      '2026-11-13T09:00:00.000Z',
    );
  });

  it('skips the weekend and Wednesday 11 November 2026', () => {
    // Monday 16 Nov, 4 working days: Fri 13, Thu 12, (Wed 11 holiday), Tue 10, Mon 9.
    const rule: Deadline = { kind: 'working_days', days: 4, time: '10:00' };
    expectDeadline('2026-11-16', rule, '2026-11-09T09:00:00.000Z');
    // Without the holiday it would be Tuesday 10.
    expect(deadlineFor('2026-11-16', rule, noHolidays).toISOString()).toBe('2026-11-10T09:00:00.000Z');
  });

  it('skips Ascension (Thursday 6 May 2027) and the bridge day (Friday 7 May) in summer time', () => {
    // Monday 10 May 2027, 2 working days: (Sun 9, Sat 8, Fri 7, Thu 6), Wed 5, Tue 4 → 18:00 CEST = 16:00Z.
    expectDeadline(
      '2027-05-10',
      { kind: 'working_days', days: 2, time: '18:00' },
      '2027-05-04T16:00:00.000Z',
    );
    expectDeadline(
      '2027-05-10',
      { kind: 'working_days', days: 1, time: '18:00' },
      '2027-05-05T16:00:00.000Z',
    );
  });

  it('crosses the spring change and Easter Monday', () => {
    // Tuesday 30 March 2027, 1 working day: Monday 29 is Easter Monday → Friday 26, 10:00 CET = 09:00Z.
    expectDeadline(
      '2027-03-30',
      { kind: 'working_days', days: 1, time: '10:00' },
      '2027-03-26T09:00:00.000Z',
    );
    // Wednesday 31 March, 1 working day → Tuesday 30, 10:00 CEST = 08:00Z.
    expectDeadline(
      '2027-03-31',
      { kind: 'working_days', days: 1, time: '10:00' },
      '2027-03-30T08:00:00.000Z',
    );
  });

  it('crosses the autumn change', () => {
    // Tuesday 27 Oct 2026, 2 working days: Mon 26 (CET), Fri 23 (CEST) → 10:00 CEST = 08:00Z.
    expectDeadline(
      '2026-10-27',
      { kind: 'working_days', days: 2, time: '10:00' },
      '2026-10-23T08:00:00.000Z',
    );
    expectDeadline(
      '2026-10-27',
      { kind: 'working_days', days: 1, time: '10:00' },
      '2026-10-26T09:00:00.000Z',
    );
  });
});

describe('week_before deadlines', () => {
  const thursdayNoon: Deadline = { kind: 'week_before', weekday: 4, time: '12:00' };

  it('is the weekday of the previous ISO week, for every day of the week', () => {
    // Week of Monday 23 Nov 2026 → Thursday 19 Nov 12:00 CET = 11:00Z.
    for (const day of weekDaysOf('2026-11-23')) {
      expect(deadlineFor(day, thursdayNoon, cal).toISOString()).toBe('2026-11-19T11:00:00.000Z');
    }
    expectDeadline('2026-11-23', thursdayNoon, '2026-11-19T11:00:00.000Z');
    // Sunday 22 Nov belongs to the week of the 16th: deadline Thursday 12 Nov.
    expectDeadline('2026-11-22', thursdayNoon, '2026-11-12T11:00:00.000Z');
  });

  it('falls back to the previous working day when the weekday is a public holiday', () => {
    // Wednesday 11 Nov 2026 is a holiday → for the week of 16 Nov, Tuesday 10 Nov 12:00 CET = 11:00Z.
    const wednesdayNoon: Deadline = { kind: 'week_before', weekday: 3, time: '12:00' };
    expectDeadline('2026-11-19', wednesdayNoon, '2026-11-10T11:00:00.000Z');
    expect(deadlineFor('2026-11-19', wednesdayNoon, noHolidays).toISOString()).toBe(
      '2026-11-11T11:00:00.000Z',
    );
  });

  it('falls back over a weekend and the spring change (Easter Monday 29 March 2027)', () => {
    // Week of 5 April 2027, "by Monday 09:00": Monday 29 March is Easter Monday → Friday 26 March, 09:00 CET = 08:00Z.
    expectDeadline(
      '2027-04-07',
      { kind: 'week_before', weekday: 1, time: '09:00' },
      '2027-03-26T08:00:00.000Z',
    );
  });

  it('uses the offset of the deadline day, not of the booked day, across both changes', () => {
    // Thursday 1 April 2027 (CEST) → Thursday 25 March 12:00 CET = 11:00Z.
    expectDeadline('2027-04-01', thursdayNoon, '2027-03-25T11:00:00.000Z');
    // Wednesday 28 Oct 2026 (CET) → Thursday 22 Oct 12:00 CEST = 10:00Z.
    expectDeadline('2026-10-28', thursdayNoon, '2026-10-22T10:00:00.000Z');
  });

  it('crosses the new year (ISO week 1 of 2027 starts on 4 January)', () => {
    // Week of Monday 4 Jan 2027 → Thursday 31 Dec 2026 12:00 CET = 11:00Z.
    expectDeadline('2027-01-06', thursdayNoon, '2026-12-31T11:00:00.000Z');
  });
});

describe('deadline input checks', () => {
  it('rejects malformed days, times and counts', () => {
    const rule: Deadline = { kind: 'calendar_days', days: 1, time: '10:00' };
    expect(() => deadlineFor('2026-02-30', rule, cal)).toThrow(RangeError);
    expect(() => deadlineFor('2026-2-3', rule, cal)).toThrow(RangeError);
    expect(() => deadlineFor('2026-11-16', { ...rule, time: '24:00' }, cal)).toThrow(RangeError);
    expect(() => deadlineFor('2026-11-16', { ...rule, time: '9:00' }, cal)).toThrow(RangeError);
    expect(() => deadlineFor('2026-11-16', { ...rule, days: -1 }, cal)).toThrow(RangeError);
    expect(() => deadlineFor('2026-11-16', { ...rule, days: 1.5 }, cal)).toThrow(RangeError);
  });
});

describe('working days', () => {
  it('are Monday to Friday minus public holidays', () => {
    expect(isWorkingDay('2026-11-10', cal)).toBe(true);
    expect(isWorkingDay('2026-11-11', cal)).toBe(false);
    expect(isWorkingDay('2026-11-14', cal)).toBe(false);
    expect(previousWorkingDay('2027-05-10', cal)).toBe('2027-05-05');
  });

  it('French public holidays follow Easter', () => {
    expect(frenchPublicHolidays(2027)).toEqual([
      '2027-01-01',
      '2027-03-29',
      '2027-05-01',
      '2027-05-06',
      '2027-05-08',
      '2027-05-17',
      '2027-07-14',
      '2027-08-15',
      '2027-11-01',
      '2027-11-11',
      '2027-12-25',
    ]);
    expect(frenchPublicHolidays(2026)).toEqual(
      expect.arrayContaining(['2026-04-06', '2026-05-14', '2026-05-25']),
    );
  });
});

describe('opening for booking', () => {
  // Holiday-centre registrations open on Tuesday 5 January 2027 at 18:00 Paris = 17:00Z.
  const opensAt = new Date('2027-01-05T17:00:00.000Z');

  it('is closed until the fixed opening instant, open from it', () => {
    expect(isOpenForBooking(utc('2027-01-05T16:59:00Z'), '2027-02-15', { opensAt })).toEqual({
      open: false,
      reason: 'not_yet_open',
    });
    expect(isOpenForBooking(utc('2027-01-05T17:00:00Z'), '2027-02-15', { opensAt })).toEqual({ open: true });
    expect(isOpenForBooking(utc('2027-01-05T17:01:00Z'), '2027-02-15', { opensAt })).toEqual({ open: true });
  });

  it('rolling window: up to today (in Paris) + N days', () => {
    // 30 June 2026 22:30Z is already 1 July 00:30 in Paris: the window runs to 11 July.
    const now = utc('2026-06-30T22:30:00Z');
    expect(parisDayOf(now)).toBe('2026-07-01');
    expect(isOpenForBooking(now, '2026-07-11', { rollingDays: 10 })).toEqual({ open: true });
    expect(isOpenForBooking(now, '2026-07-12', { rollingDays: 10 })).toEqual({
      open: false,
      reason: 'beyond_window',
    });
  });

  it('applies both limits, "not yet open" first', () => {
    const opening = { opensAt, rollingDays: 30 };
    expect(isOpenForBooking(utc('2027-01-05T16:59:00Z'), '2027-03-15', opening).reason).toBe('not_yet_open');
    expect(isOpenForBooking(utc('2027-01-05T17:00:00Z'), '2027-03-15', opening).reason).toBe('beyond_window');
    expect(isOpenForBooking(utc('2027-01-05T17:00:00Z'), '2027-02-04', opening)).toEqual({ open: true });
  });

  it('with no limit is always open', () => {
    expect(isOpenForBooking(utc('2026-01-01T00:00:00Z'), '2027-06-30', {})).toEqual({ open: true });
  });
});

describe('alternating custody', () => {
  it('follows the parity of the ISO week number', () => {
    expect(isoWeekParity('2026-11-16')).toBe('odd'); // week 47
    expect(isoWeekParity('2026-11-22')).toBe('odd'); // Sunday, still week 47
    expect(isoWeekParity('2026-11-23')).toBe('even'); // week 48
    // 2026 has 53 weeks: weeks 53 and 1 are both odd.
    expect(isoWeekParity('2027-01-03')).toBe('odd'); // week 53 of 2026
    expect(isoWeekParity('2027-01-04')).toBe('odd'); // week 1 of 2027
    expect(isoWeekParity('2027-01-11')).toBe('even');
  });

  it("allows the household's weeks only", () => {
    expect(custodyAllows('2026-11-16', 'odd')).toBe(true);
    expect(custodyAllows('2026-11-16', 'even')).toBe(false);
    expect(custodyAllows('2026-11-23', 'even')).toBe(true);
    expect(custodyAllows('2026-11-23', 'odd')).toBe(false);
    expect(custodyAllows('2026-11-23', null)).toBe(true);
  });
});

describe('weeks and weekly patterns', () => {
  it('weekDaysOf gives Monday to Sunday, across a year end', () => {
    expect(weekDaysOf('2026-11-11')).toEqual([
      '2026-11-09',
      '2026-11-10',
      '2026-11-11',
      '2026-11-12',
      '2026-11-13',
      '2026-11-14',
      '2026-11-15',
    ]);
    expect(weekDaysOf('2027-01-01')[0]).toBe('2026-12-28');
    expect(weekDaysOf('2027-01-01')[6]).toBe('2027-01-03');
    expect(weekDaysOf('2027-03-28')).toEqual(weekDaysOf('2027-03-22'));
  });

  it('expandWeeklyPattern keeps the chosen weekdays, both ends included', () => {
    expect(expandWeeklyPattern('2026-11-02', '2026-11-13', [1, 2, 4, 5])).toEqual([
      '2026-11-02',
      '2026-11-03',
      '2026-11-05',
      '2026-11-06',
      '2026-11-09',
      '2026-11-10',
      '2026-11-12',
      '2026-11-13',
    ]);
    expect(expandWeeklyPattern('2027-03-22', '2027-04-04', [3])).toEqual(['2027-03-24', '2027-03-31']);
    expect(expandWeeklyPattern('2026-10-19', '2026-11-01', [7])).toEqual(['2026-10-25', '2026-11-01']);
    expect(expandWeeklyPattern('2026-11-13', '2026-11-02', [1])).toEqual([]);
    expect(expandWeeklyPattern('2026-11-02', '2026-11-13', [])).toEqual([]);
    expect(() => expandWeeklyPattern('2026-11-02', '2026-11-13', [0])).toThrow(RangeError);
    expect(() => expandWeeklyPattern('2026-11-02', '2026-11-13', [8])).toThrow(RangeError);
  });
});

describe('months', () => {
  it('shifts a month across years', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-03', -1)).toBe('2026-02');
    expect(shiftMonth('2026-06', 0)).toBe('2026-06');
  });
});

describe('sick declarations', () => {
  it('are allowed until the hour limit of the day, minute included', () => {
    // Monday 16 Nov 2026, limit 09:00 CET = 08:00Z.
    expect(sickDeclarationAllowed(utc('2026-11-15T19:00:00Z'), '2026-11-16', '09:00')).toBe(true);
    expect(sickDeclarationAllowed(utc('2026-11-16T07:59:00Z'), '2026-11-16', '09:00')).toBe(true);
    expect(sickDeclarationAllowed(utc('2026-11-16T08:00:30Z'), '2026-11-16', '09:00')).toBe(true);
    expect(sickDeclarationAllowed(utc('2026-11-16T08:01:00Z'), '2026-11-16', '09:00')).toBe(false);
    expect(sickDeclarationAllowed(utc('2026-11-17T06:00:00Z'), '2026-11-16', '09:00')).toBe(false);
  });

  it('use summer time in summer', () => {
    // Tuesday 15 June 2027, 09:00 CEST = 07:00Z.
    expect(sickDeclarationAllowed(utc('2027-06-15T07:00:00Z'), '2027-06-15', '09:00')).toBe(true);
    expect(sickDeclarationAllowed(utc('2027-06-15T07:01:00Z'), '2027-06-15', '09:00')).toBe(false);
  });

  it('certificate deadline: N calendar days after the day (7 by default)', () => {
    expect(certificateDeadline('2026-11-16')).toBe('2026-11-23');
    expect(certificateDeadline('2026-11-16', 2)).toBe('2026-11-18');
    expect(certificateDeadline('2026-12-28')).toBe('2027-01-04');
    expect(certificateDeadline('2027-03-25')).toBe('2027-04-01');
  });
});

describe('age', () => {
  it('counts full years', () => {
    expect(ageOn('2020-09-01', '2026-08-31')).toBe(5);
    expect(ageOn('2020-09-01', '2026-09-01')).toBe(6);
    expect(ageOn('2020-09-01', '2020-09-01')).toBe(0);
    expect(() => ageOn('2020-09-01', '2020-08-31')).toThrow(RangeError);
  });

  it('a 29 February birthday turns a year older on 1 March in common years', () => {
    expect(ageOn('2020-02-29', '2025-02-28')).toBe(4);
    expect(ageOn('2020-02-29', '2025-03-01')).toBe(5);
    expect(ageOn('2020-02-29', '2024-02-29')).toBe(4);
  });

  it('picks the age group whose inclusive bounds contain the age', () => {
    const groups = [
      { key: 'maternelle', minAge: 3, maxAge: 5 },
      { key: 'elementaire', minAge: 6, maxAge: 11 },
      { key: 'ados', minAge: 12 },
    ];
    expect(ageGroupOf('2023-01-15', '2026-01-14', groups)).toBeNull(); // 2
    expect(ageGroupOf('2023-01-15', '2026-01-15', groups)?.key).toBe('maternelle'); // 3
    expect(ageGroupOf('2020-09-01', '2026-08-31', groups)?.key).toBe('maternelle'); // 5
    expect(ageGroupOf('2020-09-01', '2026-09-01', groups)?.key).toBe('elementaire'); // 6
    expect(ageGroupOf('2014-09-01', '2026-09-01', groups)?.key).toBe('ados'); // 12
    expect(ageGroupOf('2014-09-01', '2026-09-01', [])).toBeNull();
  });
});
