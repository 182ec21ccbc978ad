// Staff pages of bookings: the week's occupation and the desk (a family's month
// calendars, booked or cancelled for them). Closing days is admin-routes-closures.ts.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { shiftMonth, today } from '../platform/clock.js';
import { childrenOfHousehold } from '../households/access.js';
import { idParam } from '../web/params.js';
import { actorOf, currentAccount, requireAgent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { formErrors, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { dayStates } from '../services/calendar.js';
import { addDays, weekDaysOf } from '../platform/days.js';
import type * as repo from './repository.js';
import * as staffRepo from './staff-repository.js';
import { dayOf, monthOf, parseSlot, slotsSchema, staffCancelSchema } from './schemas.js';
import { createReservationsService } from './service.js';
import { calendarLabels, checkedSlots } from './view-labels.js';
import { groupOutcome, rememberOutcome } from './outcome.js';
import { priceBoxOf } from './price-box.js';

export function deskAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const reservations = createReservationsService(deps);

  router.get('/reservations', requireAgent, async (req, res) => {
    const monday = weekDaysOf(dayOf(req.query.week, today(deps.clock)))[0]!;
    const friday = addDays(monday, 4);
    const services = (await staffRepo.visibleServices(deps.db, currentAccount(req))) as repo.ServiceRow[];
    const counts = await staffRepo.occupation(
      deps.db,
      services.map((s) => s.id),
      monday,
      friday,
    );
    const table = [];
    for (const service of services) {
      const states = await dayStates(deps.db, service, monday, friday);
      table.push({
        service,
        days: [0, 1, 2, 3, 4].map((i) => {
          const day = addDays(monday, i);
          const c = counts.find((x) => x.service_id === service.id && x.day === day);
          return { day, state: states.get(day), booked: c?.booked ?? 0, waiting: c?.waiting ?? 0 };
        }),
      });
    }
    res.render('admin/reservations/index', {
      monday,
      previousWeek: addDays(monday, -7),
      nextWeek: addDays(monday, 7),
      table: table.filter((r) =>
        r.days.some(
          (d) =>
            d.state?.open || d.booked || (d.state?.open === false && d.state.reason === 'closed_by_town'),
        ),
      ),
    });
  });

  async function renderFamily(req: Request, res: Response, status = 200, errors: FormErrors = noErrors()) {
    // The family comes from the desk's shared family search (src/admin/family-picker.ts) or its page.
    const household =
      req.query.household === undefined ? undefined : await findDeskHousehold(req.query.household);
    const month = monthOf(req.query.month, today(deps.clock).slice(0, 7));
    const children = household ? await childrenOfHousehold(deps.db, household.id) : [];
    const calendars = household
      ? await reservations.monthCalendars({ householdId: household.id, children, month, staff: true })
      : [];
    res.status(status).render('admin/reservations/family', {
      calendarLabels: calendarLabels(getT()),
      checked: checkedSlots(undefined),
      priceBox: household ? await priceBoxOf(deps, household.id, calendars, month) : null,
      household,
      month,
      previousMonth: shiftMonth(month, -1),
      nextMonth: shiftMonth(month, 1),
      calendars,
      children,
      errors,
      values: {},
      returnTo: req.originalUrl,
      formBase: household ? `/admin/reservations/family/${household.id}` : '',
      desk: true,
    });
  }

  router.get('/reservations/family', requireAgent, (req, res) => renderFamily(req, res));

  async function findDeskHousehold(param: unknown) {
    const household = await deps
      .db('households')
      .where({ id: idParam(param) })
      .first('id', 'family_number');
    if (!household) throw new HttpError(404);
    return household as { id: number; family_number: string };
  }

  async function deskHousehold(req: Request) {
    const household = await findDeskHousehold(req.params.householdId);
    const children = await childrenOfHousehold(deps.db, household.id);
    return { household, children };
  }

  router.post('/reservations/family/:householdId', requireAgent, async (req, res) => {
    const { household, children } = await deskHousehold(req);
    const back = `/admin/reservations/family?household=${household.id}`;
    const form = slotsSchema.safeParse(req.body);
    if (!form.success) {
      req.query.household = String(household.id);
      return renderFamily(req, res, 422, formErrors(form.error, getT()));
    }
    const slots = form.data.slots.map(parseSlot);
    if (slots.some((s) => !children.some((c) => c.id === s.childId))) throw new HttpError(404);
    const outcomes = await reservations.book({
      householdId: household.id,
      actor: actorOf(req),
      slots,
      waitlist: form.data.waitlist === '1',
      staff: true,
    });
    await rememberOutcome(deps, req, 'book', outcomes, children, back);
    res.redirect(303, '/admin/reservations/result');
  });

  router.post('/reservations/family/:householdId/cancel', requireAgent, async (req, res) => {
    const { household, children } = await deskHousehold(req);
    const back = `/admin/reservations/family?household=${household.id}`;
    const form = staffCancelSchema.safeParse(req.body);
    if (!form.success) {
      req.query.household = String(household.id);
      return renderFamily(req, res, 422, formErrors(form.error, getT()));
    }
    const slots = form.data.slots.map(parseSlot);
    if (slots.some((s) => !children.some((c) => c.id === s.childId))) throw new HttpError(404);
    const outcomes = await reservations.cancel({
      householdId: household.id,
      actor: actorOf(req),
      slots,
      mode: form.data.mode,
      reason: form.data.reason || undefined,
    });
    await rememberOutcome(deps, req, 'cancel', outcomes, children, back);
    res.redirect(303, '/admin/reservations/result');
  });

  router.get('/reservations/result', requireAgent, (req, res) => {
    const outcome = req.session.reservationOutcome;
    if (!outcome) return res.redirect(303, '/admin/reservations');
    res.render('reservations/result', { outcome, groups: groupOutcome(outcome) });
  });

  return router;
}
