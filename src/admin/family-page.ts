// The staff's family page, the desk's hub: the family card and members, documents (each opened
// on its audited page), open requests, enrolments, this month's and next month's bookings per
// child, the account (invoices, payments, balance: read-only for agents) and a button for each
// desk tool already on this family. It reads across features through their services.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { householdAccount } from '../billing/service.js';
import { listCurrentForHousehold } from '../documents/service.js';
import { listHouseholdEnrolments } from '../enrolments/service.js';
import { createHouseholdsService, mergedInto } from '../households/service.js';
import { monthBounds, shiftMonth, today } from '../platform/clock.js';
import { openRequestsOfHousehold } from '../requests/service.js';
import { householdBookings, type HouseholdBooking } from '../reservations/service.js';
import { requireAgent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { idParam } from '../web/params.js';
import { deskTools } from './family-tools.js';

interface ServiceDays {
  service: string;
  days: { day: string; status: HouseholdBooking['status'] }[];
}

/** A month's bookings grouped by child, then by service (rows come ordered by child, service, day). */
function byChild(rows: HouseholdBooking[]) {
  const children: { childId: number; child: string; services: ServiceDays[] }[] = [];
  for (const r of rows) {
    let c = children.find((x) => x.childId === r.child_id);
    if (!c) children.push((c = { childId: r.child_id, child: r.child_first_name, services: [] }));
    let s = c.services.find((x) => x.service === r.service_name);
    if (!s) c.services.push((s = { service: r.service_name, days: [] }));
    s.days.push({ day: r.day, status: r.status });
  }
  return children;
}

export function familyPageRoutes(deps: AppDeps): Router {
  const router = Router();
  const households = createHouseholdsService(deps);

  router.get('/households/:id', requireAgent, async (req, res) => {
    const overview = await households.overview(idParam(req.params.id));
    if (!overview) throw new HttpError(404);
    const id = overview.household.id;
    // A household merged into another: closed, its page points to the kept one.
    if (overview.household.merged_into_id)
      return res.render('admin/households/merged', { merged: await mergedInto(deps.db, id) });
    const day = today(deps.clock);
    const months = [day.slice(0, 7), shiftMonth(day.slice(0, 7), 1)];
    const [history, documents, requests, enrolments, bookings, account] = await Promise.all([
      households.history(id),
      listCurrentForHousehold(deps.db, id),
      openRequestsOfHousehold(deps.db, id),
      listHouseholdEnrolments(deps.db, id),
      householdBookings(deps.db, id, monthBounds(months[0]!).from, monthBounds(months[1]!).to),
      householdAccount(deps.db, id, day),
    ]);
    res.render('admin/households/show', {
      ...overview,
      history,
      documents,
      requests,
      enrolments: enrolments.filter((e) => e.status !== 'draft'),
      bookingMonths: months.map((month) => ({
        month,
        children: byChild(bookings.filter((b) => b.day.startsWith(month))),
      })),
      account,
      tools: deskTools(req.account!.role, id),
      day,
    });
  });

  return router;
}
