import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';

const START = '2026-09-14T08:00:00Z';
let ctx: TestContext;
beforeAll(async () => {
  // The limits themselves are tested here: small ones.
  ctx = await createTestContext({
    now: START,
    env: { RATE_LIMIT_LOGIN_PER_ACCOUNT: '3', RATE_LIMIT_LOGIN_PER_IP: '8', RATE_LIMIT_WINDOW_MINUTES: '15' },
  });
});
afterAll(async () => ctx?.close());

const auditCount = async (action: string, accountId?: number) => {
  const q = ctx.db('audit_events').where({ action });
  if (accountId) q.where({ subject_type: 'account', subject_id: String(accountId) });
  const r = await q.count({ n: '*' }).first();
  return Number(r!.n);
};

describe('log in and out', () => {
  it('a wrong password says only that the email or password is wrong, and is audited without the password', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps);
    const wrong = await new Browser(ctx.app).post('/login', {
      email: parent.email,
      password: 'Pas-le-bon-2026!',
    });
    const unknown = await new Browser(ctx.app).post('/login', {
      email: 'personne@example.test',
      password: 'Pas-le-bon-2026!',
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.text).toContain('ou le mot de passe est incorrect');
      expect(res.text).not.toContain('Pas-le-bon-2026!');
    }
    const events = await ctx.db('audit_events').where({ action: 'auth.login_failed' });
    expect(events.some((e) => e.subject_id === String(parent.id))).toBe(true);
    expect(JSON.stringify(events)).not.toContain('Pas-le-bon');
    await ctx.db('rate_limits').delete();
  });

  it('regenerates the session id at login, returns to a local "next" only, and destroys the session at logout', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps);
    const browser = new Browser(ctx.app);
    await browser.get('/login');
    const before = (await ctx.db('sessions').select('sid')).map((s) => s.sid);
    const res = await browser.post(
      '/login',
      { email: parent.email, password: parent.password, next: '/account' },
      { from: '/login?next=/account' },
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account');
    const mine = await ctx.db('sessions').whereRaw("sess->'passport'->>'user' = ?", [String(parent.id)]);
    expect(mine).toHaveLength(1);
    expect(before).not.toContain(mine[0].sid);
    expect(await auditCount('auth.login', parent.id)).toBe(1);

    const evil = await new Browser(ctx.app).post('/login', {
      email: parent.email,
      password: parent.password,
      next: '//evil.example/x',
    });
    expect(evil.headers.location).toBe('/');
    const evil2 = await new Browser(ctx.app).post('/login', {
      email: parent.email,
      password: parent.password,
      next: 'https://evil.example/',
    });
    expect(evil2.headers.location).toBe('/');

    await browser.post('/logout', {}, { from: '/account' });
    expect(await ctx.db('sessions').where({ sid: mine[0].sid })).toHaveLength(0);
    expect(await auditCount('auth.logout', parent.id)).toBe(1);
    await ctx.db('rate_limits').delete();
  });

  it('bad input on the login form re-renders it with the error and the email kept', async () => {
    const res = await new Browser(ctx.app).post('/login', { email: 'quelquun@example.test', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('href="#password"');
    expect(res.text).toContain('value="quelquun@example.test"');
    await ctx.db('rate_limits').delete();
  });
});

