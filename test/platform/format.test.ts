// The views' formats (src/web/format.ts): amounts as French currency text, dates in French words
// (a day never shifted by the time zone, an instant on its Paris day).
import { describe, expect, it } from 'vitest';
import { formatMoney, viewHelpers } from '../../src/web/format.js';

const { formatDate, formatDateTime } = viewHelpers;

describe('formatMoney', () => {
  it('gives the French currency text of any amount in cents', () => {
    const intl = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
    for (const c of [0, 1, -1, 99, 100, 123450, -4250, 100000000, 7, 3250])
      expect(formatMoney(c)).toBe(intl.format(c / 100));
    expect(formatMoney(123450)).toBe('1\u202f234,50\u00a0€');
    expect(formatMoney(null)).toBe('');
    expect(formatMoney(undefined)).toBe('');
  });
});

describe('formatDate', () => {
  it('writes a day in French, whatever the season', () => {
    expect(formatDate('2026-09-01')).toBe('1 septembre 2026');
    expect(formatDate('2027-03-28', 'weekday')).toBe('dimanche 28 mars 2027');
    expect(formatDate('2026-10-25', 'weekday')).toBe('dimanche 25 octobre 2026');
    expect(formatDate('2026-12-31', 'short')).toBe('31/12/2026');
  });
  it('shows an instant on its Paris day', () => {
    // 23:30 UTC on 31 December is already 1 January in Paris.
    expect(formatDate(new Date('2026-12-31T23:30:00Z'))).toBe('1 janvier 2027');
    expect(formatDate('2026-06-30T22:30:00Z', 'short')).toBe('01/07/2026');
  });
  it('gives nothing for nothing or an impossible day', () => {
    for (const v of [null, undefined, '', '2026-02-30', '2026-13-01', 'demain', new Date(Number.NaN)])
      expect(formatDate(v)).toBe('');
  });
});

describe('formatDateTime', () => {
  it('writes the Paris wall-clock time, summer and winter', () => {
    expect(formatDateTime(new Date('2026-09-01T06:30:00Z'))).toBe('1 septembre 2026 à 08:30');
    expect(formatDateTime('2026-01-01T06:05:00Z')).toBe('1 janvier 2026 à 07:05');
    expect(formatDateTime(null)).toBe('');
  });
});
