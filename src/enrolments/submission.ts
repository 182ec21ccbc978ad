// Submitting a draft, by a parent or at the desk: the documents check, then a request (démarche)
// whose decision drives the enrolment, accepted at once when the service needs no validation.
import type { AppDeps } from '../deps.js';
import { SYSTEM, type Actor } from '../platform/audit.js';
import type { Tx } from '../platform/db.js';
import { createRequestsService } from '../requests/service.js';
import { findSchool, type ServiceDetails } from '../services/service.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { checkDocuments } from './document-check.js';
import { NOT_FOUND, serviceOf } from './lookups.js';
import { lockEnrolment, updateEnrolment, type EnrolmentRow } from './repository.js';

/** The key of the error a draft already submitted gives (a double click's second request). */
export const ALREADY_SUBMITTED = 'enrolments.errors.alreadySubmitted';

async function fileRequest(
  deps: AppDeps,
  tx: Tx,
  e: EnrolmentRow,
  service: ServiceDetails,
  actor: Actor,
  side: 'parent' | 'staff',
  ownerAccountId: number | null,
) {
  const child = await tx('members').where({ id: e.child_id }).first('first_name', 'last_name');
  const name = `${child.first_name} ${child.last_name}`;
  const type = e.derogation ? 'derogation' : 'enrolment';
  const school = e.school_id ? await findSchool(tx, e.school_id) : undefined;
  const summary = e.derogation
    ? tFr('enrolments.requestSummary.derogation', { child: name, school: school?.name ?? '' })
    : tFr('enrolments.requestSummary.enrolment', { child: name, service: service.name });
  const message =
    e.derogation && e.options.derogation
      ? `${tFr(`enrolments.derogation.reasons.${e.options.derogation.reason}`)}${e.options.derogation.text ? ` : ${e.options.derogation.text}` : ''}`
      : null;
  return createRequestsService(deps).create(tx, {
    type,
    accountId: ownerAccountId,
    householdId: e.household_id,
    childId: e.child_id,
    summary,
    data: {
      enrolmentId: e.id,
      serviceId: service.id,
      ...(e.derogation
        ? {
            schoolId: e.school_id,
            reason: e.options.derogation?.reason,
            documentIds: e.options.derogation?.documentIds ?? [],
          }
        : {}),
    },
    actor,
    side,
    message,
  });
}

/** Submits a draft in the caller's transaction: documents check, request, instant acceptance when no validation is needed. */
export async function submitIn(
  deps: AppDeps,
  tx: Tx,
  enrolmentId: number,
  actor: Actor,
  side: 'parent' | 'staff',
  ownerAccountId: number | null,
  returnTo: string,
) {
  const e = await lockEnrolment(tx, enrolmentId);
  if (!e) throw new FormError('form', NOT_FOUND);
  if (e.status !== 'draft') throw new FormError('form', ALREADY_SUBMITTED);
  const service = await serviceOf(deps, tx, e.service_id);
  const check = await checkDocuments(deps, tx, {
    householdId: e.household_id,
    childId: e.child_id,
    service,
    returnTo,
  });
  if (!check.complete) throw new FormError('documents', 'enrolments.errors.documentsMissing', { check });
  if (service.kind === 'school' && !e.school_id)
    throw new FormError('school', 'enrolments.errors.schoolRequired');
  const request = await fileRequest(deps, tx, e, service, actor, side, ownerAccountId);
  const now = deps.clock.now();
  await updateEnrolment(tx, e.id, {
    status: 'submitted',
    step: 'done',
    request_id: request.id,
    submitted_at: now,
  });
  if (!service.needs_validation && !e.derogation) {
    await createRequestsService(deps).decide(
      request.id,
      'accepted',
      SYSTEM,
      tFr('enrolments.autoAccepted'),
      tx,
    );
  }
  return request;
}
