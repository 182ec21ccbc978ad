import type { Feature } from '../features.js';
import { paymentsAdminRoutes } from './admin-routes.js';
import { paymentsRoutes } from './routes.js';
import { createPaymentsService } from './service.js';
// Registers the sepa_mandate request type at load.
import './sepa-service.js';

export { mandateFor } from './mandates.js';

export const paymentsFeature: Feature = {
  name: 'payments',
  routes: paymentsRoutes,
  adminRoutes: paymentsAdminRoutes,
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
  ],
};
