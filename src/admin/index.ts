// The admin's feature: the staff home, the audit log and the outbox. Mounted last: the staff home
// lists the links of the features below it, given by src/features.ts.
import type { AdminLink, Feature } from '../features.js';
import { Router } from 'express';
import { mergeHouseholdsRoutes } from './merge-households-routes.js';
import { adminRoutes } from './routes.js';
import { staffMenuRouter } from './staff-menu.js';

const ownLinks: AdminLink[] = [
  { href: '/admin/audit', label: 'admin.audit.title', roles: ['admin'] },
  { href: '/admin/emails', label: 'admin.emails.title', roles: ['admin'] },
];

/** The admin feature, whose staff home lists its own links first, then `otherLinks`. */
export function adminFeature(otherLinks: AdminLink[]): Feature {
  return {
    name: 'admin',
    // Only the staff menu's locals, for every /admin page (no page of its own outside /admin).
    routes: () => staffMenuRouter(),
    adminRoutes: (deps) =>
      Router()
        .use(mergeHouseholdsRoutes(deps))
        .use(adminRoutes(deps, [...ownLinks, ...otherLinks])),
    adminLinks: ownLinks,
  };
}
