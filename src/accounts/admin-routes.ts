// /admin/staff (admins only): list, create with an emailed set-password link, change role and
// sites, disable or enable, reset the second factor. Each change is an audit event.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { actorOf, requireAdmin } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { STAFF_ROLES, type Role } from '../web/types.js';
import { staffCreateSchema, staffUpdateSchema } from './schemas.js';
import { createAccountsService } from './service.js';

function idParam(value: unknown): number {
  const s = String(value ?? '');
  if (!/^\d{1,15}$/.test(s)) throw new HttpError(404);
  return Number(s);
}

export function accountsAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const accounts = createAccountsService(deps);
  router.use('/staff', requireAdmin);

  router.get('/staff', async (_req, res) => {
    const [staff, schools] = await Promise.all([accounts.listStaff(), accounts.listSchools()]);
    res.render('admin/staff/list', {
      staff,
      schoolNames: new Map(schools.map((s) => [Number(s.id), s.name])),
    });
  });

  const renderNew = async (
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) =>
    res.status(status).render('admin/staff/new', {
      values,
      errors,
      schools: await accounts.listSchools(),
      roles: STAFF_ROLES,
    });
  const sitesOf = (body: unknown): string[] => {
    const v = (body as { sites?: unknown } | undefined)?.sites;
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  };

  router.get('/staff/new', (_req, res) => renderNew(res, 200, { sites: [] }));

  router.post('/staff/new', async (req, res) => {
    const t = getT();
    const values = { ...req.body, sites: sitesOf(req.body) };
    const parsed = staffCreateSchema.safeParse(req.body ?? {});
    if (!parsed.success) return renderNew(res, 400, values, formErrors(parsed.error, t));
    const d = parsed.data;
    let id: number;
    try {
      id = await accounts.createStaff(actorOf(req), {
        firstName: d.first_name,
        lastName: d.last_name,
        email: d.email,
        role: d.role as Role,
        schoolIds: d.sites,
      });
    } catch (err) {
      if (err instanceof FormError)
        return renderNew(res, 422, values, addError(noErrors(), err.field, t(err.key)));
      throw err;
    }
    flash(req, t('accounts.staff.created', { email: d.email }));
    res.redirect(303, `/admin/staff/${id}`);
  });

  const renderShow = async (
    req: Request,
    res: Response,
    status: number,
    values?: Record<string, unknown>,
    errors: FormErrors = noErrors(),
  ) => {
    const staff = await accounts.findStaff(idParam(req.params.id));
    if (!staff) throw new HttpError(404);
    res.status(status).render('admin/staff/show', {
      staff,
      values: values ?? { role: staff.role, sites: staff.school_ids.map(String) },
      errors,
      schools: await accounts.listSchools(),
      roles: STAFF_ROLES,
      self: staff.id === req.account?.id,
    });
  };

  router.get('/staff/:id', (req, res) => renderShow(req, res, 200));

  router.post('/staff/:id', async (req, res) => {
    const t = getT();
    const id = idParam(req.params.id);
    const values = { role: req.body?.role, sites: sitesOf(req.body) };
    const parsed = staffUpdateSchema.safeParse(req.body ?? {});
    if (!parsed.success) return renderShow(req, res, 400, values, formErrors(parsed.error, t));
    try {
      if (
        !(await accounts.updateStaff(actorOf(req), id, {
          role: parsed.data.role as Role,
          schoolIds: parsed.data.sites,
        }))
      )
        throw new HttpError(404);
    } catch (err) {
      if (err instanceof FormError)
        return renderShow(req, res, 422, values, addError(noErrors(), err.field, t(err.key)));
      throw err;
    }
    flash(req, t('accounts.staff.updated'));
    res.redirect(303, `/admin/staff/${id}`);
  });

  const action = (path: string, run: (req: Request, id: number) => Promise<boolean>, doneKey: string) =>
    router.post(`/staff/:id/${path}`, async (req, res) => {
      const t = getT();
      const id = idParam(req.params.id);
      try {
        if (!(await run(req, id))) throw new HttpError(404);
      } catch (err) {
        if (err instanceof FormError)
          return renderShow(req, res, 422, undefined, addError(noErrors(), 'form', t(err.key)));
        throw err;
      }
      flash(req, t(doneKey));
      res.redirect(303, `/admin/staff/${id}`);
    });
  action(
    'disable',
    (req, id) => accounts.setStaffDisabled(actorOf(req), id, true),
    'accounts.staff.disabledDone',
  );
  action(
    'enable',
    (req, id) => accounts.setStaffDisabled(actorOf(req), id, false),
    'accounts.staff.enabledDone',
  );
  action(
    'reset-2fa',
    (req, id) => accounts.resetStaffTwoFactor(actorOf(req), id),
    'accounts.staff.twoFactorResetDone',
  );
  action(
    'resend-invite',
    (req, id) => accounts.resendStaffInvite(actorOf(req), id),
    'accounts.staff.inviteResent',
  );

  return router;
}
