// Route parameters.
import { HttpError } from './errors.js';

/** Parses a route id; anything that is not a positive integer is a 404. */
export function idParam(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new HttpError(404);
  return n;
}
