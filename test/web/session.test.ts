import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { createAccount, loginAs, createTestContext, type TestContext } from '../support/index.js';

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
