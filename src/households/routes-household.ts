// The parent's household pages: no household yet (create one, or link a family card), the family
// card and its form, and the child page.
import { Router } from 'express';
import { actorOf, currentAccount, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { formErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import { householdSchema } from './schemas.js';
import type { HouseholdsService } from './service.js';
import { householdValues, postedValues, renderHouseholdForm, serviceErrors } from './routes-shared.js';

export function householdRoutes(households: HouseholdsService): Router {
  const router = Router();
  const inHousehold = [requireParent, withHousehold()];

  // ---------- No household yet: create one or link a family card ----------
  router.get('/household/start', requireParent, async (req, res) => {
    if (currentAccount(req).householdId) return res.redirect(303, '/household');
    res.render('households/start');
  });

  router.get('/household/new', requireParent, async (req, res) => {
    if (currentAccount(req).householdId) return res.redirect(303, '/household');
    const values = { ...householdValues(undefined), email: currentAccount(req).email };
    await renderHouseholdForm(res, households, {
      values,
      action: '/household/new',
      mode: 'new',
      back: '/household/start',
    });
  });

  router.post('/household/new', requireParent, async (req, res) => {
    const t = getT();
    const account = currentAccount(req);
    const form = householdSchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      renderHouseholdForm(res, households, {
        status: 422,
        values: postedValues(req.body),
        errors,
        action: '/household/new',
        mode: 'new',
        back: '/household/start',
      });
    if (!form.success) return rerender(formErrors(form.error, t));
    // A card already holding the parent's own email: said without any detail, before creating.
    if (req.body?.create_anyway !== '1' && (await households.householdWithOwnEmail(account.email)))
      return renderHouseholdForm(res, households, {
        status: 409,
        values: postedValues(req.body),
        action: '/household/new',
        mode: 'new',
        back: '/household/start',
        ownEmailCard: true,
      });
    try {
      const { id, familyNumber } = await households.createForParent(account, form.data);
      await households.notePossibleDuplicates(id, form.data, actorOf(req));
      flash(req, t('households.flash.created', { number: familyNumber }));
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    res.redirect(303, '/household');
  });

  // ---------- The household's pages ----------
  router.get('/household', ...inHousehold, async (req, res) => {
    const overview = await households.overview(currentHouseholdId(req));
    if (!overview) throw new HttpError(404);
    res.render('households/show', overview);
  });

  router.get('/household/edit', ...inHousehold, async (req, res) => {
    const overview = await households.overview(currentHouseholdId(req));
    await renderHouseholdForm(res, households, {
      values: householdValues(overview?.household),
      action: '/household/edit',
      mode: 'edit',
      back: '/household',
      familyNumber: overview?.household.family_number,
    });
  });

  router.post('/household/edit', ...inHousehold, async (req, res) => {
    const t = getT();
    const form = householdSchema.safeParse(req.body);
    const rerender = (errors: FormErrors) =>
      renderHouseholdForm(res, households, {
        status: 422,
        values: postedValues(req.body),
        errors,
        action: '/household/edit',
        mode: 'edit',
        back: '/household',
      });
    if (!form.success) return rerender(formErrors(form.error, t));
    try {
      await households.update(currentHouseholdId(req), form.data, actorOf(req));
    } catch (err) {
      return rerender(serviceErrors(err, t));
    }
    flash(req, t('households.flash.saved'));
    res.redirect(303, '/household');
  });

  // ---------- The child page ----------
  router.get('/children/:id', ...inHousehold, async (req, res) => {
    const page = await households.childPage(currentHouseholdId(req), idParam(req.params.id));
    if (!page) throw new HttpError(404);
    res.render('children/show', page);
  });

  return router;
}
