// Family-card activation (the family number and the letter's code) and the "lost code" request.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { currentAccount, requireParent } from '../web/auth.js';
import { flash } from '../web/flash.js';
import { formErrors, noErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { createLimiter, ipKey } from '../web/rate-limit.js';
import { activateSchema, lostCodeSchema } from './schemas.js';
import type { HouseholdsService } from './service.js';
import { postedValues, serviceErrors } from './routes-shared.js';

declare module '../web/types.js' {
  interface SessionData {
    /** The tracking code of the lost-code request just filed, shown once on the confirmation page. */
    lostCodeTracking: string;
  }
}

export function activationRoutes(deps: AppDeps, households: HouseholdsService): Router {
  const router = Router();

  router.get('/activate', requireParent, async (req, res) => {
    if (currentAccount(req).householdId) return res.redirect(303, '/household');
    res.render('households/activate', { values: {}, errors: noErrors() });
  });

  // Per-IP limits on the family-card forms: the card's code also locks after five wrong tries,
  // and lost-code requests must not be usable to flood the staff queue.
  const activationIp = createLimiter(deps, {
    name: 'activate-ip',
    limit: deps.config.RATE_LIMIT_LOGIN_PER_IP,
    windowMinutes: deps.config.RATE_LIMIT_WINDOW_MINUTES,
    key: ipKey,
  });
  const lostCodeIp = createLimiter(deps, {
    name: 'lost-code-ip',
    limit: deps.config.RATE_LIMIT_LOGIN_PER_ACCOUNT,
    windowMinutes: deps.config.RATE_LIMIT_WINDOW_MINUTES,
    key: ipKey,
  });

  router.post('/activate', requireParent, activationIp.middleware, async (req, res) => {
    const t = getT();
    const account = currentAccount(req);
    const form = activateSchema.safeParse(req.body);
    const values = {
      family_number: typeof req.body.family_number === 'string' ? req.body.family_number : '',
    };
    if (!form.success)
      return res.status(422).render('households/activate', { values, errors: formErrors(form.error, t) });
    try {
      await households.activate(account, form.data.family_number, form.data.activation_code);
    } catch (err) {
      return res.status(422).render('households/activate', { values, errors: serviceErrors(err, t) });
    }
    flash(req, t('households.flash.activated'));
    res.redirect(303, '/household');
  });

  router.get('/activate/lost-code', (_req, res) =>
    res.render('households/lost-code', { values: { proof: 'birth_date' }, errors: noErrors() }),
  );

  router.post('/activate/lost-code', lostCodeIp.middleware, async (req, res) => {
    const t = getT();
    const form = lostCodeSchema.safeParse(req.body);
    if (!form.success)
      return res.status(422).render('households/lost-code', {
        values: postedValues(req.body),
        errors: formErrors(form.error, t),
      });
    const request = await households.lostCode(
      form.data,
      req.account ? { id: req.account.id, role: req.account.role } : null,
    );
    req.session.lostCodeTracking = request.tracking_code;
    res.redirect(303, '/activate/lost-code/sent');
  });

  router.get('/activate/lost-code/sent', (req, res) => {
    const code = req.session.lostCodeTracking;
    if (!code) return res.redirect(303, '/activate/lost-code');
    res.render('households/lost-code-sent', { code });
  });

  return router;
}
