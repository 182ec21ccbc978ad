// The invitation of a second guardian: sent and revoked from the household's page, accepted by
// the invitee (who has no household yet) from the emailed link.
import { Router } from 'express';
import { actorOf, currentAccount, requireParent } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { flash } from '../web/flash.js';
import { formErrors, noErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { idParam } from '../web/params.js';
import { inviteSchema } from './schemas.js';
import type { HouseholdsService } from './service.js';
import { serviceErrors } from './routes-shared.js';

export function invitationsRoutes(households: HouseholdsService): Router {
  const router = Router();
  const inHousehold = [requireParent, withHousehold()];

  // ---------- Invitation of a second guardian (the invitee has no household yet) ----------
  router.get('/household/invitations/:token', requireParent, async (req, res) => {
    const found = await households.invitation(String(req.params.token));
    if (!found) throw new HttpError(404);
    const linked = currentAccount(req).householdId;
    res.render('households/invitation', {
      state: found.state,
      familyNumber: found.familyNumber,
      token: req.params.token,
      linked: Boolean(linked),
      errors: noErrors(),
    });
  });

  router.post('/household/invitations/:token', requireParent, async (req, res) => {
    const t = getT();
    const found = await households.invitation(String(req.params.token));
    if (!found) throw new HttpError(404);
    try {
      await households.acceptInvitation(String(req.params.token), currentAccount(req));
    } catch (err) {
      const errors = serviceErrors(err, t);
      const linked = currentAccount(req).householdId;
      return res.status(422).render('households/invitation', {
        state: found.state,
        familyNumber: found.familyNumber,
        token: req.params.token,
        linked: Boolean(linked),
        errors,
      });
    }
    flash(req, t('households.flash.invitationAccepted'));
    res.redirect(303, '/household');
  });

  // ---------- Inviting a second guardian ----------
  router.get('/household/invite', ...inHousehold, (_req, res) =>
    res.render('households/invite', { values: {}, errors: noErrors() }),
  );

  router.post('/household/invite', ...inHousehold, async (req, res) => {
    const t = getT();
    const form = inviteSchema.safeParse(req.body);
    const values = { email: typeof req.body.email === 'string' ? req.body.email : '' };
    if (!form.success)
      return res.status(422).render('households/invite', { values, errors: formErrors(form.error, t) });
    try {
      await households.invite(currentHouseholdId(req), form.data.email!, actorOf(req));
    } catch (err) {
      return res.status(422).render('households/invite', { values, errors: serviceErrors(err, t) });
    }
    flash(req, t('households.flash.invited', { email: form.data.email }));
    res.redirect(303, '/household');
  });

  router.post('/household/invitations/:id/revoke', ...inHousehold, async (req, res) => {
    const t = getT();
    const done = await households.revokeInvitation(
      currentHouseholdId(req),
      idParam(req.params.id),
      actorOf(req),
    );
    if (!done) throw new HttpError(404);
    flash(req, t('households.flash.invitationRevoked'));
    res.redirect(303, '/household');
  });

  return router;
}
