import type { Feature } from '../features.js';
import { requestsAdminRoutes } from './admin-routes.js';
import { requestsRoutes } from './routes.js';

export const requestsFeature: Feature = {
  name: 'requests',
  routes: requestsRoutes,
  adminRoutes: requestsAdminRoutes,
  adminLinks: [
    { href: '/admin/requests', label: 'requests.admin.title', roles: ['agent', 'manager', 'admin'] },
  ],
};
