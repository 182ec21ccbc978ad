// The household of the logged-in parent, for parent routes: read with the account at the start of
// the request (src/web/session.ts), so no query of its own.
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The household of the logged-in parent (set by withHousehold). */
    householdId?: number;
  }
}

/** For parent routes: sets req.householdId, or sends a parent without a household to create or link one. */
export function withHousehold() {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.account) return next(new HttpError(403));
    const id = req.account.householdId;
    if (!id) return res.redirect(303, '/household/start');
    req.householdId = id;
    next();
  };
}

export function currentHouseholdId(req: Request): number {
  if (!req.householdId) throw new HttpError(403);
  return req.householdId;
}
