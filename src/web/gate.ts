// Feature routers entered only for the paths they declare. Every feature's router is mounted
// without a path (each declares its own full paths), so a request for /reservations went through
// every route of the features mounted before it (≈ 94 patterns tried) before reaching its own.
// The gate reads the first path segment of each route and middleware the router declares, once,
// and passes other requests straight on. A router whose paths cannot be read that way (a regular
// expression, a parameter or a wildcard in the first segment, a middleware for every path) is
// always entered, as before.
import type { RequestHandler, Router } from 'express';

/** What the gate reads of a router's layers (router 2's `Layer`: `rawPath` is the path as declared). */
interface LayerLike {
  rawPath?: unknown;
  route?: { path?: unknown };
}

/** The first segment of a path as routes match it (case-insensitive, as Express's default). */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return (end < 0 ? path : path.slice(0, end)).toLowerCase();
}

/** The first segments of the router's paths, or null when one of them is not a plain segment. */
export function routerPrefixes(router: Router): Set<string> | null {
  const prefixes = new Set<string>();
  for (const layer of router.stack as LayerLike[]) {
    const raw = layer.route ? layer.route.path : layer.rawPath;
    for (const path of Array.isArray(raw) ? raw : [raw]) {
      if (typeof path !== 'string' || !path.startsWith('/')) return null;
      const first = firstSegment(path);
      if (/[:*?(){}[\]+]/.test(first)) return null;
      // A middleware without a path (`router.use(fn)`, rawPath '/') runs for every request.
      if (first === '/' && !layer.route) return null;
      prefixes.add(first);
    }
  }
  return prefixes;
}

/** The router, entered only for requests under one of its paths' first segments. */
export function gated(router: Router): RequestHandler {
  const prefixes = routerPrefixes(router);
  if (!prefixes) return router;
  return (req, res, next) => (prefixes.has(firstSegment(req.path)) ? router(req, res, next) : next());
}
