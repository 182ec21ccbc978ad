// Staff actions on enrolments: the decision on one and enrolment at the desk on a family's
// behalf (bulk acceptance is in bulk-acceptance.ts).
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { isUniqueViolation, withTransaction } from '../platform/db.js';
import { findChildOfHousehold } from '../households/access.js';
import { createRequestsService } from '../requests/service.js';
import { createServicesService } from '../services/service.js';
import { FormError } from '../web/forms.js';
import { NOT_FOUND, serviceOf } from './lookups.js';
import { findActive, insertEnrolment, type EnrolmentRow, updateEnrolment } from './repository.js';
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
