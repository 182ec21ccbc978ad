// Staff: services of each school year (agents read, managers and admins edit) and the town
// calendar (managers and admins).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { actorOf, requireAgent, requireManager } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { idParam } from '../web/params.js';
import { calendarSchema, requirementsFrom, serviceSchema } from './schemas.js';
import { createServicesService, type ServiceDetails } from './service.js';
import { CLASS_LEVELS } from './repository.js';

export function servicesAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const services = createServicesService(deps);

  async function yearOf(req: Request) {
    const years = await services.schoolYears();
    const wanted = typeof req.query.year === 'string' ? req.query.year : '';
    const year = wanted ? years.find((y) => y.id === wanted) : await services.currentYear();
    if (!year) throw new HttpError(404);
    return { year, years };
  }

  router.get('/services', requireAgent, async (req, res) => {
    const { year, years } = await yearOf(req);
    const canEdit = ['manager', 'admin'].includes(req.account!.role);
    res.render('admin/services/index', { year, years, services: await services.list(year.id), canEdit });
  });

  // ---- service form

  function valuesOf(s: ServiceDetails) {
    return {
      ...s,
      site_school_id: s.site_school_id ?? '',
      schools: s.schoolIds.map(String),
      class_levels: s.class_levels ?? [],
      weekdays: s.weekdays.map(String),
      min_age: s.min_age ?? '',
      max_age: s.max_age ?? '',
      enrol_opens_on: s.enrol_opens_on ?? '',
      enrol_closes_on: s.enrol_closes_on ?? '',
      needs_validation: s.needs_validation ? 'yes' : 'no',
      requirements: Object.fromEntries(s.requirements.map((r) => [String(r.document_type_id), r.rule])),
    };
  }

  async function renderForm(
    res: Response,
    status: number,
    serviceId: number | null,
    values: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) {
    const [years, schools, documentTypes] = await Promise.all([
      services.schoolYears(),
      services.schools(),
      services.documentTypes(),
    ]);
    res.status(status).render('admin/services/form', {
      serviceId,
      values,
      errors,
      years,
      schools,
      documentTypes,
      classLevels: CLASS_LEVELS,
    });
  }

  function postedValues(body: Record<string, unknown>) {
    const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
    const requirements = Object.fromEntries(
      Object.entries(body)
        .filter(([k]) => k.startsWith('req_'))
        .map(([k, v]) => [k.slice(4), String(v)]),
    );
    return {
      ...body,
      schools: list(body.schools),
      class_levels: list(body.class_levels),
      weekdays: list(body.weekdays),
      meals: list(body.meals),
      requirements,
      active: body.active === 'on',
    };
  }

  router.get('/services/new', requireManager, async (req, res) => {
    const year = await services.currentYear();
    await renderForm(res, 200, null, {
      school_year_id: year?.id ?? '',
      kind: 'canteen',
      opening_days: 'school_days',
      weekdays: ['1', '2', '4', '5'],
      needs_validation: 'yes',
      unit: 'day',
      billing_basis: 'bookings',
      active: true,
      meals: ['lunch'],
      schools: [],
      class_levels: [],
      requirements: {},
    });
  });

  router.get('/services/:id/edit', requireManager, async (req, res) => {
    const s = await services.get(idParam(req.params.id));
    if (!s) throw new HttpError(404);
    await renderForm(res, 200, s.id, valuesOf(s));
  });

  async function save(req: Request, res: Response, id: number | null) {
    const t = getT();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = postedValues(body);
    const form = serviceSchema.safeParse(body);
    const types = await services.documentTypes();
    const reqs = requirementsFrom(
      body,
      types.map((d) => d.id),
    );
    if (!form.success || !reqs) {
      const errors = form.success ? noErrors() : formErrors(form.error, t);
      if (!reqs) addError(errors, 'requirements', t('services.errors.requirement'));
      return renderForm(res, 422, id, values, errors);
    }
    try {
      const savedId = await services.save(id, form.data, reqs, actorOf(req));
      flash(req, t(id == null ? 'services.admin.created' : 'services.admin.saved', { name: form.data.name }));
      res.redirect(
        303,
        `/admin/services?year=${encodeURIComponent(form.data.school_year_id)}#service-${savedId}`,
      );
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderForm(res, 422, id, values, addError(noErrors(), err.field, t(err.key, err.params)));
    }
  }

  router.post('/services/new', requireManager, (req, res) => save(req, res, null));
  router.post('/services/:id/edit', requireManager, async (req, res) => {
    const s = await services.get(idParam(req.params.id));
    if (!s) throw new HttpError(404);
    await save(req, res, s.id);
  });

  // ---- town calendar

  router.get('/calendar', requireManager, async (req, res) => {
    const { year, years } = await yearOf(req);
    res.render('admin/calendar/index', { year, years, periods: await services.calendar(year.id) });
  });

  async function renderPeriod(
    res: Response,
    status: number,
    periodId: number | null,
    values: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) {
    res
      .status(status)
      .render('admin/calendar/form', { periodId, values, errors, years: await services.schoolYears() });
  }

  router.get('/calendar/new', requireManager, async (req, res) => {
    const { year } = await yearOf(req);
    await renderPeriod(res, 200, null, { school_year_id: year.id, kind: 'holiday' });
  });

  router.get('/calendar/:id/edit', requireManager, async (req, res) => {
    const p = await services.findPeriod(idParam(req.params.id));
    if (!p) throw new HttpError(404);
    await renderPeriod(res, 200, p.id, { ...p, ends_on: p.ends_on ?? '' });
  });

  async function savePeriod(req: Request, res: Response, id: number | null) {
    const t = getT();
    const form = calendarSchema.safeParse(req.body ?? {});
    if (!form.success) return renderPeriod(res, 422, id, req.body ?? {}, formErrors(form.error, t));
    try {
      await services.savePeriod(id, form.data, actorOf(req));
      flash(req, t('services.calendar.saved', { name: form.data.name }));
      res.redirect(303, `/admin/calendar?year=${encodeURIComponent(form.data.school_year_id)}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderPeriod(
        res,
        422,
        id,
        req.body ?? {},
        addError(noErrors(), err.field, t(err.key, err.params)),
      );
    }
  }

  router.post('/calendar/new', requireManager, (req, res) => savePeriod(req, res, null));
  router.post('/calendar/:id/edit', requireManager, async (req, res) => {
    const p = await services.findPeriod(idParam(req.params.id));
    if (!p) throw new HttpError(404);
    await savePeriod(req, res, p.id);
  });
  router.post('/calendar/:id/delete', requireManager, async (req, res) => {
    const p = await services.findPeriod(idParam(req.params.id));
    if (!p) throw new HttpError(404);
    await services.deletePeriod(p.id, actorOf(req));
    flash(req, getT()('services.calendar.deleted', { name: p.name }));
    res.redirect(303, `/admin/calendar?year=${encodeURIComponent(p.school_year_id)}`);
  });

  return router;
}
