// Rate limits that hold across several app instances: express-rate-limit over a small store on
// the migrated `rate_limits` table. Windows are computed from deps.clock (tests move it), and the
// 429 page says in French when to try again.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import {
  rateLimit,
  ipKeyGenerator,
  type ClientRateLimitInfo,
  type RateLimitRequestHandler,
  type Store,
} from 'express-rate-limit';
import type { AppDeps } from '../deps.js';
import { parisNow } from '../platform/clock.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { DateTime } from 'luxon';

/** A fixed-window counter per key, one row each, updated atomically by one upsert. */
class PgRateLimitStore implements Store {
  readonly localKeys = false;
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly windowMs: number,
    readonly prefix: string,
  ) {}

  private k(key: string) {
    return `${this.prefix}:${key}`;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db('rate_limits')
      .where({ key: this.k(key) })
      .where('reset_at', '>', this.clock.now())
      .first('hits', 'reset_at');
    return row ? { totalHits: Number(row.hits), resetTime: new Date(row.reset_at as Date) } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.clock.now();
    const resetAt = new Date(now.getTime() + this.windowMs);
    const { rows } = await this.db.raw(
      `INSERT INTO rate_limits (key, hits, reset_at) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limits.reset_at <= ? THEN 1 ELSE rate_limits.hits + 1 END,
         reset_at = CASE WHEN rate_limits.reset_at <= ? THEN EXCLUDED.reset_at ELSE rate_limits.reset_at END
       RETURNING hits, reset_at`,
      [this.k(key), resetAt, now, now],
    );
    const row = (rows as { hits: number; reset_at: Date }[])[0]!;
    return { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.db('rate_limits')
      .where({ key: this.k(key) })
      .update({ hits: this.db.raw('greatest(hits - 1, 0)') });
  }

  async resetKey(key: string): Promise<void> {
    await this.db('rate_limits')
      .where({ key: this.k(key) })
      .delete();
  }
}

/** Keys never hold an address in clear: a short hash of the lower-cased email. */
export function emailKey(email: unknown): string {
  const clean = typeof email === 'string' ? email.trim().toLowerCase() : '';
  return createHash('sha256').update(clean).digest('hex').slice(0, 32);
}

export const ipKey = (req: Request): string => ipKeyGenerator(req.ip ?? 'unknown');

export interface LimiterOptions {
  /** Distinguishes the counters in the table, e.g. 'login-ip'. */
  name: string;
  limit: number;
  windowMinutes: number;
  key: (req: Request) => string;
  /**
   * Counts only the requests that failed (answered 400 or more): a login limit must not lock out
   * the people who log in fine, e.g. a town hall's public computers behind one address.
   */
  failuresOnly?: boolean;
  /** Called once, on the first request over the limit in a window (e.g. an audit event). */
  onLimitReached?: (req: Request) => Promise<void>;
}

export interface Limiter {
  middleware: RateLimitRequestHandler;
  store: PgRateLimitStore;
  /** Forgets a key (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

export function createLimiter(deps: AppDeps, opts: LimiterOptions): Limiter {
  const windowMs = opts.windowMinutes * 60_000;
  const store = new PgRateLimitStore(deps.db, deps.clock, windowMs, opts.name);
  const middleware = rateLimit({
    windowMs,
    limit: opts.limit,
    store,
    keyGenerator: (req) => opts.key(req),
    skipSuccessfulRequests: opts.failuresOnly ?? false,
    // The library's headers use the system time; ours come from the clock in the handler.
    legacyHeaders: false,
    standardHeaders: false,
    passOnStoreError: false,
    handler: (req: Request, res: Response, next: NextFunction) => {
      const info = (req as Request & { rateLimit?: { used: number; limit: number; resetTime?: Date } })
        .rateLimit;
      const first = info ? info.used === info.limit + 1 : false;
      const resetAt = info?.resetTime ?? new Date(deps.clock.now().getTime() + windowMs);
      Promise.resolve(first && opts.onLimitReached ? opts.onLimitReached(req) : undefined)
        .then(() => renderTooManyRequests(deps, res, resetAt))
        .catch(next);
    },
  });
  return { middleware, store, reset: (key) => store.resetKey(key) };
}

/** The 429 page: "try again at 10:15 (in 12 minutes)", in Paris time. */
function renderTooManyRequests(deps: AppDeps, res: Response, resetAt: Date): void {
  const now = parisNow(deps.clock);
  const at = DateTime.fromJSDate(resetAt, { zone: now.zoneName ?? 'Europe/Paris' });
  const minutes = Math.max(1, Math.ceil(at.diff(now, 'minutes').minutes));
  res.setHeader('Retry-After', String(Math.max(1, Math.ceil(at.diff(now, 'seconds').seconds))));
  res
    .status(429)
    .render('accounts/rate-limited', { retryTime: at.setLocale('fr').toFormat("HH'h'mm"), minutes });
}
