// Random codes people read and type: no ambiguous characters (0/O, 1/I/L).
import { createHash, randomInt } from 'node:crypto';

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function randomCode(length: number, alphabet = CODE_ALPHABET): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Tokens and codes are stored hashed (sha256 is enough for high-entropy random values). */
export function hashToken(value: string): string {
  return createHash('sha256').update(value.trim().toUpperCase()).digest('hex');
}
