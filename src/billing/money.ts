// Money is integer cents everywhere: these helpers refuse anything else rather than round it,
// so a float slipping in from a form or a query fails loudly instead of billing 0.1 + 0.2.

/** Throws unless `value` is a safe integer (cents, or a count of units). */
export function assertCents(value: number, what = 'amount'): number {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`${what} must be an integer number of cents, got ${value}`);
  return value;
}

export function sumCents(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total = assertCents(total + assertCents(value), 'total');
  return total;
}

/** unitCents × quantity; both must be integers (a quantity is a number of days or units). */
export function multiplyCents(unitCents: number, quantity: number): number {
  assertCents(unitCents, 'unitCents');
  assertCents(quantity, 'quantity');
  return assertCents(unitCents * quantity, 'product');
}

/**
 * Splits `totalCents` into `parts` integer shares that add up exactly to the total; the leftover
 * cents go one each to the first shares (1000 in 3 → 334, 333, 333).
 */
export function splitEvenly(totalCents: number, parts: number): number[] {
  assertCents(totalCents, 'totalCents');
  if (!Number.isSafeInteger(parts) || parts < 1)
    throw new RangeError(`parts must be a positive integer, got ${parts}`);
  const sign = totalCents < 0 ? -1 : 1;
  const magnitude = Math.abs(totalCents);
  const base = Math.floor(magnitude / parts);
  const leftover = magnitude % parts;
  return Array.from({ length: parts }, (_, i) => sign * (base + (i < leftover ? 1 : 0)) || 0);
}
