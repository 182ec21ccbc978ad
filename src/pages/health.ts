// The health check, for the load balancer and the container runtime.
import type { RequestHandler } from 'express';
import type { AppDeps } from '../deps.js';

/** GET /healthz: mounted before sessions, so that it needs nothing but one query. */
export function healthCheck(deps: AppDeps): RequestHandler {
  return async (_req, res) => {
    try {
      await deps.db.raw('select 1');
      res.json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'error', database: 'unreachable' });
    }
  };
}
