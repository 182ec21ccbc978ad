import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Browser, createAccount, createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  // The clock at today's time: express-rate-limit gives a success its count back only while the
  // window is still open by the system clock (the window itself is counted on ctx.clock).
  ctx = await createTestContext({
    now: new Date().toISOString(),
    env: {
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '5',
      RATE_LIMIT_LOGIN_PER_IP: '30',
      RATE_LIMIT_WINDOW_MINUTES: '15',
    },
  });
});
afterAll(async () => ctx?.close());

/** The hits counted so far under a limiter (e.g. 'login-ip'), once the answers' give-backs have landed. */
const settledHits = async (name: string, expected: number) =>
  vi.waitFor(async () => {
    const rows = (await ctx.db('rate_limits').where('key', 'like', `${name}:%`).select('hits')) as {
      hits: number;
    }[];
    expect(rows.reduce((n, r) => n + Number(r.hits), 0)).toBe(expected);
  });

describe('login limits count failures only', () => {
  it('40 people logging in fine from one address (a town hall computer) are never locked out; failures from it still are', async () => {
    for (let i = 0; i < 40; i++) {
      const account = await createAccount(ctx.deps);
      const res = await new Browser(ctx.app).login(account.email, account.password);
      expect(res.status, `login ${i + 1}`).toBe(303);
    }
    await settledHits('login-ip', 0);

    const statuses: number[] = [];
    for (let i = 0; i < 31; i++)
      statuses.push(
        (
          await new Browser(ctx.app).post('/login', {
            email: `personne${i}@example.test`,
            password: 'Mauvais-2026-x!',
          })
        ).status,
      );
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    await ctx.db('rate_limits').delete();
  });

  it('an account logging in again and again is not locked; wrong passwords on it still are', async () => {
    const account = await createAccount(ctx.deps);
    for (let i = 0; i < 8; i++)
      expect(
        (await new Browser(ctx.app).login(account.email, account.password)).status,
        `login ${i + 1}`,
      ).toBe(303);
    await settledHits('login-account', 0);
    for (let i = 0; i < 5; i++)
      expect(
        (await new Browser(ctx.app).post('/login', { email: account.email, password: `Mauvais-${i}-2026!` }))
          .status,
      ).toBe(401);
    expect((await new Browser(ctx.app).login(account.email, account.password)).status).toBe(429);
    await ctx.db('rate_limits').delete();
  });
});
