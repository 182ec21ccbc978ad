import type { Feature } from '../features.js';
import { servicesAdminRoutes } from './admin-routes.js';
import { servicesRoutes } from './routes.js';

export const servicesFeature: Feature = {
  name: 'services',
  routes: servicesRoutes,
  adminRoutes: servicesAdminRoutes,
  adminLinks: [
    { href: '/admin/services', label: 'services.admin.title', roles: ['agent', 'manager', 'admin'] },
    { href: '/admin/calendar', label: 'services.calendar.title', roles: ['manager', 'admin'] },
  ],
};
