// Staff: rates, QF validation, the monthly invoicing run, invoices, household accounts and exports.
import { Router, type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import { parisNow, previousMonth, shiftMonth, today } from '../platform/clock.js';
import { idParam } from '../web/params.js';
import { findRequest, listEvents } from '../requests/service.js';
import { actorOf, requireAgent, requireManager } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, hasErrors, noErrors, type FormErrors } from '../web/forms.js';
import { getT, type T } from '../web/i18n.js';
import { loadPricing } from './compute.js';
import { monthLabel } from './pdf.js';
import {
  creditNotesFor,
  findInvoice,
  findService,
  householdInvoices,
  linesOf,
  listBrackets,
  listServices,
  paymentsOf,
  qfDocumentsOf,
  qfHistoryOf,
  searchInvoices,
  type InvoiceRow,
} from './repository.js';
import {
  bracketPrice,
  creditNoteSchema,
  eurosText,
  invoiceFilters,
  monthSchema,
  qfRefusalSchema,
  qfValidationSchema,
  ratesSchema,
  treasurySchema,
} from './schemas.js';
import { createBillingService, displayStatus, remainingOf } from './service.js';

const PAGE_SIZE = 50;

/** A CSV cell: quoted, and never read as a formula by a spreadsheet. */
function cell(value: unknown): string {
  let s = value == null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}
const csv = (rows: unknown[][]) => '\ufeff' + rows.map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n';
const euros = (cents: number) => (cents < 0 ? '-' : '') + eurosText(Math.abs(cents));

