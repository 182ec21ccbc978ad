// Parent-facing reservations: the month calendars, booking, cancelling, sick child, the agenda.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { monthBounds, shiftMonth, today } from '../platform/clock.js';
import { childrenOfHousehold, type ChildRow } from '../households/access.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import { actorOf, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { localPath } from '../web/urls.js';
import { certificateInTime } from './certificates.js';
import { certificateDeadline } from './rules.js';
import { certificateSchema, monthOf, parseSlot, patternSchema, slotsSchema } from './schemas.js';
import { createReservationsService, type Slot } from './service.js';
import * as repo from './repository.js';
import { agendaFacts } from './calendar-repository.js';
import { groupOutcome, rememberOutcome } from './outcome.js';
import { priceBoxOf } from './price-box.js';
import { calendarLabels, checkedSlots } from './view-labels.js';

export function reservationsRoutes(deps: AppDeps): Router {
  const router = Router();
  const reservations = createReservationsService(deps);
  const household = [requireParent, withHousehold()];

  /** Every child named in the slots must be one of the household's: otherwise 404. */
  async function ownSlots(
    householdId: number,
    values: string[],
  ): Promise<{ slots: Slot[]; children: ChildRow[] }> {
    const slots = values.map(parseSlot);
    const children = await childrenOfHousehold(deps.db, householdId);
    for (const s of slots) if (!children.some((c) => c.id === s.childId)) throw new HttpError(404);
    return { slots, children };
  }

  async function renderBookingPage(
    req: Request,
    res: Response,
    opts: { status?: number; errors?: FormErrors; values?: Record<string, unknown>; childId?: number } = {},
  ) {
    const householdId = currentHouseholdId(req);
    const all = await childrenOfHousehold(deps.db, householdId);
    const children = opts.childId ? all.filter((c) => c.id === opts.childId) : all;
    if (opts.childId && !children.length) throw new HttpError(404); // another household's child
    // Days and months as strings: a luxon DateTime costs an Intl time-zone lookup each.
    const todayDay = today(deps.clock);
    const month = monthOf(req.query.month, todayDay.slice(0, 7));
    const calendars = await reservations.monthCalendars({ householdId, children, month });
    const view = opts.childId ? 'children/agenda' : 'reservations/index';
    const extra = opts.childId ? await agendaExtras(householdId, opts.childId, month) : {};
    const monthEnd = monthBounds(month).to;
    res.status(opts.status ?? 200).render(view, {
      priceBox: await priceBoxOf(deps, householdId, calendars, month, opts.childId),
      calendarLabels: calendarLabels(getT()),
      checked: checkedSlots(opts.values?.slots),
      month,
      patternFrom: `${month}-01` > todayDay ? `${month}-01` : todayDay,
      patternTo: monthEnd,
      previousMonth: shiftMonth(month, -1),
      nextMonth: shiftMonth(month, 1),
      calendars,
      children: all,
      child: opts.childId ? all.find((c) => c.id === opts.childId) : null,
      errors: opts.errors ?? noErrors(),
      values: opts.values ?? {},
      returnTo: req.originalUrl,
      ...extra,
    });
  }

  /** The agenda's list of sick absences with their certificate, the child's certificates and the month's history: one statement. */
  async function agendaExtras(householdId: number, childId: number, month: string) {
    const { sick, certificates, history } = await agendaFacts(
      deps.db,
      householdId,
      childId,
      `${month}-01`,
      monthBounds(month).to,
    );
    return {
      history,
      sick: sick.map((s) => {
        const uploadedAt = s.uploaded_at ? new Date(s.uploaded_at) : null;
        return {
          ...s,
          uploaded_at: uploadedAt,
          due: certificateDeadline(s.day),
          inTime: uploadedAt ? certificateInTime(s.day, uploadedAt) : null,
        };
      }),
      certificates: certificates.map((c) => ({ id: c.id, uploaded_at: new Date(c.uploaded_at) })),
      agendaMonth: month,
    };
  }

  router.get('/reservations', ...household, (req, res) => renderBookingPage(req, res));

  router.get('/children/:id/agenda', ...household, async (req, res) => {
    await renderBookingPage(req, res, { childId: idParam(req.params.id) });
  });

  router.post('/reservations', ...household, async (req, res) => {
    const t = getT();
    const householdId = currentHouseholdId(req);
    const returnTo = localPath(req.body?.return_to, '/reservations');
    if (req.body?.mode === 'pattern') {
      const form = patternSchema.safeParse(req.body);
      if (!form.success)
        return renderBookingPage(req, res, {
          status: 422,
          errors: formErrors(form.error, t),
          values: req.body,
        });
      const children = await childrenOfHousehold(deps.db, householdId);
      const childIds = form.data.children.map(Number);
      if (childIds.some((id) => !children.some((c) => c.id === id))) throw new HttpError(404);
      const relevant = await reservations.patternSlots({
        serviceId: Number(form.data.service),
        childIds,
        from: form.data.from,
        to: form.data.to,
        weekdays: form.data.weekdays.map(Number),
      });
      if (!relevant.length)
        return renderBookingPage(req, res, {
          status: 422,
          errors: addError(noErrors(), 'from', t('reservations.errors.noOpenDay')),
          values: req.body,
        });
      const outcomes = await reservations.book({
        householdId,
        actor: actorOf(req),
        slots: relevant,
        waitlist: form.data.waitlist === '1',
      });
      await rememberOutcome(deps, req, 'book', outcomes, children, returnTo);
      return res.redirect(303, '/reservations/result');
    }
    const form = slotsSchema.safeParse(req.body);
    if (!form.success)
      return renderBookingPage(req, res, {
        status: 422,
        errors: formErrors(form.error, t),
        values: req.body,
      });
    // The household's children are checked with the booking's facts (one statement): another's is a 404.
    const outcomes = await reservations.bookOwn({
      householdId,
      actor: actorOf(req),
      slots: form.data.slots.map(parseSlot),
      waitlist: form.data.waitlist === '1',
    });
    if (!outcomes) throw new HttpError(404);
    await rememberOutcome(deps, req, 'book', outcomes, [], returnTo);
    res.redirect(303, '/reservations/result');
  });

  router.post('/reservations/cancel', ...household, async (req, res) => {
    const form = slotsSchema.safeParse(req.body);
    if (!form.success)
      return renderBookingPage(req, res, {
        status: 422,
        errors: formErrors(form.error, getT()),
        values: req.body,
      });
    const householdId = currentHouseholdId(req);
    const { slots, children } = await ownSlots(householdId, form.data.slots);
    const outcomes = await reservations.cancel({ householdId, actor: actorOf(req), slots, mode: 'parent' });
    await rememberOutcome(
      deps,
      req,
      'cancel',
      outcomes,
      children,
      localPath(req.body?.return_to, '/reservations'),
    );
    res.redirect(303, '/reservations/result');
  });

  router.post('/reservations/sick', ...household, async (req, res) => {
    const form = slotsSchema.safeParse(req.body);
    if (!form.success)
      return renderBookingPage(req, res, {
        status: 422,
        errors: formErrors(form.error, getT()),
        values: req.body,
      });
    const householdId = currentHouseholdId(req);
    const { slots, children } = await ownSlots(householdId, form.data.slots);
    const outcomes = await reservations.declareSick({ householdId, actor: actorOf(req), slots });
    await rememberOutcome(
      deps,
      req,
      'sick',
      outcomes,
      children,
      localPath(req.body?.return_to, '/reservations'),
    );
    res.redirect(303, '/reservations/result');
  });

  router.get('/reservations/result', ...household, async (req, res) => {
    const outcome = req.session.reservationOutcome;
    if (!outcome) return res.redirect(303, '/reservations');
    // certificateDue: a sick day's last day for its medical certificate, with the link to upload it.
    res.render('reservations/result', {
      outcome,
      groups: groupOutcome(outcome),
      certificateDue: certificateDeadline,
    });
  });

  router.post('/reservations/certificate', ...household, async (req, res) => {
    const householdId = currentHouseholdId(req);
    const form = certificateSchema.safeParse(req.body);
    const reservation = form.success
      ? await repo.reservationOfHousehold(deps.db, householdId, Number(form.data.reservation))
      : undefined;
    if (!reservation) throw new HttpError(404);
    const back = `/children/${reservation.child_id}/agenda?month=${reservation.day.slice(0, 7)}`;
    try {
      await reservations.attachCertificate({
        householdId,
        actor: actorOf(req),
        reservationId: reservation.id,
        documentId: Number(form.data!.document),
      });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      req.query.month = reservation.day.slice(0, 7);
      return renderBookingPage(req, res, {
        status: 422,
        childId: reservation.child_id,
        errors: addError(noErrors(), 'document', getT()(err.key)),
      });
    }
    flash(req, getT()('reservations.certificate.attached'));
    res.redirect(303, back);
  });

  return router;
}
