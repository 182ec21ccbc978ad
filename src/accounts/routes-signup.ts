// Sign-up and email verification pages.
import { Router } from 'express';
import { flash } from '../web/flash.js';
import { getT } from '../web/i18n.js';
import { emailKey, ipKey } from '../web/rate-limit.js';
import { emailOnlySchema, signupSchema } from './schemas.js';
import { logIn } from './session.js';
import { form, message, parse, tokenOf, type AccountPages } from './routes-shared.js';

export function signupRoutes({ deps, accounts, limiter, withPassport }: AccountPages): Router {
  const router = Router();
  const cfg = deps.config;
  const signupIp = limiter('signup-ip', cfg.RATE_LIMIT_LOGIN_PER_IP, ipKey);
  const signupAccount = limiter('signup-account', cfg.RATE_LIMIT_LOGIN_PER_ACCOUNT, (req) =>
    emailKey(req.body?.email),
  );

  const renderSignup = form('accounts/signup');
  router.get('/signup', (req, res) => {
    if (req.account) return res.redirect('/');
    renderSignup(res, 200, {});
  });

  router.post('/signup', signupIp.middleware, signupAccount.middleware, async (req, res) => {
    const data = parse(signupSchema, req, res, renderSignup);
    if (!data) return;
    await accounts.signup({
      firstName: data.first_name,
      lastName: data.last_name,
      email: data.email,
      password: data.password,
    });
    req.session.signupEmail = data.email;
    res.redirect(303, '/signup/sent');
  });

  router.get('/signup/sent', (req, res) =>
    message(res, 200, 'signupSent', { email: req.session.signupEmail ?? '' }),
  );

  const renderResend = form('accounts/resend');
  router.get('/signup/resend', (req, res) =>
    renderResend(res, 200, {
      email: typeof req.query.email === 'string' ? req.query.email.slice(0, 254) : '',
    }),
  );

  router.post('/signup/resend', signupIp.middleware, signupAccount.middleware, async (req, res) => {
    const data = parse(emailOnlySchema, req, res, renderResend);
    if (!data) return;
    await accounts.resendVerification(data.email);
    req.session.signupEmail = data.email;
    res.redirect(303, '/signup/sent');
  });

  router.get('/verify-email/:token', async (req, res) => {
    const raw = tokenOf(req);
    const peek = raw ? await accounts.peekToken(['verify_email'], raw) : null;
    if (!peek) return message(res, 410, 'verifyInvalid');
    res.render('accounts/confirm-link', { key: 'verify', action: `/verify-email/${raw}` });
  });

  router.post('/verify-email/:token', withPassport, async (req, res) => {
    const raw = tokenOf(req);
    const account = raw ? await accounts.verifyEmail(raw) : null;
    if (!account) return message(res, 410, 'verifyInvalid');
    if (account.role !== 'parent') {
      flash(req, getT()('accounts.verify.doneLogin'));
      return res.redirect(303, '/login');
    }
    await logIn(req, account, deps.clock.now().getTime());
    await accounts.recordLogin(account);
    flash(req, getT()('accounts.verify.done'));
    res.redirect(303, '/');
  });

  return router;
}
