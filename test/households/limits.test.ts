// The lost-code form cannot be used to flood the staff queue: a per-IP limit, then the 429 page.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Browser, createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({
    env: { RATE_LIMIT_LOGIN_PER_ACCOUNT: '2', RATE_LIMIT_WINDOW_MINUTES: '15' },
  });
});
afterAll(async () => ctx?.close());

it('lost-code requests are limited per IP, and allowed again after the window', async () => {
  const browser = new Browser(ctx.app);
  const form = {
    family_number: 'SE-999998',
    proof: 'postcode',
    postcode: '49999',
    contact_email: 'b@example.test',
  };
  const count = async () =>
    Number((await ctx.db('requests').where({ type: 'lost_activation_code' }).count({ n: '*' }))[0]!.n);
  const before = await count();
  expect((await browser.post('/activate/lost-code', form)).status).toBe(303);
  expect((await browser.post('/activate/lost-code', form)).status).toBe(303);
  const limited = await browser.post('/activate/lost-code', form);
  expect(limited.status).toBe(429);
  expect(limited.text).toContain('Trop de tentatives');
  expect(await count()).toBe(before + 2);
  ctx.clock.advance(16 * 60_000);
  expect((await browser.post('/activate/lost-code', form)).status).toBe(303);
});
