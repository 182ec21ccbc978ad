// Amounts as French currency text (src/web/format.ts).
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/web/format.js';

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
