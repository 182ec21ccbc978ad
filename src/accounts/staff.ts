// Staff accounts, managed by admins: created with an emailed set-password link, role and sites,
// disabled or enabled, second factor reset. Each change is an audit event.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { isUniqueViolation, withTransaction } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import type { Role } from '../web/types.js';
import { isStaff } from '../web/auth.js';
import { createAccountLinks } from './links.js';
import * as repo from './repository.js';

export function createStaffService(deps: AppDeps) {
  const { db, clock, audit } = deps;
  const { email, issueToken } = createAccountLinks(deps);

  async function checkSchools(ids: number[]) {
    if (!ids.length) return;
    const found = await db('schools').whereIn('id', ids).pluck('id');
    if (found.length !== new Set(ids).size) throw new FormError('sites', 'accounts.staff.errors.siteInvalid');
  }

  return {
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
}
