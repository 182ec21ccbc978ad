// The admin's feature: the staff home, the audit log and the outbox. Mounted last: the staff home
// lists the links of the features below it, given by src/features.ts.
import { Router } from 'express';
import type { AdminLink, Feature } from '../features.js';
import { familyPageRoutes } from './family-page.js';
import { familyPickerRoutes } from './family-picker.js';
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
    // The family page, the desk's family search and the merge come before the staff home's routes.
    adminRoutes: (deps) =>
      Router().use(
        familyPageRoutes(deps),
        familyPickerRoutes(deps),
        mergeHouseholdsRoutes(deps),
        adminRoutes(deps, [...ownLinks, ...otherLinks]),
      ),
    adminLinks: ownLinks,
  };
}
