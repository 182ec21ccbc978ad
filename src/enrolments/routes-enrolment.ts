// Parents: an enrolment's page (a draft's task list, or the enrolment once submitted), and what
// follows submission: withdraw, ask to end it, answer a request marked "incomplète".
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { usableDocuments } from '../documents/service.js';
import { listEvents } from '../requests/service.js';
import { actorOf } from '../web/auth.js';
import { flash } from '../web/flash.js';
import { formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { listHouseholdEnrolments, openEndRequest } from './repository.js';
import { enrolmentLoaders, errorsFrom, stepUrl } from './route-helpers.js';
import { answerSchema, endSchema } from './schemas.js';
import { createEnrolmentsService } from './service.js';

export function enrolmentPageRoutes(deps: AppDeps): Router {
  const router = Router();
  const enrolments = createEnrolmentsService(deps);
  const { load } = enrolmentLoaders(deps);

  // ---- a draft: task list, or the enrolment's page once submitted

  router.get('/enrolments/:id', async (req, res) => {
    const { e, service, child, steps, householdId } = await load(req);
    const returnTo = stepUrl(e, 'documents');
    const check = await enrolments.checkDocuments({ householdId, childId: child.id, service, returnTo });
    if (e.status === 'draft') return res.render('enrolments/tasks', { e, service, child, steps, check });
    const [events, documents, endRequest] = await Promise.all([
      e.request_id ? listEvents(deps.db, e.request_id) : Promise.resolve([]),
      usableDocuments(deps.db, householdId),
      openEndRequest(deps.db, e.id),
    ]);
    const full = (await listHouseholdEnrolments(deps.db, householdId)).find((x) => x.id === e.id)!;
    res.render('enrolments/show', {
      e: full,
      service,
      child,
      events,
      documents,
      endRequest,
      check,
      values: {},
      errors: noErrors(),
    });
  });
  // ---- after submission: withdraw, answer, end

  router.post('/enrolments/:id/withdraw', async (req, res) => {
    const { e } = await load(req);
    const t = getT();
    try {
      await enrolments.withdraw(e, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      flash(req, t(err.key, err.params), 'error');
      return res.redirect(303, `/enrolments/${e.id}`);
    }
    flash(req, t(e.status === 'draft' ? 'enrolments.draftAbandoned' : 'enrolments.withdrawn'));
    res.redirect(303, '/enrolments');
  });

  async function renderShow(
    req: Request,
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: FormErrors,
  ) {
    const { e, service, child, householdId } = await load(req);
    const [events, documents, endRequest] = await Promise.all([
      e.request_id ? listEvents(deps.db, e.request_id) : Promise.resolve([]),
      usableDocuments(deps.db, householdId),
      openEndRequest(deps.db, e.id),
    ]);
    const check = await enrolments.checkDocuments({
      householdId,
      childId: child.id,
      service,
      returnTo: `/enrolments/${e.id}`,
    });
    const full = (await listHouseholdEnrolments(deps.db, householdId)).find((x) => x.id === e.id)!;
    res.status(status).render('enrolments/show', {
      e: full,
      service,
      child,
      events,
      documents,
      endRequest,
      check,
      values,
      errors,
    });
  }

  router.post('/enrolments/:id/end', async (req, res) => {
    const { e } = await load(req);
    const t = getT();
    const form = endSchema.safeParse(req.body ?? {});
    if (!form.success) return renderShow(req, res, 422, req.body ?? {}, formErrors(form.error, t));
    try {
      const r = await enrolments.requestEnd(e, form.data.ends_on, actorOf(req));
      flash(req, t('enrolments.endRequested', { code: r.tracking_code }));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderShow(req, res, 422, req.body ?? {}, errorsFrom(req, err));
    }
    res.redirect(303, `/enrolments/${e.id}`);
  });

  router.post('/enrolments/:id/answer', async (req, res) => {
    const { e } = await load(req);
    const t = getT();
    const form = answerSchema.safeParse(req.body ?? {});
    if (!form.success) return renderShow(req, res, 422, req.body ?? {}, formErrors(form.error, t));
    try {
      await enrolments.answer(
        e,
        { message: form.data.message, documentId: form.data.document_id },
        actorOf(req),
      );
      flash(req, t('enrolments.answered'));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderShow(req, res, 422, req.body ?? {}, errorsFrom(req, err));
    }
    res.redirect(303, `/enrolments/${e.id}`);
  });

  return router;
}
