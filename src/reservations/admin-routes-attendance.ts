// Staff pages of the day's children: the attendance sheet (one form, saved as it is taken) and the
// kitchen headcount.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { today } from '../platform/clock.js';
import { actorOf, currentAccount, requireRole } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { dayStatesFrom, publicHolidaysIn } from '../services/calendar.js';
import * as staffRepo from './staff-repository.js';
import { attendanceSchema, dayOf, dayParam } from './schemas.js';
import { sheetLabels } from './view-labels.js';
import { createReservationsStaffService, type AttendanceStatus } from './staff.js';

const requireSheetRole = requireRole('animator', 'agent', 'manager', 'admin');
const SHEET_VIEW = 'admin/attendance/index';

export function attendanceAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = createReservationsStaffService(deps);

  async function renderSheet(req: Request, res: Response, status = 200, errors: FormErrors = noErrors()) {
    const day = dayOf(req.query.date ?? req.body?.date, today(deps.clock));
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
    const day = dayOf(req.query.date, today(deps.clock));
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

  return router;
}
