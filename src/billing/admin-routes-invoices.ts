// Staff: invoices (search, overdue, one invoice with its credit notes and PDF) and a household's account.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { today } from '../platform/clock.js';
import { actorOf, requireAgent, requireManager } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { idParam } from '../web/params.js';
import {
  creditNotesFor,
  findInvoice,
  linesOf,
  paymentsOf,
  searchInvoices,
  type InvoiceRow,
} from './repository-invoices.js';
import { creditNoteSchema, invoiceFilters } from './schemas.js';
import { householdAccount } from './household-account.js';
import { createBillingService, displayStatus, remainingOf } from './service.js';

const PAGE_SIZE = 50;

export function billingInvoicesAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const billing = createBillingService(deps);

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

  router.get('/invoices/:id', requireAgent, (req, res) => renderInvoice(req, res));

  router.get('/invoices/:id/pdf', requireAgent, async (req, res) => {
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

  // Agents read a family's account too ("how much do I owe?"); recording money stays with managers.
  router.get('/billing/households/:id', requireAgent, async (req, res) => {
    const household = await deps
      .db('households')
      .where({ id: idParam(req.params.id) })
      .first('id', 'family_number', 'paperless', 'out_of_town');
    if (!household) throw new HttpError(404);
    const account = await householdAccount(deps.db, household.id, today(deps.clock));
    res.render('admin/billing/household', { household, ...account });
  });

  return router;
}
