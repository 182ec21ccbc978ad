// Sessions in PostgreSQL (the migrated `sessions` table), so that a restart or a second app
// instance keeps everyone logged in. Pruned by a job, not per instance.
//
// Our own store rather than connect-pg-simple: reading the session is the one query every
// logged-in request makes, and the store reads the logged-in account (and its household) in that
// same statement. On this machine a round trip costs more CPU than the queries themselves
// (docs/performance.md), so a page saves two. The account read with the session is handed to
// loadAccount (src/web/auth.ts) through `takeSessionRead`, for this request only.
// The same statement keeps the idle timer (lastSeenAt, at most once a minute): see IdleTouch.
//
// Our own middleware rather than express-session, which cost 5-7 % of a dashboard's app CPU
// (three SHA-1 hashes of the session per request to decide whether to save it, its Store and
// Session machinery). It behaves as express-session did with resave: false,
// saveUninitialized: false, rolling: false, and keeps its formats, so that cookies and rows
// stay valid across the deploy (and a rollback): the cookie is `s:<sid>.<HMAC-SHA256 base64,
// unpadded>` (cookie-signature's), and the row's `sess` keeps express-session's `cookie` object.
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../deps.js';
import type { Clock } from '../platform/clock.js';
import { createBatcher, type Batcher } from '../platform/batcher.js';
import type { Db } from '../platform/db.js';
import type { CurrentAccount, Session, SessionData } from './types.js';

export const SESSION_COOKIE = 'pf.sid';

/** express-session's cookie as saved in the row (only originalMaxAge is read back). */
interface StoredCookie {
  originalMaxAge: number | null;
  expires: string | Date;
  secure: boolean;
  httpOnly: boolean;
  path: string;
  sameSite: 'lax';
}

/** A session row's `sess`: the data, and the cookie express-session kept with it. */
export type StoredSession = Partial<SessionData> & { cookie?: StoredCookie };

/**
 * What the store reads for a session id: its data, the live account it names (if any), and
 * whether the read also moved its lastSeenAt to IdleTouch.nowMs (`sess` is the data as it was).
 */
export interface SessionRead {
  sess: StoredSession;
  account: CurrentAccount | null;
  touched: boolean;
}

/**
 * The idle timer, kept by the read itself: a logged-in session last seen over a minute ago, and
 * still alive by the idle and absolute limits, gets lastSeenAt = nowMs in the same statement.
 * Without it, that request paid a save (one more round trip, a commit, the cookie signed and
 * sent again): at the opening of a holiday centre, every parent who waited on the page. The
 * limits are loadAccount's (idleTouchOf): it still decides, from the value read.
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
  /** The live sessions among `sids` (absent: none), read and touched in one statement. */
  read(db: Db, sids: string[], now: Date, touch: IdleTouch): Promise<Map<string, SessionRead>>;
  write(db: Db, sid: string, sess: StoredSession, expire: Date): Promise<void>;
  remove(db: Db, sid: string): Promise<void>;
}

/** What the store read with a session, for the same request's loadAccount. */
export interface PrefetchedRead {
  account?: CurrentAccount;
  /** lastSeenAt as it was when the read moved it (the idle limit is judged on this one). */
  seenBefore?: number;
}

/** Reads waiting for the same request's loadAccount: held by the request, gone with it. */
const prefetched = new WeakMap<Request, { sid: string; read: PrefetchedRead }>();

/** What the store read with this request's session, if anything (taken: a second call returns undefined). */
export function takeSessionRead(req: Request): PrefetchedRead | undefined {
  const entry = prefetched.get(req);
  if (!entry) return undefined;
  prefetched.delete(req);
  // Only for the session it was read with (not one regenerated since).
  return entry.sid === req.sessionID ? entry.read : undefined;
}

export class PgSessionStore {
  /**
   * Reads of concurrent requests gathered into one statement (src/platform/batcher.ts): when
   * a thousand parents click at once, a thousand reads took a thousand round trips, each a query's
   * worth of the app's CPU (the one statement every request makes, docs/performance.md). A quiet
   * site reads each at once, alone. A batch is read at one instant, its own.
   */
  private readonly reads: Batcher<string, { read: SessionRead | null; touch: IdleTouch }>;

