// Account rules: sign-up and verification, login checks, password reset and change, email
// change, the second factor (TOTP and recovery codes), and staff accounts. Emails are written
// to the outbox in the transaction of the change; tokens and codes are stored hashed.
import { createHash, randomBytes } from 'node:crypto';
import { authenticator } from 'otplib';
import QRCode from 'qrcode';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { hashToken, randomCode } from '../platform/codes.js';
import { isUniqueViolation, withTransaction, type Queryable } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import type { Role } from '../web/types.js';
import { isStaff } from '../web/auth.js';
import { createPasswordHasher, type PasswordHasher } from './passwords.js';
import { passwordProblem } from './password-policy.js';
import * as repo from './repository.js';
import type { AccountRow } from './repository.js';

export type LoginOutcome =
  | { kind: 'ok'; account: AccountRow; needsSecondFactor: boolean; needsSecondFactorSetup: boolean }
  | { kind: 'invalid'; accountId: number | null }
  | { kind: 'unverified'; account: AccountRow };

export type TokenKind = 'verify_email' | 'password_reset' | 'staff_invite' | 'email_change';

const HOUR = 3600_000;
const TOKEN_TTL_MS: Record<TokenKind, number> = {
  verify_email: 24 * HOUR,
  password_reset: 1 * HOUR,
  staff_invite: 72 * HOUR,
  email_change: 24 * HOUR,
};
const RECOVERY_CODE_COUNT = 10;

// A 30-second step, one step of drift either way. TOTP follows the wall clock of the phone,
// not the injected clock.
authenticator.options = { window: 1 };

/** The 30-second step a TOTP code belongs to (now, or one step either side), or null for a wrong code. */
function totpStepOf(secret: string, code: string): number | null {
  const clean = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(clean)) return null;
  try {
    const now = Date.now(); // one instant for the check and the step, even at a step's edge
    const checker = authenticator.clone({ epoch: now });
    const delta = checker.checkDelta(clean, secret);
    return delta === null ? null : Math.floor(now / 1000 / checker.allOptions().step) + delta;
  } catch {
    return null;
  }
}

/** URL tokens: 32 random bytes; only their sha256 is stored. */
const newUrlToken = () => randomBytes(32).toString('base64url');
const hashUrlToken = (raw: string) => createHash('sha256').update(raw).digest('hex');
/** Recovery codes are typed by people: case and dashes do not matter. */
const normaliseRecoveryCode = (code: string) => code.replace(/[^0-9a-z]/gi, '').toUpperCase();
const formatRecoveryCode = (code: string) => `${code.slice(0, 5)}-${code.slice(5)}`;

