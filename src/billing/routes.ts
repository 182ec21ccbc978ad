// Parents: "Mettre à jour mes tarifs" and their invoices (list, detail, PDF).
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { today } from '../platform/clock.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import { actorOf, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { unitPricesFor } from './pricing.js';
import { qfRequestSchema } from './schemas.js';
import { createBillingService, displayStatus, remainingOf } from './service.js';
import { enrolledServicesOf, openRateRequest, qfDocumentsOf, qfHistoryOf } from './repository.js';
import {
  creditNotesFor,
  findHouseholdInvoice,
  findInvoice,
  householdInvoices,
  linesOf,
  paymentsOf,
} from './repository-invoices.js';
import { qfOnDay } from './rules.js';

export function billingRoutes(deps: AppDeps): Router {
  const router = Router();
  const billing = createBillingService(deps);
  const parent = [requireParent, withHousehold()];

  async function renderRates(
    req: Request,
    res: Response,
    status = 200,
    values: Record<string, unknown> = {},
    errors: FormErrors = noErrors(),
  ) {
    const householdId = currentHouseholdId(req);
    const day = today(deps.clock);
    const [history, enrolled, documents, request] = await Promise.all([
      qfHistoryOf(deps.db, [householdId]),
      enrolledServicesOf(deps.db, householdId),
      qfDocumentsOf(deps.db, householdId),
      openRateRequest(deps.db, householdId),
    ]);
    const current =
      history
        .filter((h) => h.valid_from <= day && (h.valid_to === null || h.valid_to >= day))
        .sort((a, b) => (a.valid_from < b.valid_from ? 1 : -1))[0] ?? null;
    const qf = qfOnDay(
      history.map((h) => ({ value: h.value, validFrom: h.valid_from, validTo: h.valid_to })),
      day,
    );
    const prices = await unitPricesFor(
      deps.db,
      householdId,
      [...new Set(enrolled.map((e) => e.service_id))],
      day,
    );
    const services = [...new Map(enrolled.map((e) => [e.service_id, e])).values()].map((e) => ({
      name: e.service_name,
      unit: e.unit,
      children: enrolled.filter((x) => x.service_id === e.service_id).map((x) => x.first_name),
      price: prices.get(e.service_id) ?? null,
    }));
    res.status(status).render('billing/rates', {
      current,
      qf,
      history: [...history].reverse(),
      services,
      documents,
      request,
      values,
      errors,
      day,
    });
  }

  router.get('/household/rates', ...parent, (req, res) => renderRates(req, res));

  router.post('/household/rates', ...parent, async (req, res) => {
    const t = getT();
    const form = qfRequestSchema.safeParse(req.body);
    if (!form.success) return renderRates(req, res, 400, req.body, formErrors(form.error, t));
    try {
      const request = await billing.requestRateUpdate(currentHouseholdId(req), actorOf(req), form.data);
      flash(req, t('billing.qf.requested', { code: request.tracking_code }));
      res.redirect(303, '/household/rates');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderRates(req, res, 422, req.body, addError(noErrors(), err.field, t(err.key, err.params)));
    }
  });

  router.get('/invoices', ...parent, async (req, res) => {
    const householdId = currentHouseholdId(req);
    const day = today(deps.clock);
    const invoices = (await householdInvoices(deps.db, householdId)).map((i) => ({
      ...i,
      display: displayStatus(i, day),
      remaining: remainingOf(i),
    }));
    const balance = invoices.filter((i) => i.kind === 'invoice').reduce((s, i) => s + i.remaining, 0);
    res.render('invoices/list', { invoices, balance });
  });

  async function ownInvoice(req: Request) {
    const inv = await findHouseholdInvoice(deps.db, currentHouseholdId(req), idParam(req.params.id));
    if (!inv) throw new HttpError(404);
    return inv;
  }

  router.get('/invoices/:id', ...parent, async (req, res) => {
    const inv = await ownInvoice(req);
    const [lines, payments, credits, original] = await Promise.all([
      linesOf(deps.db, [inv.id]),
      paymentsOf(deps.db, { invoiceId: inv.id }),
      creditNotesFor(deps.db, inv.id),
      inv.credit_for_invoice_id
        ? findInvoice(deps.db, inv.credit_for_invoice_id)
        : Promise.resolve(undefined),
    ]);
    res.render('invoices/show', {
      inv,
      lines,
      payments,
      credits,
      original,
      display: displayStatus(inv, today(deps.clock)),
      remaining: remainingOf(inv),
      staff: false,
    });
  });

  router.get('/invoices/:id/pdf', ...parent, async (req, res) => {
    const inv = await ownInvoice(req);
    const pdf = await billing.pdfOf(inv);
    res
      .type('application/pdf')
      .setHeader(
        'Content-Disposition',
        `inline; filename="${inv.kind === 'credit_note' ? 'avoir' : 'facture'}-${inv.number}.pdf"`,
      );
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(pdf);
  });

  return router;
}
