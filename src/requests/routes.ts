// Parents follow their requests ("suivi de mes démarches"): list, history, answer, cancel.
import { Router, type Request } from 'express';
import type { AppDeps } from '../deps.js';
import { idParam } from '../web/params.js';
import { actorOf, currentAccount, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { findParentRequest, listEventsWithNames, listParentRequests, OPEN_STATUSES } from './repository.js';
import { listCurrentForHousehold } from '../documents/service.js';
import { messageSchema } from './schemas.js';
import { createRequestsService } from './service.js';

export function requestsRoutes(deps: AppDeps): Router {
  const router = Router();
  const requests = createRequestsService(deps);
  router.use('/requests', requireParent);

  async function requestOr404(req: Request) {
    const account = currentAccount(req);
    const householdId = account.householdId;
    const request = await findParentRequest(deps.db, account.id, householdId, idParam(req.params.id));
    if (!request) throw new HttpError(404);
    return { request, householdId };
  }

  async function renderRequest(
    req: Request,
    res: import('express').Response,
    status = 200,
    errors: FormErrors = noErrors(),
    values: Record<string, unknown> = {},
  ) {
    const { request, householdId } = await requestOr404(req);
    const [events, documents] = await Promise.all([
      listEventsWithNames(deps.db, request.id),
      householdId ? listCurrentForHousehold(deps.db, householdId) : [],
    ]);
    res.status(status).render('requests/show', {
      request,
      events,
      documents,
      open: OPEN_STATUSES.includes(request.status),
      errors,
      values,
    });
  }

  router.get('/requests', async (req, res) => {
    const account = currentAccount(req);
    const householdId = account.householdId;
    const list = await listParentRequests(deps.db, account.id, householdId);
    res.render('requests/index', { requests: list });
  });

  router.get('/requests/:id', (req, res) => renderRequest(req, res));

  router.post('/requests/:id/messages', async (req, res) => {
    const t = getT();
    const { request, householdId } = await requestOr404(req);
    const form = messageSchema.safeParse(req.body);
    if (!form.success) return renderRequest(req, res, 422, formErrors(form.error, t), req.body);
    const { message, document_id } = form.data;
    if (!message && !document_id)
      return renderRequest(
        req,
        res,
        422,
        addError(noErrors(), 'message', t('requests.errors.answerRequired')),
        req.body,
      );
    if (document_id) {
      const docs = householdId ? await listCurrentForHousehold(deps.db, householdId) : [];
      if (!docs.some((d) => d.id === document_id))
        return renderRequest(
          req,
          res,
          422,
          addError(noErrors(), 'document_id', t('requests.errors.documentInvalid')),
          req.body,
        );
    }
    try {
      await requests.addMessage(request.id, {
        message,
        documentId: document_id,
        actor: actorOf(req),
        side: 'parent',
      });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderRequest(req, res, 422, addError(noErrors(), 'message', t(err.key)), req.body);
    }
    flash(req, t('requests.flash.messageSent'));
    res.redirect(303, `/requests/${request.id}`);
  });

  router.post('/requests/:id/cancel', async (req, res) => {
    const t = getT();
    const { request } = await requestOr404(req);
    try {
      await requests.cancel(request.id, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderRequest(req, res, 422, addError(noErrors(), 'form', t(err.key)));
    }
    flash(req, t('requests.flash.cancelled', { code: request.tracking_code }));
    res.redirect(303, `/requests/${request.id}`);
  });

  return router;
}
