export * from './context.js';
export * from './http.js';
export * from './factories.js';
export * from './smtp.js';

import type { TestContext } from './context.js';
import type { TestAccount } from './factories.js';
import { Browser } from './http.js';

/** A browser logged in as the account (with its second factor when it has one). */
export async function loginAs(ctx: TestContext, account: TestAccount): Promise<Browser> {
  // Tests log the same staff in several times within one 30-second step, where a person would
  // wait for the next code: forget the last step used (the replay rule has its own tests).
  if (account.totpSecret)
    await ctx.db('accounts').where({ email: account.email }).update({ totp_last_step: null });
  const browser = new Browser(ctx.app);
  const res = await browser.login(account.email, account.password, account.totpSecret);
  if (res.status !== 303) throw new Error(`login failed for ${account.email}: ${res.status}`);
  return browser;
}
