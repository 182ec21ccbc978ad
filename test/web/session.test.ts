import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { createDeps } from '../../src/compose.js';
import * as sessionsMigration from '../../migrations/20261207130000_accounts_sessions_passport.js';
import { Browser, createAccount, loginAs, createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const sessionCookie = (res: supertest.Response) =>
  ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('pf.sid='));
const sidOf = (browser: Browser) =>
  decodeURIComponent(
    browser.agent.jar.getCookie('pf.sid', { domain: '127.0.0.1', path: '/', secure: false, script: false })!
      .value,
  )
    .replace(/^s:/, '')
    .replace(/\.[^.]+$/, '');
const rowOf = (sid: string) =>
  ctx.db('sessions').where({ sid }).first() as Promise<
    { sess: Record<string, unknown>; expire: Date } | undefined
  >;
/** The cookie as express-session signs it: `s:<sid>.<HMAC-SHA256, base64 without padding>`, URL-encoded. */
const signedCookie = (sid: string, secret = ctx.config.SESSION_SECRET!) =>
  `pf.sid=${encodeURIComponent(`s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`)}`;

describe('sessions (express-session on the sessions table)', () => {
  it('a logged-in page that changes nothing writes nothing and sends no cookie; the idle timer is written at most once a minute', async () => {
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    const sid = sidOf(browser);
    await browser.agent.get('/account'); // the first page after the login may still take its flash
    const before = await rowOf(sid);
    ctx.clock.advance(30_000);
    const again = await browser.agent.get('/account');
    expect(again.status).toBe(200);
    expect(sessionCookie(again)).toBeUndefined();
    expect(await rowOf(sid)).toEqual(before);

    ctx.clock.advance(60_000);
    const later = await browser.agent.get('/account');
    expect(later.status).toBe(200);
    expect((await rowOf(sid))!.sess.lastSeenAt).toBe(ctx.clock.now().getTime());
  });

  it('a cookie signed with another secret is a visitor', async () => {
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    const cookie = browser.agent.jar.getCookie('pf.sid', {
      domain: '127.0.0.1',
      path: '/',
      secure: false,
      script: false,
    })!;
    expect((await supertest(ctx.app).get('/account').set('Cookie', `pf.sid=${cookie.value}`)).status).toBe(
      200,
    );
    const forged = await supertest(ctx.app)
      .get('/account')
      .set('Cookie', signedCookie(sidOf(browser), 'another-secret-another-secret-another-1'));
    expect(forged.status).toBe(303);
    expect(forged.headers.location).toMatch(/^\/login/);
  });

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
    expect((await rowOf(loggedIn))!.sess).toMatchObject({ passport: { user: account.id } });
    const out = await browser.post('/logout', {}, { from: '/account' });
    expect(out.status).toBe(303);
    expect(await rowOf(loggedIn)).toBeUndefined();
    expect((out.headers['set-cookie'] as unknown as string[]).filter((c) => c.startsWith('pf.sid='))).toEqual(
      ['pf.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'],
    );
    expect((await browser.agent.get('/account')).status).toBe(303);
  });

  it('in production, the cookie is Secure and sent over HTTPS only (X-Forwarded-Proto from a trusted proxy)', async () => {
    const app = createApp(
      createDeps({ ...ctx.deps, config: { ...ctx.deps.config, NODE_ENV: 'production', TRUST_PROXY: '1' } }),
    );
    try {
      const plain = await supertest(app).get('/login');
      expect(plain.status).toBe(200);
      expect(sessionCookie(plain)).toBeUndefined();
      const https = await supertest(app).get('/login').set('X-Forwarded-Proto', 'https');
      expect(sessionCookie(https)).toMatch(
        /^pf\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/,
      );
    } finally {
      await app.close();
    }
  });
});

describe('visitors', () => {
  const sessionCount = async () =>
    Number(((await ctx.db('sessions').count({ n: '*' })) as [{ n: string }])[0].n);

  it('reading pages without a form stores no session and sends no cookie (200 requests, 0 rows)', async () => {
    const before = await sessionCount();
    const pages = ['/', '/mentions-legales', '/donnees-personnelles', '/accessibilite', '/healthz'];
    for (let i = 0; i < 200; i++) {
      const res = await supertest(ctx.app).get(pages[i % pages.length]!);
      expect(res.status).toBe(200);
      expect(sessionCookie(res)).toBeUndefined();
    }
    expect(await sessionCount()).toBe(before);
  });

  it('a page with a form stores the session its CSRF token lives in, and the form posts with it (not without)', async () => {
    const account = await createAccount(ctx.deps);
    const before = await sessionCount();
    const browser = new Browser(ctx.app);
    const page = await browser.get('/login');
    expect(sessionCookie(page)).toBeDefined();
    expect(await sessionCount()).toBe(before + 1);
    expect((await rowOf(sidOf(browser)))!.sess.csrfToken).toBe(browser.token);
    const refused = await browser.post(
      '/login',
      { email: account.email, password: account.password },
      { csrf: null },
    );
    expect(refused.status).toBe(403);
    const res = await browser.post(
      '/login',
      { email: account.email, password: account.password },
      { csrf: browser.token },
    );
    expect(res.status).toBe(303);
    expect((await browser.get('/account')).status).toBe(200);
  });
});

describe('sessions across the deploy', () => {
  it('a session logged in before (our own store: accountId, role, the idle timer in its column) stays logged in', async () => {
    const account = await createAccount(ctx.deps, { role: 'agent' });
    const now = ctx.clock.now().getTime();
    const sid = 'Mx3s2Qb5n8Kq0uYv7WcJd1Tz4Lh6Ra9E';
    const expires = new Date(Date.now() + 3600_000);
    await sessionsMigration.down(ctx.db);
    try {
      // As the old store wrote it: express-session's format, the idle timer moved in its column.
      const sess = {
        cookie: {
          originalMaxAge: 3600_000,
          expires: expires.toISOString(),
          secure: false,
          httpOnly: true,
          path: '/',
          sameSite: 'lax',
        },
        accountId: account.id,
        role: 'agent',
        loginAt: now - 3 * 3600_000,
        lastSeenAt: now - 3 * 3600_000,
        csrfToken: 'a'.repeat(64),
      };
      await ctx
        .db('sessions')
        .insert({ sid, sess: JSON.stringify(sess), expire: expires, last_seen_ms: now - 60 * 60_000 });
    } finally {
      await sessionsMigration.up(ctx.db);
    }
    // Staff idle limit (2 h) judged on the column's time (1 h ago), not the stale one in the JSON (3 h).
    const page = await supertest(ctx.app).get('/account').set('Cookie', signedCookie(sid));
    expect(page.status).toBe(200);
    expect((await rowOf(sid))!.sess).toMatchObject({
      passport: { user: account.id },
      lastSeenAt: now,
      csrfToken: 'a'.repeat(64),
    });
    expect((await rowOf(sid))!.sess).not.toHaveProperty('accountId');
  });
});
