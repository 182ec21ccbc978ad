import type { Feature } from '../features.js';
import { enrolmentRequestTypes } from './hooks.js';
import { enrolmentsAdminRoutes } from './admin-routes.js';
import { enrolmentsRoutes } from './routes.js';

export const enrolmentsFeature: Feature = {
  name: 'enrolments',
  routes: enrolmentsRoutes,
  requestTypes: enrolmentRequestTypes,
  adminRoutes: enrolmentsAdminRoutes,
  adminLinks: [
    { href: '/admin/enrolments', label: 'enrolments.admin.title', roles: ['agent', 'manager', 'admin'] },
    {
      href: '/admin/enrolments/new',
      label: 'enrolments.admin.deskTitle',
      roles: ['agent', 'manager', 'admin'],
    },
  ],
};
