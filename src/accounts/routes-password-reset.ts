// Forgotten password, and the pages of the emailed links that set a password (reset, staff
// invitation).
import { Router } from 'express';
import { FormError, noErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { flash } from '../web/flash.js';
import { emailKey, ipKey } from '../web/rate-limit.js';
import type { TokenKind } from './links.js';
import { emailOnlySchema, newPasswordSchema } from './schemas.js';
import { form, fromFormError, message, parse, tokenOf, type AccountPages } from './routes-shared.js';

export function passwordResetRoutes({ deps, accounts, limiter }: AccountPages): Router {
  const router = Router();
  const cfg = deps.config;
  const forgotIp = limiter('forgot-ip', cfg.RATE_LIMIT_LOGIN_PER_IP, ipKey);
  const forgotAccount = limiter('forgot-account', cfg.RATE_LIMIT_LOGIN_PER_ACCOUNT, (req) =>
    emailKey(req.body?.email),
  );

  const renderForgot = form('accounts/forgot');
  router.get('/forgot-password', (_req, res) => renderForgot(res, 200, {}));

  router.post('/forgot-password', forgotIp.middleware, forgotAccount.middleware, async (req, res) => {
    const data = parse(emailOnlySchema, req, res, renderForgot);
    if (!data) return;
    await accounts.forgotPassword(data.email);
    res.redirect(303, '/forgot-password/sent');
  });
  router.get('/forgot-password/sent', (_req, res) => message(res, 200, 'forgotSent'));

  const passwordLink = (path: string, kinds: TokenKind[], mode: 'reset' | 'invite') => {
    const renderReset = form('accounts/reset');
    router.get(`${path}/:token`, async (req, res) => {
      const raw = tokenOf(req);
      const peek = raw ? await accounts.peekToken(kinds, raw) : null;
      if (!peek) return message(res, 410, mode === 'reset' ? 'resetInvalid' : 'inviteInvalid');
      renderReset(res, 200, {}, noErrors(), { mode, action: `${path}/${raw}`, email: peek.account.email });
    });
    router.post(`${path}/:token`, forgotIp.middleware, async (req, res) => {
      const raw = tokenOf(req);
      const peek = raw ? await accounts.peekToken(kinds, raw) : null;
      if (!raw || !peek) return message(res, 410, mode === 'reset' ? 'resetInvalid' : 'inviteInvalid');
      const extra = { mode, action: `${path}/${raw}`, email: peek.account.email };
      const data = parse(newPasswordSchema, req, res, renderReset, extra);
      if (!data) return;
      try {
        const done = await accounts.setPasswordFromToken(kinds, raw, data.password, req.sessionID);
        if (!done) return message(res, 410, mode === 'reset' ? 'resetInvalid' : 'inviteInvalid');
      } catch (err) {
        if (err instanceof FormError) return renderReset(res, 422, {}, fromFormError(req, err), extra);
        throw err;
      }
      flash(req, getT()(mode === 'reset' ? 'accounts.reset.done' : 'accounts.reset.inviteDone'));
      res.redirect(303, '/login');
    });
  };
  passwordLink('/reset-password', ['password_reset'], 'reset');
  passwordLink('/set-password', ['staff_invite'], 'invite');

  return router;
}
