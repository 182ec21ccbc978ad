// Parent-facing payments: pay an invoice online, the return page, the list of payments, and
// the direct-debit mandate. The PayFiP notification handler is mounted by the app before CSRF.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import { today } from '../platform/clock.js';
import { actorOf, currentAccount, requireParent } from '../web/auth.js';
import { flash } from '../web/flash.js';
import { FormError, addError, formErrors, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { remainingCents } from './invoices.js';
import { maskIban } from './mandates.js';
import { householdPayments } from './repository.js';
import { mandateSchema } from './schemas.js';
import { createSepaService } from './sepa-service.js';
import { createPaymentsService } from './service.js';

/** Both spellings are seen in PayFiP integrations. */
function idOpOf(source: unknown): string {
  const s = (source ?? {}) as Record<string, unknown>;
  const value = s.idop ?? s.idOp;
  return typeof value === 'string' ? value.trim().slice(0, 64) : '';
}

/**
 * POST /payments/payfip/notify: an unsigned server-to-server signal. It only makes the server ask
 * the provider for the result; the answer is the same whatever the idOp (nothing to learn from it).
 */
export function notificationHandler(deps: AppDeps): RequestHandler {
  const payments = createPaymentsService(deps);
  return async (req, res) => {
    const idOp = idOpOf(req.body);
    if (idOp) await payments.settle(idOp);
    res.status(200).type('text/plain').send('OK');
  };
}

export function paymentsRoutes(deps: AppDeps): Router {
  const router = Router();
  const payments = createPaymentsService(deps);
  const sepa = createSepaService(deps);
  router.use('/payments', requireParent, withHousehold());

  router.get('/payments', async (req, res) => {
    const householdId = currentHouseholdId(req);
    const [invoices, list, mandate] = await Promise.all([
      payments.openInvoices(householdId),
      householdPayments(deps.db, householdId),
      sepa.openMandate(householdId),
    ]);
    res.render('payments/index', {
      invoices: invoices.map((i) => ({ ...i, remaining_cents: remainingCents(i) })),
      payments: list,
      mandate: mandate ? { ...mandate, iban: maskIban(mandate.iban) } : null,
    });
  });

  router.post('/payments/invoices/:id/pay', async (req, res) => {
    const invoiceId = idParam(req.params.id);
    const account = currentAccount(req);
    try {
      const { redirectUrl } = await payments.startOnline({
        householdId: currentHouseholdId(req),
        invoiceId,
        accountId: account.id,
        payerEmail: account.email,
      });
      res.redirect(303, redirectUrl);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      flash(req, getT()(err.key), 'error');
      res.redirect(303, '/payments');
    }
  });

  router.get('/payments/return', async (req, res) => {
    const idOp = idOpOf(req.query);
    if (!idOp) return res.redirect(303, '/payments');
    const op = await payments.operationForHousehold(currentHouseholdId(req), idOp);
    res.render('payments/return', { op });
  });

  // ---- Direct debit ----

  const renderMandate = async (
    req: Request,
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) => {
    const mandate = await sepa.openMandate(currentHouseholdId(req));
    res.status(status).render('payments/direct-debit', {
      mandate: mandate ? { ...mandate, iban: maskIban(mandate.iban) } : null,
      values,
      errors,
      today: today(deps.clock),
    });
  };

  router.get('/payments/direct-debit', (req, res) => renderMandate(req, res, 200, {}));

  router.post('/payments/direct-debit', async (req, res) => {
    const t = getT();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = {
      holder: body.holder,
      iban: body.iban,
      bic: body.bic,
      address: body.address,
      consent: body.consent,
    };
    const form = mandateSchema.safeParse(req.body);
    if (!form.success) return renderMandate(req, res, 422, values, formErrors(form.error, t));
    try {
      await sepa.requestMandate(currentHouseholdId(req), form.data, actorOf(req));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderMandate(req, res, 422, values, addError(noErrors(), err.field, t(err.key, err.params)));
    }
    flash(req, t('payments.mandate.requested'));
    res.redirect(303, '/payments/direct-debit');
  });

  router.post('/payments/direct-debit/revoke', async (req, res) => {
    await sepa.revokeMandate(currentHouseholdId(req), actorOf(req));
    flash(req, getT()('payments.mandate.revoked'));
    res.redirect(303, '/payments/direct-debit');
  });

  return router;
}
