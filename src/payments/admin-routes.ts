// Staff (managers, admins): payments by day and method, desk payments, refunds of
// overpayments, the anomalies queue, CSV export, and the monthly SEPA direct-debit export.
import { Router, type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import { idParam } from '../web/params.js';
import { TIME_ZONE, parisNow, previousMonth, today } from '../platform/clock.js';
import { actorOf, requireManager } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { FormError, addError, formErrors, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import {
  DESK_METHODS,
  PAYMENT_METHODS,
  openAnomalies,
  overpaymentsToRefund,
  paymentsList,
  recentRefunds,
  totalsByDayAndMethod,
  type PaymentFilters,
  type PaymentListRow,
} from './repository.js';
import {
  REFUND_METHODS,
  REJECTION_CODES,
  anomalySchema,
  deskPaymentSchema,
  periodSchema,
  refundSchema,
  rejectionSchema,
  sepaExportSchema,
} from './schemas.js';
import { createSepaService } from './sepa-service.js';
import { createPaymentsService } from './service.js';
import { toCsv } from './csv.js';
import { formatMoney } from '../web/format.js';
import { householdAccount } from '../billing/service.js';
import { createHouseholdsService } from '../households/service.js';

export function paymentsAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const payments = createPaymentsService(deps);
  const sepa = createSepaService(deps);
  const households = createHouseholdsService(deps);
  router.use('/payments', requireManager);

  function period(req: Request): PaymentFilters {
    const f = periodSchema.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const now = parisNow(deps.clock);
    return {
      from: f.data.from ?? now.startOf('month').toISODate()!,
      to: f.data.to ?? now.toISODate()!,
      method: f.data.method,
    };
  }

  router.get('/payments', async (req, res) => {
    const filters = period(req);
    const [totals, list, anomalies, overpayments] = await Promise.all([
      totalsByDayAndMethod(deps.db, filters),
      paymentsList(deps.db, filters, 200),
      openAnomalies(deps.db),
      overpaymentsToRefund(deps.db),
    ]);
    const grandTotal = totals.reduce((s, r) => s + Number(r.total_cents), 0);
    res.render('admin/payments/index', {
      filters,
      totals,
      list,
      anomalyCount: anomalies.length,
      overpayments,
      grandTotal,
      methods: PAYMENT_METHODS,
    });
  });

  router.get('/payments/export.csv', async (req, res) => {
    const filters = period(req);
    const t = getT();
    const rows = await paymentsList(deps.db, filters);
    const csv = toCsv(
      [
        t('payments.csv.date'),
        t('payments.csv.method'),
        t('payments.csv.invoice'),
        t('payments.csv.family'),
        t('payments.csv.amount'),
        t('payments.csv.overpaid'),
        t('payments.csv.reference'),
        t('payments.csv.status'),
      ],
      rows.map((p: PaymentListRow) => [
        DateTime.fromJSDate(new Date(p.received_at), { zone: TIME_ZONE }).toFormat('yyyy-MM-dd HH:mm'),
        t(`payments.methods.${p.method}`),
        p.invoice_number,
        p.family_number,
        (p.amount_cents / 100).toFixed(2).replace('.', ','),
        (p.overpaid_cents / 100).toFixed(2).replace('.', ','),
        p.reference ?? '',
        t(`payments.statuses.${p.status}`),
      ]),
    );
    res.set('Content-Disposition', `attachment; filename="paiements-${filters.from}-${filters.to}.csv"`);
    res.type('text/csv; charset=utf-8').send(csv);
  });

  // ---- Desk payment ----
  // By the invoice's number, or on a family (from the desk's family search or its page,
  // `?household=`): its invoices with something left to pay.
  async function deskFamily(param: unknown) {
    const overview = await households.overview(idParam(param));
    if (!overview) throw new HttpError(404);
    const { open } = await householdAccount(deps.db, overview.household.id, today(deps.clock));
    return { household: overview.household, open };
  }

  const renderDesk = async (
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) => {
    const family = values.household_id === undefined ? null : await deskFamily(values.household_id);
    res.status(status).render('admin/payments/desk', { values, errors, methods: DESK_METHODS, family });
  };

  router.get('/payments/desk', (req, res) =>
    renderDesk(res, 200, {
      received_on: today(deps.clock),
      invoice: typeof req.query.invoice === 'string' ? req.query.invoice.slice(0, 40) : '',
      ...(req.query.household === undefined ? {} : { household_id: req.query.household }),
    }),
  );

  router.post('/payments/desk', async (req, res) => {
    const t = getT();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const family = body.household_id === undefined ? null : await deskFamily(body.household_id);
    const form = deskPaymentSchema.safeParse(body);
    if (!form.success) return renderDesk(res, 422, body, formErrors(form.error, t));
    // On a family, the invoice is one of its own (the list offered only those).
    if (family && !family.open.some((i) => i.number === form.data.invoice))
      return renderDesk(res, 422, body, addError(noErrors(), 'invoice', t('payments.admin.desk.notOpen')));
    try {
      await payments.recordDesk(form.data, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderDesk(res, 422, body, addError(noErrors(), err.field, t(err.key, err.params)));
    }
    flash(
      req,
      t('payments.admin.desk.recorded', { amount: formatMoney(form.data.amount), number: form.data.invoice }),
    );
    res.redirect(303, family ? `/admin/households/${family.household.id}` : '/admin/payments');
  });

  // ---- Refunds ----
  const renderRefund = async (
    res: Response,
    paymentId: number,
    status: number,
    values: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) => {
    const info = await payments.paymentToRefund(paymentId);
    res.status(status).render('admin/payments/refund', { ...info, values, errors, methods: REFUND_METHODS });
  };

  router.get('/payments/refunds', async (_req, res) => {
    const [overpayments, refunds] = await Promise.all([
      overpaymentsToRefund(deps.db),
      recentRefunds(deps.db),
    ]);
    res.render('admin/payments/refunds', { overpayments, refunds });
  });

  router.get('/payments/:id/refund', async (req, res) => {
    const id = idParam(req.params.id);
    await renderRefund(res, id, 200, { refunded_on: today(deps.clock) });
  });

  router.post('/payments/:id/refund', async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    const form = refundSchema.safeParse(req.body);
    if (!form.success) return renderRefund(res, id, 422, req.body ?? {}, formErrors(form.error, t));
    try {
      await payments.refund(id, form.data, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderRefund(
        res,
        id,
        422,
        req.body ?? {},
        addError(noErrors(), err.field, t(err.key, err.params)),
      );
    }
    flash(req, t('payments.admin.refund.recorded'));
    res.redirect(303, '/admin/payments/refunds');
  });

  // ---- Anomalies ----
  const renderAnomalies = async (
    res: Response,
    status: number,
    errors: FormErrors = noErrors(),
    values: Record<string, unknown> = {},
  ) =>
    res
      .status(status)
      .render('admin/payments/anomalies', { anomalies: await openAnomalies(deps.db), errors, values });

  router.get('/payments/anomalies', (_req, res) => renderAnomalies(res, 200));

  router.post('/payments/anomalies/:id/resolve', async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    const field = `resolution-${id}`;
    const value: unknown = req.body?.[field];
    const form = anomalySchema.safeParse({ resolution: value });
    if (!form.success) {
      return renderAnomalies(res, 422, addError(noErrors(), field, t('payments.errors.resolutionRequired')), {
        [field]: typeof value === 'string' ? value : '',
      });
    }
    await payments.resolveAnomaly(id, form.data.resolution, actorOf(req));
    flash(req, t('payments.admin.anomalies.resolved'));
    res.redirect(303, '/admin/payments/anomalies');
  });

  // ---- SEPA ----
  const defaultMonth = () => previousMonth(deps.clock);
  const defaultCollection = () => parisNow(deps.clock).plus({ days: 7 }).toISODate()!;

  const renderSepa = async (
    res: Response,
    status: number,
    values: { month: string; collection_date: string },
    errors: FormErrors = noErrors(),
  ) => {
    const valid = sepaExportSchema.safeParse(values).success;
    const [preview, exports, mandates] = await Promise.all([
      valid ? sepa.preview(values.month, values.collection_date) : Promise.resolve([]),
      sepa.exports(),
      sepa.mandates(),
    ]);
    res.status(status).render('admin/payments/sepa', { values, errors, preview, exports, mandates });
  };

  router.get('/payments/sepa', async (req, res) => {
    const month = typeof req.query.month === 'string' ? req.query.month.slice(0, 7) : defaultMonth();
    const collection =
      typeof req.query.collection_date === 'string'
        ? req.query.collection_date.slice(0, 10)
        : defaultCollection();
    await renderSepa(res, 200, { month, collection_date: collection });
  });

  router.post('/payments/sepa', async (req, res) => {
    const t = getT();
    const values = {
      month: String(req.body?.month ?? ''),
      collection_date: String(req.body?.collection_date ?? ''),
    };
    const form = sepaExportSchema.safeParse(req.body);
    if (!form.success) return renderSepa(res, 422, values, formErrors(form.error, t));
    let exportId: number;
    try {
      exportId = await sepa.export(form.data.month, form.data.collection_date, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderSepa(res, 422, values, addError(noErrors(), err.field, t(err.key, err.params)));
    }
    flash(req, t('payments.sepa.exported'));
    res.redirect(303, `/admin/payments/sepa/${exportId}`);
  });

  const renderExport = async (res: Response, id: number, status: number, errors: FormErrors = noErrors()) => {
    const { exp, items } = await sepa.exportWithItems(id);
    res.status(status).render('admin/payments/sepa-export', { exp, items, errors, codes: REJECTION_CODES });
  };

  router.get('/payments/sepa/:id', async (req, res) => renderExport(res, idParam(req.params.id), 200));

  router.get('/payments/sepa/:id/file', async (req, res) => {
    const { messageId, xml } = await sepa.file(idParam(req.params.id));
    res.set('Content-Disposition', `attachment; filename="${messageId}.xml"`);
    res.type('application/xml; charset=utf-8').send(xml);
  });

  router.post('/payments/sepa/:id/items/:itemId/reject', async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    const itemId = idParam(req.params.itemId);
    const form = rejectionSchema.safeParse({ code: req.body?.[`code-${itemId}`] });
    if (!form.success)
      return renderExport(
        res,
        id,
        422,
        addError(noErrors(), `code-${itemId}`, t('payments.sepa.errors.codeRequired')),
      );
    try {
      await sepa.reject(itemId, form.data.code, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderExport(res, id, 422, addError(noErrors(), `code-${itemId}`, t(err.key, err.params)));
    }
    flash(req, t('payments.sepa.rejected'));
    res.redirect(303, `/admin/payments/sepa/${id}`);
  });

  return router;
}
