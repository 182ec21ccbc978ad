// Staff pages of closures: close days (one service, a school's services, the whole town), the list
// of closures and reopening one.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { actorOf, currentAccount, requireAgent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { idParam } from '../web/params.js';
import { createClosuresService } from './closures.js';
import { closeSchema } from './closures-schemas.js';
import * as staffRepo from './staff-repository.js';
import type { ServiceRow } from './repository.js';

export function closuresAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const closures = createClosuresService(deps);

  async function renderClose(
    req: Request,
    res: Response,
    status = 200,
    errors: FormErrors = noErrors(),
    values: Record<string, unknown> = {},
  ) {
    const services = (await staffRepo.visibleServices(deps.db, currentAccount(req))) as ServiceRow[];
    res.status(status).render('admin/reservations/close', {
      services,
      schools: await closures.schools(),
      errors,
      values: {
        scope: 'service',
        service: req.query.service ?? '',
        day: req.query.day ?? '',
        until: '',
        school: '',
        ...values,
      },
    });
  }

  router.get('/reservations/close', requireAgent, (req, res) => renderClose(req, res));

  router.post('/reservations/close', requireAgent, async (req, res) => {
    const t = getT();
    const form = closeSchema.safeParse(req.body);
    if (!form.success) return renderClose(req, res, 422, formErrors(form.error, t), req.body);
    const { scope, service, school, day, until, reason } = form.data;
    try {
      const done = await closures.close({
        scope,
        serviceId: scope === 'service' ? Number(service) : undefined,
        schoolId: scope === 'school' ? Number(school) : undefined,
        from: day,
        to: until ?? day,
        reason,
        actor: actorOf(req),
      });
      flash(req, t('reservations.admin.closures.done', { count: done.cancelled }));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderClose(req, res, 422, addError(noErrors(), err.field, t(err.key)), req.body);
    }
    res.redirect(303, '/admin/reservations/closures');
  });

  router.get('/reservations/closures', requireAgent, async (_req, res) => {
    res.render('admin/reservations/closures', { closures: await closures.latest() });
  });

  async function closureOf(req: Request) {
    const id = idParam(req.params.id);
    const closure = await closures.one(id);
    if (!closure) throw new HttpError(404);
    return closure;
  }

  router.get('/reservations/closures/:id/reopen', requireAgent, async (req, res) => {
    res.render('admin/reservations/reopen', { closure: await closureOf(req), errors: noErrors() });
  });

  router.post('/reservations/closures/:id/reopen', requireAgent, async (req, res) => {
    const t = getT();
    const closure = await closureOf(req);
    try {
      const done = await closures.reopen({ closureId: closure.id, actor: actorOf(req) });
      if (!done) throw new HttpError(404);
      flash(req, t('reservations.admin.reopen.done', { count: done.families, days: done.days }));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return res.status(422).render('admin/reservations/reopen', {
        closure,
        errors: addError(noErrors(), 'closure', t(err.key)),
      });
    }
    res.redirect(303, '/admin/reservations/closures');
  });

  return router;
}
