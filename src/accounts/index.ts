import type { Feature } from '../features.js';
import { accountsAdminRoutes } from './admin-routes.js';
import { accountsRoutes } from './routes.js';
import { createAccountsService } from './service.js';

export const accountsFeature: Feature = {
  name: 'accounts',
  routes: accountsRoutes,
  adminRoutes: accountsAdminRoutes,
  adminLinks: [{ href: '/admin/staff', label: 'accounts.staff.title', roles: ['admin'] }],
  jobs: (deps) => [
    {
      name: 'daily.accounts-purge',
      cron: '10 3 * * *',
      handler: async () => {
        await createAccountsService(deps).purgeExpired();
      },
    },
  ],
};
