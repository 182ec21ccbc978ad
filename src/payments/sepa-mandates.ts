// Direct debit mandates: the parent's request (a démarche staff validate), its activation with
// the RUM, revocation, and the list staff see.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { TIME_ZONE } from '../platform/clock.js';
import { withTransaction, type Tx } from '../platform/db.js';
import { createRequestsService, type RequestTypeHooks } from '../requests/service.js';
import type { RequestRow, RequestStatus } from '../requests/repository.js';
import { HttpError } from '../web/errors.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { DateTime } from 'luxon';
import { maskIban, openMandateOf, planDirectDebits, type MandateRow } from './mandates.js';
import type { MandateForm } from './schemas.js';
import { validateIbanBic } from './sepa/pain008.js';
import { emailDirectDebit } from './sepa-emails.js';

export const MANDATE_REQUEST_TYPE = 'sepa_mandate';

/** Staff accept the request: the mandate becomes active with its RUM and signature date. */
async function onMandateRequestStatus(tx: Tx, request: RequestRow, status: RequestStatus): Promise<void> {
  const mandate = (await tx('sepa_mandates').where({ request_id: request.id }).forUpdate().first()) as
    MandateRow | undefined;
  if (!mandate || mandate.status !== 'requested') return;
  // The decision's own instant (written just before this hook), so the hook needs no clock.
  const decided = (await tx('requests').where({ id: request.id }).first('decided_at', 'updated_at')) as {
    decided_at: Date | null;
    updated_at: Date;
  };
  const at = new Date(decided.decided_at ?? decided.updated_at);
  if (status === 'accepted') {
    const household = (await tx('households').where({ id: mandate.household_id }).first('family_number')) as {
      family_number: string;
    };
    const rum = `PF-${household.family_number.replace(/[^A-Za-z0-9]/g, '')}-${String(mandate.id).padStart(6, '0')}`;
    await tx('sepa_mandates')
      .where({ id: mandate.id })
      .update({
        status: 'active',
        rum,
        signed_on: DateTime.fromJSDate(at, { zone: TIME_ZONE }).toISODate(),
        activated_at: at,
      });
    // Invoices issued since that instant (a run committing meanwhile) are planned with the activation.
    await planDirectDebits(tx, { householdId: mandate.household_id });
  } else if (status === 'refused' || status === 'cancelled') {
    await tx('sepa_mandates').where({ id: mandate.id }).update({ status, ended_at: at });
  }
}

/** The payments feature's request types (declared in its index.ts). */
export const paymentRequestTypes: Record<string, RequestTypeHooks> = {
  [MANDATE_REQUEST_TYPE]: { onStatus: onMandateRequestStatus },
};

export function createSepaMandatesService(deps: AppDeps) {
  const { db, clock } = deps;
  const requests = createRequestsService(deps);

  return {
    openMandate: (householdId: number) => openMandateOf(db, householdId),

    /** The parent asks for direct debit: a mandate "requested" and a démarche for staff. */
    async requestMandate(householdId: number, form: MandateForm, actor: Actor) {
      const check = validateIbanBic(form.iban, form.bic);
      if (!check.ok) {
        const code = check.errors[0]!;
        throw new FormError(code.startsWith('bic') ? 'bic' : 'iban', `payments.mandate.errors.${code}`);
      }
      return withTransaction(db, async (tx) => {
        if (await openMandateOf(tx, householdId))
          throw new FormError('form', 'payments.mandate.errors.alreadyOpen');
        const now = clock.now();
        const [row] = await tx('sepa_mandates')
          .insert({
            household_id: householdId,
            holder: form.holder,
            iban: check.iban,
            bic: check.bic ?? null,
            address: form.address,
            consent_at: now,
            status: 'requested',
            requested_by: actor.accountId,
            created_at: now,
          })
          .returning('id');
        const mandateId = (row as { id: number }).id;
        // Staff who handle requests see the account masked; managers see it in /admin/payments.
        const request = await requests.create(tx, {
          type: MANDATE_REQUEST_TYPE,
          accountId: actor.accountId,
          householdId,
          summary: tFr('payments.mandate.requestSummary', {
            holder: form.holder,
            iban: maskIban(check.iban),
          }),
          data: { mandateId, holder: form.holder, iban: maskIban(check.iban) },
          actor,
        });
        await tx('sepa_mandates').where({ id: mandateId }).update({ request_id: request.id });
        await deps.audit.record(tx, actor, 'payments.mandate_requested', {
          type: 'sepa_mandate',
          id: mandateId,
        });
        return request;
      });
    },

    /** The parent stops direct debit: planned debits not yet exported go back to "à payer". */
    async revokeMandate(householdId: number, actor: Actor) {
      await withTransaction(db, async (tx) => {
        const mandate = (await tx('sepa_mandates')
          .where({ household_id: householdId, status: 'active' })
          .forUpdate()
          .first()) as MandateRow | undefined;
        if (!mandate) throw new HttpError(404);
        await tx('sepa_mandates')
          .where({ id: mandate.id })
          .update({ status: 'revoked', ended_at: clock.now() });
        await tx('invoices')
          .where({ household_id: householdId, status: 'direct_debit_planned' })
          .update({ status: 'unpaid', direct_debit_on: null });
        await deps.audit.record(tx, actor, 'payments.mandate_revoked', {
          type: 'sepa_mandate',
          id: mandate.id,
        });
        await emailDirectDebit(deps, tx, householdId, 'mandateRevoked', { rum: mandate.rum ?? '' });
      });
    },

    mandates: () =>
      db('sepa_mandates as m')
        .join('households as h', 'h.id', 'm.household_id')
        .whereIn('m.status', ['requested', 'active'])
        .orderBy('h.family_number')
        .select('m.*', 'h.family_number'),
  };
}