  constructor(
    private readonly db: Db,
    private readonly queries: SessionQueries,
    private readonly touchOf: (now: Date) => IdleTouch,
    private readonly clock: Clock,
  ) {
    const readAll = async (sids: string[]) => {
      const touch = this.touchOf(this.clock.now());
      const found = await this.queries.read(this.db, [...new Set(sids)], new Date(), touch);
      // Two requests with the same cookie in one batch: each its own copy (a request changes its session in place).
      const given = new Set<string>();
      return sids.map((sid) => {
        const read = found.get(sid) ?? null;
        const copy = read && given.has(sid) ? { ...read, sess: structuredClone(read.sess) } : read;
        given.add(sid);
        return { read: copy, touch };
      });
    };
    this.reads = createBatcher(readAll, async (sid) => (await readAll([sid]))[0]!);
  }

  /** The live session `sid` (null: none), its account and idle timer kept for `req`'s loadAccount. */
  async get(req: Request, sid: string): Promise<StoredSession | null> {
    const { read: row, touch } = await this.reads.submit(sid);
    if (!row) return null;
    const read: PrefetchedRead = {};
    if (row.account) read.account = row.account;
    if (row.touched) {
      read.seenBefore = row.sess.lastSeenAt;
      // Handed over as stored, so that the session is not seen as changed: no save.
      row.sess.lastSeenAt = touch.nowMs;
    }
    if (read.account || read.seenBefore !== undefined) prefetched.set(req, { sid, read });
    return row.sess;
  }

  set(sid: string, sess: StoredSession, expire: Date): Promise<void> {
    return this.queries.write(this.db, sid, sess, expire);
  }

  destroy(sid: string): Promise<void> {
    return this.queries.remove(this.db, sid);
  }
  // No touch: express-session's stores UPDATE the row (a commit) on every request that did not
  // change the session. The idle timer is lastSeenAt (moved by the read at most once a minute),
  // and the absolute limit is checked from loginAt.
}

// --- The cookie: express-session's format, `s:` + cookie-signature's sign(sid, secret) ---

const macOf = (sid: string, secret: string | KeyObject) => createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');

