import type { Feature } from '../features.js';
import { householdsAdminRoutes } from './admin-routes.js';
import { householdsRoutes } from './routes.js';
import { householdRequestTypes } from './request-types.js';

export const householdsFeature: Feature = {
  name: 'households',
  routes: householdsRoutes,
  adminRoutes: householdsAdminRoutes,
  requestTypes: householdRequestTypes,
  adminLinks: [
    { href: '/admin/households', label: 'households.admin.title', roles: ['agent', 'manager', 'admin'] },
  ],
};
