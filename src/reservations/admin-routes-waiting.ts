// Staff pages of waiting lists: a service's list for a day, in order, and the promotion by hand.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { today } from '../platform/clock.js';
import { actorOf, currentAccount, requireAgent } from '../web/auth.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { promoteSchema } from './closures-schemas.js';
import type { ServiceRow } from './repository.js';
import { dayParam } from './schemas.js';
import * as staffRepo from './staff-repository.js';
import { createWaitingListService } from './waiting-list.js';

export function waitingListAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const waitingLists = createWaitingListService(deps);

  async function render(req: Request, res: Response, status = 200, errors: FormErrors = noErrors()) {
    const services = (await staffRepo.visibleServices(deps.db, currentAccount(req))) as ServiceRow[];
    const source = req.method === 'POST' ? (req.body as Record<string, unknown>) : req.query;
    const service = services.find((s) => String(s.id) === source.service) ?? services[0];
    const day = dayParam.safeParse(source.day).success ? (source.day as string) : today(deps.clock);
    res.status(status).render('admin/reservations/waiting', {
      services,
      service,
      day,
      list: service ? await waitingLists.ofDay(service, day) : null,
      errors,
      values: { service: service?.id ?? '', day },
    });
  }

  router.get('/reservations/waiting', requireAgent, (req, res) => render(req, res));

  router.post('/reservations/waiting/promote', requireAgent, async (req, res) => {
    const t = getT();
    const form = promoteSchema.safeParse(req.body);
    if (!form.success) return render(req, res, 422, formErrors(form.error, t));
    const body = req.body as { service?: string; day?: string };
    try {
      const done = await waitingLists.promoteByHand({
        reservationId: Number(form.data.reservation),
        serviceId: Number(body.service),
        actor: actorOf(req),
      });
      flash(req, t('reservations.admin.waiting.promoted', { child: done.child }));
      res.redirect(303, `/admin/reservations/waiting?service=${Number(body.service)}&day=${done.day}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return render(req, res, 422, addError(noErrors(), err.field, t(err.key)));
    }
  });

  return router;
}
