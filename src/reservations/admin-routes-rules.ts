// Staff page of a service's booking rules: deadlines, booking window, capacity and its groups.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { parisDayOf } from '../platform/clock.js';
import { idParam } from '../web/params.js';
import { actorOf, requireManager } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { rulesOf } from './policy.js';
import * as repo from './repository.js';
import { bookingRulesSchema } from './schemas.js';
import { createReservationsStaffService, formatGroups, parseGroups } from './staff.js';

export function bookingRulesAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = createReservationsStaffService(deps);

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
