// Login checks: the password (the same work whether or not the account exists), and the audit
// events of a login, a failure and a lockout. The second step is in second-factor.ts.
import type { AppDeps } from '../deps.js';
import { isStaff } from '../web/auth.js';
import { actorOfAccount } from './links.js';
import type { PasswordHasher } from './passwords.js';
import * as repo from './repository.js';
import type { AccountRow } from './repository.js';

export type LoginOutcome =
  | { kind: 'ok'; account: AccountRow; needsSecondFactor: boolean; needsSecondFactorSetup: boolean }
  | { kind: 'invalid'; accountId: number | null }
  | { kind: 'unverified'; account: AccountRow };

export function createLoginService(deps: AppDeps, hasher: PasswordHasher) {
  const { db, clock, audit } = deps;

  return {
    /** Checks email and password. The same work is done whether or not the account exists. */
    async checkPassword(emailAddress: string, password: string): Promise<LoginOutcome> {
      const account = await repo.findAccountByEmail(db, emailAddress);
      const ok = await hasher.verify(account?.password_hash, password);
      if (!account || !ok || account.disabled_at || !account.password_hash)
        return { kind: 'invalid', accountId: account?.id ?? null };
      if (!account.email_verified_at) return { kind: 'unverified', account };
      const enabled = Boolean(account.totp_enabled_at && account.totp_secret);
      return {
        kind: 'ok',
        account,
        needsSecondFactor: enabled,
        needsSecondFactorSetup: isStaff(account.role) && !enabled,
      };
    },

    findById: (id: number) => repo.findAccountById(db, id),
    findByEmail: (address: string) => repo.findAccountByEmail(db, address),

    async recordLogin(account: AccountRow, via: 'password' | 'totp' | 'recovery' = 'password') {
      await db.transaction(async (tx) => {
        await repo.touchLastLogin(tx, account.id, clock.now());
        await audit.record(
          tx,
          actorOfAccount(account),
          'auth.login',
          { type: 'account', id: account.id },
          { via },
        );
      });
    },

    async recordFailure(emailAddress: string, accountId: number | null, reason: string) {
      await audit.record(
        db,
        { accountId: null },
        'auth.login_failed',
        accountId ? { type: 'account', id: accountId } : null,
        {
          reason,
          // Only a hint of which address was tried, never the password.
          emailDomain: emailAddress.split('@')[1]?.slice(0, 100) ?? null,
        },
      );
    },

    async recordLockout(scope: string, emailAddress: string | null) {
      const account = emailAddress ? await repo.findAccountByEmail(db, emailAddress) : undefined;
      await audit.record(
        db,
        { accountId: null },
        'auth.lockout',
        account ? { type: 'account', id: account.id } : null,
        { scope },
      );
    },
  };
}
