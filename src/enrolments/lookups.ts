// What enrolment rules look up first: the active service an enrolment is for, and the period it covers.
import type { AppDeps } from '../deps.js';
import { today } from '../platform/clock.js';
import type { Queryable } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { createServicesService, findSchoolYear, type ServiceDetails } from '../services/service.js';

export const NOT_FOUND = 'enrolments.errors.notFound';

/** The enrolment's service, if still active (else the form's "not found" error). */
export async function serviceOf(deps: AppDeps, q: Queryable, id: number): Promise<ServiceDetails> {
  const s = await createServicesService(deps).get(id, q);
  if (!s || !s.active) throw new FormError('form', NOT_FOUND);
  return s;
}

/** The service period an enrolment covers: from the year's start (or today, mid-year) to its end. */
export async function periodOf(deps: AppDeps, q: Queryable, schoolYearId: string) {
  const year = await findSchoolYear(q, schoolYearId);
  if (!year) throw new FormError('form', NOT_FOUND);
  const d = today(deps.clock);
  return { start: year.starts_on > d ? year.starts_on : d, end: year.ends_on };
}
