// Parents: the step-by-step enrolment form (a draft saved at each step): the child, the mandatory
// documents, the usual weekdays, then the summary, the submission and its confirmation. The
// school step is in routes-school.ts.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { findChildOfHousehold } from '../households/access.js';
import { createServicesService } from '../services/service.js';
import { usableDocuments } from '../documents/service.js';
import { actorOf } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { currentHouseholdId } from '../web/household.js';
import { getT } from '../web/i18n.js';
import type { DocumentCheck } from './document-check.js';
import { listHouseholdEnrolments } from './repository.js';
import { enrolmentLoaders, errorsFrom, stepUrl } from './route-helpers.js';
import { optionsSchema, startSchema } from './schemas.js';
import { createEnrolmentsService } from './service.js';
import { ALREADY_SUBMITTED } from './submission.js';
import { furthest, stepsFor, type Step } from './wizard.js';

export function enrolmentWizardRoutes(deps: AppDeps): Router {
  const router = Router();
  const enrolments = createEnrolmentsService(deps);
  const services = createServicesService(deps);
  const { load, loadDraft } = enrolmentLoaders(deps);

  const nextOf = (steps: Step[], step: Step): Step => steps[steps.indexOf(step) + 1] ?? 'summary';

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

  return router;
}
