// Who is logged in, idle and absolute timeouts, and the one guard every route uses.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../deps.js';
import { HttpError } from './errors.js';
import { flash } from './flash.js';
import { getT } from './i18n.js';
import { localPath, refererPath } from './urls.js';
import { STAFF_ROLES, type CurrentAccount, type Role } from './types.js';

export interface AccountLoader {
  (id: number): Promise<CurrentAccount | null>;
}

/** lastSeenAt is written again when it is older than this (not on every request: each write saves the session). */
const SEEN_EVERY_MS = 60_000;

/**
 * Loads req.account from the session's login (passport's `passport.user`, set by req.login in
 * src/accounts), ending logins that were idle or open for too long.
 */
export function loadAccount(deps: AppDeps, loader: AccountLoader): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const s = req.session;
    const id = s?.passport?.user;
    if (id === undefined) return next();
    const now = deps.clock.now().getTime();
    const account = await loader(id);
    const idleMs =
      (account && account.role !== 'parent'
        ? deps.config.STAFF_IDLE_MINUTES
        : deps.config.PARENT_IDLE_MINUTES) * 60_000;
    const absoluteMs = deps.config.SESSION_ABSOLUTE_HOURS * 3600_000;
    const expired = now - (s.lastSeenAt ?? now) > idleMs || now - (s.loginAt ?? now) > absoluteMs;
    if (!account || expired) {
      // Keep the session (and its CSRF token) but log out: the next login comes back here.
      delete s.passport;
      delete s.loginAt;
      delete s.lastSeenAt;
      req.sessionExpired = true;
      return next();
    }
    req.account = account;
    if (now - (s.lastSeenAt ?? 0) > SEEN_EVERY_MS) s.lastSeenAt = now;
    next();
  };
}

export const isStaff = (role: Role | undefined) => role !== undefined && STAFF_ROLES.includes(role);

/**
 * The one guard. Visitors go to the login page (and come back after); logged-in accounts
 * without one of the roles get the 403 page.
 */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    if (!req.account) {
      // A GET comes back to itself; a posted form to the page it was posted from (this site's only).
      const back = req.method === 'GET' ? localPath(req.originalUrl) : refererPath(req);
      // A session that just timed out: say so, and say whether a posted form was lost.
      if (req.sessionExpired) {
        flash(
          req,
          getT()(req.method === 'GET' ? 'accounts.login.sessionEnded' : 'auth.sessionExpired'),
          'info',
        );
      }
      return res.redirect(303, `/login?next=${encodeURIComponent(back)}`);
    }
    if (roles.length && !roles.includes(req.account.role)) return next(new HttpError(403));
    next();
  };
}

export const requireLogin = requireRole();
export const requireParent = requireRole('parent');
export const requireStaff = requireRole(...STAFF_ROLES);
/** Families, documents, requests, reservations: every staff role but animators. */
export const requireAgent = requireRole('agent', 'manager', 'admin');
/** Money: rates, billing, payments, exports. */
export const requireManager = requireRole('manager', 'admin');
export const requireAdmin = requireRole('admin');

export function currentAccount(req: Request): CurrentAccount {
  if (!req.account) throw new HttpError(401);
  return req.account;
}

export function actorOf(req: Request) {
  return { accountId: req.account?.id ?? null, role: req.account?.role };
}
