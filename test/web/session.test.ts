import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { createAccount, loginAs, createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const sessionCookie = (res: supertest.Response) => ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('pf.sid='));

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
    // Over a minute later the idle timer is written: the session is saved and its cookie sent again.
    ctx.clock.advance(2 * 60_000);
    const later = await browser.agent.get('/account');
    expect(later.status).toBe(200);
    expect(sessionCookie(later)).toMatch(/^pf\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
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
