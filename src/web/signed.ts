// Values handed to the browser (in a URL) and taken back only by whom they were made for: the
// value, then an HMAC of the scope, the subject (e.g. a household id) and the value. Not secret,
// only unforgeable; so never put personal data in it (URLs end up in logs), ids only.
import { createHmac, timingSafeEqual } from 'node:crypto';

const mac = (secret: string, scope: string, subject: string | number, value: string) =>
  createHmac('sha256', secret).update(`${scope}\n${subject}\n${value}`).digest().subarray(0, 16);

export function signValue(secret: string, scope: string, subject: string | number, value: string): string {
  return `${Buffer.from(value).toString('base64url')}.${mac(secret, scope, subject, value).toString('base64url')}`;
}

/** The value, or null when the token was not made for this scope and subject (or is not a token). */
export function verifyValue(secret: string, scope: string, subject: string | number, token: string): string | null {
  const [encoded, signature, extra] = token.split('.');
  if (!encoded || !signature || extra !== undefined) return null;
  const value = Buffer.from(encoded, 'base64url').toString();
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, scope, subject, value);
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
}
