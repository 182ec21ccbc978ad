// Counting days ('YYYY-MM-DD'): src/platform/days.ts.
import { describe, expect, it } from 'vitest';
import { addDays, isoWeekNumberOf, isoWeekdayOf, weekDaysOf } from '../../src/platform/days.js';

describe('days', () => {
  it('counts days across months and leap years, and rejects a malformed or impossible day', () => {
    expect(addDays('2026-12-11', 7)).toBe('2026-12-18');
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(isoWeekdayOf('2026-12-06')).toBe(7);
    expect(isoWeekdayOf('2026-12-07')).toBe(1);
    expect(() => addDays('2026-12-1', 17)).toThrow(RangeError);
    expect(() => addDays('2026-02-30', 0)).toThrow(RangeError);
    expect(() => isoWeekdayOf('2026-13-01')).toThrow(RangeError);
    expect(() => weekDaysOf('2026-12-32')).toThrow(RangeError); // its Mondays and Sundays are tested with the rules
  });

  it('numbers ISO weeks, 53-week years and week 1 starting in December included', () => {
    expect(isoWeekNumberOf('2026-12-31')).toBe(53);
    expect(isoWeekNumberOf('2027-01-03')).toBe(53);
    expect(isoWeekNumberOf('2027-01-04')).toBe(1);
    expect(isoWeekNumberOf('2024-12-30')).toBe(1);
    expect(isoWeekNumberOf('2026-09-14')).toBe(38);
    expect(() => isoWeekNumberOf('2026-02-30')).toThrow(RangeError);
  });
});
