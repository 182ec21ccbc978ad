// After submission, the parent withdraws (or abandons a draft), asks to end an accepted
// enrolment (a "fin d'inscription" request) or answers a request marked "incomplète".
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { withTransaction } from '../platform/db.js';
import { createRequestsService } from '../requests/service.js';
import { findSchoolYear } from '../services/service.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { NOT_FOUND, serviceOf } from './lookups.js';
import {
  documentsByIds,
  lockEnrolment,
  openEndRequest,
  updateEnrolment,
  type EnrolmentRow,
} from './repository.js';

export function createAfterSubmissionService(deps: AppDeps) {
  const { db } = deps;
  const requests = createRequestsService(deps);

  return {
    /** Abandons a draft, or withdraws a submitted enrolment before the decision (cancels its request). */
    async withdraw(e: EnrolmentRow, actor: Actor) {
      if (e.status === 'draft') {
        await withTransaction(db, async (tx) => {
          await updateEnrolment(tx, e.id, { status: 'withdrawn' });
          await deps.audit.record(tx, actor, 'enrolments.draft_abandoned', { type: 'enrolment', id: e.id });
        });
        return;
      }
      if (e.status !== 'submitted' || !e.request_id)
        throw new FormError('form', 'enrolments.errors.cannotWithdraw');
      await requests.cancel(e.request_id, actor);
    },

    /** Ending an accepted enrolment is a new request ("fin d'inscription"), effective once staff accept it. */
    async requestEnd(e: EnrolmentRow, endsOn: string, actor: Actor) {
      if (e.status !== 'accepted') throw new FormError('form', 'enrolments.errors.cannotEnd');
      const year = await findSchoolYear(db, e.school_year_id);
      if (endsOn < today(deps.clock)) throw new FormError('ends_on', 'enrolments.errors.endInPast');
      if (year && endsOn > year.ends_on)
        throw new FormError('ends_on', 'enrolments.errors.endAfterYear', { date: year.ends_on });
      return withTransaction(db, async (tx) => {
        const locked = await lockEnrolment(tx, e.id);
        if (!locked || locked.status !== 'accepted')
          throw new FormError('form', 'enrolments.errors.cannotEnd');
        if (await openEndRequest(tx, e.id)) throw new FormError('form', 'enrolments.errors.endPending');
        const service = await serviceOf(deps, tx, e.service_id);
        const child = await tx('members').where({ id: e.child_id }).first('first_name', 'last_name');
        return requests.create(tx, {
          type: 'enrolment_end',
          accountId: actor.accountId,
          householdId: e.household_id,
          childId: e.child_id,
          summary: tFr('enrolments.requestSummary.end', {
            child: `${child.first_name} ${child.last_name}`,
            service: service.name,
          }),
          data: { enrolmentId: e.id, endsOn },
          actor,
        });
      });
    },

    pendingEnd: (e: EnrolmentRow) => openEndRequest(db, e.id),

    /** The parent answers a request marked "incomplète", optionally with a document of the vault. */
    async answer(e: EnrolmentRow, input: { message: string; documentId: number | null }, actor: Actor) {
      if (!e.request_id) throw new FormError('form', NOT_FOUND);
      if (input.documentId) {
        const [doc] = await documentsByIds(db, [input.documentId]);
        if (!doc || doc.household_id !== e.household_id)
          throw new FormError('document_id', 'enrolments.errors.documentInvalid');
      }
      if (!input.message.trim() && !input.documentId)
        throw new FormError('message', 'enrolments.errors.answerEmpty');
      await requests.addMessage(e.request_id, {
        message: input.message,
        documentId: input.documentId,
        actor,
        side: 'parent',
      });
    },
  };
}
