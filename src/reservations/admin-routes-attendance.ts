// Staff pages of the day's children: the attendance sheet (one form, saved as it is taken), by
// service and school; the kitchen headcount is in admin-routes-headcount.ts.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { today } from '../platform/clock.js';
import { actorOf, currentAccount, requireRole } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { createAttendanceSheetService } from './attendance-sheet.js';
import { headcountAdminRoutes } from './admin-routes-headcount.js';
import { attendanceSchema, dayOf, dayParam } from './schemas.js';
import { sheetLabels } from './view-labels.js';
import { createReservationsStaffService, type AttendanceStatus } from './staff.js';

const requireSheetRole = requireRole('animator', 'agent', 'manager', 'admin');
const SHEET_VIEW = 'admin/attendance/index';

/** The school asked in a query or a form (an id, 'none': children without a school, 'all'), else undefined. */
const schoolOf = (value: unknown) =>
  typeof value === 'string' && /^(\d{1,9}|none|all)$/.test(value) ? value : undefined;

export function attendanceAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = createReservationsStaffService(deps);
  const sheets = createAttendanceSheetService(deps);

  async function renderSheet(req: Request, res: Response, status = 200, errors: FormErrors = noErrors()) {
    const day = dayOf(req.query.date ?? req.body?.date, today(deps.clock));
    const requested = req.query.service ?? req.body?.service;
    const serviceId = requested === undefined || requested === '' ? undefined : Number(requested);
    if (serviceId !== undefined && !Number.isSafeInteger(serviceId)) throw new HttpError(404);
    const page = await sheets.page(currentAccount(req), day, {
      service: serviceId,
      school: schoolOf(req.query.school ?? req.body?.school),
    });
    if (!page) throw new HttpError(404);
    const { rows } = page;
    res.status(status).render(SHEET_VIEW, {
      ...page,
      day,
      errors,
      labels: sheetLabels(getT()),
      counts: {
        booked: rows.filter((r) => r.reservation_status === 'booked').length,
        present: rows.filter((r) => r.attendance === 'present' || r.attendance === 'present_unbooked').length,
      },
    });
  }

  router.get('/attendance', requireSheetRole, (req, res) => renderSheet(req, res));

  router.post('/attendance', requireSheetRole, async (req, res) => {
    const t = getT();
    const account = currentAccount(req);
    const wantsJson = (req.get('accept') ?? '').includes('application/json');
    const serviceId = Number(req.body?.service);
    const day = dayParam.safeParse(req.body?.date);
    const service = Number.isSafeInteger(serviceId)
      ? await staff.visibleService(account, serviceId)
      : undefined;
    if (!service || !day.success) throw new HttpError(404);
    const school = schoolOf(req.body?.school) ?? '';
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
      req.query.school = school;
      return renderSheet(req, res, 422, err);
    };
    if (!form.success) return fail(formErrors(form.error, t));
    // An animator marks only the children of their sites.
    if (!(await sheets.mayMark(account, service.id, Number(form.data.child)))) throw new HttpError(404);
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
    const schoolPart = school ? `&school=${school}` : '';
    res.redirect(
      303,
      `/admin/attendance?service=${service.id}&date=${day.data}${schoolPart}#child-${form.data.child}`,
    );
  });

  router.use(headcountAdminRoutes(deps));

  return router;
}
