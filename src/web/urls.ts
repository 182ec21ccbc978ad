import type { Request } from 'express';
import { hasControlCharacters } from './text.js';

/**
 * A safe local return path: one slash then a path on this site, else the fallback. Browsers drop
 * tabs and newlines in URLs and read `\` as `/`, so `/\evil.test` and `/<tab>/evil.test` would
 * leave the site as `//evil.test` does: no control character, no second slash or backslash.
 */
export function localPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 2000) return fallback;
  if (
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\') ||
    hasControlCharacters(value)
  )
    return fallback;
  return value;
}

/**
 * The page a request came from, as a local path, when the Referer is one of this site's pages
 * (its origin is BASE_URL's or the request's own); anything else gives the fallback.
 */
export function refererPath(req: Request, fallback = '/'): string {
  const referer = req.get('referer');
  if (!referer) return fallback;
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return fallback;
  }
  const base = req.app.locals.baseUrl as string | undefined;
  const origins = [`${req.protocol}://${req.get('host') ?? ''}`, ...(base ? [new URL(base).origin] : [])];
  if (!origins.includes(url.origin)) return fallback;
  return localPath(url.pathname + url.search, fallback);
}
