// formatMoney keeps the text of the amounts it formatted: asked again, it must give Intl's answer.
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/web/format.js';

describe('formatMoney', () => {
  it('gives the French currency text of any amount, the first time and the next ones', () => {
    const intl = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
    const amounts = [0, 1, -1, 99, 100, 123450, -4250, 100000000, 7, 3250];
    for (let round = 0; round < 2; round++) for (const c of amounts) expect(formatMoney(c)).toBe(intl.format(c / 100));
    expect(formatMoney(123450)).toBe('1\u202f234,50\u00a0€');
    expect(formatMoney(null)).toBe('');
    expect(formatMoney(undefined)).toBe('');
    // Far more amounts than it keeps: still right.
    for (let c = 0; c < 12000; c += 1) if (formatMoney(c) !== intl.format(c / 100)) expect(formatMoney(c)).toBe(intl.format(c / 100));
  });
});
