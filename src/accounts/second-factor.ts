// The second factor: TOTP (checked at login, set up, turned off) and the recovery codes, stored
// hashed.
import { authenticator } from 'otplib';
import QRCode from 'qrcode';
import type { AppDeps } from '../deps.js';
import { hashToken, randomCode } from '../platform/codes.js';
import { withTransaction, type Queryable } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import type { Role } from '../web/types.js';
import { isStaff } from '../web/auth.js';
import { actorOfAccount, createAccountLinks } from './links.js';
import type { PasswordHasher } from './passwords.js';
import * as repo from './repository.js';
import type { AccountRow } from './repository.js';

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

/** Recovery codes are typed by people: case and dashes do not matter. */
const normaliseRecoveryCode = (code: string) => code.replace(/[^0-9a-z]/gi, '').toUpperCase();
const formatRecoveryCode = (code: string) => `${code.slice(0, 5)}-${code.slice(5)}`;

export function createSecondFactorService(deps: AppDeps, hasher: PasswordHasher) {
  const { db, clock, audit } = deps;
  const { townName, email } = createAccountLinks(deps);

  async function newRecoveryCodes(q: Queryable, accountId: number): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => randomCode(10));
    await repo.replaceRecoveryCodes(
      q,
      accountId,
      codes.map((c) => hashToken(c)),
    );
    return codes.map(formatRecoveryCode);
  }

  const verifyTotp = (secret: string, code: string): boolean => totpStepOf(secret, code) !== null;

  return {
    verifyTotp,

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

    unusedRecoveryCodes: (accountId: number) => repo.countUnusedRecoveryCodes(db, accountId),

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
      if (!verifyTotp(secret, code)) throw new FormError('code', 'accounts.errors.wrongSetupCode');
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
  };
}
