import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createAccount, createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  // The production cost of a hash, so that it weighs in a login as it does there.
  ctx = await createTestContext({ env: { ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '2' } });
});
afterAll(async () => ctx?.close());

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};

/**
 * How much longer posting `form` to `path` takes for an unknown address than for a known one: the
 * median, over rounds, of the ratio of the two times in a round (the two back to back, each first
 * every other round, from a fresh browser each time, after a round to warm up), so that the load
 * of the machine weighs on both alike.
 */
async function unknownOverKnown(
  path: string,
  known: string,
  unknown: string,
  rounds: number,
  form: (email: string) => Record<string, string>,
) {
  const ratios: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const ms: Record<string, number> = {};
    for (const email of round % 2 ? [unknown, known] : [known, unknown]) {
      const browser = new Browser(ctx.app);
      await browser.get(path);
      const start = performance.now();
      const res = await browser.post(path, form(email), { csrf: browser.token });
      ms[email] = performance.now() - start;
      expect(res.status).toBeLessThan(500);
    }
    if (round > 0) ratios.push(ms[unknown]! / ms[known]!);
  }
  return median(ratios);
}

describe('timing does not tell whether an address has an account', () => {
  it('a wrong password takes as long for an unknown address as for a known one (the same argon2 check)', async () => {
    const parent = await createAccount(ctx.deps);
    const ratio = await unknownOverKnown(
      '/login',
      parent.email,
      'personne-ici@example.test',
      20,
      (email) => ({ email, password: 'Pas-le-bon-2026!' }),
    );
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.33);
  });

  it('asking for a new password takes as long for an unknown address as for a known one', async () => {
    const parent = await createAccount(ctx.deps);
    const ratio = await unknownOverKnown(
      '/forgot-password',
      parent.email,
      'personne-la@example.test',
      60,
      (email) => ({ email }),
    );
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.33);
  });
});
