// Staff handle requests: the queue (by type and status, oldest first, search by tracking code)
// and the request page (take in hand, accept, refuse with a reason, ask for more, write).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { idParam } from '../web/params.js';
import { actorOf, requireAgent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { countQueue, findRequest, listEventsWithNames, OPEN_STATUSES, queue } from './repository.js';
import { decisionSchema, messageSchema, queueFilters } from './schemas.js';
import { createRequestsService } from './service.js';

const PAGE_SIZE = 50;

export function requestsAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const requests = createRequestsService(deps);
  router.use('/requests', requireAgent);

  router.get('/requests', async (req, res) => {
    const f = queueFilters.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const { page, ...filters } = f.data;
    const count = await countQueue(deps.db, filters);
    const rows = await queue(deps.db, filters)
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE);
    res.render('admin/requests/index', {
      rows,
      filters: f.data,
      types: [...deps.hooks.requestTypes.keys()],
      count,
      page,
      pages: Math.max(1, Math.ceil(count / PAGE_SIZE)),
    });
  });

  async function render(
    req: Request,
    res: Response,
    status = 200,
    errors: FormErrors = noErrors(),
    values: Record<string, unknown> = {},
  ) {
    const request = await findRequest(deps.db, idParam(req.params.id));
    if (!request) throw new HttpError(404);
    const [events, details, household, owner] = await Promise.all([
      listEventsWithNames(deps.db, request.id),
      deps.hooks.requestTypes.get(request.type)?.staffDetails?.(deps, request) ?? [],
      request.household_id
        ? deps.db('households').where({ id: request.household_id }).first('id', 'family_number')
        : null,
      request.account_id
        ? deps.db('accounts').where({ id: request.account_id }).first('first_name', 'last_name', 'email')
        : null,
    ]);
    const acceptAt = deps.hooks.requestTypes.get(request.type)?.acceptAt?.(request) ?? null;
    res.status(status).render('admin/requests/show', {
      request,
      events,
      details,
      household,
      owner,
      acceptAt,
      open: OPEN_STATUSES.includes(request.status),
      errors,
      values,
    });
  }

  router.get('/requests/:id', (req, res) => render(req, res));

  router.post('/requests/:id/review', async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    try {
      await requests.startReview(id, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return render(req, res, 422, addError(noErrors(), 'decision', t(err.key)));
    }
    flash(req, t('requests.flash.inReview'));
    res.redirect(303, `/admin/requests/${id}`);
  });

  router.post('/requests/:id/decide', async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    if (!(await findRequest(deps.db, id))) throw new HttpError(404);
    const form = decisionSchema.safeParse(req.body);
    if (!form.success) return render(req, res, 422, formErrors(form.error, t), req.body);
    try {
      await requests.decide(id, form.data.decision, actorOf(req), form.data.message || null);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return render(
        req,
        res,
        422,
        addError(noErrors(), err.field === 'form' ? 'decision' : err.field, t(err.key)),
        req.body,
      );
    }
    flash(req, t(`requests.flash.decided.${form.data.decision}`));
    res.redirect(303, `/admin/requests/${id}`);
  });

  router.post('/requests/:id/messages', async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    if (!(await findRequest(deps.db, id))) throw new HttpError(404);
    const form = messageSchema.safeParse({ message: req.body.note });
    if (!form.success || !form.data.message)
      return render(
        req,
        res,
        422,
        addError(noErrors(), 'note', t('requests.errors.answerRequired')),
        req.body,
      );
    try {
      await requests.addMessage(id, { message: form.data.message, actor: actorOf(req), side: 'staff' });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return render(req, res, 422, addError(noErrors(), 'note', t(err.key)), req.body);
    }
    flash(req, t('requests.flash.messageSent'));
    res.redirect(303, `/admin/requests/${id}`);
  });

  return router;
}
