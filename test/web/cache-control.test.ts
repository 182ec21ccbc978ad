import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import {
  Browser,
  createAccount,
  createFamily,
  loginAs,
  createTestContext,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

describe('Cache-Control', () => {
  it('every response of a logged-in session is no-store: pages, error pages, redirects', async () => {
    const { parent } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
    const browser = await loginAs(ctx, parent);
    for (const path of ['/', '/account', '/household', '/invoices', '/nulle-part', '/login']) {
      const res = await browser.agent.get(path);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
  });

  it('a page with a form is no-store for a visitor too; public pages without one may be kept', async () => {
    for (const path of ['/login', '/signup', '/forgot-password']) {
      const res = await supertest(ctx.app).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
    const staff = await createAccount(ctx.deps, { role: 'agent' });
    const pending = new Browser(ctx.app);
    await pending.post('/login', { email: staff.email, password: staff.password }, { from: '/login' });
    expect((await pending.agent.get('/login/code')).headers['cache-control']).toBe('no-store');
    for (const path of ['/', '/mentions-legales'])
      expect((await supertest(ctx.app).get(path)).headers['cache-control'], path).toBeUndefined();
  });

  it('static assets keep their own caching, logged in or not', async () => {
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    const css = await browser.agent.get('/css/main.css');
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
  });
});
