// "My account": name, password and email changes (the new address confirmed by a link), and the
// recent logins shown there.
import type { AppDeps } from '../deps.js';
import { isUniqueViolation, withTransaction } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import type { Role } from '../web/types.js';
import { actorOfAccount, createAccountLinks, hashUrlToken } from './links.js';
import type { PasswordHasher } from './passwords.js';
import { passwordProblem } from './password-policy.js';
import * as repo from './repository.js';

export function createMyAccountService(deps: AppDeps, hasher: PasswordHasher) {
  const { db, clock, audit } = deps;
  const { email, issueToken } = createAccountLinks(deps);

  return {
    async updateName(account: { id: number; role: Role }, firstName: string, lastName: string) {
      await withTransaction(db, async (tx) => {
        await repo.updateAccount(tx, account.id, { first_name: firstName, last_name: lastName });
        await audit.record(tx, actorOfAccount(account), 'account.name_changed', {
          type: 'account',
          id: account.id,
        });
      });
    },

    async changePassword(accountId: number, current: string, password: string, keepSid: string) {
      const account = await repo.findAccountById(db, accountId);
      if (!account?.password_hash || !(await hasher.verify(account.password_hash, current)))
        throw new FormError('current_password', 'accounts.errors.currentWrong');
      const problem = passwordProblem(password, account.email);
      if (problem) throw new FormError('password', problem);
      const passwordHash = await hasher.hash(password);
      await withTransaction(db, async (tx) => {
        await repo.updateAccount(tx, accountId, {
          password_hash: passwordHash,
          password_changed_at: clock.now(),
        });
        await repo.retireTokens(tx, accountId, ['password_reset'], clock.now());
        await repo.deleteSessionsOf(tx, accountId, keepSid);
        await email(tx, account.email, 'accounts.password_changed', 'passwordChanged');
        await audit.record(tx, actorOfAccount(account), 'account.password_changed', {
          type: 'account',
          id: accountId,
        });
      });
    },

    /** A link to the new address (which must be confirmed), a notice to the old one. */
    async requestEmailChange(accountId: number, newEmail: string, current: string) {
      const account = await repo.findAccountById(db, accountId);
      if (!account?.password_hash || !(await hasher.verify(account.password_hash, current)))
        throw new FormError('current_password', 'accounts.errors.currentWrong');
      if (account.email.toLowerCase() === newEmail.trim().toLowerCase())
        throw new FormError('email', 'accounts.errors.emailSame');
      await withTransaction(db, async (tx) => {
        const taken = await repo.findAccountByEmail(tx, newEmail);
        if (taken) {
          // Same answer as for a free address: the owner of that address is told instead.
          await email(tx, taken.email, 'accounts.email_change_existing', 'emailChangeExisting');
        } else {
          const raw = await issueToken(tx, account, 'email_change', { email: newEmail.trim() });
          await email(
            tx,
            newEmail.trim(),
            'accounts.email_change',
            'emailChange',
            {},
            { path: `/account/email/confirm/${raw}` },
          );
        }
        await email(tx, account.email, 'accounts.email_change_notice', 'emailChangeNotice');
        await audit.record(tx, actorOfAccount(account), 'account.email_change_requested', {
          type: 'account',
          id: accountId,
        });
      });
    },

    /** 'ok', 'taken' (someone took the address meanwhile) or 'invalid' (used or expired link). */
    async confirmEmailChange(raw: string): Promise<'ok' | 'taken' | 'invalid'> {
      try {
        return await withTransaction(db, async (tx) => {
          const now = clock.now();
          const token = await repo.findUsableTokenForUpdate(tx, ['email_change'], hashUrlToken(raw), now);
          if (!token) return 'invalid';
          const account = await repo.findAccountById(tx, token.account_id);
          const newEmail = String(token.data.email ?? '');
          if (!account || account.disabled_at || !newEmail) return 'invalid';
          if (await repo.findAccountByEmail(tx, newEmail)) return 'taken';
          await repo.markTokenUsed(tx, token.id, now);
          await repo.updateAccount(tx, account.id, { email: newEmail, email_verified_at: now });
          await email(tx, account.email, 'accounts.email_changed', 'emailChanged');
          await audit.record(tx, actorOfAccount(account), 'account.email_changed', {
            type: 'account',
            id: account.id,
          });
          return 'ok';
        });
      } catch (err) {
        if (isUniqueViolation(err)) return 'taken';
        throw err;
      }
    },

    recentLogins: (accountId: number) => repo.recentLoginEvents(db, accountId, 10),
  };
}
