// Sessions in PostgreSQL (connect-pg-simple on the migrated `sessions` table), so that a
// restart or a second app instance keeps everyone logged in. Pruned by a job, not per instance.
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../deps.js';

export const SESSION_COOKIE = 'pf.sid';

export function sessionMiddleware(deps: AppDeps, pool: pg.Pool): RequestHandler {
  const PgStore = connectPgSimple(session);
  const absoluteMs = deps.config.SESSION_ABSOLUTE_HOURS * 3600 * 1000;
  return session({
    name: SESSION_COOKIE,
    secret: deps.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: Boolean(deps.config.TRUST_PROXY),
    // No touch: express-session would otherwise UPDATE the row (a commit) on every request that did
    // not change the session. The idle timer is lastSeenAt (written at most once a minute, src/web/auth.ts),
    // each save pushes the row's expiry, and the absolute limit is checked from loginAt.
    store: new PgStore({ pool, tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: false, ttl: absoluteMs / 1000, disableTouch: true }),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.NODE_ENV === 'production',
      maxAge: absoluteMs,
    },
  });
}
