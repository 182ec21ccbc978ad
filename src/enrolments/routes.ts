// Parents: their enrolments and the step-by-step enrolment form (a draft saved at each step).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { actorOf, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { childrenOfHousehold, findChildOfHousehold } from '../households/access.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import { listEvents } from '../requests/service.js';
import { createServicesService, type ServiceDetails } from '../services/service.js';
import {
  findHouseholdEnrolment,
  listHouseholdEnrolments,
  openEndRequest,
  type EnrolmentRow,
} from './repository.js';
import { answerSchema, endSchema, optionsSchema, schoolSchema, startSchema } from './schemas.js';
import { usableDocuments } from '../documents/service.js';
import {
  ALREADY_SUBMITTED,
  createEnrolmentsService,
  DEROGATION_REASONS,
  furthest,
  stepsFor,
  type DocumentCheck,
  type Step,
} from './service.js';

export function enrolmentsRoutes(deps: AppDeps): Router {
  const router = Router();
  const enrolments = createEnrolmentsService(deps);
  const services = createServicesService(deps);
  router.use('/enrolments', requireParent, withHousehold());

  const errorsFrom = (req: Request, err: FormError): FormErrors =>
    addError(noErrors(), err.field, getT()(err.key, err.params));

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

  const stepUrl = (e: EnrolmentRow, step: string) => `/enrolments/${e.id}/${step}`;
  const nextOf = (steps: Step[], step: Step): Step => steps[steps.indexOf(step) + 1] ?? 'summary';

  // ---- the list

  router.get('/enrolments', async (req, res) => {
    const householdId = currentHouseholdId(req);
    const year = await services.currentYear();
    const [list, children, available] = await Promise.all([
      listHouseholdEnrolments(deps.db, householdId),
      childrenOfHousehold(deps.db, householdId),
      year ? services.list(year.id, { activeOnly: true }) : Promise.resolve([] as ServiceDetails[]),
    ]);
    res.render('enrolments/index', { enrolments: list, children, services: available, year });
  });

  // ---- step 1 before the draft exists: check the child's details

  router.get('/enrolments/new', async (req, res) => {
    const form = startSchema.safeParse(req.query);
    if (!form.success) throw new HttpError(404);
    const householdId = currentHouseholdId(req);
    const [child, service] = await Promise.all([
      findChildOfHousehold(deps.db, householdId, form.data.child),
      services.get(form.data.service),
    ]);
    if (!child || !service || !service.active) throw new HttpError(404);
    const blocker = await enrolments.blocker(householdId, child.id, service);
    const existing = (await listHouseholdEnrolments(deps.db, householdId)).find(
      (x) =>
        x.child_id === child.id &&
        x.service_id === service.id &&
        ['draft', 'submitted', 'accepted'].includes(x.status),
    );
    if (existing?.status === 'draft') return res.redirect(`/enrolments/${existing.id}`);
    await renderChildStep(res, 200, { child, service, steps: stepsFor(service), e: null, blocker, existing });
  });

  router.post('/enrolments/new', async (req, res) => {
    const form = startSchema.safeParse(req.body ?? {});
    if (!form.success) throw new HttpError(404);
    const householdId = currentHouseholdId(req);
    const [child, service] = await Promise.all([
      findChildOfHousehold(deps.db, householdId, form.data.child),
      services.get(form.data.service),
    ]);
    if (!child || !service || !service.active) throw new HttpError(404);
    try {
      const e = await enrolments.start(householdId, child.id, service.id, actorOf(req));
      flash(req, getT()('enrolments.draftSaved'), 'info');
      res.redirect(303, stepUrl(e, e.step === 'child' ? 'documents' : e.step));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      const blocker = { key: err.key, params: err.params };
      await renderChildStep(res, 422, {
        child,
        service,
        steps: stepsFor(service),
        e: null,
        blocker,
        existing: null,
        errors: errorsFrom(req, err),
      });
    }
  });

  async function renderChildStep(res: Response, status: number, locals: Record<string, unknown>) {
    const school = (locals.child as { school_id: number | null }).school_id
      ? (await services.schools()).find((s) => s.id === (locals.child as { school_id: number }).school_id)
      : null;
    res.status(status).render('enrolments/step-child', { errors: noErrors(), school, ...locals });
  }

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

  router.get('/enrolments/:id/child', async (req, res) => {
    const { e, service, child, steps } = await loadDraft(req, 'child');
    await renderChildStep(res, 200, { child, service, steps, e, blocker: null, existing: null });
  });

  router.post('/enrolments/:id/child', async (req, res) => {
    const { e, steps } = await loadDraft(req, 'child');
    await enrolments.advance(e, furthest(steps, e.step, 'documents'));
    res.redirect(303, stepUrl(e, 'documents'));
  });

  // ---- step 2: the mandatory documents

  async function renderDocuments(
    req: Request,
    res: Response,
    status: number,
    errors: FormErrors = noErrors(),
  ) {
    const { e, service, child, steps, householdId } = await loadDraft(req, 'documents');
    const check = await enrolments.checkDocuments({
      householdId,
      childId: child.id,
      service,
      returnTo: stepUrl(e, 'documents'),
    });
    res.status(status).render('enrolments/step-documents', { e, service, child, steps, check, errors });
    return check;
  }

  router.get('/enrolments/:id/documents', async (req, res) => {
    await renderDocuments(req, res, 200);
  });

  router.post('/enrolments/:id/documents', async (req, res) => {
    const { e, service, child, steps, householdId } = await loadDraft(req, 'documents');
    const check = await enrolments.checkDocuments({
      householdId,
      childId: child.id,
      service,
      returnTo: stepUrl(e, 'documents'),
    });
    // "Sans eux vous ne pourrez pas continuer la démarche": the step does not go on while one is missing.
    if (!check.complete) return renderDocuments(req, res, 422, missingErrors(req, check));
    const next = nextOf(steps, 'documents');
    await enrolments.advance(e, furthest(steps, e.step, next));
    res.redirect(303, stepUrl(e, next));
  });

  function missingErrors(req: Request, check: DocumentCheck): FormErrors {
    const t = getT();
    const errors = noErrors();
    for (const item of check.items.filter((i) => i.state !== 'ok')) {
      const text = t(
        item.state === 'missing' ? 'enrolments.documents.missingError' : 'enrolments.documents.tooShortError',
        { name: item.requirement.name },
      );
      errors.summary.push({ text, href: `#doc-${item.requirement.document_type_id}` });
      errors.fields[`doc-${item.requirement.document_type_id}`] = text;
    }
    return errors;
  }

  // ---- step 3: options (usual weekdays)

  router.get('/enrolments/:id/options', async (req, res) => {
    const { e, service, child, steps } = await loadDraft(req, 'options');
    res.render('enrolments/step-options', {
      e,
      service,
      child,
      steps,
      values: { weekdays: (e.options.weekdays ?? []).map(String) },
      errors: noErrors(),
    });
  });

  router.post('/enrolments/:id/options', async (req, res) => {
    const { e, service, child, steps } = await loadDraft(req, 'options');
    const t = getT();
    const form = optionsSchema.safeParse(req.body ?? {});
    const raw = req.body?.weekdays;
    const values = {
      weekdays: raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)],
    };
    if (!form.success)
      return res.status(422).render('enrolments/step-options', {
        e,
        service,
        child,
        steps,
        values,
        errors: formErrors(form.error, t),
      });
    try {
      await enrolments.saveOptions(e, service, form.data.weekdays, furthest(steps, e.step, 'summary'));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return res.status(422).render('enrolments/step-options', {
        e,
        service,
        child,
        steps,
        values,
        errors: errorsFrom(req, err),
      });
    }
    res.redirect(303, stepUrl(e, 'summary'));
  });

  // ---- step 3 (school enrolment): catchment school or derogation

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

  // ---- step 4: check your answers, then submit

  async function renderSummary(req: Request, res: Response, status: number, errors: FormErrors = noErrors()) {
    const { e, service, child, steps, householdId } = await loadDraft(req, 'summary');
    const check = await enrolments.checkDocuments({
      householdId,
      childId: child.id,
      service,
      returnTo: stepUrl(e, 'summary'),
    });
    const schools = await enrolments.schools();
    const documents = e.options.derogation?.documentIds?.length
      ? (await usableDocuments(deps.db, householdId)).filter((d) =>
          e.options.derogation!.documentIds.includes(d.id),
        )
      : [];
    res.status(status).render('enrolments/step-summary', {
      e,
      service,
      child,
      steps,
      check,
      school: schools.find((s) => s.id === e.school_id) ?? null,
      documents,
      errors,
    });
  }

  router.get('/enrolments/:id/summary', async (req, res) => {
    const { e, steps } = await loadDraft(req, 'summary');
    // A step not done yet: go there first (the summary needs every answer).
    if (steps.indexOf(e.step as Step) < steps.indexOf('summary')) return res.redirect(stepUrl(e, e.step));
    await renderSummary(req, res, 200);
  });

  router.post('/enrolments/:id/submit', async (req, res) => {
    const { e, service, child, householdId } = await load(req);
    // Already submitted (a double click, a resent form): the first request's result.
    if (e.status !== 'draft')
      return res.redirect(303, e.submitted_at ? `/enrolments/${e.id}/confirmation` : `/enrolments/${e.id}`);
    if (e.step !== 'summary') return res.redirect(303, stepUrl(e, e.step));
    try {
      await enrolments.submit(e, actorOf(req), stepUrl(e, 'summary'));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      // Submitted by a concurrent request while this one waited for the row.
      if (err.key === ALREADY_SUBMITTED) return res.redirect(303, `/enrolments/${e.id}/confirmation`);
      if (err.field === 'documents') {
        const check = await enrolments.checkDocuments({
          householdId,
          childId: child.id,
          service,
          returnTo: stepUrl(e, 'summary'),
        });
        return renderSummary(req, res, 422, missingErrors(req, check));
      }
      return renderSummary(req, res, 422, errorsFrom(req, err));
    }
    res.redirect(303, `/enrolments/${e.id}/confirmation`);
  });

  router.get('/enrolments/:id/confirmation', async (req, res) => {
    const { e, service, child } = await load(req);
    if (e.status === 'draft') return res.redirect(`/enrolments/${e.id}`);
    const full = (await listHouseholdEnrolments(deps.db, currentHouseholdId(req))).find(
      (x) => x.id === e.id,
    )!;
    res.render('enrolments/confirmation', { e: full, service, child });
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
