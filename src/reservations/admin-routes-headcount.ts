// The kitchen headcount page (animators see their sites only), its CSV, and the adults' meals
// each school enters for the day.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { today } from '../platform/clock.js';
import { actorOf, currentAccount, requireRole } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { adultMealsForm, createHeadcountService, headcountCsv } from './headcount.js';
import { dayOf, dayParam } from './schemas.js';

const requireSheetRole = requireRole('animator', 'agent', 'manager', 'admin');

export function headcountAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const headcount = createHeadcountService(deps);

  async function renderPage(
    req: Request,
    res: Response,
    day: string,
    status = 200,
    errors: FormErrors = noErrors(),
    entered: Record<string, string> = {},
  ) {
    const { schools, totals } = await headcount.ofDay(currentAccount(req), day);
    res.status(status).render('admin/headcount/index', { day, schools, totals, errors, entered });
  }

  router.get('/headcount', requireSheetRole, async (req, res) => {
    const day = dayOf(req.query.date, today(deps.clock));
    if (req.query.format === 'csv') {
      const { schools } = await headcount.ofDay(currentAccount(req), day);
      res.type('text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="repas-${day}.csv"`);
      return res.send(headcountCsv(getT(), schools));
    }
    await renderPage(req, res, day);
  });

  router.post('/headcount/adults', requireSheetRole, async (req, res) => {
    const t = getT();
    const day = dayParam.safeParse(req.body?.date);
    const { field, parsed } = adultMealsForm(req.body);
    const schoolId = Number(req.body?.school);
    if (
      !day.success ||
      !Number.isSafeInteger(schoolId) ||
      !(await headcount.mayEnter(currentAccount(req), schoolId))
    )
      throw new HttpError(404);
    if (!parsed.success) {
      const errors = addError(noErrors(), field, t('reservations.admin.headcount.errors.adults'));
      return renderPage(req, res, day.data, 422, errors, { [field]: String(req.body?.[field] ?? '') });
    }
    await headcount.recordAdultMeals({ schoolId, day: day.data, meals: parsed.data.meals }, actorOf(req));
    flash(req, t('reservations.admin.headcount.adultsSaved'));
    res.redirect(303, `/admin/headcount?date=${day.data}#school-${schoolId}`);
  });

  return router;
}
