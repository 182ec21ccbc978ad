// Sign-up and email verification, and the daily purge of what sign-ups leave behind (expired
// links, addresses never confirmed).
import type { AppDeps } from '../deps.js';
import { isUniqueViolation, withTransaction, type Queryable } from '../platform/db.js';
import { actorOfAccount, createAccountLinks, hashUrlToken, HOUR } from './links.js';
import type { PasswordHasher } from './passwords.js';
import * as repo from './repository.js';
import type { AccountRow } from './repository.js';

export function createSignupService(deps: AppDeps, hasher: PasswordHasher) {
  const { db, clock, audit } = deps;
  const { email, issueToken } = createAccountLinks(deps);

  async function sendVerification(q: Queryable, account: { id: number; email: string }) {
    const raw = await issueToken(q, account, 'verify_email');
    await email(q, account.email, 'accounts.verify', 'verify', {}, { path: `/verify-email/${raw}` });
  }

  return {
    /** Same outcome whether or not the address is known: a new account, or an email to the owner. */
    async signup(input: {
      firstName: string;
      lastName: string;
      email: string;
      password: string;
    }): Promise<void> {
      const passwordHash = await hasher.hash(input.password); // always, so that timing does not tell
      try {
        await withTransaction(db, async (tx) => {
          const existing = await repo.findAccountByEmail(tx, input.email);
          if (existing) {
            if (!existing.email_verified_at && !existing.disabled_at && existing.password_hash)
              await sendVerification(tx, existing);
            else
              await email(
                tx,
                existing.email,
                'accounts.signup_existing',
                'signupExisting',
                {},
                { path: '/login' },
              );
            await audit.record(tx, { accountId: null }, 'account.signup_existing', {
              type: 'account',
              id: existing.id,
            });
            return;
          }
          const now = clock.now();
          const id = await repo.insertAccount(tx, {
            email: input.email,
            password_hash: passwordHash,
            first_name: input.firstName,
            last_name: input.lastName,
            role: 'parent',
            created_at: now,
            email_verified_at: null,
            personal_data_notice_accepted_at: now,
          });
          await repo.updateAccount(tx, id, { password_changed_at: now });
          await sendVerification(tx, { id, email: input.email.trim() });
          await audit.record(tx, { accountId: id, role: 'parent' }, 'account.signup', {
            type: 'account',
            id,
          });
        });
      } catch (err) {
        // Two sign-ups with the same address at the same instant: the second is the duplicate case.
        if (!isUniqueViolation(err)) throw err;
      }
    },

    async resendVerification(address: string): Promise<void> {
      await withTransaction(db, async (tx) => {
        const account = await repo.findAccountByEmail(tx, address);
        if (!account || account.email_verified_at || account.disabled_at || !account.password_hash) return;
        await sendVerification(tx, account);
        await audit.record(tx, { accountId: null }, 'account.verification_resent', {
          type: 'account',
          id: account.id,
        });
      });
    },

    /** Confirms the address; returns the account to log in, or null for a used/expired link. */
    async verifyEmail(raw: string): Promise<AccountRow | null> {
      return withTransaction(db, async (tx) => {
        const now = clock.now();
        const token = await repo.findUsableTokenForUpdate(tx, ['verify_email'], hashUrlToken(raw), now);
        if (!token) return null;
        const account = await repo.findAccountById(tx, token.account_id);
        if (!account || account.disabled_at) return null;
        await repo.markTokenUsed(tx, token.id, now);
        if (!account.email_verified_at) await repo.updateAccount(tx, account.id, { email_verified_at: now });
        await audit.record(tx, actorOfAccount(account), 'account.email_verified', {
          type: 'account',
          id: account.id,
        });
        return { ...account, email_verified_at: account.email_verified_at ?? now };
      });
    },

    /**
     * Daily housekeeping: one-time tokens 30 days after they expired, and sign-ups never confirmed
     * after 30 days (with no household): no personal data kept for nothing.
     */
    async purgeExpired(): Promise<{ tokens: number; accounts: number }> {
      const cutoff = new Date(clock.now().getTime() - 30 * 24 * HOUR);
      return withTransaction(db, async (tx) => {
        const tokens = await tx('account_tokens').where('expires_at', '<', cutoff).delete();
        const ids = (await tx('accounts as a')
          .where({ 'a.role': 'parent' })
          .whereNull('a.email_verified_at')
          .where('a.created_at', '<', cutoff)
          .whereNotExists((q) =>
            q.select(tx.raw('1')).from('household_accounts as ha').whereRaw('ha.account_id = a.id'),
          )
          .pluck('a.id')) as number[];
        if (ids.length) {
          await tx('accounts').whereIn('id', ids).delete();
          await audit.record(tx, { accountId: null, role: 'system' }, 'account.unverified_purged', null, {
            count: ids.length,
          });
        }
        return { tokens, accounts: ids.length };
      });
    },
  };
}
