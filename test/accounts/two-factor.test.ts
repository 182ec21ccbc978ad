import { authenticator } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Browser,
  createAccount,
  createTestContext,
  loginAs,
  TEST_TOTP_SECRET,
  type TestContext,
} from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

const secretIn = (html: string) => html.match(/class="totp-secret">([A-Z2-7 ]+)</)![1]!.replace(/ /g, '');
const codesIn = (html: string) =>
  [...html.matchAll(/<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);

describe('second factor', () => {
  it('is required for staff: set up at first login with a QR code, a wrong code refused, then recovery codes shown once', async () => {
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    await ctx.db('accounts').where({ id: agent.id }).update({ totp_secret: null, totp_enabled_at: null });
    const browser = new Browser(ctx.app);
    const login = await browser.post(
      '/login',
      { email: agent.email, password: agent.password },
      { from: '/login' },
    );
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/login/setup-2fa');
    // Not logged in yet.
    expect((await browser.get('/admin')).status).toBe(303);

    const page = await browser.get('/login/setup-2fa');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<img class="qr-code" src="data:image\/png;base64,/);
    const secret = secretIn(page.text);

    const wrong = await browser.post('/login/setup-2fa', { code: '000000' }, { from: '/login/setup-2fa' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Ce code est incorrect');
    expect((await ctx.db('accounts').where({ id: agent.id }).first()).totp_enabled_at).toBeNull();
    expect(secretIn(wrong.text)).toBe(secret); // the same secret until it is proved

    const ok = await browser.post(
      '/login/setup-2fa',
      { code: authenticator.generate(secret) },
      { from: '/login/setup-2fa' },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/account/recovery-codes');
    const codesPage = await browser.get('/account/recovery-codes');
    const codes = codesIn(codesPage.text);
    expect(codes).toHaveLength(10);
    expect(codesPage.headers['cache-control']).toBe('no-store');
    expect((await browser.get('/account/recovery-codes')).status).toBe(302); // shown once
    const row = await ctx.db('accounts').where({ id: agent.id }).first();
    expect(row.totp_secret).toBe(secret);
    const stored = await ctx.db('recovery_codes').where({ account_id: agent.id });
    expect(stored).toHaveLength(10);
    expect(stored.map((s) => s.code_hash).join()).not.toContain(codes[0]!.replace('-', ''));
    expect((await browser.get('/admin')).status).toBe(200);

    // A recovery code works once, then never again.
    const first = new Browser(ctx.app);
    await first.post('/login', { email: agent.email, password: agent.password }, { from: '/login' });
    const viaCode = await first.post(
      '/login/code',
      { code: codes[3]!.toLowerCase() },
      { from: '/login/code' },
    );
    expect(viaCode.status).toBe(303);
    const again = new Browser(ctx.app);
    await again.post('/login', { email: agent.email, password: agent.password }, { from: '/login' });
    const reused = await again.post('/login/code', { code: codes[3]! }, { from: '/login/code' });
    expect(reused.status).toBe(401);
    expect(reused.text).toContain('Ce code est incorrect');
    expect(
      await ctx.db('recovery_codes').where({ account_id: agent.id }).whereNotNull('used_at'),
    ).toHaveLength(1);
    expect(
      await ctx.db('audit_events').where({ action: 'auth.recovery_code_used', subject_id: String(agent.id) }),
    ).toHaveLength(1);
  });

  it('a wrong TOTP code is refused and audited; the right one logs in', async () => {
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const browser = new Browser(ctx.app);
    const res = await browser.post(
      '/login',
      { email: agent.email, password: agent.password },
      { from: '/login' },
    );
    expect(res.headers.location).toBe('/login/code');
    const good = authenticator.generate(TEST_TOTP_SECRET);
    const bad = good === '123456' ? '654321' : '123456';
    const wrong = await browser.post('/login/code', { code: bad }, { from: '/login/code' });
    expect(wrong.status).toBe(401);
    expect(
      await ctx.db('audit_events').where({ action: 'auth.login_failed', subject_id: String(agent.id) }),
    ).toHaveLength(1);
    const empty = await browser.post('/login/code', { code: '' }, { from: '/login/code' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Saisissez le code de sécurité.');
    const ok = await browser.post('/login/code', { code: good }, { from: '/login/code' });
    expect(ok.status).toBe(303);
    expect((await browser.get('/admin')).status).toBe(200);
  });

  it('a TOTP code that logged in once is refused the second time, and of two logins racing with one code only one gets in', async () => {
    const agent = await createAccount(ctx.deps, { role: 'agent' });
    const passwordStep = async () => {
      const browser = new Browser(ctx.app);
      const res = await browser.post(
        '/login',
        { email: agent.email, password: agent.password },
        { from: '/login' },
      );
      expect(res.headers.location).toBe('/login/code');
      await browser.get('/login/code');
      return browser;
    };
    const code = authenticator.generate(TEST_TOTP_SECRET);
    const first = await passwordStep();
    expect((await first.post('/login/code', { code }, { from: '/login/code' })).status).toBe(303);
    const failuresBefore = await ctx
      .db('audit_events')
      .where({ action: 'auth.login_failed', subject_id: String(agent.id) });

    const replay = await passwordStep();
    const refused = await replay.post('/login/code', { code }, { from: '/login/code' });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('Ce code est incorrect');
    expect((await replay.get('/admin')).status).toBe(303);
    expect(
      await ctx.db('audit_events').where({ action: 'auth.login_failed', subject_id: String(agent.id) }),
    ).toHaveLength(failuresBefore.length + 1);

    // A code the next step will give is accepted once (one step of drift allowed), then refused too.
    const racer = await createAccount(ctx.deps, { role: 'agent', email: `racer-${agent.id}@example.test` });
    const next = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(TEST_TOTP_SECRET);
    const browsers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const b = new Browser(ctx.app);
        await b.post('/login', { email: racer.email, password: racer.password }, { from: '/login' });
        await b.get('/login/code');
        return b;
      }),
    );
    const answers = await Promise.all(
      browsers.map((b) => b.post('/login/code', { code: next }, { csrf: b.token })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([303, 401, 401, 401, 401, 401]);
  });

  it('/login/code without a password step goes back to the login page', async () => {
    expect((await new Browser(ctx.app).get('/login/code')).status).toBe(302);
  });

  it('is optional for parents: they turn it on from their account, and off with their password', async () => {
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const page = await browser.get('/account/two-factor');
    expect(page.status).toBe(200);
    const secret = secretIn(page.text);
    const wrong = await browser.post('/account/two-factor', { code: '12' }, { from: '/account/two-factor' });
    expect(wrong.status).toBe(422);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).totp_enabled_at).toBeNull();
    const ok = await browser.post(
      '/account/two-factor',
      { code: authenticator.generate(secret) },
      { from: '/account/two-factor' },
    );
    expect(ok.headers.location).toBe('/account/recovery-codes');
    expect(codesIn((await browser.get('/account/recovery-codes')).text)).toHaveLength(10);

    // Next login asks for the code.
    const next = await new Browser(ctx.app).post(
      '/login',
      { email: parent.email, password: parent.password },
      { from: '/login' },
    );
    expect(next.headers.location).toBe('/login/code');

    const badOff = await browser.post(
      '/account/two-factor/disable',
      { current_password: 'Mauvais-2026-x!' },
      { from: '/account/two-factor' },
    );
    expect(badOff.status).toBe(422);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).totp_enabled_at).not.toBeNull();
    const off = await browser.post(
      '/account/two-factor/disable',
      { current_password: parent.password },
      { from: '/account/two-factor' },
    );
    expect(off.status).toBe(303);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).totp_secret).toBeNull();
    expect(await ctx.db('recovery_codes').where({ account_id: parent.id })).toHaveLength(0);
  });

  it('staff cannot turn it off', async () => {
    const agent = await createAccount(ctx.deps, { role: 'manager' });
    const browser = await loginAs(ctx, agent);
    const page = await browser.get('/account/two-factor');
    expect(page.text).not.toContain('action="/account/two-factor/disable"');
    const res = await browser.post(
      '/account/two-factor/disable',
      { current_password: agent.password },
      { from: '/account/two-factor' },
    );
    expect(res.status).toBe(422);
    expect((await ctx.db('accounts').where({ id: agent.id }).first()).totp_enabled_at).not.toBeNull();
  });
});
