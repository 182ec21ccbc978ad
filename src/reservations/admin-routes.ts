// Staff pages: attendance sheet, kitchen headcount, occupation and desk bookings, closing a day,
// and the service's booking rules.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { parisDayOf, today } from '../platform/clock.js';
import { childrenOfHousehold } from '../households/access.js';
import { idParam } from '../web/params.js';
import { actorOf, currentAccount, requireAgent, requireManager, requireRole } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { isRealDay } from '../web/dates.js';
import { hasControlCharacters } from '../web/text.js';
import { dayStates, dayStatesFrom, openDays, publicHolidaysIn } from '../services/calendar.js';
import { addDays, weekDaysOf } from '../platform/days.js';
import { rulesOf } from './policy.js';
import * as repo from './repository.js';
import * as staffRepo from './staff-repository.js';
import {
  attendanceSchema,
  bookingRulesSchema,
  closeDaySchema,
  parseSlot,
  slotsSchema,
  staffCancelSchema,
} from './schemas.js';
import { createReservationsService } from './service.js';
import { calendarLabels, checkedSlots, sheetLabels } from './view-labels.js';
import { createReservationsStaffService, formatGroups, parseGroups, type AttendanceStatus } from './staff.js';
import { groupOutcome, monthOf, priceBoxOf, rememberOutcome } from './routes.js';

const requireSheetRole = requireRole('animator', 'agent', 'manager', 'admin');
const dayParam = z.string().refine(isRealDay);
const SHEET_VIEW = 'admin/attendance/index';

