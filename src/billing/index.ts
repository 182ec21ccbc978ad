import type { Feature } from '../features.js';
import { billingAdminRoutes } from './admin-routes.js';
import { billingRoutes } from './routes.js';
import { priceBox } from './pricing.js';
import { billingRequestTypes } from './service.js';

export const billingFeature: Feature = {
  name: 'billing',
  routes: billingRoutes,
  adminRoutes: billingAdminRoutes,
  requestTypes: billingRequestTypes,
  priceBox,
  adminLinks: [
    { href: '/admin/billing', label: 'billing.admin.links.run', roles: ['manager', 'admin'] },
    { href: '/admin/invoices', label: 'billing.admin.links.invoices', roles: ['manager', 'admin'] },
    { href: '/admin/billing/overdue', label: 'billing.admin.links.overdue', roles: ['manager', 'admin'] },
    { href: '/admin/billing/rates', label: 'billing.admin.links.rates', roles: ['manager', 'admin'] },
    { href: '/admin/billing/exports', label: 'billing.admin.links.exports', roles: ['manager', 'admin'] },
  ],
};
