import { hasControlCharacters } from './text.js';

/**
 * A safe local return path: starts with one slash, no scheme or host, no control character (a
 * NUL or a line break could end up in a header, a session or the database), else the fallback.
 */
export function localPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || hasControlCharacters(value)) return fallback;
  return value;
}