describe('brute force', () => {
  it('blocks an account after the limit (even with the right password), says when to retry in French, audits the lockout, and lets in after the window', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps);
    for (let i = 0; i < 3; i++) {
      const res = await new Browser(ctx.app).post('/login', {
        email: parent.email,
        password: `Mauvais-${i}-2026!`,
      });
      expect(res.status).toBe(401);
    }
    const blocked = await new Browser(ctx.app).post('/login', {
      email: parent.email.toUpperCase(),
      password: parent.password,
    });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Trop de tentatives');
    // 08:00 UTC is 10:00 in Paris; the window ends 15 minutes after the first attempt.
    expect(blocked.text).toContain('réessayer à 10h15, dans 15 minutes');
    expect(blocked.headers['retry-after']).toBe('900');
    expect(await auditCount('auth.lockout', parent.id)).toBe(1);
    // The row stores no address in clear.
    const keys = (await ctx.db('rate_limits').pluck('key')) as string[];
    expect(keys.join(' ')).not.toContain(parent.email);

    ctx.clock.advance(10 * 60_000);
    const still = await new Browser(ctx.app).post('/login', {
      email: parent.email,
      password: parent.password,
    });
    expect(still.status).toBe(429);
    expect(still.text).toContain('dans 5 minutes');
    expect(await auditCount('auth.lockout', parent.id)).toBe(1); // once per window

    ctx.clock.advance(5 * 60_000 + 1000);
    const ok = await new Browser(ctx.app).post('/login', { email: parent.email, password: parent.password });
    expect(ok.status).toBe(303);
    await ctx.db('rate_limits').delete();
  });

  it('a successful login clears the account counter', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++)
        expect(
          (await new Browser(ctx.app).post('/login', { email: parent.email, password: 'Mauvais-2026-x!' }))
            .status,
        ).toBe(401);
      expect((await new Browser(ctx.app).login(parent.email, parent.password)).status).toBe(303);
    }
    await ctx.db('rate_limits').delete();
  });

  it('limits attempts per IP address across accounts', async () => {
    ctx.clock.set(START);
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++)
      statuses.push(
        (
          await new Browser(ctx.app).post('/login', {
            email: `x${i}@example.test`,
            password: 'Mauvais-2026-x!',
          })
        ).status,
      );
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses[8]).toBe(429);
    expect(await auditCount('auth.lockout')).toBeGreaterThan(0);
    await ctx.db('rate_limits').delete();
  });

  it('the counters are shared by several app instances (they live in PostgreSQL)', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps);
    const other = ctx.newApp();
    for (const app of [ctx.app, other, ctx.app])
      expect(
        (await new Browser(app).post('/login', { email: parent.email, password: 'Mauvais-2026-x!' })).status,
      ).toBe(401);
    expect(
      (await new Browser(other).post('/login', { email: parent.email, password: parent.password })).status,
    ).toBe(429);
    await ctx.db('rate_limits').delete();
  });

  it('limits password reset requests and sign-ups per address too', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps);
    const forgot: number[] = [];
    for (let i = 0; i < 4; i++)
      forgot.push((await new Browser(ctx.app).post('/forgot-password', { email: parent.email })).status);
    expect(forgot).toEqual([303, 303, 303, 429]);
    const signup: number[] = [];
    for (let i = 0; i < 4; i++)
      signup.push(
        (await new Browser(ctx.app).post('/signup/resend', { email: 'quelquun@example.test' })).status,
      );
    expect(signup).toEqual([303, 303, 303, 429]);
    await ctx.db('rate_limits').delete();
  });
});

describe('session timeouts (fixed clock)', () => {
  it('a parent idle for more than 30 minutes is logged out; activity keeps the session alive', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    ctx.clock.advance(25 * 60_000);
    expect((await browser.get('/account')).status).toBe(200);
    ctx.clock.advance(25 * 60_000);
    expect((await browser.get('/account')).status).toBe(200);
    ctx.clock.advance(31 * 60_000);
    const res = await browser.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount');
    const login = await browser.get('/login?next=%2Faccount');
    expect(login.text).toContain('Votre session a expiré');
    await ctx.db('rate_limits').delete();
  });

  it('staff stay logged in for 2 idle hours, and never more than 12 hours in all', async () => {
    ctx.clock.set(START);
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const browser = await loginAs(ctx, agent);
    ctx.clock.advance(110 * 60_000);
    expect((await browser.get('/account')).status).toBe(200);
    ctx.clock.advance(121 * 60_000);
    expect((await browser.get('/account')).status).toBe(303);

    ctx.clock.set(START);
    const busy = await loginAs(ctx, agent);
    for (let h = 0; h < 11; h++) {
      ctx.clock.advance(60 * 60_000);
      expect((await busy.get('/account')).status, `after ${h + 1} h`).toBe(200);
    }
    ctx.clock.advance(61 * 60_000);
    expect((await busy.get('/account')).status).toBe(303);
    await ctx.db('rate_limits').delete();
  });

  it('a form posted after the session expired is not lost silently: log in again and come back to the form', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps, { firstName: 'Avant' });
    const browser = await loginAs(ctx, parent);
    await browser.get('/account/name');
    const token = browser.token;
    ctx.clock.advance(45 * 60_000);
    const res = await browser.agent
      .post('/account/name')
      .set('Referer', 'http://portail.test/account/name')
      .type('form')
      .send(new URLSearchParams({ _csrf: token, first_name: 'Après', last_name: 'Testeur' }).toString());
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount%2Fname');
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).first_name).toBe('Avant');
    const login = await browser.get(res.headers.location!);
    expect(login.text).toContain('Votre session a expiré et votre formulaire n&#39;a pas été enregistré');
    expect(login.text).toContain('name="next" value="/account/name"');
    const back = await browser.post(
      '/login',
      { email: parent.email, password: parent.password, next: '/account/name' },
      { csrf: browser.token },
    );
    expect(back.headers.location).toBe('/account/name');
  });

  it('a form posted after the session row itself is gone gets the "form expired" page with a way back', async () => {
    ctx.clock.set(START);
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    await browser.get('/account/name');
    await ctx
      .db('sessions')
      .whereRaw("sess->'passport'->>'user' = ?", [String(parent.id)])
      .delete();
    const res = await browser.agent
      .post('/account/name')
      .set('Referer', 'http://portail.test/account/name')
      .type('form')
      .send(new URLSearchParams({ _csrf: browser.token, first_name: 'X', last_name: 'Y' }).toString());
    expect(res.status).toBe(403);
    expect(res.text).toContain('Rien n&#39;a été enregistré');
    expect(res.text).toContain('href="/account/name"');
  });
});
