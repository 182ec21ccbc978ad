import type { Feature } from '../features.js';
import { paymentsAdminRoutes } from './admin-routes.js';
import { paymentsRoutes } from './routes.js';
import { planIssuedInvoices } from './sepa-debits.js';
import { paymentRequestTypes } from './sepa-mandates.js';
import { createSepaService } from './sepa-service.js';
import { createPaymentsService } from './service.js';

export { mandateFor } from './mandates.js';

export const paymentsFeature: Feature = {
  name: 'payments',
  routes: paymentsRoutes,
  adminRoutes: paymentsAdminRoutes,
  requestTypes: paymentRequestTypes,
  onInvoicesIssued: planIssuedInvoices,
  adminLinks: [
    { href: '/admin/payments', label: 'payments.admin.title', roles: ['manager', 'admin'] },
    { href: '/admin/payments/sepa', label: 'payments.sepa.title', roles: ['manager', 'admin'] },
  ],
  jobs: (deps) => [
    {
      // Operations whose parent closed the tab (no notification, no return) settle here.
      name: 'payments.poll',
      cron: '* * * * *',
      handler: async () => {
        await createPaymentsService(deps).pollPending();
      },
    },
    {
      // Direct debits are planned in the transactions that issue invoices and activate mandates;
      // this catches an invoice both missed (a run and an activation committing at once).
      name: 'daily.payments-direct-debits',
      cron: '15 6 * * *',
      handler: async () => {
        await createSepaService(deps).planDirectDebits();
      },
    },
  ],
};
