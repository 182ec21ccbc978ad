import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { GOOD_PASSWORD, lastLinkTo } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

describe('forgotten password', () => {
  it('always gives the same answer, and emails a link only when the account exists (otherwise a notice that none uses the address)', async () => {
    const parent = await createAccount(ctx.deps);
    const known = await new Browser(ctx.app).post('/forgot-password', { email: parent.email });
    const unknown = await new Browser(ctx.app).post('/forgot-password', {
      email: 'inconnu-reset@example.test',
    });
    expect(known.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(known.headers.location).toBe(unknown.headers.location);
    await ctx.flushEmails();
    const notice = ctx.smtp.to('inconnu-reset@example.test');
    expect(notice).toHaveLength(1);
    expect(notice[0]!.text).toContain("aucun espace actif n'utilise cette adresse");
    expect(notice[0]!.text).not.toContain('/reset-password/');
    expect(
      await ctx.db('account_tokens').where({ kind: 'password_reset' }).whereNotIn('account_id', [parent.id]),
    ).toHaveLength(0);
    const mail = ctx.smtp.to(parent.email)[0]!;
    expect(mail.text).toContain('/reset-password/');
    expect(mail.text).toContain('valable une heure');
  });

  it('the link resets the password once, ends every other session, emails a notice; used twice it is refused', async () => {
    const parent = await createAccount(ctx.deps);
    const elsewhere = await loginAs(ctx, parent); // a session on another device
    expect((await elsewhere.get('/account')).status).toBe(200);

    await new Browser(ctx.app).post('/forgot-password', { email: parent.email });
    const path = await lastLinkTo(ctx, parent.email, '/reset-password/');
    const tokenRow = await ctx
      .db('account_tokens')
      .where({ account_id: parent.id, kind: 'password_reset' })
      .first();
    expect(tokenRow.token_hash).not.toContain(path.split('/').pop());
    expect(new Date(tokenRow.expires_at).getTime() - ctx.clock.now().getTime()).toBe(3600_000);

    const browser = new Browser(ctx.app);
    const page = await browser.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Au moins 12 caractères');
    const res = await browser.post(
      path,
      { password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD },
      { from: path },
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');

    expect((await elsewhere.get('/account')).status).toBe(303); // logged out
    expect(
      await ctx.db('sessions').whereRaw("sess->'passport'->>'user' = ?", [String(parent.id)]),
    ).toHaveLength(0);
    expect((await new Browser(ctx.app).login(parent.email, parent.password)).status).toBe(401);
    expect((await new Browser(ctx.app).login(parent.email, GOOD_PASSWORD)).status).toBe(303);

    await ctx.flushEmails();
    expect(ctx.smtp.to(parent.email).some((m) => m.subject === 'Votre mot de passe a été modifié')).toBe(
      true,
    );
    expect(
      await ctx.db('audit_events').where({ action: 'account.password_reset', subject_id: String(parent.id) }),
    ).toHaveLength(1);

    const second = await new Browser(ctx.app).post(
      path,
      { password: 'Encore-Autre-2026!', password_confirm: 'Encore-Autre-2026!' },
      { from: '/forgot-password' },
    );
    expect(second.status).toBe(410);
    expect(second.text).toContain('plus valable');
    expect((await new Browser(ctx.app).login(parent.email, GOOD_PASSWORD)).status).toBe(303);
  });

  it('a link older than one hour is refused', async () => {
    const parent = await createAccount(ctx.deps);
    await new Browser(ctx.app).post('/forgot-password', { email: parent.email });
    const path = await lastLinkTo(ctx, parent.email, '/reset-password/');
    ctx.clock.advance(3600_000 + 1000);
    try {
      expect((await new Browser(ctx.app).get(path)).status).toBe(410);
      const res = await new Browser(ctx.app).post(
        path,
        { password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD },
        { from: '/forgot-password' },
      );
      expect(res.status).toBe(410);
      expect((await new Browser(ctx.app).login(parent.email, parent.password)).status).toBe(303);
    } finally {
      ctx.clock.set('2026-09-14T08:00:00Z');
    }
  });

  it('a weak or mismatched new password re-renders the form and changes nothing (the link still works)', async () => {
    const parent = await createAccount(ctx.deps);
    await new Browser(ctx.app).post('/forgot-password', { email: parent.email });
    const path = await lastLinkTo(ctx, parent.email, '/reset-password/');
    const hashBefore = (await ctx.db('accounts').where({ id: parent.id }).first()).password_hash;
    const browser = new Browser(ctx.app);
    const weak = await browser.post(
      path,
      { password: 'motdepasse', password_confirm: 'motdepasse' },
      { from: path },
    );
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('href="#password"');
    const local = parent.email.split('@')[0]!;
    const withEmail = await browser.post(
      path,
      { password: `${local}-Secret-1!`, password_confirm: `${local}-Secret-1!` },
      { from: path },
    );
    expect(withEmail.status).toBe(422);
    expect(withEmail.text).toContain('ne doit pas contenir votre adresse');
    const mismatch = await browser.post(
      path,
      { password: GOOD_PASSWORD, password_confirm: 'Autre-Chose-2026!' },
      { from: path },
    );
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain('href="#password_confirm"');
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).password_hash).toBe(hashBefore);
    expect(
      (await ctx.db('account_tokens').where({ account_id: parent.id, kind: 'password_reset' }).first())
        .used_at,
    ).toBeNull();
    const bad = await new Browser(ctx.app).post('/forgot-password', { email: 'pas une adresse' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('href="#email"');
  });

  it('a malformed token is a clear "link no longer valid" page', async () => {
    expect((await new Browser(ctx.app).get('/reset-password/abc')).status).toBe(410);
  });
});
