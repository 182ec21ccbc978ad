// Sessions in PostgreSQL (the migrated `sessions` table), so that a restart or a second app
// instance keeps everyone logged in. Pruned by a job, not per instance.
//
// Our own store rather than connect-pg-simple: reading the session is the one query every
// logged-in request makes, and the store reads the logged-in account (and its household) in that
// same statement. On this machine a round trip costs more CPU than the queries themselves
// (docs/performance.md), so a page saves two. The account read with the session is handed to
// loadAccount (src/web/auth.ts) through `takeSessionRead`, for this request only: nothing is
// kept between requests, so an account disabled or moved is seen on the next request by every instance.
// The same statement keeps the idle timer (lastSeenAt, at most once a minute): see IdleTouch.
import session from 'express-session';
import type { Request, RequestHandler } from 'express';
import type { AppDeps } from '../deps.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import type { CurrentAccount } from './types.js';

export const SESSION_COOKIE = 'pf.sid';

/**
 * What the store reads for a session id: its data, the live account it names (if any), and
 * whether the read also moved its lastSeenAt to IdleTouch.nowMs (`sess` is the data as it was).
 */
export interface SessionRead {
  sess: session.SessionData;
  account: CurrentAccount | null;
  touched: boolean;
}

/**
 * The idle timer, kept by the read itself: a logged-in session last seen over a minute ago, and
 * still alive by the idle and absolute limits, gets lastSeenAt = nowMs in the same statement.
 * Without it, that request paid express-session's save (one more round trip, a commit, the
 * cookie signed and sent again): at the opening of a holiday centre, every parent who waited on
 * the page. The limits are loadAccount's (idleTouchOf): it still decides, from the value read.
 */
export interface IdleTouch {
  nowMs: number;
  /** lastSeenAt before this: written again. */
  staleBeforeMs: number;
  /** lastSeenAt from this on: not idle (parents, staff). */
  parentAliveFromMs: number;
  staffAliveFromMs: number;
  /** loginAt from this on: within the absolute limit. */
  loginFromMs: number;
}

export interface SessionQueries {
  read(db: Db, sid: string, now: Date, touch: IdleTouch): Promise<SessionRead | null>;
  write(db: Db, sid: string, sess: session.SessionData, expire: Date): Promise<void>;
  remove(db: Db, sid: string): Promise<void>;
}

/** What the store read with a session, for the same request's loadAccount. */
export interface PrefetchedRead {
  account?: CurrentAccount;
  /** lastSeenAt as it was when the read moved it (the idle limit is judged on this one). */
  seenBefore?: number;
}

/** Reads waiting for the same request's loadAccount (keyed by session id). */
const prefetched = new Map<string, PrefetchedRead>();
const PREFETCH_LIMIT = 10_000;

/** What the store read with this request's session, if anything (taken: a second call returns undefined). */
export function takeSessionRead(req: Request): PrefetchedRead | undefined {
  const read = prefetched.get(req.sessionID);
  if (read) prefetched.delete(req.sessionID);
  return read;
}

export class PgSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly queries: SessionQueries,
    private readonly ttlMs: number,
    private readonly touchOf: (now: Date) => IdleTouch,
    private readonly clock: Clock,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const touch = this.touchOf(this.clock.now());
    this.queries.read(this.db, sid, new Date(), touch).then((row) => {
      if (!row) return callback(null, null);
      // Bounded whatever happens to a request between the store and loadAccount.
      if (prefetched.size >= PREFETCH_LIMIT) prefetched.clear();
      const read: PrefetchedRead = {};
      if (row.account) read.account = row.account;
      if (row.touched) {
        read.seenBefore = row.sess.lastSeenAt;
        // Handed over as stored, so that express-session sees nothing to save.
        row.sess.lastSeenAt = touch.nowMs;
      }
      if (read.account || read.seenBefore !== undefined) prefetched.set(sid, read);
      else prefetched.delete(sid);
      callback(null, row.sess);
    }, callback);
  }

  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): void {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + this.ttlMs);
    this.queries.write(this.db, sid, sess, expires).then(() => callback?.(), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    prefetched.delete(sid);
    this.queries.remove(this.db, sid).then(() => callback?.(), callback);
  }
  // No touch(): express-session would otherwise UPDATE the row (a commit) on every request that did
  // not change the session. The idle timer is lastSeenAt (moved by the read at most once a minute),
  // and the absolute limit is checked from loginAt.
}

export function sessionMiddleware(deps: AppDeps, queries: SessionQueries, touchOf: (now: Date) => IdleTouch): RequestHandler {
  const absoluteMs = deps.config.SESSION_ABSOLUTE_HOURS * 3600 * 1000;
  return session({
    name: SESSION_COOKIE,
    secret: deps.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: Boolean(deps.config.TRUST_PROXY),
    store: new PgSessionStore(deps.db, queries, absoluteMs, touchOf, deps.clock),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.NODE_ENV === 'production',
      maxAge: absoluteMs,
    },
  });
}
