// Rates and the quotient familial (QF): staff save a service's price grid; parents ask for a new QF
// (a rate_update request, with its proof from the vault) that staff validate with its dates, or refuse.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { addDays } from '../platform/days.js';
import { withTransaction } from '../platform/db.js';
import { createRequestsService, type RequestTypeHooks } from '../requests/service.js';
import { FormError } from '../web/forms.js';
import { formatDate } from '../web/format.js';
import { tFr } from '../web/i18n.js';
import {
  closeQfEntries,
  findService,
  insertQf,
  listBrackets,
  openRateRequest,
  qfDocumentsOf,
  qfOfRequest,
  saveRates,
} from './repository.js';
import { bracketProblems } from './rules.js';

export interface RatesInput {
  brackets: Record<number, number>;
  outOfTownCents: number | null;
  unknownQfCents: number | null;
  lateCancelCents: number;
  unbookedSurchargeCents: number;
}

export interface QfRequestInput {
  source: 'caf' | 'msa' | 'tax_notice';
  allocataireNumber: string;
  qf: number | null;
  documentId: number;
}

export function createRatesQfService(deps: AppDeps) {
  const requests = createRequestsService(deps);

  return {
    async saveRates(serviceId: number, input: RatesInput, actor: Actor) {
      const service = await findService(deps.db, serviceId);
      if (!service) throw new FormError('form', 'billing.rates.errors.notFound');
      const brackets = await listBrackets(deps.db, [service.school_year_id]);
      const grid = brackets.map((b) => ({
        minQf: b.min_qf,
        maxQf: b.max_qf,
        unitCents: input.brackets[b.id] ?? -1,
      }));
      const missing = brackets.find((b) => input.brackets[b.id] === undefined);
      if (missing) throw new FormError(`bracket_${missing.id}`, 'billing.rates.errors.priceRequired');
      if (bracketProblems(grid).length) throw new FormError('form', 'billing.rates.errors.grid');
      await withTransaction(deps.db, async (tx) => {
        await saveRates(
          tx,
          serviceId,
          {
            out_of_town_cents: input.outOfTownCents,
            unknown_qf_cents: input.unknownQfCents,
            late_cancel_cents: input.lateCancelCents,
            unbooked_surcharge_cents: input.unbookedSurchargeCents,
          },
          brackets.map((b) => ({ bracketId: b.id, unitCents: input.brackets[b.id]! })),
        );
        await deps.audit.record(tx, actor, 'billing.rates_saved', { type: 'service', id: serviceId }, {});
      });
    },

    /** The parent asks for new rates: a request staff validate with the value and the dates. */
    async requestRateUpdate(householdId: number, actor: Actor, input: QfRequestInput) {
      return withTransaction(deps.db, async (tx) => {
        if (await openRateRequest(tx, householdId))
          throw new FormError('source', 'billing.qf.errors.alreadyOpen');
        const docs = await qfDocumentsOf(tx, householdId);
        const doc = docs.find((d) => d.id === input.documentId);
        const expected = input.source === 'tax_notice' ? 'tax_notice' : 'caf_attestation';
        if (!doc) throw new FormError('documentId', 'billing.qf.errors.documentRequired');
        if (doc.type_code !== expected)
          throw new FormError(
            'documentId',
            input.source === 'tax_notice'
              ? 'billing.qf.errors.taxNoticeExpected'
              : 'billing.qf.errors.cafExpected',
          );
        const request = await requests.create(tx, {
          type: 'rate_update',
          accountId: actor.accountId,
          householdId,
          summary:
            input.qf !== null
              ? tFr('billing.qf.summaryWithQf', { qf: input.qf })
              : tFr('billing.qf.summaryTaxNotice'),
          data: {
            source: input.source,
            allocataire_number: input.allocataireNumber || null,
            qf: input.qf,
            document_id: input.documentId,
          },
          actor,
        });
        await tx('request_events')
          .where({ request_id: request.id })
          .update({ document_id: input.documentId });
        await deps.audit.record(
          tx,
          actor,
          'billing.rate_update_requested',
          { type: 'request', id: request.id },
          {},
        );
        return request;
      });
    },

    /** Staff validate a rate update: the QF applies from the day they choose, and the request is accepted. */
    async validateQf(
      requestId: number,
      input: { value: number; validFrom: string; validTo: string | null },
      actor: Actor,
    ) {
      if (input.validTo && input.validTo < input.validFrom)
        throw new FormError('validTo', 'billing.qf.errors.validToBeforeFrom');
      return withTransaction(deps.db, async (tx) => {
        const request = await tx('requests')
          .where({ id: requestId, type: 'rate_update' })
          .forUpdate()
          .first();
        if (!request || !request.household_id) throw new FormError('form', 'billing.qf.errors.notFound');
        if (!['submitted', 'in_review', 'incomplete'].includes(request.status as string))
          throw new FormError('form', 'billing.qf.errors.alreadyDecided');
        const householdId = Number(request.household_id);
        await closeQfEntries(tx, householdId, input.validFrom, addDays(input.validFrom, -1));
        const source = (request.data as { source?: string }).source ?? 'staff';
        await insertQf(tx, {
          household_id: householdId,
          value: input.value,
          valid_from: input.validFrom,
          valid_to: input.validTo,
          source: ['caf', 'msa', 'tax_notice'].includes(source) ? source : 'staff',
          validated_by: actor.accountId,
          validated_at: deps.clock.now(),
          request_id: requestId,
        });
        await deps.audit.record(
          tx,
          actor,
          'billing.qf_validated',
          { type: 'household', id: householdId },
          { requestId },
        );
        await requests.decide(
          requestId,
          'accepted',
          actor,
          tFr('billing.qf.acceptedMessage', { qf: input.value, from: formatDate(input.validFrom) }),
          tx,
        );
      });
    },

    async refuseQf(requestId: number, reason: string, actor: Actor) {
      const request = await deps.db('requests').where({ id: requestId, type: 'rate_update' }).first();
      if (!request) throw new FormError('form', 'billing.qf.errors.notFound');
      await requests.decide(requestId, 'refused', actor, reason);
    },
  };
}

// A rate update is accepted only with a validated QF entry: from /admin/billing/qf/:id, which
// writes the entry in the same transaction before accepting.
/** The billing feature's request types (declared in its index.ts). */
export const billingRequestTypes: Record<string, RequestTypeHooks> = {
  rate_update: {
    async onStatus(tx, request, status) {
      if (status === 'accepted' && !(await qfOfRequest(tx, request.id)))
        throw new FormError('message', 'billing.qf.errors.useValidationPage');
    },
    // The generic request page leads staff to the page where the value and its dates are validated.
    acceptAt: (request) => ({ href: `/admin/billing/qf/${request.id}`, label: tFr('billing.qfAdmin.link') }),
  },
};
