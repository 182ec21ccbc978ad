// What the households services share: the audit event about a household (the household's
// history on the staff side), and how an account becomes one of its (at most two) guardians: an
// activation code issued by staff, or the link made when a code or an invitation is accepted.
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { hashToken, randomCode } from '../platform/codes.js';
import type { Queryable, Tx } from '../platform/db.js';
import * as repo from './repository.js';
import * as codes from './repository-activation.js';

const ACTIVATION_CODE_LENGTH = 12;
const ACTIVATION_CODE_DAYS = 90;
export const MAX_GUARDIAN_ACCOUNTS = 2;

const householdSubject = (id: number) => ({ type: 'household', id });

/** Every change is an audit event about the household. */
export const householdAudit =
  (deps: AppDeps) =>
  (tx: Queryable, actor: Actor, action: string, householdId: number, details: Record<string, unknown> = {}) =>
    deps.audit.record(tx, actor, action, householdSubject(householdId), details);

/** A new activation code for the household (older unused ones stop working); the plain code, once. */
export async function issueCode(deps: AppDeps, tx: Tx, householdId: number, actor: Actor): Promise<string> {
  const now = deps.clock.now();
  await codes.revokeActivationCodes(tx, householdId, now);
  const code = randomCode(ACTIVATION_CODE_LENGTH);
  await codes.insertActivationCode(tx, {
    household_id: householdId,
    code_hash: hashToken(code),
    created_by: actor.accountId,
    created_at: now,
    expires_at: DateTime.fromJSDate(now).plus({ days: ACTIVATION_CODE_DAYS }).toJSDate(),
  });
  await householdAudit(deps)(tx, actor, 'households.activation_code_issued', householdId);
  return code;
}

export async function linkGuardianAccount(tx: Tx, householdId: number, accountId: number, now: Date) {
  await repo.linkAccount(tx, householdId, accountId, now);
  // A guardian entered at the desk (no account yet) becomes this account's member.
  const desk = (await repo.listMembers(tx, householdId)).find(
    (m) => m.kind === 'guardian' && m.account_id === null,
  );
  if (desk) {
    await repo.updateMember(tx, desk.id, { account_id: accountId, updated_at: now });
    return;
  }
  const account = await tx('accounts').where({ id: accountId }).first('first_name', 'last_name', 'email');
  const memberId = await repo.insertMember(tx, {
    kind: 'guardian',
    first_name: account.first_name,
    last_name: account.last_name,
    email: account.email,
    account_id: accountId,
    created_at: now,
  });
  await repo.linkMember(tx, householdId, memberId, now);
}
