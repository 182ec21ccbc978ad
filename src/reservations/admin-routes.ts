// Staff pages of reservations, mounted under /admin: the day's children (attendance sheet, kitchen
// headcount), bookings (occupation, closing a day, the desk) and the service's booking rules.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { attendanceAdminRoutes } from './admin-routes-attendance.js';
import { deskAdminRoutes } from './admin-routes-desk.js';
import { bookingRulesAdminRoutes } from './admin-routes-rules.js';

export function reservationsAdminRoutes(deps: AppDeps): Router {
  return Router().use(attendanceAdminRoutes(deps), deskAdminRoutes(deps), bookingRulesAdminRoutes(deps));
}
