// Sessions in PostgreSQL (the migrated `sessions` table), so that a restart or a second app
// instance keeps everyone logged in. Pruned by a job, not per instance.
//
// Our own store rather than connect-pg-simple: reading the session is the one query every
// logged-in request makes, and the store reads the logged-in account (and its household) in that
// same statement. On this machine a round trip costs more CPU than the queries themselves
// (docs/performance.md), so a page saves two. The account read with the session is handed to
// loadAccount (src/web/auth.ts) through `takePrefetchedAccount`, for this request only: nothing is
// kept between requests, so an account disabled or moved is seen on the next request by every instance.
import session from 'express-session';
import type { Request, RequestHandler } from 'express';
import type { AppDeps } from '../deps.js';
import type { Db } from '../platform/db.js';
import type { CurrentAccount } from './types.js';

export const SESSION_COOKIE = 'pf.sid';

/** What the store reads for a session id: its data and, when it names a live account, that account. */
export interface SessionRead {
  sess: session.SessionData;
  account: CurrentAccount | null;
}

export interface SessionQueries {
  read(db: Db, sid: string, now: Date): Promise<SessionRead | null>;
  write(db: Db, sid: string, sess: session.SessionData, expire: Date): Promise<void>;
  remove(db: Db, sid: string): Promise<void>;
}

/** Accounts read along with a session, waiting for the same request's loadAccount (keyed by session id). */
const prefetched = new Map<string, CurrentAccount>();
const PREFETCH_LIMIT = 10_000;

/** The account the store read with this request's session, if any (taken: a second call returns undefined). */
export function takePrefetchedAccount(req: Request): CurrentAccount | undefined {
  const account = prefetched.get(req.sessionID);
  if (account) prefetched.delete(req.sessionID);
  return account;
}

export class PgSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly queries: SessionQueries,
    private readonly ttlMs: number,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.queries.read(this.db, sid, new Date()).then((row) => {
      if (!row) return callback(null, null);
      // Bounded whatever happens to a request between the store and loadAccount.
      if (prefetched.size >= PREFETCH_LIMIT) prefetched.clear();
      if (row.account) prefetched.set(sid, row.account);
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
  // not change the session. The idle timer is lastSeenAt (written at most once a minute, src/web/auth.ts),
  // each save pushes the row's expiry, and the absolute limit is checked from loginAt.
}

export function sessionMiddleware(deps: AppDeps, queries: SessionQueries): RequestHandler {
  const absoluteMs = deps.config.SESSION_ABSOLUTE_HOURS * 3600 * 1000;
  return session({
    name: SESSION_COOKIE,
    secret: deps.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: Boolean(deps.config.TRUST_PROXY),
    store: new PgSessionStore(deps.db, queries, absoluteMs),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.NODE_ENV === 'production',
      maxAge: absoluteMs,
    },
  });
}
