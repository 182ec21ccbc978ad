// Who is logged in, idle and absolute timeouts, and the one guard every route uses.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../deps.js';
import { HttpError } from './errors.js';
import { flash } from './flash.js';
import { takeSessionRead, type IdleTouch } from './session.js';
import { getT } from './i18n.js';
import { STAFF_ROLES, type CurrentAccount, type Role } from './types.js';

export interface AccountLoader {
  (id: number): Promise<CurrentAccount | null>;
}

/** lastSeenAt is written again when it is older than this (not on every request). */
const SEEN_EVERY_MS = 60_000;

type Limits = Pick<AppDeps['config'], 'STAFF_IDLE_MINUTES' | 'PARENT_IDLE_MINUTES' | 'SESSION_ABSOLUTE_HOURS'>;

/** The idle limit of a session's role, in ms. */
const idleMsOf = (config: Limits, role: string | undefined) =>
  (role && role !== 'parent' ? config.STAFF_IDLE_MINUTES : config.PARENT_IDLE_MINUTES) * 60_000;

/** The session read's idle timer at `now`, with loadAccount's limits (see IdleTouch). */
export function idleTouchOf(config: Limits): (now: Date) => IdleTouch {
  const absoluteMs = config.SESSION_ABSOLUTE_HOURS * 3600_000;
  return (now) => {
    const nowMs = now.getTime();
    return {
      nowMs,
      staleBeforeMs: nowMs - SEEN_EVERY_MS,
      parentAliveFromMs: nowMs - idleMsOf(config, 'parent'),
      staffAliveFromMs: nowMs - idleMsOf(config, 'agent'),
      loginFromMs: nowMs - absoluteMs,
    };
  };
}

/** Loads req.account from the session, ending sessions that were idle or open for too long. */
export function loadAccount(deps: AppDeps, loader: AccountLoader): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const s = req.session;
    if (!s?.accountId) return next();
    const now = deps.clock.now().getTime();
    const idleMs = idleMsOf(deps.config, s.role);
    const absoluteMs = deps.config.SESSION_ABSOLUTE_HOURS * 3600_000;
    // The store usually read the account with the session (one round trip) and may have moved the
    // idle timer in that statement: the limit is judged on the value it had.
    const read = takeSessionRead(req);
    const lastSeenAt = read?.seenBefore ?? s.lastSeenAt;
    const expired = now - (lastSeenAt ?? now) > idleMs || now - (s.loginAt ?? now) > absoluteMs;
    const prefetched = read?.account;
    const account = expired ? null : prefetched?.id === s.accountId ? prefetched : await loader(s.accountId);
    if (!account) {
      // Keep the session (and its CSRF token) but log out: the next login comes back here.
      delete s.accountId;
      delete s.role;
      res_locals_expired(req);
      return next();
    }
    req.account = account;
    // Usually done by the read; otherwise (no lastSeenAt yet) saved with the session, at most once a minute.
    if (now - (s.lastSeenAt ?? 0) > SEEN_EVERY_MS) s.lastSeenAt = now;
    next();
  };
}

function res_locals_expired(req: Request) {
  (req as Request & { sessionExpired?: boolean }).sessionExpired = true;
}

export const isStaff = (role: Role | undefined) => role !== undefined && STAFF_ROLES.includes(role);

/**
 * The one guard. Visitors go to the login page (and come back after); logged-in accounts
 * without one of the roles get the 403 page.
 */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    if (!req.account) {
      const back = req.method === 'GET' ? req.originalUrl : (req.get('referer') ?? '/');
      let path = '/';
      try {
        const u = new URL(back, 'http://local');
        path = u.pathname + u.search;
      } catch {
        path = '/';
      }
      // A session that just timed out: say so, and say whether a posted form was lost.
      if ((req as Request & { sessionExpired?: boolean }).sessionExpired) {
        flash(req, getT(req.lang)(req.method === 'GET' ? 'accounts.login.sessionEnded' : 'auth.sessionExpired'), 'info');
      }
      return res.redirect(303, `/login?next=${encodeURIComponent(path)}`);
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