export function billingAdminRoutes(deps: AppDeps): Router {
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

  // ---------- invoices ----------

  const decorate = (i: InvoiceRow, day: string) => ({
    ...i,
    display: displayStatus(i, day),
    remaining: remainingOf(i),
  });

  router.get('/invoices', requireManager, async (req, res) => {
    const f = invoiceFilters.safeParse(req.query);
    if (!f.success) throw new HttpError(400);
    const day = today(deps.clock);
    const base = searchInvoices(deps.db, {
      q: f.data.q,
      month: f.data.month,
      status: f.data.status,
      kind: f.data.kind,
      overdueOn: day,
    });
    const [{ count }] = (await base.clone().count({ count: '*' })) as [{ count: number }];
    const rows = (await base
      .clone()
      .select('i.*')
      .orderBy('i.id', 'desc')
      .limit(PAGE_SIZE)
      .offset((f.data.page - 1) * PAGE_SIZE)) as InvoiceRow[];
    res.render('admin/invoices/list', {
      invoices: rows.map((r) => decorate(r, day)),
      filters: f.data,
      count: Number(count),
      page: f.data.page,
      pages: Math.max(1, Math.ceil(Number(count) / PAGE_SIZE)),
      query: new URLSearchParams(
        Object.entries(f.data)
          .filter(([k, v]) => k !== 'page' && v !== '')
          .map(([k, v]) => [k, String(v)]),
      ).toString(),
      title: 'list',
    });
  });

  router.get('/billing/overdue', requireManager, async (_req, res) => {
    const day = today(deps.clock);
    const rows = (await searchInvoices(deps.db, { status: 'overdue', overdueOn: day })
      .select('i.*')
      .orderBy('i.due_on')) as InvoiceRow[];
    const invoices = rows.map((r) => decorate(r, day));
    res.render('admin/invoices/overdue', {
      invoices,
      total: invoices.reduce((s, i) => s + i.remaining, 0),
      day,
    });
  });

  function accountingRows(t: T, rows: InvoiceRow[], day: string): unknown[][] {
    return [
      [
        'number',
        'kind',
        'issuedOn',
        'dueOn',
        'month',
        'family',
        'names',
        'total',
        'paid',
        'credited',
        'remaining',
        'status',
        'creditFor',
      ].map((k) => t(`billing.csv.${k}`)),
      ...rows.map((i) => [
        i.number,
        t(`billing.kinds.${i.kind}`),
        DateTime.fromJSDate(i.issued_at, { zone: 'Europe/Paris' }).toISODate(),
        i.due_on,
        i.month,
        i.household_snapshot.familyNumber,
        i.household_snapshot.names.join(', '),
        euros(i.total_cents),
        euros(i.paid_cents),
        euros(i.credited_cents),
        euros(i.kind === 'invoice' ? remainingOf(i) : 0),
        t(`billing.statuses.${displayStatus(i, day)}`),
        (i as InvoiceRow & { credit_for_number?: string | null }).credit_for_number ?? '',
      ]),
    ];
  }

  router.get('/billing/exports', requireManager, (_req, res) => {
    res.render('admin/billing/exports', {
      values: { month: previousMonth(deps.clock), before: today(deps.clock) },
      errors: noErrors(),
    });
  });

  router.get('/billing/exports/accounting.csv', requireManager, async (req, res) => {
    const t = getT();
    const f = monthSchema.safeParse(req.query);
    if (!f.success)
      return res
        .status(400)
        .render('admin/billing/exports', { values: req.query, errors: formErrors(f.error, t) });
    const rows = (await deps
      .db('invoices as i')
      .leftJoin('invoices as o', 'o.id', 'i.credit_for_invoice_id')
      .where('i.month', f.data.month)
      .orderBy([{ column: 'i.kind' }, { column: 'i.number' }])
      .select('i.*', 'o.number as credit_for_number')) as InvoiceRow[];
    res
      .type('text/csv; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="factures-${f.data.month}.csv"`);
    res.send(csv(accountingRows(t, rows, today(deps.clock))));
  });

  router.get('/billing/exports/treasury.csv', requireManager, async (req, res) => {
    const t = getT();
    const f = treasurySchema.safeParse(req.query);
    if (!f.success)
      return res.status(400).render('admin/billing/exports', {
        values: { month: previousMonth(deps.clock), ...req.query },
        errors: formErrors(f.error, t),
      });
    const rows = (await searchInvoices(deps.db, { unpaidDueBefore: f.data.before })
      .select('i.*')
      .orderBy('i.due_on')) as InvoiceRow[];
    const out = [
      [
        'number',
        'issuedOn',
        'dueOn',
        'family',
        'names',
        'address',
        'postcode',
        'city',
        'total',
        'remaining',
      ].map((k) => t(`billing.csv.${k}`)),
      ...rows.map((i) => [
        i.number,
        DateTime.fromJSDate(i.issued_at, { zone: 'Europe/Paris' }).toISODate(),
        i.due_on,
        i.household_snapshot.familyNumber,
        i.household_snapshot.names.join(', '),
        i.household_snapshot.addressLines.join(', '),
        i.household_snapshot.postcode,
        i.household_snapshot.city,
        euros(i.total_cents),
        euros(remainingOf(i)),
      ]),
    ];
    res
      .type('text/csv; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="impayes-avant-${f.data.before}.csv"`);
    res.send(csv(out));
  });

  async function staffInvoice(req: Request) {
    const inv = await findInvoice(deps.db, idParam(req.params.id));
    if (!inv) throw new HttpError(404);
    return inv;
  }

  async function renderInvoice(
    req: Request,
    res: Response,
    status = 200,
    values: Record<string, string> = {},
    errors: FormErrors = noErrors(),
  ) {
    const inv = await staffInvoice(req);
    const [lines, payments, credits, original] = await Promise.all([
      linesOf(deps.db, [inv.id]),
      paymentsOf(deps.db, { invoiceId: inv.id }),
      creditNotesFor(deps.db, inv.id),
      inv.credit_for_invoice_id
        ? findInvoice(deps.db, inv.credit_for_invoice_id)
        : Promise.resolve(undefined),
    ]);
    res.status(status).render('invoices/show', {
      inv,
      lines,
      payments,
      credits,
      original,
      display: displayStatus(inv, today(deps.clock)),
      remaining: remainingOf(inv),
      staff: true,
      values,
      errors,
    });
  }

  router.get('/invoices/:id', requireManager, (req, res) => renderInvoice(req, res));

  router.get('/invoices/:id/pdf', requireManager, async (req, res) => {
    const inv = await staffInvoice(req);
    res.type('application/pdf').setHeader('Content-Disposition', `inline; filename="${inv.number}.pdf"`);
    res.send(await billing.pdfOf(inv));
  });

  router.post('/invoices/:id/credit-notes', requireManager, async (req, res) => {
    const t = getT();
    const inv = await staffInvoice(req);
    const form = creditNoteSchema.safeParse(req.body);
    if (!form.success) return renderInvoice(req, res, 400, req.body, formErrors(form.error, t));
    try {
      const credit = await billing.createCreditNote(inv.id, form.data.amount, form.data.reason, actorOf(req));
      flash(req, t('billing.credit.created', { number: credit.number }));
      res.redirect(303, `/admin/invoices/${credit.id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderInvoice(req, res, 422, req.body, addError(noErrors(), err.field, t(err.key, err.params)));
    }
  });

  // ---------- a household's account ----------

  router.get('/billing/households/:id', requireManager, async (req, res) => {
    const household = await deps
      .db('households')
      .where({ id: idParam(req.params.id) })
      .first('id', 'family_number', 'paperless', 'out_of_town');
    if (!household) throw new HttpError(404);
    const day = today(deps.clock);
    const [invoices, payments, history] = await Promise.all([
      householdInvoices(deps.db, household.id),
      paymentsOf(deps.db, { householdId: household.id }),
      qfHistoryOf(deps.db, [household.id]),
    ]);
    const rows = invoices.map((i) => decorate(i, day));
    const invoiced = rows.filter((i) => i.kind === 'invoice').reduce((s, i) => s + i.total_cents, 0);
    const credited = rows.filter((i) => i.kind === 'credit_note').reduce((s, i) => s + i.total_cents, 0);
    const paid = payments.filter((p) => p.status === 'recorded').reduce((s, p) => s + p.amount_cents, 0);
    res.render('admin/billing/household', {
      household,
      invoices: rows.filter((i) => i.kind === 'invoice'),
      credits: rows.filter((i) => i.kind === 'credit_note'),
      payments,
      history: [...history].reverse(),
      totals: { invoiced, credited, paid, balance: invoiced - credited - paid },
    });
  });

  return router;
}
