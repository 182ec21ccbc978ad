import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';
import { GOOD_PASSWORD, lastLinkTo } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const passwordHashOf = async (id: number) =>
  ((await ctx.db('accounts').where({ id }).first('password_hash')) as { password_hash: string })
    .password_hash;

describe('an emailed link is good only for the address it was sent to', () => {
  it('a reset link sent before the account changed its address is void (the page and the form)', async () => {
    const parent = await createAccount(ctx.deps);
    await new Browser(ctx.app).post('/forgot-password', { email: parent.email });
    const reset = await lastLinkTo(ctx, parent.email, '/reset-password/');
    expect((await new Browser(ctx.app).get(reset)).status).toBe(200); // good until then

    // The owner moves the account to a new address.
    const browser = await loginAs(ctx, parent);
    await browser.post('/account/email', {
      email: 'ailleurs@example.test',
      current_password: parent.password,
    });
    const confirm = await lastLinkTo(ctx, 'ailleurs@example.test', '/account/email/confirm/');
    expect((await browser.post(confirm, {}, { from: confirm })).status).toBe(303);

    const before = await passwordHashOf(parent.id);
    const page = await new Browser(ctx.app).get(reset);
    expect(page.status).toBe(410);
    expect(page.text).toContain('plus valable');
    const posted = await new Browser(ctx.app).post(
      reset,
      { password: GOOD_PASSWORD, password_confirm: GOOD_PASSWORD },
      { from: '/forgot-password' },
    );
    expect(posted.status).toBe(410);
    expect(await passwordHashOf(parent.id)).toBe(before);
  });

  it('an email-change link sent before the address changed another way is void', async () => {
    const parent = await createAccount(ctx.deps);
    const browser = await loginAs(ctx, parent);
    await browser.post('/account/email', {
      email: 'premiere@example.test',
      current_password: parent.password,
    });
    const first = await lastLinkTo(ctx, 'premiere@example.test', '/account/email/confirm/');
    // Meanwhile the town hall corrects the account's address.
    await ctx.db('accounts').where({ id: parent.id }).update({ email: 'corrigee@example.test' });

    const res = await new Browser(ctx.app).post(first, {}, { from: '/login' });
    expect(res.status).toBe(410);
    expect((await ctx.db('accounts').where({ id: parent.id }).first()).email).toBe('corrigee@example.test');
  });

  it('an invitation is void once the staff account has another address; a case change of the same address is not a change', async () => {
    const admin = await createAccount(ctx.deps, { role: 'admin' });
    const browser = await loginAs(ctx, admin);
    const res = await browser.post('/admin/staff/new', {
      first_name: 'Nina',
      last_name: 'Agent',
      email: 'Nina.Agent@example.test',
      role: 'agent',
    });
    expect(res.status).toBe(303);
    const invite = await lastLinkTo(ctx, 'Nina.Agent@example.test', '/set-password/');
    await ctx
      .db('accounts')
      .whereRaw('lower(email) = ?', ['nina.agent@example.test'])
      .update({ email: 'nina.agent@example.test' });
    expect((await new Browser(ctx.app).get(invite)).status).toBe(200);
    await ctx
      .db('accounts')
      .whereRaw('lower(email) = ?', ['nina.agent@example.test'])
      .update({ email: 'n.agent@example.test' });
    expect((await new Browser(ctx.app).get(invite)).status).toBe(410);
  });
});
