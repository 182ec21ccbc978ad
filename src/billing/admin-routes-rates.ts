// Staff: a service's rates (its price grid) and the validation of a parent's new QF (a rate_update request).
import { Router, type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import { findRequest, listEvents } from '../requests/service.js';
import { actorOf, requireAgent, requireManager } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, hasErrors, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { idParam } from '../web/params.js';
import { loadPricing } from './price-grid.js';
import { findService, listBrackets, listServices, qfDocumentsOf, qfHistoryOf } from './repository.js';
import { bracketPrice, eurosText, qfRefusalSchema, qfValidationSchema, ratesSchema } from './schemas.js';
import { createBillingService } from './service.js';

export function billingRatesAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const billing = createBillingService(deps);

  // ---------- rates ----------

  router.get('/billing/rates', requireManager, async (_req, res) => {
    const services = await listServices(deps.db);
    const pricing = await loadPricing(
      deps.db,
      services.map((s) => s.id),
    );
    res.render('admin/billing/rates-list', {
      services: services.map((s) => ({ ...s, pricing: pricing.get(s.id) ?? null })),
    });
  });

  async function renderRates(
    req: Request,
    res: Response,
    status = 200,
    values?: Record<string, string>,
    errors: FormErrors = noErrors(),
  ) {
    const service = await findService(deps.db, idParam(req.params.id));
    if (!service) throw new HttpError(404);
    const brackets = await listBrackets(deps.db, [service.school_year_id]);
    const pricing = (await loadPricing(deps.db, [service.id])).get(service.id);
    const current: Record<string, string> = {
      out_of_town: eurosText(pricing?.rates?.outOfTownCents),
      unknown_qf: eurosText(pricing?.rates?.unknownQfCents),
      late_cancel: eurosText(pricing?.rates?.lateCancelCents ?? 0),
      unbooked_surcharge: eurosText(pricing?.rates?.unbookedSurchargeCents ?? 0),
    };
    for (const b of brackets)
      current[`bracket_${b.id}`] = eurosText(pricing?.brackets.find((x) => x.bracketId === b.id)?.unitCents);
    res
      .status(status)
      .render('admin/services/rates', { service, brackets, values: values ?? current, errors });
  }

  router.get('/services/:id/rates', requireManager, (req, res) => renderRates(req, res));

  router.post('/services/:id/rates', requireManager, async (req, res) => {
    const t = getT();
    const service = await findService(deps.db, idParam(req.params.id));
    if (!service) throw new HttpError(404);
    const body = req.body as Record<string, string>;
    const brackets = await listBrackets(deps.db, [service.school_year_id]);
    const form = ratesSchema.safeParse(body);
    const errors = form.success ? noErrors() : formErrors(form.error, t);
    const prices: Record<number, number> = {};
    for (const b of brackets) {
      const p = bracketPrice.safeParse(body[`bracket_${b.id}`] ?? '');
      if (p.success) prices[b.id] = p.data;
      else
        addError(
          errors,
          `bracket_${b.id}`,
          t(p.error.issues[0]?.message ?? 'errors.invalid', { defaultValue: t('errors.invalid') }),
        );
    }
    if (!brackets.length) addError(errors, 'form', t('billing.rates.errors.noBrackets'));
    if (!form.success || hasErrors(errors)) return renderRates(req, res, 400, body, errors);
    try {
      await billing.saveRates(
        service.id,
        {
          brackets: prices,
          outOfTownCents: form.data.out_of_town,
          unknownQfCents: form.data.unknown_qf,
          lateCancelCents: form.data.late_cancel,
          unbookedSurchargeCents: form.data.unbooked_surcharge,
        },
        actorOf(req),
      );
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderRates(req, res, 422, body, addError(noErrors(), err.field, t(err.key, err.params)));
    }
    flash(req, t('billing.rates.saved', { name: service.name }));
    res.redirect(303, `/admin/services/${service.id}/rates`);
  });

  // ---------- QF validation (a rate_update request) ----------

  async function renderQf(
    req: Request,
    res: Response,
    status = 200,
    values?: Record<string, string>,
    errors: FormErrors = noErrors(),
    refusal?: { values: Record<string, string>; errors: FormErrors },
  ) {
    const request = await findRequest(deps.db, idParam(req.params.requestId));
    if (!request || request.type !== 'rate_update' || !request.household_id) throw new HttpError(404);
    const [household, history, documents, events] = await Promise.all([
      deps
        .db('households')
        .where({ id: request.household_id })
        .first('id', 'family_number', 'allocataire_kind', 'allocataire_number'),
      qfHistoryOf(deps.db, [request.household_id]),
      qfDocumentsOf(deps.db, request.household_id),
      listEvents(deps.db, request.id),
    ]);
    const data = request.data as {
      source?: string;
      qf?: number | null;
      allocataire_number?: string | null;
      document_id?: number;
    };
    const document = documents.find((d) => d.id === data.document_id) ?? null;
    const defaults = {
      value: data.qf != null ? String(data.qf) : '',
      valid_from: DateTime.fromJSDate(request.created_at, { zone: 'Europe/Paris' })
        .startOf('month')
        .toISODate()!,
      valid_to: '',
    };
    res.status(status).render('admin/billing/qf', {
      request,
      data,
      household,
      history: [...history].reverse(),
      document,
      events,
      values: values ?? defaults,
      errors,
      refusal: refusal ?? { values: {}, errors: noErrors() },
      open: ['submitted', 'in_review', 'incomplete'].includes(request.status),
    });
  }

  router.get('/billing/qf/:requestId', requireAgent, (req, res) => renderQf(req, res));

  router.post('/billing/qf/:requestId', requireAgent, async (req, res) => {
    const t = getT();
    const id = idParam(req.params.requestId);
    const form = qfValidationSchema.safeParse(req.body);
    if (!form.success) return renderQf(req, res, 400, req.body, formErrors(form.error, t));
    try {
      await billing.validateQf(
        id,
        { value: form.data.value, validFrom: form.data.valid_from, validTo: form.data.valid_to },
        actorOf(req),
      );
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderQf(req, res, 422, req.body, addError(noErrors(), err.field, t(err.key, err.params)));
    }
    flash(req, t('billing.qf.validated'));
    res.redirect(303, `/admin/billing/qf/${id}`);
  });

  router.post('/billing/qf/:requestId/refuse', requireAgent, async (req, res) => {
    const t = getT();
    const id = idParam(req.params.requestId);
    const form = qfRefusalSchema.safeParse(req.body);
    if (!form.success)
      return renderQf(req, res, 400, undefined, noErrors(), {
        values: req.body,
        errors: formErrors(form.error, t),
      });
    try {
      await billing.refuseQf(id, form.data.reason, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderQf(req, res, 422, undefined, noErrors(), {
        values: req.body,
        errors: addError(noErrors(), 'reason', t(err.key, err.params)),
      });
    }
    flash(req, t('billing.qf.refused'));
    res.redirect(303, `/admin/billing/qf/${id}`);
  });

  return router;
}
