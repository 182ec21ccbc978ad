// The family-card activation: staff issue a code (sent by letter), a parent with an account and
// no household yet links it with the family number and the code; "I lost my code" files a request.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { hashToken } from '../platform/codes.js';
import { withTransaction } from '../platform/db.js';
import { createRequestsService } from '../requests/service.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { householdIdOf } from './access.js';
import * as repo from './repository.js';
import * as codes from './repository-activation.js';
import { normaliseFamilyNumber } from './schemas.js';
import { householdAudit, issueCode, linkGuardianAccount, MAX_GUARDIAN_ACCOUNTS } from './service-shared.js';

const ACTIVATION_MAX_TRIES = 5;

export function createActivationService(deps: AppDeps) {
  const requests = createRequestsService(deps);
  const audit = householdAudit(deps);

  return {
    /** Staff issue a (new) activation code: any older unused one stops working. The plain code is returned once. */
    async issueActivationCode(householdId: number, actor: Actor): Promise<string> {
      return withTransaction(deps.db, (tx) => issueCode(deps, tx, householdId, actor));
    },

    /**
     * A logged-in parent without a household links their account with the family number and the
     * letter's code. Unknown number and wrong code get the same answer; five wrong codes lock it.
     */
    async activate(
      account: { id: number; role: string },
      familyNumberInput: string,
      code: string,
    ): Promise<number> {
      const familyNumber = normaliseFamilyNumber(familyNumberInput);
      type Outcome = { error: string; key: string } | { householdId: number };
      const outcome = await withTransaction<Outcome>(deps.db, async (tx) => {
        if (await householdIdOf(tx, account.id))
          throw new FormError('form', 'households.errors.alreadyLinked');
        const household = await repo.findHouseholdByFamilyNumber(tx, familyNumber);
        const current = household ? await codes.currentActivationCode(tx, household.id) : undefined;
        const row = current ? await codes.lockActivationCodeRow(tx, current.id) : undefined;
        const actor = { accountId: account.id, role: account.role };
        if (!household || !row || row.used_at)
          return { error: 'activation_code', key: 'households.errors.activationWrong' } as const;
        if (row.locked_at || row.failed_attempts >= ACTIVATION_MAX_TRIES)
          return { error: 'activation_code', key: 'households.errors.activationLocked' } as const;
        if (row.code_hash !== hashToken(code)) {
          const attempts = row.failed_attempts + 1;
          const now = deps.clock.now();
          await codes.updateActivationCode(tx, row.id, {
            failed_attempts: attempts,
            ...(attempts >= ACTIVATION_MAX_TRIES ? { locked_at: now } : {}),
          });
          await audit(
            tx,
            actor,
            attempts >= ACTIVATION_MAX_TRIES
              ? 'households.activation_locked'
              : 'households.activation_failed',
            household.id,
            { attempts },
          );
          return {
            error: 'activation_code',
            key:
              attempts >= ACTIVATION_MAX_TRIES
                ? 'households.errors.activationLocked'
                : 'households.errors.activationWrong',
          } as const;
        }
        if (row.expires_at <= deps.clock.now())
          return { error: 'activation_code', key: 'households.errors.activationExpired' } as const;
        if ((await repo.householdAccounts(tx, household.id)).length >= MAX_GUARDIAN_ACCOUNTS)
          return { error: 'form', key: 'households.errors.tooManyGuardians' } as const;
        const now = deps.clock.now();
        await codes.updateActivationCode(tx, row.id, { used_at: now, used_by: account.id });
        await linkGuardianAccount(tx, household.id, account.id, now);
        await audit(tx, actor, 'households.activated', household.id);
        return { householdId: household.id };
      });
      // A wrong try is recorded (committed) before the error is shown.
      if ('error' in outcome) throw new FormError(outcome.error, outcome.key);
      return outcome.householdId;
    },

    /**
     * "I have a family card but not its code": always files a request and gives the same answer,
     * whether or not the number exists, so the form tells nothing about who lives here.
     */
    async lostCode(
      input: {
        family_number: string;
        proof: 'birth_date' | 'postcode';
        child_birth_date: string;
        postcode: string;
        contact_email: string | null;
      },
      account: { id: number; role: string } | null,
    ) {
      return withTransaction(deps.db, async (tx) => {
        const familyNumber = normaliseFamilyNumber(input.family_number);
        const household = await repo.findHouseholdByFamilyNumber(tx, familyNumber);
        let matched = false;
        if (household) {
          if (input.proof === 'postcode') matched = household.postcode === input.postcode;
          else {
            const fr = input.child_birth_date.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
            const day = fr
              ? `${fr[3]}-${fr[2]!.padStart(2, '0')}-${fr[1]!.padStart(2, '0')}`
              : input.child_birth_date;
            matched = (await repo.listMembers(tx, household.id)).some(
              (m) => m.kind === 'child' && m.birth_date === day,
            );
          }
        }
        return requests.create(tx, {
          type: 'lost_activation_code',
          accountId: account?.id ?? null,
          householdId: matched && household ? household.id : null,
          summary: tFr('households.requests.lostCodeSummary', { number: familyNumber }),
          data: {
            family_number: familyNumber,
            proof: input.proof,
            child_birth_date: input.child_birth_date,
            postcode: input.postcode,
            contact_email: input.contact_email,
            matched,
          },
          actor: { accountId: account?.id ?? null, role: account?.role ?? 'public' },
        });
      });
    },
  };
}
