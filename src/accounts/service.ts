// Account rules: who may log in, and the second factor.
import { authenticator } from 'otplib';
import type { AppDeps } from '../deps.js';
import { createPasswordHasher, DUMMY_HASH, type PasswordHasher } from './passwords.js';
import { findAccountByEmail, findAccountById, touchLastLogin, type AccountRow } from './repository.js';
import { isStaff } from '../web/auth.js';

export type LoginOutcome =
  | { kind: 'ok'; account: AccountRow; needsSecondFactor: boolean; needsSecondFactorSetup: boolean }
  | { kind: 'invalid' }
  | { kind: 'unverified'; account: AccountRow };

// A 30-second step, one step of drift either way.
authenticator.options = { window: 1 };

export function createAccountsService(deps: AppDeps, hasher: PasswordHasher = createPasswordHasher(deps.config)) {
  return {
    hasher,

    /** Checks email and password. The same work is done whether or not the account exists. */
    async checkPassword(email: string, password: string): Promise<LoginOutcome> {
      const account = await findAccountByEmail(deps.db, email);
      const ok = await hasher.verify(account?.password_hash ?? DUMMY_HASH, password);
      if (!account || !ok || account.disabled_at || !account.password_hash) return { kind: 'invalid' };
      if (!account.email_verified_at) return { kind: 'unverified', account };
      const staff = isStaff(account.role);
      const enabled = Boolean(account.totp_enabled_at && account.totp_secret);
      return {
        kind: 'ok',
        account,
        needsSecondFactor: enabled,
        needsSecondFactorSetup: staff && !enabled,
      };
    },

    verifyTotp(secret: string, code: string): boolean {
      const clean = code.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(clean)) return false;
      try {
        return authenticator.verify({ token: clean, secret });
      } catch {
        return false;
      }
    },

    async findById(id: number) {
      return findAccountById(deps.db, id);
    },

    async recordLogin(account: AccountRow) {
      await deps.db.transaction(async (tx) => {
        await touchLastLogin(tx, account.id, deps.clock.now());
        await deps.audit.record(tx, { accountId: account.id, role: account.role }, 'auth.login', { type: 'account', id: account.id });
      });
    },

    async recordFailure(email: string, accountId: number | null, reason: string) {
      await deps.audit.record(deps.db, { accountId: null }, 'auth.login_failed', accountId ? { type: 'account', id: accountId } : null, {
        reason,
        // Only a hint of which address was tried, never the password.
        emailDomain: email.split('@')[1]?.slice(0, 100) ?? null,
      });
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
