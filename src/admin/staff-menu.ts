// The staff menu shown on every staff page (views/partials/staff-menu.ejs, included by the
// layout): the main rooms of the staff side, each only for the roles its routes let in.
import { Router } from 'express';
import { isStaff } from '../web/auth.js';
import type { Role } from '../web/types.js';

interface StaffMenuItem {
  href: string;
  /** Catalogue key of the link's text. */
  label: string;
  roles: readonly Role[];
  /** Path prefixes (besides href) that mark this item as the current page's. */
  also?: readonly string[];
}

const ALL: Role[] = ['animator', 'agent', 'manager', 'admin'];
const DESK: Role[] = ['agent', 'manager', 'admin'];
const MONEY: Role[] = ['manager', 'admin'];
const ADMIN: Role[] = ['admin'];

const STAFF_MENU: readonly StaffMenuItem[] = [
  { href: '/admin', label: 'admin.menu.home', roles: ALL },
  { href: '/admin/households', label: 'admin.menu.households', roles: DESK },
  { href: '/admin/documents', label: 'admin.menu.documents', roles: DESK, also: ['/admin/document-types'] },
  { href: '/admin/requests', label: 'admin.menu.requests', roles: DESK },
  { href: '/admin/enrolments', label: 'admin.menu.enrolments', roles: DESK },
  { href: '/admin/reservations', label: 'admin.menu.reservations', roles: DESK },
  { href: '/admin/attendance', label: 'admin.menu.attendance', roles: ALL },
  { href: '/admin/headcount', label: 'admin.menu.headcount', roles: ALL },
  { href: '/admin/services', label: 'admin.menu.services', roles: DESK, also: ['/admin/calendar'] },
  { href: '/admin/invoices', label: 'admin.menu.invoices', roles: MONEY, also: ['/admin/billing'] },
  { href: '/admin/payments', label: 'admin.menu.payments', roles: MONEY },
  { href: '/admin/staff', label: 'admin.menu.staff', roles: ADMIN },
  { href: '/admin/audit', label: 'admin.menu.audit', roles: ADMIN },
  { href: '/admin/emails', label: 'admin.menu.emails', roles: ADMIN },
];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix + '/');

/** The menu of this role, with the item of `path` marked current (the longest matching prefix). */
function staffMenuFor(role: Role, path: string) {
  const items = STAFF_MENU.filter((i) => i.roles.includes(role));
  let current: StaffMenuItem | undefined;
  let best = -1;
  for (const item of items) {
    for (const prefix of [item.href, ...(item.also ?? [])]) {
      const matches = prefix === '/admin' ? path === '/admin' || path === '/admin/' : under(path, prefix);
      if (matches && prefix.length > best) {
        best = prefix.length;
        current = item;
      }
    }
  }
  return items.map((i) => ({ href: i.href, label: i.label, current: i === current }));
}

/**
 * Puts the menu in the view locals of every /admin page of a staff member. Mounted with the
 * features' own routers, which all run before the /admin routers (src/app.ts).
 */
export function staffMenuRouter(): Router {
  const router = Router();
  router.use('/admin', (req, res, next) => {
    const role = req.account?.role;
    if (role && isStaff(role)) res.locals.staffMenu = staffMenuFor(role, req.originalUrl.split('?')[0]!);
    next();
  });
  return router;
}
