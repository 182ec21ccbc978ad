import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createAccount, loginAs, createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

/** Posts a stale form (a wrong token) from `referer`: the "form expired" page, and where its way back leads. */
async function staleFormFrom(browser: Browser, referer: string, host?: string) {
  let req = browser.agent.post('/account/name').set('Referer', referer);
  if (host) req = req.set('Host', host);
  const res = await req
    .type('form')
    .send(new URLSearchParams({ _csrf: 'not-the-token', first_name: 'X', last_name: 'Y' }).toString());
  expect(res.status).toBe(403);
  const $ = cheerio.load(res.text);
  const back = $('main a.button');
  expect(back.text()).toContain('Revenir au formulaire');
  return back.attr('href');
}

describe('ways back to a form come from this site only', () => {
  it('the "form expired" page links back to the page the form was on, when that page is one of ours', async () => {
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    expect(await staleFormFrom(browser, 'http://portail.test/account/name?from=menu')).toBe(
      '/account/name?from=menu',
    );
    expect(await staleFormFrom(browser, 'http://portail-bis.test/account/name', 'portail-bis.test')).toBe(
      '/account/name',
    );
  });

  it('never to another site, whatever the Referer says', async () => {
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    for (const referer of [
      'http://evil.test//evil.test/x',
      'http://portail.test//evil.test/x',
      'http://portail.test/\\evil.test/x',
      'http://portail.test:8443/account/name',
      'http://evil.test/account/name',
      'https://portail.test/account/name',
      'javascript:alert(1)',
      '//evil.test/x',
      'pas une adresse',
    ]) {
      expect(await staleFormFrom(browser, referer), referer).toBe('/');
    }
    expect((await ctx.db('accounts').where({ first_name: 'X' })).length).toBe(0);
  });

  it('after a timed-out session, the login page comes back to our own page only', async () => {
    const browser = await loginAs(ctx, await createAccount(ctx.deps));
    await browser.get('/account/name');
    ctx.clock.advance(45 * 60_000);
    const post = (referer: string) =>
      browser.agent
        .post('/account/name')
        .set('Referer', referer)
        .type('form')
        .send(new URLSearchParams({ _csrf: browser.token, first_name: 'X', last_name: 'Y' }).toString());
    expect((await post('http://portail.test//evil.test/x')).headers.location).toBe('/login?next=%2F');
    expect((await post('http://evil.test/account/name')).headers.location).toBe('/login?next=%2F');
    expect((await post('http://portail.test/account/name')).headers.location).toBe(
      '/login?next=%2Faccount%2Fname',
    );
  });

  it('the login form\'s "next" is a path of this site, never one a browser would read as another host', async () => {
    const account = await createAccount(ctx.deps);
    for (const next of [
      '//evil.test/x',
      '/\\evil.test/x',
      '/\t/evil.test/x',
      '/\n/evil.test',
      'https://evil.test/',
      '/%0d%0aSet-Cookie:x',
    ]) {
      const res = await new Browser(ctx.app).post('/login', {
        email: account.email,
        password: account.password,
        next,
      });
      expect(res.status, next).toBe(303);
      expect(['/', '/%0d%0aSet-Cookie:x'], next).toContain(res.headers.location);
    }
    const page = await new Browser(ctx.app).get('/login?next=%2F%09%2Fevil.test');
    expect(cheerio.load(page.text)('input[name="next"]').attr('value')).toBe('');
    await ctx.db('rate_limits').delete();
  });
});
