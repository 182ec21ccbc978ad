// Staff pages of reservations, mounted under /admin: the day's children (attendance sheet, kitchen
// headcount), bookings (occupation, the desk, closures, waiting lists) and the service's booking rules.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { attendanceAdminRoutes } from './admin-routes-attendance.js';
import { closuresAdminRoutes } from './admin-routes-closures.js';
import { deskAdminRoutes } from './admin-routes-desk.js';
import { waitingListAdminRoutes } from './admin-routes-waiting.js';
import { bookingRulesAdminRoutes } from './admin-routes-rules.js';

export function reservationsAdminRoutes(deps: AppDeps): Router {
  return Router().use(
    attendanceAdminRoutes(deps),
    deskAdminRoutes(deps),
    closuresAdminRoutes(deps),
    waitingListAdminRoutes(deps),
    bookingRulesAdminRoutes(deps),
  );
}
