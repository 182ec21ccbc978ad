// The admin's feature: the staff home, the audit log and the outbox. Mounted last: the staff home
// lists the links of the features below it, given by src/features.ts.
import { Router } from 'express';
import type { AdminLink, Feature } from '../features.js';
import { familyPageRoutes } from './family-page.js';
import { familyPickerRoutes } from './family-picker.js';
import { adminRoutes } from './routes.js';

const ownLinks: AdminLink[] = [
  { href: '/admin/audit', label: 'admin.audit.title', roles: ['admin'] },
  { href: '/admin/emails', label: 'admin.emails.title', roles: ['admin'] },
];

/** The admin feature, whose staff home lists its own links first, then `otherLinks`. */
export function adminFeature(otherLinks: AdminLink[]): Feature {
  return {
    name: 'admin',
    // The family page and the desk's family search (family-page.ts, family-picker.ts) come first.
    adminRoutes: (deps) =>
      Router().use(
        familyPageRoutes(deps),
        familyPickerRoutes(deps),
        adminRoutes(deps, [...ownLinks, ...otherLinks]),
      ),
    adminLinks: ownLinks,
  };
}
