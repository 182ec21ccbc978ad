import { createHmac } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { sessionQueries } from '../../src/accounts/repository.js';
import type { AppDeps } from '../../src/deps.js';
import { idleTouchOf } from '../../src/web/auth.js';
import { sessionMiddleware, type SessionQueries } from '../../src/web/session.js';
import { Browser, createAccount, loginAs, createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const sessionCookie = (res: supertest.Response) => ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('pf.sid='));

const csrfOf = async (agent: supertest.Agent) => /name="_csrf" value="([^"]+)"/.exec((await agent.get('/account')).text)?.[1] ?? '';
const lastSeenOf = async (sid: string) => {
  const row = (await ctx.db('sessions').where({ sid }).first('last_seen_ms')) as { last_seen_ms: string };
  return Number(row.last_seen_ms);
};
/** Logged out (no account left in the session), its idle timer where it was. */
const expectLoggedOutUnmoved = async (sid: string, seen: number) => {
  const row = (await ctx.db('sessions').where({ sid }).first('sess')) as { sess: { accountId?: number } };
  expect(row.sess.accountId).toBeUndefined();
  expect(await lastSeenOf(sid)).toBe(seen);
};
/** A freshly logged-in parent, one page seen: its browser, session id and idle timer. */
const parentWithPageSeen = async () => {
  const browser = await loginAs(ctx, await createAccount(ctx.deps));
  await browser.agent.get('/account');
  const sid = sidOf(browser);
  return { browser, sid, seen: await lastSeenOf(sid) };
};
const sidOf = (browser: { agent: supertest.Agent }) =>
  decodeURIComponent(browser.agent.jar.getCookie('pf.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })!.value).replace(/^s:/, '').replace(/\.[^.]+$/, '');

describe('idle timer', () => {
  it('is moved by the session read itself, at most once a minute: no save, no cookie sent again', async () => {
    const { browser, sid, seen } = await parentWithPageSeen();
    ctx.clock.advance(30_000);
    expect((await browser.agent.get('/account')).status).toBe(200);
    expect(await lastSeenOf(sid)).toBe(seen); // within the minute: nothing written
    ctx.clock.advance(2 * 60_000);
    const later = await browser.agent.get('/account');
    expect(later.status).toBe(200);
    expect(sessionCookie(later)).toBeUndefined();
    expect(await lastSeenOf(sid)).toBe(ctx.clock.now().getTime());
  });

  it('is not moved for a session already idle too long: the person is logged out', async () => {
    const { browser, sid, seen } = await parentWithPageSeen();
    ctx.clock.advance((ctx.deps.config.PARENT_IDLE_MINUTES + 1) * 60_000);
    const res = await browser.agent.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount');
    await expectLoggedOutUnmoved(sid, seen);
  });

  it('is not moved past the absolute limit, however active the person was', async () => {
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const browser = await loginAs(ctx, agent);
    const sid = sidOf(browser);
    for (let h = 0; h < ctx.deps.config.SESSION_ABSOLUTE_HOURS - 1; h++) {
      ctx.clock.advance(60 * 60_000);
      expect((await browser.agent.get('/account')).status).toBe(200);
    }
    const seen = await lastSeenOf(sid);
    ctx.clock.advance(61 * 60_000 + 60 * 60_000);
    expect((await browser.agent.get('/account')).status).toBe(303);
    await expectLoggedOutUnmoved(sid, seen);
  });
});

describe('session cookie', () => {
  it('is sent when the session starts and changes, not on requests that leave it as it was', async () => {
    const account = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, account);
    // The first page after the login may still write the session (its flash, the idle timer);
    // the next ones change nothing in it: no cookie to sign and send.
    expect((await browser.agent.get('/account')).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const again = await browser.agent.get('/account');
      expect(again.status).toBe(200);
      expect(sessionCookie(again)).toBeUndefined();
    }
    // A change to the session (here the flash after saving a form) sends it again, with its attributes.
    const saved = await browser.agent.post('/account/name').type('form').send({ _csrf: await csrfOf(browser.agent), first_name: 'Léa', last_name: 'Martin' });
    expect(saved.status).toBe(303);
    expect(sessionCookie(saved)).toMatch(/^pf\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
  });

  it('is signed with the session secret: a cookie signed with another one is a visitor', async () => {
    const account = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, account);
    const cookie = browser.agent.jar.getCookie('pf.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })!;
    const ok = await supertest(ctx.app).get('/account').set('Cookie', `pf.sid=${cookie.value}`);
    expect(ok.status).toBe(200);
    const forged = cookie.value.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const refused = await supertest(ctx.app).get('/account').set('Cookie', `pf.sid=${forged}`);
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toMatch(/^\/login/);
  });
});

// --- The middleware itself (src/web/session.ts), on a small app of its own: what it saves and
// when, what cookie it sends, as express-session did (resave, saveUninitialized and rolling off).

/** The cookie as express-session signed it: `s:<sid>.<HMAC-SHA256, base64 without padding>`, URL-encoded. */
const signedCookie = (sid: string, secret = ctx.config.SESSION_SECRET!) =>
  `pf.sid=${encodeURIComponent(`s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`)}`;
const sidSent = (res: supertest.Response) => {
  const cookie = sessionCookie(res);
  return cookie && decodeURIComponent(/^pf\.sid=([^;]*)/.exec(cookie)![1]!).replace(/^s:/, '').replace(/\.[^.]+$/, '');
};
const rowOf = (sid: string) => ctx.db('sessions').where({ sid }).first() as Promise<{ sess: Record<string, unknown> & { cookie: Record<string, unknown> }; expire: Date } | undefined>;
const sessionCount = async () => Number(((await ctx.db('sessions').count({ n: '*' })) as [{ n: string }])[0].n);

/** A bare app with the session middleware: a few routes that read, change, save or end the session. */
function sessionApp(opts: { writeDelayMs?: number; failWrites?: boolean; deps?: AppDeps } = {}) {
  const deps = opts.deps ?? ctx.deps;
  const queries: SessionQueries = {
    ...sessionQueries,
    write: async (db, sid, sess, expire) => {
      // A slow write: the response must still wait for it.
      if (opts.writeDelayMs) await new Promise((r) => setTimeout(r, opts.writeDelayMs));
      if (opts.failWrites) throw new Error('write failed');
      return sessionQueries.write(db, sid, sess, expire);
    },
  };
  const app = express();
  app.use(sessionMiddleware(deps, queries, idleTouchOf(deps.config)));
  app.get('/nothing', (req, res) => res.json({ sid: req.sessionID, pending: req.session.pendingReturnTo ?? null }));
  app.get('/put', (req, res) => {
    req.session.pendingReturnTo = String(req.query.v ?? 'x');
    res.redirect(303, '/nothing');
  });
  app.get('/stream', (req, res) => {
    req.session.pendingReturnTo = 'streamed';
    res.write('a');
    res.end('b');
  });
  app.get('/regenerate', async (req, res) => {
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    req.session.pendingReturnTo = 'after';
    res.json({ sid: req.sessionID });
  });
  app.get('/destroy', async (req, res) => {
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.send('gone');
  });
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    void _next;
    res.status(500).send(`error: ${err.message}`);
  });
  return app;
}

