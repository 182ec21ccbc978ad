// Staff: the review queue, a document next to the family's details, the decision, the desk
// upload on a family's behalf, and (admins) the document types.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { idParam } from '../web/params.js';
import { actorOf, requireAdmin, requireAgent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { ACCEPT_ATTRIBUTE } from './files.js';
import { filesOf, findType, findView, versionsOf } from './repository.js';
import { childrenOfHousehold, householdSummary } from './repository-households.js';
import { pendingQueue } from './repository-queue.js';
import { filesOfRequest, uploadValues } from './routes.js';
import {
  documentTypeSchema,
  queueFilters,
  REJECT_REASONS,
  reviewSchema,
  staffUploadSchema,
} from './schemas.js';
import { createDocumentsService } from './service.js';
import { displayStatus } from './validity.js';

const PAGE_SIZE = 30;

export function documentsAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const documents = createDocumentsService(deps);

  router.get('/documents', requireAgent, async (req, res) => {
    const f = queueFilters.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const typeId = f.data.type ? Number(f.data.type) : null;
    const [queue, types] = await Promise.all([
      pendingQueue(deps.db, { typeId, page: f.data.page, pageSize: PAGE_SIZE }),
      documents.types(),
    ]);
    res.render('admin/documents/queue', {
      ...queue,
      types,
      filters: f.data,
      page: f.data.page,
      pages: Math.max(1, Math.ceil(queue.count / PAGE_SIZE)),
    });
  });

  // ---- desk upload on a family's behalf (accepted at once) ----

  async function renderDeskUpload(
    req: Request,
    res: Response,
    status: number,
    householdId: number | null,
    values: Record<string, string>,
    errors: FormErrors = noErrors(),
  ) {
    const household = householdId ? await householdSummary(deps.db, householdId) : undefined;
    const [types, children] = await Promise.all([
      documents.types(true),
      household ? childrenOfHousehold(deps.db, householdId!) : Promise.resolve([]),
    ]);
    res.status(status).render('admin/documents/upload', {
      household: household ?? null,
      types,
      children,
      values,
      errors,
      accept: ACCEPT_ATTRIBUTE,
    });
  }

  // The family comes from the desk's shared family search (src/admin/family-picker.ts) or its page.
  router.get('/documents/upload', requireAgent, async (req, res) => {
    if (req.query.household === undefined) return renderDeskUpload(req, res, 200, null, {});
    const id = idParam(req.query.household);
    if (!(await householdSummary(deps.db, id))) throw new HttpError(404);
    return renderDeskUpload(req, res, 200, id, {
      household_id: String(id),
      type: typeof req.query.type === 'string' ? req.query.type.slice(0, 50) : '',
    });
  });

  router.post('/documents/upload', requireAgent, async (req, res) => {
    const t = getT();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const householdId =
      typeof body.household_id === 'string' && /^\d{1,15}$/.test(body.household_id)
        ? Number(body.household_id)
        : null;
    if (!householdId || !(await householdSummary(deps.db, householdId))) throw new HttpError(404);
    const values = { ...uploadValues(body), household_id: String(householdId) };
    const form = staffUploadSchema.safeParse(body);
    if (!form.success) return renderDeskUpload(req, res, 400, householdId, values, formErrors(form.error, t));
    let id: number;
    try {
      id = await documents.upload({
        householdId,
        actor: actorOf(req),
        form: form.data,
        files: filesOfRequest(req),
        uploadError: req.uploadError,
        byStaff: true,
      });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderDeskUpload(
        req,
        res,
        422,
        householdId,
        values,
        addError(noErrors(), err.field, t(err.key, err.params)),
      );
    }
    flash(req, t('documents.flash.deskUploaded'));
    res.redirect(303, `/admin/documents/${id}`);
  });

  // ---- one document, next to the family's details ----

  async function renderDocument(
    req: Request,
    res: Response,
    status: number,
    id: number,
    values: Record<string, string> = {},
    errors: FormErrors = noErrors(),
  ) {
    const doc = await findView(deps.db, id);
    if (!doc) throw new HttpError(404);
    const [files, versions, household] = await Promise.all([
      filesOf(deps.db, id),
      versionsOf(deps.db, id),
      householdSummary(deps.db, doc.household_id),
    ]);
    if (status === 200)
      await deps.audit.record(
        deps.db,
        actorOf(req),
        'documents.viewed',
        { type: 'document', id },
        { householdId: doc.household_id },
      );
    const today = documents.today();
    res.status(status).render('admin/documents/show', {
      doc: { ...doc, displayStatus: displayStatus(doc, today) },
      files,
      versions: versions.map((v) => ({ ...v, displayStatus: displayStatus(v, today) })),
      household,
      reasons: REJECT_REASONS,
      values,
      errors,
    });
  }

  router.get('/documents/:id', requireAgent, async (req, res) =>
    renderDocument(req, res, 200, idParam(req.params.id)),
  );

  router.post('/documents/:id/review', requireAgent, async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    if (!(await findView(deps.db, id))) throw new HttpError(404);
    const body = (req.body ?? {}) as Record<string, string>;
    const values = {
      decision: String(body.decision ?? ''),
      valid_until: String(body.valid_until ?? ''),
      reason: String(body.reason ?? ''),
      reason_text: String(body.reason_text ?? '').slice(0, 600),
    };
    const form = reviewSchema.safeParse(body);
    if (!form.success) {
      const errors = formErrors(form.error, t);
      // The decision itself missing: point at the radios of the reject form.
      if (errors.fields.decision)
        return renderDocument(
          req,
          res,
          400,
          id,
          values,
          addError(noErrors(), 'reason', t('documents.errors.decisionRequired')),
        );
      return renderDocument(req, res, 400, id, values, errors);
    }
    try {
      await documents.review(id, form.data, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderDocument(
        req,
        res,
        422,
        id,
        values,
        addError(noErrors(), err.field, t(err.key, err.params)),
      );
    }
    flash(req, t(form.data.decision === 'accept' ? 'documents.flash.accepted' : 'documents.flash.rejected'));
    res.redirect(303, '/admin/documents');
  });

  // ---- document types (admins) ----

  router.get('/document-types', requireAdmin, async (_req, res) => {
    res.render('admin/document-types/index', { types: await documents.types() });
  });

  const renderType = (
    res: Response,
    status: number,
    type: { id: number; code: string } | null,
    values: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) => res.status(status).render('admin/document-types/edit', { type, values, errors });

  router.get('/document-types/new', requireAdmin, (_req, res) =>
    renderType(res, 200, null, { scope: 'household', validity_rule: 'none', active: true }),
  );

  router.get('/document-types/:id', requireAdmin, async (req, res) => {
    const type = await findType(deps.db, idParam(req.params.id));
    if (!type) throw new HttpError(404);
    renderType(res, 200, type, { ...type, validity_months: type.validity_months ?? '' });
  });

  const saveType = async (req: Request, res: Response, id: number | null) => {
    const t = getT();
    const existing = id === null ? null : ((await findType(deps.db, id)) ?? null);
    if (id !== null && !existing) throw new HttpError(404);
    const body: Record<string, string> = {
      ...(req.body as Record<string, string>),
      ...(existing ? { code: existing.code } : {}),
    };
    const values = { ...body, active: body.active === 'on' };
    const form = documentTypeSchema.safeParse(body);
    if (!form.success) return renderType(res, 400, existing, values, formErrors(form.error, t));
    try {
      await documents.saveType(id, form.data, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderType(res, 422, existing, values, addError(noErrors(), err.field, t(err.key, err.params)));
    }
    flash(req, t('documents.types.saved'));
    res.redirect(303, '/admin/document-types');
  };
  router.post('/document-types', requireAdmin, (req, res) => saveType(req, res, null));
  router.post('/document-types/:id', requireAdmin, (req, res) => saveType(req, res, idParam(req.params.id)));

  return router;
}
