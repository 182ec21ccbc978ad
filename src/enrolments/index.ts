import type { Feature } from '../features.js';
import type { AppDeps } from '../deps.js';
import './hooks.js';
import { enrolmentsAdminRoutes } from './admin-routes.js';
import { registerStaffDetails } from './details.js';
import { enrolmentsRoutes } from './routes.js';

export const enrolmentsFeature: Feature = {
  name: 'enrolments',
  routes: (deps: AppDeps) => {
    registerStaffDetails(deps);
    return enrolmentsRoutes(deps);
  },
  adminRoutes: enrolmentsAdminRoutes,
  adminLinks: [
    { href: '/admin/enrolments', label: 'enrolments.admin.title', roles: ['agent', 'manager', 'admin'] },
    { href: '/admin/enrolments/new', label: 'enrolments.admin.deskTitle', roles: ['agent', 'manager', 'admin'] },
  ],
};
