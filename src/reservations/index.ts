import type { Feature } from '../features.js';
import { reservationsAdminRoutes } from './admin-routes.js';
import { reservationsRoutes } from './routes.js';

export const reservationsFeature: Feature = {
  name: 'reservations',
  routes: reservationsRoutes,
  adminRoutes: reservationsAdminRoutes,
  adminLinks: [
    {
      href: '/admin/attendance',
      label: 'reservations.admin.attendance.title',
      roles: ['animator', 'agent', 'manager', 'admin'],
    },
    {
      href: '/admin/headcount',
      label: 'reservations.admin.headcount.title',
      roles: ['animator', 'agent', 'manager', 'admin'],
    },
    {
      href: '/admin/reservations',
      label: 'reservations.admin.occupation.title',
      roles: ['agent', 'manager', 'admin'],
    },
    {
      href: '/admin/reservations/closures',
      label: 'reservations.admin.closures.title',
      roles: ['agent', 'manager', 'admin'],
    },
    {
      href: '/admin/reservations/waiting',
      label: 'reservations.admin.waiting.title',
      roles: ['agent', 'manager', 'admin'],
    },
    {
      href: '/admin/reservations/family',
      label: 'reservations.admin.family.title',
      roles: ['agent', 'manager', 'admin'],
    },
  ],
};