export function reservationsAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const reservations = createReservationsService(deps);
  const staff = createReservationsStaffService(deps);

  const dayOf = (value: unknown) =>
    dayParam.safeParse(value).success ? (value as string) : today(deps.clock);

  // --- Attendance ---

  async function renderSheet(req: Request, res: Response, status = 200, errors: FormErrors = noErrors()) {
    const day = dayOf(req.query.date ?? req.body?.date);
    const requested = req.query.service ?? req.body?.service;
    const requestedId = requested ? Number(requested) : undefined;
    res.status(status).render(SHEET_VIEW, await sheetLocals(req, day, requestedId, errors));
  }

  /** The sheet page's locals: of the service asked for (404 if this account may not see it), else of its first service. */
  async function sheetLocals(req: Request, day: string, requestedId: number | undefined, errors: FormErrors) {
    const account = currentAccount(req);
    // Side by side: the page's facts, and the requested service's rows (shown
    // only once the facts say this account may see that service).
    const [facts, requestedSheet] = await Promise.all([
      staffRepo.sheetFacts(deps.db, account, day),
      requestedId !== undefined && Number.isSafeInteger(requestedId)
        ? staffRepo.attendanceSheet(deps.db, requestedId, day)
        : undefined,
    ]);
    const { services, periods, locked } = facts;
    const service = services.find((s) => s.id === (requestedId ?? services[0]?.id));
    if (requestedId !== undefined && !service) throw new HttpError(404);
    const { rows, unbooked } = service
      ? (requestedSheet ?? (await staffRepo.attendanceSheet(deps.db, service.id, day)))
      : { rows: [], unbooked: [] };
    const closed = new Map(
      facts.closures.filter((c) => c.service_id === service?.id).map((c) => [day, c.reason]),
    );
    const open = service
      ? dayStatesFrom(service, day, day, {
          periods,
          publicHolidays: publicHolidaysIn(periods, day, day),
          closed,
        }).get(day)
      : undefined;
    return {
      services,
      service,
      day,
      rows,
      labels: sheetLabels(getT()),
      unbooked,
      open,
      locked,
      errors,
      counts: {
        booked: rows.filter((r) => r.reservation_status === 'booked').length,
        present: rows.filter((r) => r.attendance === 'present' || r.attendance === 'present_unbooked').length,
      },
    };
  }

  router.get('/attendance', requireSheetRole, (req, res) => renderSheet(req, res));

  router.post('/attendance', requireSheetRole, async (req, res) => {
    const t = getT();
    const wantsJson = (req.get('accept') ?? '').includes('application/json');
    const serviceId = Number(req.body?.service);
    const day = dayParam.safeParse(req.body?.date);
    const service = Number.isSafeInteger(serviceId)
      ? await staff.visibleService(currentAccount(req), serviceId)
      : undefined;
    if (!service || !day.success) throw new HttpError(404);
    // The sheet is one form: each row's radios are named status-<childId>; the row saved is the one sent in "child".
    const childId = String(req.body?.child ?? '');
    const form = attendanceSchema.safeParse({
      child: childId,
      status: req.body?.[`status-${childId}`] ?? req.body?.status,
    });
    const fail = async (err: FormErrors) => {
      if (wantsJson) return res.status(422).json({ ok: false, error: err.summary[0]?.text });
      req.query.service = String(service.id);
      req.query.date = day.data;
      return renderSheet(req, res, 422, err);
    };
    if (!form.success) return fail(formErrors(form.error, t));
    try {
      await staff.record({
        serviceId: service.id,
        day: day.data,
        childId: Number(form.data.child),
        status: form.data.status as AttendanceStatus,
        actor: actorOf(req),
      });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return fail(addError(noErrors(), 'status', t(err.key)));
    }
    if (wantsJson) return res.json({ ok: true });
    flash(req, t('reservations.admin.attendance.saved'));
    res.redirect(303, `/admin/attendance?service=${service.id}&date=${day.data}#child-${form.data.child}`);
  });

  // --- Kitchen headcount ---

  router.get('/headcount', requireSheetRole, async (req, res) => {
    const account = currentAccount(req);
    const day = dayOf(req.query.date);
    const sites = account.role === 'animator' ? await staffRepo.siteIdsOf(deps.db, account.id) : null;
    const { rows, allergies } = await staffRepo.headcount(deps.db, day, sites);
    const t = getT();
    if (req.query.format === 'csv') {
      const cell = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
      const lines = [
        [
          t('reservations.admin.headcount.school'),
          t('reservations.admin.headcount.diet'),
          t('reservations.admin.headcount.meals'),
        ]
          .map(cell)
          .join(';'),
        ...rows.map((r) =>
          [r.school ?? '', t(`reservations.diets.${r.diet ?? 'none'}`), r.meals].map(cell).join(';'),
        ),
      ];
      res.type('text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="repas-${day}.csv"`);
      return res.send(`\uFEFF${lines.join('\r\n')}\r\n`);
    }
    const schools = [...new Set(rows.map((r) => r.school ?? ''))].map((school) => ({
      school,
      rows: rows.filter((r) => (r.school ?? '') === school),
      total: rows.filter((r) => (r.school ?? '') === school).reduce((n, r) => n + r.meals, 0),
      allergies: allergies.filter((a) => (a.school ?? '') === school),
    }));
    res.render('admin/headcount/index', { day, schools, total: rows.reduce((n, r) => n + r.meals, 0) });
  });

  // --- Occupation, closing a day, desk bookings ---

  router.get('/reservations', requireAgent, async (req, res) => {
    const monday = weekDaysOf(dayOf(req.query.week))[0]!;
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

  async function renderClose(
    req: Request,
    res: Response,
    status = 200,
    errors: FormErrors = noErrors(),
    values: Record<string, unknown> = {},
  ) {
    const services = (await staffRepo.visibleServices(deps.db, currentAccount(req))) as repo.ServiceRow[];
    res.status(status).render('admin/reservations/close', {
      services,
      errors,
      values: { service: req.query.service ?? '', day: req.query.day ?? '', ...values },
    });
  }

  router.get('/reservations/close', requireAgent, (req, res) => renderClose(req, res));

  router.post('/reservations/close', requireAgent, async (req, res) => {
    const t = getT();
    const form = closeDaySchema.safeParse(req.body);
    if (!form.success) return renderClose(req, res, 422, formErrors(form.error, t), req.body);
    const service = await staff.visibleService(currentAccount(req), Number(form.data.service));
    if (!service)
      return renderClose(
        req,
        res,
        422,
        addError(noErrors(), 'service', t('reservations.errors.serviceRequired')),
        req.body,
      );
    if (!(await openDays(deps.db, service, form.data.day, form.data.day)).length) {
      const closed = (await dayStates(deps.db, service, form.data.day, form.data.day)).get(form.data.day);
      const key =
        closed && !closed.open && closed.reason === 'closed_by_town'
          ? 'reservations.errors.alreadyClosed'
          : 'reservations.errors.notOpen';
      return renderClose(req, res, 422, addError(noErrors(), 'day', t(key)), req.body);
    }
    try {
      const { cancelled } = await reservations.closeDay({
        serviceId: service.id,
        day: form.data.day,
        reason: form.data.reason,
        actor: actorOf(req),
      });
      flash(req, t('reservations.admin.close.done', { count: cancelled }));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return renderClose(req, res, 422, addError(noErrors(), err.field, t(err.key)), req.body);
    }
    res.redirect(303, `/admin/reservations?week=${form.data.day}`);
  });

  async function renderFamily(req: Request, res: Response, status = 200, errors: FormErrors = noErrors()) {
    const number =
      typeof req.query.number === 'string' && !hasControlCharacters(req.query.number)
        ? req.query.number.trim().slice(0, 30)
        : '';
    const household = number ? await staffRepo.householdByNumber(deps.db, number) : undefined;
    const month = monthOf(req.query.month, today(deps.clock).slice(0, 7));
    const children = household ? await childrenOfHousehold(deps.db, household.id) : [];
    const calendars = household
      ? await reservations.monthCalendars({ householdId: household.id, children, month, staff: true })
      : [];
    const shift = (by: number) => {
      const [y, m] = month.split('-').map(Number) as [number, number];
      const d = new Date(Date.UTC(y, m - 1 + by, 1));
      return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    if (number && !household)
      errors = addError(
        errors.summary.length ? errors : noErrors(),
        'number',
        getT()('reservations.errors.familyNotFound'),
      );
    res.status(status).render('admin/reservations/family', {
      calendarLabels: calendarLabels(getT()),
      checked: checkedSlots(undefined),
      priceBox: household ? await priceBoxOf(deps, household.id, calendars, month) : null,
      number,
      household,
      month,
      previousMonth: shift(-1),
      nextMonth: shift(1),
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

  async function deskHousehold(req: Request) {
    const householdId = idParam(req.params.householdId);
    const household = await deps.db('households').where({ id: householdId }).first('id', 'family_number');
    if (!household) throw new HttpError(404);
    const children = await childrenOfHousehold(deps.db, householdId);
    return { household: household as { id: number; family_number: string }, children };
  }

  router.post('/reservations/family/:householdId', requireAgent, async (req, res) => {
    const { household, children } = await deskHousehold(req);
    const back = `/admin/reservations/family?number=${encodeURIComponent(household.family_number)}`;
    const form = slotsSchema.safeParse(req.body);
    if (!form.success) {
      req.query.number = household.family_number;
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
    const back = `/admin/reservations/family?number=${encodeURIComponent(household.family_number)}`;
    const form = staffCancelSchema.safeParse(req.body);
    if (!form.success) {
      req.query.number = household.family_number;
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

  // --- Booking rules of a service ---

  async function renderRules(
    req: Request,
    res: Response,
    service: repo.ServiceRow,
    status = 200,
    errors: FormErrors = noErrors(),
    values?: Record<string, unknown>,
  ) {
    const rules = rulesOf(service);
    const deadlineValues = (p: string, d: typeof rules.bookingDeadline) => ({
      [`${p}_kind`]: d?.kind ?? 'none',
      [`${p}_days`]: d && d.kind !== 'week_before' ? d.days : '',
      [`${p}_weekday`]: d && d.kind === 'week_before' ? String(d.weekday) : '',
      [`${p}_time`]: d?.time ?? '',
    });
    const opensAt = service.booking_opens_at ? new Date(service.booking_opens_at) : null;
    res.status(status).render('admin/services/booking-rules', {
      service,
      errors,
      schools: await deps.db('schools').orderBy('name').select('id', 'name'),
      values: values ?? {
        ...deadlineValues('booking', rules.bookingDeadline),
        ...deadlineValues('cancel', rules.cancelDeadline),
        window_days: service.booking_window_days ?? '',
        opens_at: opensAt
          ? `${parisDayOf(opensAt)}T${new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(opensAt)}`
          : '',
        capacity: service.capacity ?? '',
        capacity_split: rules.split,
        capacity_groups: formatGroups(rules.groups),
        booking_unit: rules.unit,
        sick_declaration_until: rules.sickUntil,
      },
    });
  }

  async function ruleService(req: Request) {
    const service = await repo.findService(deps.db, idParam(req.params.id));
    if (!service) throw new HttpError(404);
    return service;
  }

  router.get('/services/:id/booking-rules', requireManager, async (req, res) =>
    renderRules(req, res, await ruleService(req)),
  );

  router.post('/services/:id/booking-rules', requireManager, async (req, res) => {
    const t = getT();
    const service = await ruleService(req);
    const form = bookingRulesSchema.safeParse(req.body);
    if (!form.success) return renderRules(req, res, service, 422, formErrors(form.error, t), req.body);
    const f = form.data;
    const groups = parseGroups(f.capacity_groups);
    if (!groups)
      return renderRules(
        req,
        res,
        service,
        422,
        addError(noErrors(), 'capacity_groups', t('reservations.errors.groupsInvalid')),
        req.body,
      );
    const deadline = (kind: string, days: number | null, weekday: string | undefined, time: string) =>
      kind === 'none'
        ? null
        : kind === 'week_before'
          ? { kind, weekday: Number(weekday), time }
          : { kind, days: days ?? 0, time };
    await staff.updateBookingRules(
      service.id,
      {
        bookingDeadline: deadline(f.booking_kind, f.booking_days, f.booking_weekday, f.booking_time),
        cancelDeadline: deadline(f.cancel_kind, f.cancel_days, f.cancel_weekday, f.cancel_time),
        windowDays: f.window_days,
        opensAt: f.opens_at || null,
        capacity: f.capacity,
        split: f.capacity_split,
        groups,
        unit: f.booking_unit,
        sickUntil: f.sick_declaration_until,
      },
      actorOf(req),
    );
    flash(req, t('reservations.admin.rules.saved'));
    res.redirect(303, `/admin/services/${service.id}/booking-rules`);
  });

  return router;
}
