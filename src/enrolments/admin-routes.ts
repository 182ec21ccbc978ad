// Staff: enrolments by service and status, the enrolment page (child, family and documents side
// by side, with the decision), bulk acceptance of complete enrolments, and enrolment at the desk.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { actorOf, requireAgent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { childrenOfHousehold } from '../households/access.js';
import { idParam } from '../web/params.js';
import { createDocumentsService } from '../documents/service.js';
import { listEvents } from '../requests/service.js';
import { createServicesService } from '../services/service.js';
import {
  familyOf,
  findChild,
  findEnrolmentWithNames,
  firstGuardianAccount,
  staffList,
} from './repository.js';
import { bulkSchema, decideSchema, deskSchema, staffFiltersSchema } from './schemas.js';
import { usableDocuments } from '../documents/service.js';
import { createEnrolmentsService } from './service.js';

const PAGE_SIZE = 50;

export function enrolmentsAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const enrolments = createEnrolmentsService(deps);
  const services = createServicesService(deps);
  const documents = createDocumentsService(deps);
  router.use('/enrolments', requireAgent);

  // ---- the list, with bulk acceptance of complete enrolments of one service

  router.get('/enrolments', async (req, res) => {
    const f = staffFiltersSchema.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const { page, ...filters } = f.data;
    const year = await services.currentYear();
    const serviceList = year ? await services.list(year.id) : [];
    const base = staffList(deps.db, {
      service: filters.service,
      status: filters.status || undefined,
      q: filters.q || undefined,
    });
    const [{ count }] = (await base.clone().clearSelect().count({ count: '*' })) as [{ count: number }];
    const rows = await base
      .orderBy([{ column: 'e.submitted_at', order: 'asc' }, { column: 'e.id' }])
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE);
    // What each submitted enrolment still lacks (accepted, valid documents): the others can be accepted in bulk.
    const missing = await enrolments.missingByEnrolment(rows, serviceList);
    res.render('admin/enrolments/index', {
      rows,
      missing,
      services: serviceList,
      filters: f.data,
      count: Number(count),
      page,
      pages: Math.max(1, Math.ceil(Number(count) / PAGE_SIZE)),
    });
  });

  router.post('/enrolments/accept', async (req, res) => {
    const t = getT();
    const form = bulkSchema.safeParse(req.body ?? {});
    const service = typeof req.body?.service === 'string' ? req.body.service : '';
    if (!form.success) {
      flash(req, t('enrolments.admin.bulkNone'), 'error');
      return res.redirect(303, `/admin/enrolments?service=${encodeURIComponent(service)}&status=submitted`);
    }
    const { accepted, skipped } = await enrolments.bulkAccept(form.data.ids, actorOf(req));
    flash(
      req,
      t('enrolments.admin.bulkDone', { count: accepted }) +
        (skipped ? ' ' + t('enrolments.admin.bulkSkipped', { count: skipped }) : ''),
    );
    res.redirect(303, `/admin/enrolments?service=${form.data.service}&status=submitted`);
  });

  // ---- at the desk

  async function renderDesk(
    res: Response,
    status: number,
    family: { id: number; family_number: string } | null,
    values: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) {
    const children = family ? await childrenOfHousehold(deps.db, family.id) : [];
    const year = await services.currentYear();
    const list = year
      ? (await services.list(year.id, { activeOnly: true })).filter((s) => s.kind !== 'school')
      : [];
    res.status(status).render('admin/enrolments/new', { values, errors, family, children, services: list });
  }

  /** The family of the desk enrolment (from the desk's family search or its page); else a 404. */
  async function deskFamily(param: unknown) {
    const { household } = await familyOf(deps.db, idParam(param));
    if (!household) throw new HttpError(404);
    return household as { id: number; family_number: string };
  }

  router.get('/enrolments/new', async (req, res) => {
    const family = req.query.household === undefined ? null : await deskFamily(req.query.household);
    await renderDesk(res, 200, family, { weekdays: [] });
  });

  router.post('/enrolments/new', async (req, res) => {
    const t = getT();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const family = await deskFamily(body.household_id);
    const values = {
      ...body,
      weekdays:
        body.weekdays === undefined
          ? []
          : Array.isArray(body.weekdays)
            ? body.weekdays.map(String)
            : [String(body.weekdays)],
    };
    const form = deskSchema.safeParse(body);
    if (!form.success) return renderDesk(res, 422, family, values, formErrors(form.error, t));
    const owner = await firstGuardianAccount(deps.db, family.id);
    try {
      const { id } = await enrolments.deskEnrol(
        family.id,
        form.data.child_id,
        form.data.service_id,
        form.data.weekdays,
        actorOf(req),
        owner?.account_id ?? null,
      );
      flash(req, t('enrolments.admin.deskDone'));
      res.redirect(303, `/admin/enrolments/${id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      const field = err.field === 'form' ? 'service_id' : err.field;
      return renderDesk(
        res,
        422,
        family,
        values,
        addError(noErrors(), field === 'documents' ? 'service_id' : field, t(err.key, err.params)),
      );
    }
  });

  // ---- one enrolment: child, family, documents, history, decision

  async function renderShow(
    req: Request,
    res: Response,
    status: number,
    values: Record<string, unknown> = {},
    errors: FormErrors = noErrors(),
  ) {
    const e = await findEnrolmentWithNames(deps.db, idParam(req.params.id));
    if (!e || e.status === 'draft') throw new HttpError(404);
    const service = await services.get(e.service_id);
    if (!service) throw new HttpError(404);
    const [child, family, check, events, docs] = await Promise.all([
      findChild(deps.db, e.child_id),
      familyOf(deps.db, e.household_id),
      enrolments.checkDocuments({ householdId: e.household_id, childId: e.child_id, service, returnTo: '' }),
      e.request_id ? listEvents(deps.db, e.request_id) : Promise.resolve([]),
      usableDocuments(deps.db, e.household_id),
    ]);
    const request = e.request_id ? await deps.db('requests').where({ id: e.request_id }).first() : null;
    const derogationDocs = docs.filter((d) => e.options.derogation?.documentIds?.includes(d.id));
    res.status(status).render('admin/enrolments/show', {
      e,
      service,
      child,
      family,
      check,
      events,
      request,
      derogationDocs,
      values,
      errors,
    });
  }

  router.get('/enrolments/:id', (req, res) => renderShow(req, res, 200));

  router.post('/enrolments/:id/decide', async (req, res) => {
    const t = getT();
    const e = await enrolments.find(idParam(req.params.id));
    if (!e || e.status === 'draft') throw new HttpError(404);
    const form = decideSchema.safeParse(req.body ?? {});
    if (!form.success) return renderShow(req, res, 422, req.body ?? {}, formErrors(form.error, t));
    try {
      await enrolments.decide(e, form.data.decision, form.data.message || null, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderShow(
        req,
        res,
        422,
        req.body ?? {},
        addError(noErrors(), err.field === 'form' ? 'decision' : err.field, t(err.key, err.params)),
      );
    }
    flash(req, t(`enrolments.admin.decided.${form.data.decision}`));
    res.redirect(303, `/admin/enrolments/${e.id}`);
  });

  /** Accepting a document from here is the documents queue's own review action. */
  router.post('/enrolments/:id/documents/:documentId/accept', async (req, res) => {
    const t = getT();
    const e = await enrolments.find(idParam(req.params.id));
    if (!e || e.status === 'draft') throw new HttpError(404);
    const documentId = idParam(req.params.documentId);
    const doc = await deps.db('documents').where({ id: documentId }).first('household_id', 'member_id');
    // Only a document of this enrolment's family (or of the child) can be reviewed from its page.
    if (!doc || (doc.household_id !== e.household_id && doc.member_id !== e.child_id))
      throw new HttpError(404);
    try {
      await documents.review(documentId, { decision: 'accept', valid_until: '' }, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderShow(req, res, 422, {}, addError(noErrors(), 'documents', t(err.key, err.params)));
    }
    flash(req, t('enrolments.admin.documentAccepted'));
    res.redirect(303, `/admin/enrolments/${e.id}#documents`);
  });

  return router;
}
