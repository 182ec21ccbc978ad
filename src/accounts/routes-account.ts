// "My account": name, password, email (with its confirmation link), and the second factor with
// its recovery codes.
import { Router, type Request, type Response } from 'express';
import { formErrors, FormError, noErrors } from '../web/forms.js';
import { localPath } from '../web/urls.js';
import { getT } from '../web/i18n.js';
import { flash } from '../web/flash.js';
import { requireLogin, currentAccount } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import {
  changeEmailSchema,
  changePasswordSchema,
  codeSchema,
  currentPasswordSchema,
  nameSchema,
} from './schemas.js';
import {
  form,
  fromFormError,
  message,
  parse,
  safeValues,
  tokenOf,
  type AccountPages,
} from './routes-shared.js';

export function myAccountRoutes({ accounts }: AccountPages): Router {
  const router = Router();

  router.get('/account', requireLogin, async (req, res) => {
    const me = currentAccount(req);
    const row = await accounts.findById(me.id);
    if (!row) throw new HttpError(404);
    res.render('accounts/account', {
      me: row,
      logins: await accounts.recentLogins(me.id),
      unusedCodes: row.totp_enabled_at ? await accounts.unusedRecoveryCodes(me.id) : 0,
    });
  });

  const renderName = form('accounts/account-name');
  router.get('/account/name', requireLogin, (req, res) => {
    const me = currentAccount(req);
    renderName(res, 200, { first_name: me.firstName, last_name: me.lastName });
  });
  router.post('/account/name', requireLogin, async (req, res) => {
    const data = parse(nameSchema, req, res, renderName);
    if (!data) return;
    await accounts.updateName(currentAccount(req), data.first_name, data.last_name);
    flash(req, getT()('accounts.account.nameSaved'));
    res.redirect(303, '/account');
  });

  const renderPassword = form('accounts/account-password');
  router.get('/account/password', requireLogin, (_req, res) => renderPassword(res, 200, {}));
  router.post('/account/password', requireLogin, async (req, res) => {
    const data = parse(changePasswordSchema, req, res, renderPassword);
    if (!data) return;
    try {
      await accounts.changePassword(
        currentAccount(req).id,
        data.current_password,
        data.password,
        req.sessionID,
      );
    } catch (err) {
      if (err instanceof FormError) return renderPassword(res, 422, {}, fromFormError(req, err));
      throw err;
    }
    flash(req, getT()('accounts.account.passwordSaved'));
    res.redirect(303, '/account');
  });

  const renderEmail = form('accounts/account-email');
  router.get('/account/email', requireLogin, (_req, res) => renderEmail(res, 200, {}));
  router.post('/account/email', requireLogin, async (req, res) => {
    const data = parse(changeEmailSchema, req, res, renderEmail);
    if (!data) return;
    try {
      await accounts.requestEmailChange(currentAccount(req).id, data.email, data.current_password);
    } catch (err) {
      if (err instanceof FormError)
        return renderEmail(res, 422, safeValues(req.body), fromFormError(req, err));
      throw err;
    }
    flash(req, getT()('accounts.account.emailSent', { email: data.email }));
    res.redirect(303, '/account');
  });

  router.get('/account/email/confirm/:token', async (req, res) => {
    const raw = tokenOf(req);
    const peek = raw ? await accounts.peekToken(['email_change'], raw) : null;
    if (!peek) return message(res, 410, 'emailChangeInvalid');
    res.render('accounts/confirm-link', {
      key: 'emailChange',
      action: `/account/email/confirm/${raw}`,
      newEmail: String(peek.token.data.email ?? ''),
    });
  });
  router.post('/account/email/confirm/:token', async (req, res) => {
    const raw = tokenOf(req);
    const outcome = raw ? await accounts.confirmEmailChange(raw) : 'invalid';
    if (outcome === 'invalid') return message(res, 410, 'emailChangeInvalid');
    if (outcome === 'taken') return message(res, 409, 'emailChangeTaken');
    flash(req, getT()('accounts.account.emailChanged'));
    res.redirect(303, req.account ? '/account' : '/login');
  });

  // --- Second factor from "my account" ---

  const renderTwoFactor = form('accounts/setup-2fa');
  async function twoFactorPage(req: Request, res: Response, status: number, errors = noErrors()) {
    const me = currentAccount(req);
    const row = await accounts.findById(me.id);
    if (!row) throw new HttpError(404);
    if (row.totp_enabled_at) {
      return res.status(status).render('accounts/two-factor', {
        errors,
        values: {},
        unusedCodes: await accounts.unusedRecoveryCodes(me.id),
        canDisable: me.role === 'parent',
      });
    }
    req.session.setupTotpSecret ??= accounts.newTotpSecret();
    const secret = req.session.setupTotpSecret;
    renderTwoFactor(res, status, {}, errors, {
      secret,
      qr: await accounts.totpQrCode(row.email, secret),
      action: '/account/two-factor',
      firstLogin: false,
    });
  }
  router.get('/account/two-factor', requireLogin, (req, res) => twoFactorPage(req, res, 200));

  router.post('/account/two-factor', requireLogin, async (req, res) => {
    const me = currentAccount(req);
    const secret = req.session.setupTotpSecret;
    const parsed = codeSchema.safeParse(req.body ?? {});
    if (!parsed.success) return twoFactorPage(req, res, 400, formErrors(parsed.error, getT()));
    if (!secret) return res.redirect(303, '/account/two-factor');
    try {
      req.session.newRecoveryCodes = await accounts.enableTotp(me, secret, parsed.data.code);
    } catch (err) {
      if (err instanceof FormError) return twoFactorPage(req, res, 422, fromFormError(req, err));
      throw err;
    }
    delete req.session.setupTotpSecret;
    req.session.recoveryCodesNext = '/account';
    flash(req, getT()('accounts.twoFactor.enabled'));
    res.redirect(303, '/account/recovery-codes');
  });

  router.post('/account/two-factor/disable', requireLogin, async (req, res) => {
    const me = currentAccount(req);
    const parsed = currentPasswordSchema.safeParse(req.body ?? {});
    if (!parsed.success) return twoFactorPage(req, res, 400, formErrors(parsed.error, getT()));
    try {
      await accounts.disableTotp(me, parsed.data.current_password);
    } catch (err) {
      if (err instanceof FormError) return twoFactorPage(req, res, 422, fromFormError(req, err));
      throw err;
    }
    flash(req, getT()('accounts.twoFactor.disabled'));
    res.redirect(303, '/account');
  });

  router.post('/account/two-factor/recovery-codes', requireLogin, async (req, res) => {
    const me = currentAccount(req);
    const row = await accounts.findById(me.id);
    if (!row?.totp_enabled_at) return res.redirect(303, '/account/two-factor');
    req.session.newRecoveryCodes = await accounts.regenerateRecoveryCodes(me);
    req.session.recoveryCodesNext = '/account';
    res.redirect(303, '/account/recovery-codes');
  });

  /** Shown once: the codes leave the session as the page is rendered. */
  router.get('/account/recovery-codes', requireLogin, (req, res) => {
    const codes = req.session.newRecoveryCodes;
    if (!codes?.length) return res.redirect('/account/two-factor');
    const next = localPath(req.session.recoveryCodesNext, '/');
    delete req.session.newRecoveryCodes;
    delete req.session.recoveryCodesNext;
    res.render('accounts/recovery-codes', { codes, next });
  });

  return router;
}