export function createAccountsService(
  deps: AppDeps,
  hasher: PasswordHasher = createPasswordHasher(deps.config),
) {
  const { db, clock, audit, outbox, config } = deps;
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

  async function sendVerification(q: Queryable, account: { id: number; email: string }) {
    const raw = await issueToken(q, account, 'verify_email');
    await email(q, account.email, 'accounts.verify', 'verify', {}, { path: `/verify-email/${raw}` });
  }

  const actorOfAccount = (a: { id: number; role: Role }): Actor => ({ accountId: a.id, role: a.role });

  async function newRecoveryCodes(q: Queryable, accountId: number): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => randomCode(10));
    await repo.replaceRecoveryCodes(
      q,
      accountId,
      codes.map((c) => hashToken(c)),
    );
    return codes.map(formatRecoveryCode);
  }

  const service = {
    hasher,

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

    verifyTotp: (secret: string, code: string): boolean => totpStepOf(secret, code) !== null,

    /**
     * A TOTP code not used to log in before, or one unused recovery code (which is then spent).
     * A TOTP code is good for about 90 s (one step of drift either way): remembering the last step
     * used stops a code from opening a second session in that time.
     */
    async checkSecondFactor(account: AccountRow, code: string): Promise<'totp' | 'recovery' | null> {
      const step = account.totp_secret ? totpStepOf(account.totp_secret, code) : null;
      if (step !== null) return (await repo.claimTotpStep(db, account.id, step)) ? 'totp' : null;
      const clean = normaliseRecoveryCode(code);
      if (clean.length !== 10) return null;
      return withTransaction(db, async (tx) => {
        if (!(await repo.useRecoveryCode(tx, account.id, hashToken(clean), clock.now()))) return null;
        const remaining = await repo.countUnusedRecoveryCodes(tx, account.id);
        await audit.record(
          tx,
          actorOfAccount(account),
          'auth.recovery_code_used',
          { type: 'account', id: account.id },
          { remaining },
        );
        return 'recovery' as const;
      });
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

    // --- Sign-up and verification ---

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

    /** The token's account when the link is still usable (for the page that asks to confirm). */
    async peekToken(kinds: TokenKind[], raw: string) {
      const token = await repo.findUsableToken(db, kinds, hashUrlToken(raw), clock.now());
      if (!token) return null;
      const account = await repo.findAccountById(db, token.account_id);
      if (!account || account.disabled_at) return null;
      return { token, account };
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

    // --- Forgotten password, reset, staff invitation ---

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
      const peek = await service.peekToken(kinds, raw);
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

    // --- My account ---

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
    unusedRecoveryCodes: (accountId: number) => repo.countUnusedRecoveryCodes(db, accountId),

    // --- Second factor ---

    newTotpSecret: () => authenticator.generateSecret(20),

    /** The otpauth:// URI as a QR code image (data: URL, allowed by the CSP). */
    async totpQrCode(accountEmail: string, secret: string): Promise<string> {
      const uri = authenticator.keyuri(accountEmail, `${tFr('site.name')} ${await townName()}`, secret);
      return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
    },

    /** Turns the second factor on once a code proves the app is set up; returns the recovery codes. */
    async enableTotp(
      account: { id: number; role: Role; email: string },
      secret: string,
      code: string,
    ): Promise<string[]> {
      if (!service.verifyTotp(secret, code)) throw new FormError('code', 'accounts.errors.wrongSetupCode');
      return withTransaction(db, async (tx) => {
        await repo.updateAccount(tx, account.id, { totp_secret: secret, totp_enabled_at: clock.now() });
        const codes = await newRecoveryCodes(tx, account.id);
        await email(tx, account.email, 'accounts.two_factor_enabled', 'twoFactorEnabled');
        await audit.record(tx, actorOfAccount(account), 'account.2fa_enabled', {
          type: 'account',
          id: account.id,
        });
        return codes;
      });
    },

    /** Parents only: staff must keep it (an admin resets it instead). */
    async disableTotp(account: { id: number; role: Role }, current: string) {
      if (isStaff(account.role))
        throw new FormError('current_password', 'accounts.errors.staffKeepsTwoFactor');
      const row = await repo.findAccountById(db, account.id);
      if (!row?.password_hash || !(await hasher.verify(row.password_hash, current)))
        throw new FormError('current_password', 'accounts.errors.currentWrong');
      await withTransaction(db, async (tx) => {
        await repo.updateAccount(tx, account.id, {
          totp_secret: null,
          totp_enabled_at: null,
          totp_last_step: null,
        });
        await repo.replaceRecoveryCodes(tx, account.id, []);
        await email(tx, row.email, 'accounts.two_factor_disabled', 'twoFactorDisabled');
        await audit.record(tx, actorOfAccount(account), 'account.2fa_disabled', {
          type: 'account',
          id: account.id,
        });
      });
    },

    async regenerateRecoveryCodes(account: { id: number; role: Role }): Promise<string[]> {
      return withTransaction(db, async (tx) => {
        const codes = await newRecoveryCodes(tx, account.id);
        await audit.record(tx, actorOfAccount(account), 'account.recovery_codes_renewed', {
          type: 'account',
          id: account.id,
        });
        return codes;
      });
    },

    // --- Staff accounts (admins) ---

    listStaff: () => repo.listStaff(db),
    findStaff: (id: number) => repo.findStaff(db, id),
    listSchools: () => repo.listSchools(db),

    async createStaff(
      actor: Actor,
      input: { firstName: string; lastName: string; email: string; role: Role; schoolIds: number[] },
    ): Promise<number> {
      if (!isStaff(input.role)) throw new FormError('role', 'accounts.staff.errors.roleRequired');
      await checkSchools(input.schoolIds);
      try {
        return await withTransaction(db, async (tx) => {
          if (await repo.findAccountByEmail(tx, input.email))
            throw new FormError('email', 'accounts.staff.errors.emailTaken');
          const id = await repo.insertAccount(tx, {
            email: input.email,
            password_hash: null,
            first_name: input.firstName,
            last_name: input.lastName,
            role: input.role,
            created_at: clock.now(),
          });
          await repo.setSites(tx, id, input.schoolIds);
          const raw = await issueToken(tx, { id, email: input.email.trim() }, 'staff_invite');
          await email(
            tx,
            input.email.trim(),
            'accounts.staff_invite',
            'staffInvite',
            {},
            { path: `/set-password/${raw}` },
          );
          await audit.record(
            tx,
            actor,
            'staff.created',
            { type: 'account', id },
            { role: input.role, sites: input.schoolIds },
          );
          return id;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new FormError('email', 'accounts.staff.errors.emailTaken');
        throw err;
      }
    },

    async updateStaff(actor: Actor, id: number, input: { role: Role; schoolIds: number[] }) {
      const staff = await repo.findStaff(db, id);
      if (!staff) return false;
      if (!isStaff(input.role)) throw new FormError('role', 'accounts.staff.errors.roleRequired');
      if (actor.accountId === id && input.role !== staff.role)
        throw new FormError('role', 'accounts.staff.errors.ownRole');
      await checkSchools(input.schoolIds);
      await withTransaction(db, async (tx) => {
        await repo.updateAccount(tx, id, { role: input.role });
        await repo.setSites(tx, id, input.schoolIds);
        await audit.record(
          tx,
          actor,
          'staff.updated',
          { type: 'account', id },
          { from: staff.role, role: input.role, sites: input.schoolIds },
        );
      });
      return true;
    },

    async setStaffDisabled(actor: Actor, id: number, disabled: boolean) {
      const staff = await repo.findStaff(db, id);
      if (!staff) return false;
      if (actor.accountId === id) throw new FormError('form', 'accounts.staff.errors.ownAccount');
      await withTransaction(db, async (tx) => {
        await repo.updateAccount(tx, id, { disabled_at: disabled ? clock.now() : null });
        if (disabled) await repo.deleteSessionsOf(tx, id);
        await audit.record(tx, actor, disabled ? 'staff.disabled' : 'staff.enabled', { type: 'account', id });
      });
      return true;
    },

    /** A staff member who lost their device sets the second factor up again at next login. */
    async resetStaffTwoFactor(actor: Actor, id: number) {
      const staff = await repo.findStaff(db, id);
      if (!staff) return false;
      await withTransaction(db, async (tx) => {
        await repo.updateAccount(tx, id, { totp_secret: null, totp_enabled_at: null, totp_last_step: null });
        await repo.replaceRecoveryCodes(tx, id, []);
        await repo.deleteSessionsOf(tx, id);
        await email(tx, staff.email, 'accounts.two_factor_reset', 'twoFactorReset');
        await audit.record(tx, actor, 'staff.2fa_reset', { type: 'account', id });
      });
      return true;
    },

    async resendStaffInvite(actor: Actor, id: number) {
      const staff = await repo.findStaff(db, id);
      if (!staff || staff.disabled_at) return false;
      await withTransaction(db, async (tx) => {
        const raw = await issueToken(tx, staff, 'staff_invite');
        await email(
          tx,
          staff.email,
          'accounts.staff_invite',
          'staffInvite',
          {},
          { path: `/set-password/${raw}` },
        );
        await audit.record(tx, actor, 'staff.invite_resent', { type: 'account', id });
      });
      return true;
    },
  };

  /**
   * Daily housekeeping: one-time tokens 30 days after they expired, and sign-ups never confirmed
   * after 30 days (with no household): no personal data kept for nothing.
   */
  async function purgeExpired(): Promise<{ tokens: number; accounts: number }> {
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
  }

  async function checkSchools(ids: number[]) {
    if (!ids.length) return;
    const found = await db('schools').whereIn('id', ids).pluck('id');
    if (found.length !== new Set(ids).size) throw new FormError('sites', 'accounts.staff.errors.siteInvalid');
  }

  return { ...service, purgeExpired };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
