// Staff: rates, QF validation, the monthly invoicing run, invoices, household accounts and exports,
// one router per page group (admin-routes-*.ts), mounted under /admin behind the staff guard.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { billingExportsAdminRoutes } from './admin-routes-exports.js';
import { billingInvoicesAdminRoutes } from './admin-routes-invoices.js';
import { billingRatesAdminRoutes } from './admin-routes-rates.js';
import { billingRunAdminRoutes } from './admin-routes-run.js';

export function billingAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(billingRatesAdminRoutes(deps));
  router.use(billingRunAdminRoutes(deps));
  router.use(billingInvoicesAdminRoutes(deps));
  router.use(billingExportsAdminRoutes(deps));
  return router;
}
