// What the parent's enrolment pages share: loading the household's enrolment (anything else is a
// 404), the step URLs and the form error of a rule the service refused.
import type { Request } from 'express';
import type { AppDeps } from '../deps.js';
import { findChildOfHousehold } from '../households/access.js';
import { createServicesService } from '../services/service.js';
import { HttpError } from '../web/errors.js';
import { addError, noErrors, type FormError, type FormErrors } from '../web/forms.js';
import { currentHouseholdId } from '../web/household.js';
import { getT } from '../web/i18n.js';
import { idParam } from '../web/params.js';
import { findHouseholdEnrolment, type EnrolmentRow } from './repository.js';
import { stepsFor, type Step } from './wizard.js';

export const errorsFrom = (req: Request, err: FormError): FormErrors =>
  addError(noErrors(), err.field, getT()(err.key, err.params));

export const stepUrl = (e: EnrolmentRow, step: string) => `/enrolments/${e.id}/${step}`;

export function enrolmentLoaders(deps: AppDeps) {
  const services = createServicesService(deps);

  /** The household's enrolment with its service, child and steps; anything else is a 404. */
  async function load(req: Request) {
    const householdId = currentHouseholdId(req);
    const e = await findHouseholdEnrolment(deps.db, householdId, idParam(req.params.id));
    if (!e) throw new HttpError(404);
    const [service, child] = await Promise.all([
      services.get(e.service_id),
      findChildOfHousehold(deps.db, householdId, e.child_id),
    ]);
    if (!service || !child) throw new HttpError(404);
    return { e, service, child, steps: stepsFor(service), householdId };
  }

  async function loadDraft(req: Request, step: Step) {
    const ctx = await load(req);
    if (ctx.e.status !== 'draft') throw new HttpError(404);
    if (!ctx.steps.includes(step)) throw new HttpError(404);
    return ctx;
  }

  return { load, loadDraft };
}
