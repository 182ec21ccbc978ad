// Small helpers for the accounts tests: the path of the link in the last email to an address.
import { linkIn, type TestContext } from '../support/index.js';

const BASE = 'http://portail.test';

export async function lastLinkTo(ctx: TestContext, email: string, prefix: string): Promise<string> {
  await ctx.flushEmails();
  const mails = ctx.smtp.to(email);
  const mail = mails[mails.length - 1];
  if (!mail) throw new Error(`no email to ${email}`);
  return linkIn(mail.text, `${BASE}${prefix}`).slice(BASE.length);
}

export const GOOD_PASSWORD = 'Soleil-Levant-2026!';