describe('session middleware', () => {
  it('saves a new session, and sends its cookie, only once something was put in it', async () => {
    const app = sessionApp();
    const before = await sessionCount();
    const empty = await supertest(app).get('/nothing');
    expect(empty.status).toBe(200);
    expect(sessionCookie(empty)).toBeUndefined();
    expect(await sessionCount()).toBe(before);

    const put = await supertest(app).get('/put?v=one');
    expect(sessionCookie(put)).toMatch(/^pf\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const row = await rowOf(sidSent(put)!);
    expect(row!.sess.pendingReturnTo).toBe('one');
    // express-session's cookie kept in the row: a rollback still reads it.
    expect(row!.sess.cookie).toMatchObject({ originalMaxAge: ctx.config.SESSION_ABSOLUTE_HOURS * 3600_000, httpOnly: true, path: '/', sameSite: 'lax', secure: false });
    expect(new Date(row!.sess.cookie.expires as string).getTime()).toBe(row!.expire.getTime());
  });

  it('writes nothing and sends no cookie for a request that leaves the session as it was', async () => {
    const app = sessionApp();
    const sid = sidSent(await supertest(app).get('/put?v=kept'))!;
    const before = await rowOf(sid);
    const again = await supertest(app).get('/nothing').set('Cookie', signedCookie(sid));
    expect(again.body).toEqual({ sid, pending: 'kept' });
    expect(sessionCookie(again)).toBeUndefined();
    expect(await rowOf(sid)).toEqual(before); // expire would have moved with a write
  });

  it('has written a changed session before the response is sent: the redirect that follows reads it', async () => {
    const agent = supertest.agent(sessionApp({ writeDelayMs: 100 }));
    const followed = await agent.get('/put?v=slow').redirects(1);
    expect(followed.body.pending).toBe('slow');
    // A change to an existing session: written, and its cookie sent again.
    const changed = await agent.get('/put?v=slower');
    expect(sidSent(changed)).toBe(followed.body.sid);
    expect((await agent.get('/nothing')).body).toEqual({ sid: followed.body.sid, pending: 'slower' });
  });

  it('sends the cookie with the headers of a streamed response', async () => {
    const res = await supertest(sessionApp()).get('/stream');
    expect(res.text).toBe('ab');
    expect((await rowOf(sidSent(res)!))!.sess.pendingReturnTo).toBe('streamed');
  });

  it('passes a failed write to the error handler, without a cookie for the session not written', async () => {
    const res = await supertest(sessionApp({ failWrites: true })).get('/put');
    expect(res.status).toBe(500);
    expect(res.text).toBe('error: write failed');
    expect(sessionCookie(res)).toBeUndefined();
  });

  it('takes a tampered, unsigned or unknown cookie for a new visitor, without error, and never reuses its id', async () => {
    const app = sessionApp();
    const sid = sidSent(await supertest(app).get('/put?v=victim'))!;
    const before = await rowOf(sid);
    const real = signedCookie(sid);
    const variants = [
      real.replace(/.(%|$)/, (m) => (m.startsWith('A') ? 'B' : 'A') + m.slice(1)), // the signature's last character changed
      signedCookie(sid.slice(1) + 'x').replace(/^pf\.sid=s%3A[^.]+/, `pf.sid=s%3A${sid}`), // another id's signature
      `pf.sid=${sid}`, // unsigned
      `pf.sid=s%3A${sid}`, // no signature
      signedCookie('no-such-session'),
      signedCookie(sid, 'another-secret-another-secret-another'),
      'pf.sid=%E0%A4%A', // not even URL-encoded correctly
    ];
    for (const cookie of variants) {
      const read = await supertest(app).get('/nothing').set('Cookie', cookie);
      expect(read.status, cookie).toBe(200);
      expect(read.body.pending, cookie).toBeNull();
      expect(read.body.sid, cookie).not.toBe(sid);
      const put = await supertest(app).get('/put').set('Cookie', cookie);
      expect(sidSent(put), cookie).not.toBe(sid);
    }
    expect(await rowOf(sid)).toEqual(before);
    // Among other cookies, quoted, with spaces: as the `cookie` package reads them.
    const among = await supertest(app).get('/nothing').set('Cookie', `a=1;  pf.sid="${real.slice('pf.sid='.length)}" ; b=2`);
    expect(among.body).toEqual({ sid, pending: 'victim' });
  });

  it('regenerates: a new id, saved and sent, the old row removed', async () => {
    const app = sessionApp();
    const old = sidSent(await supertest(app).get('/put?v=old'))!;
    const res = await supertest(app).get('/regenerate').set('Cookie', signedCookie(old));
    expect(res.body.sid).not.toBe(old);
    expect(sidSent(res)).toBe(res.body.sid);
    expect(await rowOf(old)).toBeUndefined();
    expect((await rowOf(res.body.sid))!.sess).toMatchObject({ pendingReturnTo: 'after' });
  });

  it('destroys: the row removed, no cookie sent for it', async () => {
    const app = sessionApp();
    const sid = sidSent(await supertest(app).get('/put'))!;
    const res = await supertest(app).get('/destroy').set('Cookie', signedCookie(sid));
    expect(res.text).toBe('gone');
    expect(sessionCookie(res)).toBeUndefined();
    expect(await rowOf(sid)).toBeUndefined();
  });

  it('in production, sends the Secure cookie over HTTPS only (X-Forwarded-Proto from a trusted proxy)', async () => {
    const app = sessionApp({ deps: { ...ctx.deps, config: { ...ctx.deps.config, NODE_ENV: 'production', TRUST_PROXY: '1' } } });
    const plain = await supertest(app).get('/put?v=plain');
    expect(sessionCookie(plain)).toBeUndefined();
    const https = await supertest(app).get('/put?v=https').set('X-Forwarded-Proto', 'https');
    expect(sessionCookie(https)).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
    expect((await rowOf(sidSent(https)!))!.sess.cookie).toMatchObject({ secure: true });
  });
});

/** Session queries whose reads are recorded (the ids each asked for), the first held 100 ms: requests that arrive meanwhile queue behind it. */
function heldFirstRead() {
  const calls: string[][] = [];
  const queries: SessionQueries = {
    ...sessionQueries,
    read: async (db, asked, now, touch) => {
      calls.push(asked);
      if (calls.length === 1) await new Promise((r) => setTimeout(r, 100));
      return sessionQueries.read(db, asked, now, touch);
    },
  };
  return { calls, queries };
}

/** `app` on a port of its own for the time of `use` (real concurrent connections). */
async function listening<T>(app: express.Express, use: (base: string) => Promise<T>): Promise<T> {
  const server = app.listen(0);
  try {
    return await use(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  } finally {
    server.close();
  }
}

describe('session reads under load', () => {
  it('gathers the reads of concurrent requests into one statement, each request its own session', async () => {
    const app = sessionApp();
    const sids: string[] = [];
    for (let i = 0; i < 12; i++) sids.push(sidSent(await supertest(app).get(`/put?v=n${i}`))!);
    const { calls, queries } = heldFirstRead();
    const counted = express();
    counted.use(sessionMiddleware(ctx.deps, queries, idleTouchOf(ctx.deps.config)));
    counted.get('/nothing', (req, res) => res.json({ sid: req.sessionID, pending: req.session.pendingReturnTo ?? null }));
    await listening(counted, async (base) => {
      const answers = await Promise.all(
        sids.map(async (sid) => (await fetch(`${base}/nothing`, { headers: { cookie: signedCookie(sid) } })).json() as Promise<{ sid: string; pending: string }>),
      );
      expect(answers).toEqual(sids.map((sid, i) => ({ sid, pending: `n${i}` })));
      expect(calls.flat().sort()).toEqual([...sids].sort());
      expect(calls.length).toBeLessThan(sids.length);
      expect(Math.max(...calls.map((c) => c.length))).toBeGreaterThan(1);
    });
  });

  it('gives two requests with the same cookie in one batch each their own copy of the session', async () => {
    // The first read held: the three requests below arrive while it is at work, and are read together.
    const { calls, queries } = heldFirstRead();
    const both = express();
    both.use(sessionMiddleware(ctx.deps, queries, idleTouchOf(ctx.deps.config)));
    type Listed = { flash?: unknown[] };
    both.get('/start', (req, res) => {
      (req.session as Listed).flash = ['first'];
      res.json({});
    });
    // A nested value one request changes in place, and the others read after a pause.
    both.get('/change', (req, res) => {
      (req.session as Listed).flash!.push('pushed');
      res.json({});
    });
    both.get('/read', async (req, res) => {
      await new Promise((r) => setTimeout(r, 50));
      res.json({ flash: (req.session as Listed).flash });
    });
    const sid = sidSent(await supertest(both).get('/start'))!;
    await listening(both, async (base) => {
      const get = async (path: string) => (await fetch(`${base}${path}`, { headers: { cookie: signedCookie(sid) } })).json();
      const held = get('/read');
      await new Promise((r) => setTimeout(r, 20));
      const [, first, second] = await Promise.all([get('/change'), get('/read'), get('/read')]);
      expect(calls).toEqual([[sid], [sid]]); // the held read, then one statement for the three
      expect(await held).toEqual({ flash: ['first'] });
      expect(first).toEqual({ flash: ['first'] });
      expect(second).toEqual({ flash: ['first'] });
    });
  });
});

describe('sessions across the deploy', () => {
  it("keeps a session express-session wrote, and its cookie's lifetime", async () => {
    const account = await createAccount(ctx.deps);
    const now = ctx.clock.now().getTime();
    const sid = 'Mx3s2Qb5n8Kq0uYv7WcJd1Tz4Lh6Ra9E';
    const maxAge = 2 * 3600_000;
    const expires = new Date(Date.now() + maxAge);
    // As express-session saved it: the data, then its Cookie's toJSON.
    const sess = { cookie: { originalMaxAge: maxAge, expires: expires.toISOString(), secure: false, httpOnly: true, path: '/', sameSite: 'lax' }, accountId: account.id, role: 'parent', loginAt: now, lastSeenAt: now, csrfToken: 'a'.repeat(64) };
    await ctx.db('sessions').insert({ sid, sess: JSON.stringify(sess), expire: expires, last_seen_ms: now });
    const page = await supertest(ctx.app).get('/account').set('Cookie', signedCookie(sid));
    expect(page.status).toBe(200);
    expect(sessionCookie(page)).toBeUndefined();
    // A change: saved with the lifetime it was given, in the same format.
    const saved = await supertest(ctx.app).post('/account/name').set('Cookie', signedCookie(sid)).type('form').send({ _csrf: 'a'.repeat(64), first_name: 'Léa', last_name: 'Martin' });
    expect(saved.status).toBe(303);
    expect(sidSent(saved)).toBe(sid);
    const row = (await rowOf(sid))!;
    expect(Object.keys(row.sess.cookie as object).sort()).toEqual(Object.keys(sess.cookie).sort());
    expect(row.expire.getTime() - Date.now()).toBeGreaterThan(maxAge - 60_000);
    expect(row.expire.getTime() - Date.now()).toBeLessThanOrEqual(maxAge);
    expect(new Date(/Expires=([^;]+)/.exec(sessionCookie(saved)!)![1]!).getTime()).toBe(Math.floor(row.expire.getTime() / 1000) * 1000);
  });
});

describe('login and logout', () => {
  it("login removes the visitor's session row; logout removes the logged-in one and clears the cookie", async () => {
    const account = await createAccount(ctx.deps);
    const browser = new Browser(ctx.app);
    await browser.get('/login');
    const visitor = sidOf(browser);
    expect(await rowOf(visitor)).toBeDefined();
    await browser.login(account.email, account.password);
    const loggedIn = sidOf(browser);
    expect(loggedIn).not.toBe(visitor);
    expect(await rowOf(visitor)).toBeUndefined();
    const out = await browser.post('/logout', {}, { from: '/account' });
    expect(out.status).toBe(303);
    expect(await rowOf(loggedIn)).toBeUndefined();
    expect((out.headers['set-cookie'] as unknown as string[]).filter((c) => c.startsWith('pf.sid='))).toEqual(['pf.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect((await browser.agent.get('/account')).status).toBe(303);
  });
});
