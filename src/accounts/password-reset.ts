// A forgotten password, and a password set from an emailed link (reset or staff invitation).
import type { AppDeps } from '../deps.js';
import { withTransaction } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import {
  actorOfAccount,
  createAccountLinks,
  hashUrlToken,
  newUrlToken,
  TOKEN_TTL_MS,
  type TokenKind,
} from './links.js';
import type { PasswordHasher } from './passwords.js';
import { passwordProblem } from './password-policy.js';
import * as repo from './repository.js';

export function createPasswordResetService(deps: AppDeps, hasher: PasswordHasher) {
  const { db, clock, audit } = deps;
  const { email, peekToken } = createAccountLinks(deps);

  return {
    /**
     * Emails a reset link to the address when it has an account, and otherwise a notice that none
     * uses it (as sign-up does for a known address). The answer must not tell which, by its words
     * or its time: either way the same statements run (the token is made, or not, by the lookup's
     * own statement), one email is written and the request audited.
     */
    async forgotPassword(address: string): Promise<void> {
      const raw = newUrlToken();
      const now = clock.now();
      const token = {
        token_hash: hashUrlToken(raw),
        created_at: now,
        expires_at: new Date(now.getTime() + TOKEN_TTL_MS.password_reset),
      };
      await withTransaction(db, async (tx) => {
        const found = await repo.findAccountWithNewResetToken(tx, address, token);
        const account = found && !found.disabled_at ? found : null;
        if (account) {
          await email(
            tx,
            account.email,
            'accounts.password_reset',
            'reset',
            {},
            { path: `/reset-password/${raw}` },
          );
        } else {
          await email(
            tx,
            address.trim(),
            'accounts.password_reset_unknown',
            'resetUnknown',
            {},
            { path: '/signup' },
          );
        }
        await audit.record(
          tx,
          { accountId: null },
          'account.password_reset_requested',
          account ? { type: 'account', id: account.id } : null,
        );
      });
    },

    /**
     * Sets the password from an emailed link (reset or staff invitation): single use, ends every
     * other session of the account, proves the address, and tells the owner. False: link unusable.
     */
    async setPasswordFromToken(
      kinds: TokenKind[],
      raw: string,
      password: string,
      keepSid?: string,
    ): Promise<boolean> {
      const peek = await peekToken(kinds, raw);
      if (!peek) return false;
      const problem = passwordProblem(password, peek.account.email);
      if (problem) throw new FormError('password', problem);
      const passwordHash = await hasher.hash(password);
      return withTransaction(db, async (tx) => {
        const now = clock.now();
        const token = await repo.findUsableTokenForUpdate(tx, kinds, hashUrlToken(raw), now);
        if (!token || token.account_id !== peek.account.id) return false;
        await repo.markTokenUsed(tx, token.id, now);
        await repo.retireTokens(tx, token.account_id, ['password_reset', 'staff_invite'], now);
        await repo.updateAccount(tx, token.account_id, {
          password_hash: passwordHash,
          password_changed_at: now,
          email_verified_at: peek.account.email_verified_at ?? now,
        });
        await repo.deleteSessionsOf(tx, token.account_id, keepSid);
        await email(tx, peek.account.email, 'accounts.password_changed', 'passwordChanged');
        const action = token.kind === 'staff_invite' ? 'account.password_set' : 'account.password_reset';
        await audit.record(tx, actorOfAccount(peek.account), action, {
          type: 'account',
          id: token.account_id,
        });
        return true;
      });
    },
  };
}