/** The session id of a signed `s:<sid>.<mac>` value, undefined when unsigned, forged or empty. */
export function unsignSessionId(raw: string, secret: string | KeyObject): string | undefined {
  if (!raw.startsWith('s:')) return undefined;
  const dot = raw.lastIndexOf('.');
  if (dot <= 2) return undefined;
  const sid = raw.slice(2, dot);
  const given = Buffer.from(raw.slice(dot + 1));
  const expected = Buffer.from(macOf(sid, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? sid : undefined;
}

/** The first `name` cookie of a Cookie header, as the `cookie` package's parse reads it. */
function cookieValue(header: string, name: string): string | undefined {
  if (!header.includes(name)) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/** 24 random bytes, base64url: uid-safe's ids, as express-session made them. */
const newSessionId = () => randomBytes(24).toString('base64url');

// --- The session object ---

interface SessionOptions {
  store: PgSessionStore;
  /** The session secret's bytes, imported once (createHmac would import a string key on every call). */
  secret: KeyObject;
  /** The cookie's lifetime from each save (express-session's maxAge). */
  maxAgeMs: number;
  secure: boolean;
  trustProxy: boolean;
}

const REQUEST = Symbol('request');
const ID = Symbol('id');

/**
 * req.session: the data as its string-keyed properties (so JSON.stringify(session) is the data
 * alone), the request's bookkeeping under symbols (which JSON leaves out), the methods on the prototype.
 */
class SessionObject {
  readonly [REQUEST]: RequestSession;
  readonly [ID]: string;

  constructor(owner: RequestSession, id: string) {
    this[REQUEST] = owner;
    this[ID] = id;
  }

  get id(): string {
    return this[ID];
  }

  regenerate(callback: (err?: unknown) => void): void {
    this[REQUEST].regenerate(this).then(callback, callback);
  }

  destroy(callback: (err?: unknown) => void): void {
    this[REQUEST].destroy(this).then(callback, callback);
  }

  save(callback?: (err?: unknown) => void): void {
    this[REQUEST].save(this).then(callback, callback);
  }
}

/**
 * One request's session, deciding as express-session did (resave false, saveUninitialized
 * false, rolling false): the session is written when its data or id changed since it was read
 * and not since saved, and the cookie is sent when its data or id changed. "Changed" compares
 * JSON.stringify of the data with the one taken when it was read or made.
 */
class RequestSession {
  /** The id and data as read (or made, for a new session). */
  private readonly originalId: string;
  private readonly original: string;
  /** The data last written under originalId in this request (undefined: none). */
  private saved: string | undefined;
  /** When the cookie and row expire, fixed the first time it is needed (express-session's touch). */
  private expiresAt: Date | undefined;
  private maxAgeMs: number;
  private cookieDecided = false;

  constructor(
    private readonly req: Request,
    private readonly res: Response,
    private readonly opts: SessionOptions,
    /** The id the browser sent, signature checked (undefined: none). */
    private readonly cookieId: string | undefined,
    stored: StoredSession | null,
  ) {
    const session = new SessionObject(this, cookieId !== undefined && stored ? cookieId : newSessionId());
    this.maxAgeMs = opts.maxAgeMs;
    if (stored) {
      for (const key in stored) {
        if (key !== 'cookie' && !(key in session)) (session as unknown as Record<string, unknown>)[key] = (stored as Record<string, unknown>)[key];
      }
      // The lifetime it was given (express-session kept it with the row).
      if (typeof stored.cookie?.originalMaxAge === 'number') this.maxAgeMs = stored.cookie.originalMaxAge;
    }
    this.originalId = session.id;
    this.original = JSON.stringify(session);
    // A session read from its row counts as saved as it was; a new one is not saved yet.
    this.saved = stored ? this.original : undefined;
    req.session = session as Session;
    req.sessionID = session.id;
  }

  /** The data or id differs from the one read or made (express-session's isModified). */
  private modified(session: SessionObject, data: string): boolean {
    return session.id !== this.originalId || data !== this.original;
  }

  private expires(): Date {
    return (this.expiresAt ??= new Date(Date.now() + this.maxAgeMs));
  }

  private async write(session: SessionObject, data: string): Promise<void> {
    const expires = this.expires();
    const cookie: StoredCookie = { originalMaxAge: this.maxAgeMs, expires, secure: this.opts.secure, httpOnly: true, path: '/', sameSite: 'lax' };
    if (session.id === this.originalId) this.saved = data;
    await this.opts.store.set(session.id, { ...(session as Partial<SessionData>), cookie }, expires);
  }

  save(session: SessionObject): Promise<void> {
    return this.write(session, JSON.stringify(session));
  }

  async regenerate(session: SessionObject): Promise<void> {
    let failed: unknown;
    try {
      await this.opts.store.destroy(session.id);
    } catch (err) {
      failed = err;
    }
    // As express-session: the new session is made whether the old row went or not.
    const fresh = new SessionObject(this, newSessionId());
    this.maxAgeMs = this.opts.maxAgeMs;
    this.expiresAt = undefined;
    this.req.session = fresh as Session;
    this.req.sessionID = fresh.id;
    if (failed) throw failed;
  }

  async destroy(session: SessionObject): Promise<void> {
    if (this.req.session === (session as Session)) delete (this.req as Partial<Request>).session;
    await this.opts.store.destroy(session.id);
  }

  /** The session still in place (not destroyed). */
  private current(): SessionObject | undefined {
    const session = this.req.session as Session | undefined;
    return session instanceof SessionObject ? session : undefined;
  }

  /** Sets the cookie if the session changed (and the connection may carry it): once, before the headers go. */
  setCookie(data?: string): void {
    if (this.cookieDecided) return;
    this.cookieDecided = true;
    const session = this.current();
    if (!session || !this.modified(session, data ?? JSON.stringify(session))) return;
    if (this.opts.secure && !this.isSecure()) return;
    const value = encodeURIComponent(`s:${session.id}.${macOf(session.id, this.opts.secret)}`);
    const cookie = `${SESSION_COOKIE}=${value}; Path=/; Expires=${this.expires().toUTCString()}; HttpOnly${this.opts.secure ? '; Secure' : ''}; SameSite=Lax`;
    const prev = this.res.getHeader('Set-Cookie');
    this.res.setHeader('Set-Cookie', Array.isArray(prev) ? [...prev, cookie] : prev === undefined ? cookie : [String(prev), cookie]);
  }

  /** express-session's issecure: a TLS socket, or with a trusted proxy its X-Forwarded-Proto. */
  private isSecure(): boolean {
    if ((this.req.socket as Partial<TLSSocket>).encrypted) return true;
    if (!this.opts.trustProxy) return false;
    const proto = this.req.headers['x-forwarded-proto'];
    const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0] ?? '';
    return first.trim().toLowerCase() === 'https';
  }

  /** The write the end of the response waits for, if the session must be saved (undefined: none). */
  commit(): Promise<void> | undefined {
    const session = this.current();
    if (!session) return undefined;
    const data = JSON.stringify(session);
    if (!this.res.headersSent) this.setCookie(data);
    // express-session's shouldSave: a session never saved and not named by the cookie is saved
    // when something was put in it; any other when it differs from what was last saved.
    const save = this.saved === undefined && this.cookieId !== session.id ? this.modified(session, data) : session.id !== this.originalId || this.saved !== data;
    return save ? this.write(session, data) : undefined;
  }
}

/**
 * Holds the response's end until the session is written: the next request (a redirect after the
 * login) always finds it. A failed write goes to the error handler instead of the response.
 */
function commitBeforeEnd(session: RequestSession, res: Response, next: NextFunction): void {
  const end = res.end;
  const writeHead = res.writeHead;
  let ending = false;
  // Headers sent before the end (a streamed file): the cookie goes with them, as express-session's on-headers did.
  res.writeHead = function (this: Response, ...args: unknown[]) {
    session.setCookie();
    return (writeHead as (...a: unknown[]) => Response).apply(this, args);
  } as Response['writeHead'];
  res.end = function (this: Response, ...args: unknown[]) {
    if (ending) return this;
    ending = true;
    const callEnd = () => (end as (...a: unknown[]) => Response).apply(res, args);
    const cookiesBefore = res.getHeader('Set-Cookie');
    const saving = session.commit();
    if (!saving) return callEnd();
    saving.then(callEnd, (err: unknown) => {
      if (res.headersSent) {
        callEnd();
      } else {
        // The error page, without the cookie of a session that was not written.
        res.end = end;
        if (cookiesBefore === undefined) res.removeHeader('Set-Cookie');
        else res.setHeader('Set-Cookie', cookiesBefore);
      }
      next(err);
    });
    return this;
  } as Response['end'];
}

export function sessionMiddleware(deps: AppDeps, queries: SessionQueries, touchOf: (now: Date) => IdleTouch): RequestHandler {
  const maxAgeMs = deps.config.SESSION_ABSOLUTE_HOURS * 3600 * 1000;
  const opts: SessionOptions = {
    store: new PgSessionStore(deps.db, queries, touchOf, deps.clock),
    secret: createSecretKey(Buffer.from(deps.sessionSecret)),
    maxAgeMs,
    secure: deps.config.NODE_ENV === 'production',
    trustProxy: Boolean(deps.config.TRUST_PROXY),
  };
  return (req, res, next) => {
    const raw = req.headers.cookie ? cookieValue(req.headers.cookie, SESSION_COOKIE) : undefined;
    // A forged, unsigned or unknown id is a new visitor: a new id, never the one sent.
    const cookieId = raw ? unsignSessionId(raw, opts.secret) : undefined;
    const start = (stored: StoredSession | null) => {
      commitBeforeEnd(new RequestSession(req, res, opts, cookieId, stored), res, next);
      next();
    };
    if (cookieId === undefined) return start(null);
    opts.store.get(req, cookieId).then(start, next);
  };
}
