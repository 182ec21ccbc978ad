// The invitation of a second guardian: the first invites by email, the invitee (with an account
// and no household yet) accepts the link, which makes their account a guardian of the household.
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { hashToken } from '../platform/codes.js';
import { withTransaction } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { householdIdOf } from './access.js';
import * as repo from './repository.js';
import * as invitations from './repository-invitations.js';
import { householdAudit, linkGuardianAccount, MAX_GUARDIAN_ACCOUNTS } from './service-shared.js';

const INVITATION_DAYS = 7;

export function createInvitationsService(deps: AppDeps) {
  const audit = householdAudit(deps);

  return {
    /** The first guardian invites a second by email: a link valid 7 days, stored hashed, used once. */
    async invite(householdId: number, email: string, actor: Actor) {
      return withTransaction(deps.db, async (tx) => {
        const accounts = await repo.householdAccounts(tx, householdId);
        if (accounts.length >= MAX_GUARDIAN_ACCOUNTS)
          throw new FormError('email', 'households.errors.tooManyGuardians');
        if (accounts.some((a) => a.email.toLowerCase() === email.toLowerCase()))
          throw new FormError('email', 'households.errors.alreadyGuardian');
        const token = randomBytes(32).toString('base64url');
        const now = deps.clock.now();
        const id = await invitations.insertInvitation(tx, {
          household_id: householdId,
          email,
          token_hash: hashToken(token),
          invited_by: actor.accountId!,
          created_at: now,
          expires_at: DateTime.fromJSDate(now).plus({ days: INVITATION_DAYS }).toJSDate(),
        });
        const inviter = actor.accountId
          ? await tx('accounts').where({ id: actor.accountId }).first('first_name', 'last_name', 'role')
          : null;
        const town = await getTown(deps.db);
        const fromStaff = inviter?.role && inviter.role !== 'parent';
        await deps.outbox.enqueue(tx, {
          to: email,
          kind: 'households.invitation',
          content: {
            townName: town?.name ?? '',
            subject: tFr('households.emails.invitation.subject'),
            paragraphs: [
              fromStaff || !inviter
                ? tFr('households.emails.invitation.textStaff')
                : tFr('households.emails.invitation.text', {
                    name: `${inviter.first_name} ${inviter.last_name}`,
                  }),
              tFr('households.emails.invitation.validity', { days: INVITATION_DAYS }),
            ],
            action: {
              label: tFr('households.emails.invitation.action'),
              url: `${deps.config.baseUrl}/household/invitations/${token}`,
            },
          },
        });
        await audit(tx, actor, 'households.invitation_sent', householdId, { invitationId: id });
        return id;
      });
    },

    async revokeInvitation(householdId: number, invitationId: number, actor: Actor): Promise<boolean> {
      return withTransaction(deps.db, async (tx) => {
        const inv = await invitations.findInvitationOfHousehold(tx, householdId, invitationId);
        if (!inv || inv.accepted_at) return false;
        await invitations.deleteInvitation(tx, inv.id);
        await audit(tx, actor, 'households.invitation_revoked', householdId, { invitationId });
        return true;
      });
    },

    /** The invitation behind a link, and whether it can still be accepted. */
    async invitation(token: string) {
      const inv = await invitations.findInvitationByHash(deps.db, hashToken(token));
      if (!inv) return undefined;
      const state = inv.accepted_at ? 'used' : inv.expires_at <= deps.clock.now() ? 'expired' : 'valid';
      const household = await repo.findHousehold(deps.db, inv.household_id);
      return { invitation: inv, state, familyNumber: household?.family_number ?? '' } as const;
    },

    async acceptInvitation(token: string, account: { id: number; role: string }) {
      return withTransaction(deps.db, async (tx) => {
        const inv = await tx<invitations.InvitationRow>('household_invitations')
          .where({ token_hash: hashToken(token) })
          .forUpdate()
          .first();
        if (!inv) throw new FormError('form', 'households.errors.invitationInvalid');
        if (inv.accepted_at) throw new FormError('form', 'households.errors.invitationUsed');
        if (inv.expires_at <= deps.clock.now())
          throw new FormError('form', 'households.errors.invitationExpired');
        if (await householdIdOf(tx, account.id))
          throw new FormError('form', 'households.errors.alreadyLinked');
        if ((await repo.householdAccounts(tx, inv.household_id)).length >= MAX_GUARDIAN_ACCOUNTS)
          throw new FormError('form', 'households.errors.tooManyGuardians');
        const now = deps.clock.now();
        await tx('household_invitations')
          .where({ id: inv.id })
          .update({ accepted_at: now, accepted_by: account.id });
        await linkGuardianAccount(tx, inv.household_id, account.id, now);
        await audit(
          tx,
          { accountId: account.id, role: account.role },
          'households.invitation_accepted',
          inv.household_id,
          { invitationId: inv.id },
        );
        return inv.household_id;
      });
    },
  };
}
