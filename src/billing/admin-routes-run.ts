// Staff: the monthly invoicing run (its preview, the run) and the month's paper invoices to print.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { parisNow, previousMonth, shiftMonth } from '../platform/clock.js';
import { actorOf, requireManager } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { monthLabel } from './pdf.js';
import { monthSchema } from './schemas.js';
import { createBillingService } from './service.js';

export function billingRunAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const billing = createBillingService(deps);

  // ---------- the invoicing run ----------

  async function renderRun(
    req: Request,
    res: Response,
    month: string,
    status = 200,
    errors: FormErrors = noErrors(),
  ) {
    const preview = await billing.preview(month);
    // Only a finished month is invoiced: until then the page says from when, and offers no button.
    const invoicableFrom =
      month >= parisNow(deps.clock).toFormat('yyyy-MM') ? `${shiftMonth(month, 1)}-01` : null;
    res.status(status).render('admin/billing/run', {
      preview,
      month,
      monthName: monthLabel(month),
      invoicableFrom,
      values: { month },
      errors,
    });
  }

  router.get('/billing', requireManager, async (req, res) => {
    const t = getT();
    const raw = typeof req.query.month === 'string' ? req.query.month : previousMonth(deps.clock);
    const form = monthSchema.safeParse({ month: raw });
    if (!form.success) return renderRun(req, res, previousMonth(deps.clock), 400, formErrors(form.error, t));
    return renderRun(req, res, form.data.month);
  });

  router.post('/billing/run', requireManager, async (req, res) => {
    const t = getT();
    const form = monthSchema.safeParse(req.body);
    if (!form.success) return renderRun(req, res, previousMonth(deps.clock), 400, formErrors(form.error, t));
    const { month } = form.data;
    if (month >= parisNow(deps.clock).toFormat('yyyy-MM'))
      return renderRun(req, res, month, 422, addError(noErrors(), 'month', t('billing.run.errors.notOver')));
    try {
      // A whole town's PDFs take longer than a page should: they are drawn behind, each stored once.
      const result = await billing.run(month, actorOf(req), { waitForPdfs: false });
      flash(req, t('billing.run.done', { count: result.created, skipped: result.skipped }));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderRun(req, res, month, 422, addError(noErrors(), err.field, t(err.key, err.params)));
    }
    res.redirect(303, `/admin/billing?month=${month}`);
  });

  router.get('/billing/print', requireManager, async (req, res) => {
    const form = monthSchema.safeParse(req.query);
    if (!form.success) throw new HttpError(400);
    const { pdf } = await billing.paperBatch(form.data.month);
    res
      .type('application/pdf')
      .setHeader('Content-Disposition', `inline; filename="factures-papier-${form.data.month}.pdf"`);
    res.send(pdf);
  });

  return router;
}
