// Parents: the school step of a school enrolment: the catchment school, or another school with a
// derogation (reason, text, documents of the vault).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { usableDocuments } from '../documents/service.js';
import { formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { enrolmentLoaders, errorsFrom, stepUrl } from './route-helpers.js';
import { schoolSchema } from './schemas.js';
import { createEnrolmentsService } from './service.js';
import { DEROGATION_REASONS, furthest } from './wizard.js';

export function enrolmentSchoolRoutes(deps: AppDeps): Router {
  const router = Router();
  const enrolments = createEnrolmentsService(deps);
  const { loadDraft } = enrolmentLoaders(deps);

  async function renderSchool(
    req: Request,
    res: Response,
    status: number,
    values: Record<string, unknown> | null,
    errors: FormErrors = noErrors(),
  ) {
    const { e, service, child, steps, householdId } = await loadDraft(req, 'school');
    const [catchment, schools, documents] = await Promise.all([
      enrolments.catchment(householdId, child.class_level),
      enrolments.schools(),
      usableDocuments(deps.db, householdId),
    ]);
    const v = values ?? {
      choice: e.school_id ? (e.derogation ? 'other' : 'catchment') : '',
      school_id: e.derogation && e.school_id ? String(e.school_id) : '',
      reason: e.options.derogation?.reason ?? '',
      text: e.options.derogation?.text ?? '',
      documents: (e.options.derogation?.documentIds ?? []).map(String),
    };
    res.status(status).render('enrolments/step-school', {
      e,
      service,
      child,
      steps,
      catchment,
      schools: schools.filter((s) => s.id !== catchment?.id),
      documents,
      reasons: DEROGATION_REASONS,
      values: v,
      errors,
    });
  }

  router.get('/enrolments/:id/school', async (req, res) => {
    await renderSchool(req, res, 200, null);
  });

  router.post('/enrolments/:id/school', async (req, res) => {
    const { e, steps } = await loadDraft(req, 'school');
    const t = getT();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = {
      ...body,
      documents:
        body.documents === undefined
          ? []
          : Array.isArray(body.documents)
            ? body.documents.map(String)
            : [String(body.documents)],
    };
    const form = schoolSchema.safeParse(body);
    if (!form.success) return renderSchool(req, res, 422, values, formErrors(form.error, t));
    try {
      await enrolments.saveSchool(
        e,
        {
          choice: form.data.choice,
          schoolId: form.data.school_id,
          reason: form.data.reason,
          text: form.data.text,
          documentIds: form.data.documents,
        },
        furthest(steps, e.step, 'summary'),
      );
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderSchool(req, res, 422, values, errorsFrom(req, err));
    }
    res.redirect(303, stepUrl(e, 'summary'));
  });

  return router;
}
