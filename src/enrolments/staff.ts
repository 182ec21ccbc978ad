// Staff actions on enrolments: the decision on one, bulk acceptance of complete ones, and
// enrolment at the desk on a family's behalf.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { isUniqueViolation, withTransaction } from '../platform/db.js';
import { findChildOfHousehold } from '../households/access.js';
import { createRequestsService } from '../requests/service.js';
import { createServicesService } from '../services/service.js';
import { FormError } from '../web/forms.js';
import { checkDocuments } from './document-check.js';
import { NOT_FOUND, serviceOf } from './lookups.js';
import {
  findActive,
  insertEnrolment,
  lockEnrolment,
  type EnrolmentRow,
  updateEnrolment,
} from './repository.js';
import { submitIn } from './submission.js';

export function createStaffEnrolmentService(deps: AppDeps) {
  const { db } = deps;
  const services = createServicesService(deps);
  const requests = createRequestsService(deps);

  return {
    /** Accept, refuse (reason required) or ask for more (message required): the request's decision drives the enrolment. */
    async decide(
      e: EnrolmentRow,
      decision: 'accepted' | 'refused' | 'incomplete',
      message: string | null,
      actor: Actor,
    ) {
      if (!e.request_id || e.status !== 'submitted')
        throw new FormError('form', 'enrolments.errors.notPending');
      await requests.decide(e.request_id, decision, actor, message);
    },

    /** Accepts, each in its own transaction, the submitted enrolments whose documents are complete. */
    async bulkAccept(ids: number[], actor: Actor): Promise<{ accepted: number; skipped: number }> {
      let accepted = 0;
      for (const id of [...new Set(ids)]) {
        const ok = await withTransaction(db, async (tx) => {
          const e = await lockEnrolment(tx, id);
          if (!e || e.status !== 'submitted' || !e.request_id) return false;
          const service = await serviceOf(deps, tx, e.service_id);
          const check = await checkDocuments(deps, tx, {
            householdId: e.household_id,
            childId: e.child_id,
            service,
            returnTo: '',
          });
          if (!check.complete) return false;
          const r = await tx('requests').where({ id: e.request_id }).first('status');
          if (!['submitted', 'in_review'].includes(r?.status)) return false;
          await requests.decide(e.request_id, 'accepted', actor, null, tx);
          return true;
        }).catch((err: unknown) => {
          if (err instanceof FormError) return false;
          throw err;
        });
        if (ok) accepted++;
      }
      if (accepted) await deps.audit.record(db, actor, 'enrolments.bulk_accepted', null, { count: accepted });
      return { accepted, skipped: new Set(ids).size - accepted };
    },

    /** At the desk: an agent enrols a child on the family's behalf (same rules, audited). */
    async deskEnrol(
      householdId: number,
      childId: number,
      serviceId: number,
      weekdays: number[],
      actor: Actor,
      ownerAccountId: number | null,
    ) {
      const service = await serviceOf(deps, db, serviceId);
      const child = await findChildOfHousehold(db, householdId, childId);
      if (!child) throw new FormError('child_id', NOT_FOUND);
      if (service.kind === 'school') throw new FormError('service_id', 'enrolments.errors.deskSchool');
      const inel = await services.ineligibility(service, child);
      if (inel) throw new FormError('service_id', inel.key, inel.params);
      if (weekdays.some((d) => !service.weekdays.includes(d)))
        throw new FormError('weekdays', 'enrolments.errors.weekdays');
      try {
        return await withTransaction(db, async (tx) => {
          const existing = await findActive(tx, childId, serviceId);
          if (existing?.status === 'draft') await updateEnrolment(tx, existing.id, { status: 'withdrawn' });
          else if (existing)
            throw new FormError('service_id', 'enrolments.errors.duplicate', {
              child: child.first_name,
              service: service.name,
            });
          const id = await insertEnrolment(tx, {
            child_id: childId,
            service_id: serviceId,
            household_id: householdId,
            school_year_id: service.school_year_id,
            status: 'draft',
            step: 'summary',
            options: { weekdays: [...new Set(weekdays)].sort() },
            school_id: null,
            derogation: false,
            created_by: actor.accountId,
            created_at: deps.clock.now(),
          });
          const request = await submitIn(deps, tx, id, actor, 'staff', ownerAccountId, '');
          await deps.audit.record(
            tx,
            actor,
            'enrolments.desk_created',
            { type: 'enrolment', id },
            { householdId, serviceId },
          );
          return { id, request };
        });
      } catch (err) {
        if (isUniqueViolation(err, 'enrolments_one_active'))
          throw new FormError('service_id', 'enrolments.errors.duplicate', {
            child: child.first_name,
            service: service.name,
          });
        throw err;
      }
    },
  };
}
