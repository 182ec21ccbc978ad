import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { GOOD_PASSWORD, lastLinkTo } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ now: '2026-09-14T08:00:00Z' });
});
afterAll(async () => ctx?.close());

describe('my account', () => {
  it('shows name, email, second factor and recent logins (with failed attempts)', async () => {
    const parent = await createAccount(ctx.deps, { firstName: 'Inès', lastName: 'Moreau' });
    await new Browser(ctx.app).post('/login', { email: parent.email, password: 'Mauvais-2026-x!' });
    const browser = await loginAs(ctx, parent);
    const res = await browser.get('/account');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Inès Moreau');
    expect(res.text).toContain(parent.email);
    expect(res.text).toContain('Dernières connexions');
    expect(res.text).toContain('connexion réussie');
    expect(res.text).toContain('tentative échouée');
    expect(res.text).toContain('14 septembre 2026 à 10:00');
    expect((res.text.match(/<h1/g) ?? []).length).toBe(1);
  });

  it('changes the name, and refuses an empty one without changing anything', async () => {
    const parent = await createAccount(ctx.deps, { firstName: 'Jean' });
    const browser = await loginAs(ctx, parent);
    const bad = await browser.post('/account/name', { first_name: '', last_name: 'Nouveau' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Saisissez votre prénom.');
    expect(bad.text).toContain('value="Nouveau"');
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).first_name).toBe('Jean');
    const ok = await browser.post('/account/name', { first_name: 'Jeanne', last_name: 'Nouveau' });
    expect(ok.status).toBe(303);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).first_name).toBe('Jeanne');
  });

  it('changing the password asks for the current one and ends the other sessions, not this one', async () => {
    const parent = await createAccount(ctx.deps);
    const other = await loginAs(ctx, parent);
    const browser = await loginAs(ctx, parent);
    const hashBefore = (await ctx.db('accounts').where({ id: parent.id }).first()).password_hash;
    const wrong = await browser.post('/account/password', {
      current_password: 'Mauvais-2026-x!',
      password: GOOD_PASSWORD,
      password_confirm: GOOD_PASSWORD,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Le mot de passe actuel est incorrect.');
    const weak = await browser.post('/account/password', {
      current_password: parent.password,
      password: 'azerty',
      password_confirm: 'azerty',
    });
    expect(weak.status).toBe(400);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).password_hash).toBe(hashBefore);
    expect((await other.get('/account')).status).toBe(200);

    const ok = await browser.post('/account/password', {
      current_password: parent.password,
      password: GOOD_PASSWORD,
      password_confirm: GOOD_PASSWORD,
    });
    expect(ok.status).toBe(303);
    expect((await browser.get('/account')).status).toBe(200);
    expect((await other.get('/account')).status).toBe(303);
    await ctx.flushEmails();
    expect(ctx.smtp.to(parent.email).some((m) => m.subject === 'Votre mot de passe a été modifié')).toBe(
      true,
    );
  });

  it('changing the email sends a link to the new address and a notice to the old one; the link switches it', async () => {
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const bad = await browser.post('/account/email', {
      email: 'nouvelle@example.test',
      current_password: 'Mauvais-2026-x!',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="nouvelle@example.test"');
    const same = await browser.post('/account/email', {
      email: parent.email.toUpperCase(),
      current_password: parent.password,
    });
    expect(same.status).toBe(422);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).email).toBe(parent.email);

    const res = await browser.post('/account/email', {
      email: 'nouvelle@example.test',
      current_password: parent.password,
    });
    expect(res.status).toBe(303);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).email).toBe(parent.email); // not yet
    const path = await lastLinkTo(ctx, 'nouvelle@example.test', '/account/email/confirm/');
    expect(ctx.smtp.to(parent.email).some((m) => m.subject.includes('changement de votre adresse'))).toBe(
      true,
    );
    const confirm = await browser.post(path, {}, { from: path });
    expect(confirm.status).toBe(303);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).email).toBe('nouvelle@example.test');
    await ctx.flushEmails();
    expect(
      ctx.smtp.to(parent.email).some((m) => m.subject === 'Votre adresse électronique a été modifiée'),
    ).toBe(true);
    expect((await new Browser(ctx.app).login('nouvelle@example.test', parent.password)).status).toBe(303);
    expect((await new Browser(ctx.app).post(path, {}, { from: '/login' })).status).toBe(410);
  });

  it('asking for an address that belongs to someone else looks the same and changes nothing', async () => {
    const parent = await createAccount(ctx.deps);
    const owner = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    const res = await browser.post('/account/email', {
      email: owner.email,
      current_password: parent.password,
    });
    expect(res.status).toBe(303);
    await ctx.flushEmails();
    expect(ctx.smtp.to(owner.email).some((m) => m.text.includes('/account/email/confirm/'))).toBe(false);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).email).toBe(parent.email);
  });

  it('needs a login', async () => {
    const res = await new Browser(ctx.app).get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount');
  });
});
