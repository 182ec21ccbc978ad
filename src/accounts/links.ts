// What the accounts services share: the one-time links they email (sign-up, reset, staff
// invitation, email change) and the emails themselves. Emails are written to the outbox in the
// transaction of the change; a link's token is stored hashed.
import { createHash, randomBytes } from 'node:crypto';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import type { Queryable } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { tFr } from '../web/i18n.js';
import type { Role } from '../web/types.js';
import * as repo from './repository.js';

export type TokenKind = 'verify_email' | 'password_reset' | 'staff_invite' | 'email_change';

export const HOUR = 3600_000;
export const TOKEN_TTL_MS: Record<TokenKind, number> = {
  verify_email: 24 * HOUR,
  password_reset: 1 * HOUR,
  staff_invite: 72 * HOUR,
  email_change: 24 * HOUR,
};

/** URL tokens: 32 random bytes; only their sha256 is stored. */
export const newUrlToken = () => randomBytes(32).toString('base64url');
export const hashUrlToken = (raw: string) => createHash('sha256').update(raw).digest('hex');

export const actorOfAccount = (a: { id: number; role: Role }): Actor => ({ accountId: a.id, role: a.role });

export function createAccountLinks(deps: AppDeps) {
  const { db, clock, outbox, config } = deps;
  const link = (path: string) => `${config.baseUrl}${path}`;
  const townName = async () => (await getTown(db))?.name ?? tFr('site.name');

  async function email(
    q: Queryable,
    to: string,
    kind: string,
    key: string,
    params: Record<string, unknown> = {},
    action?: { path: string },
  ) {
    const town = await townName();
    const paragraphs = tFr(`accounts.emails.${key}.paragraphs`, {
      returnObjects: true,
      town,
      ...params,
    }) as unknown as string[];
    await outbox.enqueue(q, {
      to,
      kind,
      content: {
        townName: town,
        subject: tFr(`accounts.emails.${key}.subject`, { town, ...params }),
        paragraphs,
        action: action ? { label: tFr(`accounts.emails.${key}.action`), url: link(action.path) } : undefined,
      },
    });
  }

  /** A new link for the account (its unused ones of the kind retired), bound to the address it has now. */
  async function issueToken(
    q: Queryable,
    account: { id: number; email: string },
    kind: TokenKind,
    data: Record<string, unknown> = {},
  ): Promise<string> {
    const raw = newUrlToken();
    const now = clock.now();
    await repo.retireTokens(q, account.id, [kind], now);
    await repo.insertToken(q, {
      account_id: account.id,
      account_email: account.email,
      kind,
      token_hash: hashUrlToken(raw),
      data,
      created_at: now,
      expires_at: new Date(now.getTime() + TOKEN_TTL_MS[kind]),
    });
    return raw;
  }

  /** The token's account when the link is still usable (for the page that asks to confirm). */
  async function peekToken(kinds: TokenKind[], raw: string) {
    const token = await repo.findUsableToken(db, kinds, hashUrlToken(raw), clock.now());
    if (!token) return null;
    const account = await repo.findAccountById(db, token.account_id);
    if (!account || account.disabled_at) return null;
    return { token, account };
  }

  return { townName, email, issueToken, peekToken };
}
