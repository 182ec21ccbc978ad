// Public and parent-facing account pages: sign up and verify, log in (password, then the second
// factor), log out, forgotten password, and "my account".
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { localPath } from '../web/urls.js';
import { getT } from '../web/i18n.js';
import { flash } from '../web/flash.js';
import { requireLogin, currentAccount } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { createLimiter, emailKey, ipKey } from '../web/rate-limit.js';
import {
  changeEmailSchema,
  changePasswordSchema,
  codeSchema,
  currentPasswordSchema,
  emailOnlySchema,
  loginSchema,
  nameSchema,
  newPasswordSchema,
  signupSchema,
  TOKEN_SHAPE,
} from './schemas.js';
import { createAccountsService, type TokenKind } from './service.js';
import { checkCredentials, createPassport } from './passport.js';
import { endSession, logIn, startPendingSecondFactor } from './session.js';

type Values = Record<string, unknown>;

/** Never send typed passwords back into a page. */
function safeValues(body: unknown): Values {
  const values: Values = { ...((body as Values | undefined) ?? {}) };
  for (const k of ['password', 'password_confirm', 'current_password', 'code', '_csrf']) delete values[k];
  return values;
}

export function accountsRoutes(deps: AppDeps): Router {
  const router = Router();
  const accounts = createAccountsService(deps);
  const passport = createPassport(accounts);
  /** Before a route that logs in (req.login). */
  const withPassport = passport.initialize();
  const cfg = deps.config;
  const windowMinutes = cfg.RATE_LIMIT_WINDOW_MINUTES;
  const bodyEmail = (req: Request) => (typeof req.body?.email === 'string' ? (req.body.email as string) : '');

  // Brute force: per IP and per account (email), on login, its second step, reset and sign-up.
  // Logins count their failures only: people who log in fine never lock each other out.
  const limiter = (
    name: string,
    limit: number,
    key: (req: Request) => string,
    scope?: 'ip' | 'account',
    failuresOnly = false,
  ) =>
    createLimiter(deps, {
      name,
      limit,
      windowMinutes,
      key,
      failuresOnly,
      onLimitReached: scope
        ? (req) => accounts.recordLockout(`${name}`, scope === 'account' ? bodyEmail(req) : null)
        : undefined,
    });
  const loginIp = limiter('login-ip', cfg.RATE_LIMIT_LOGIN_PER_IP, ipKey, 'ip', true);
  const loginAccount = limiter(
    'login-account',
    cfg.RATE_LIMIT_LOGIN_PER_ACCOUNT,
    (req) => emailKey(req.body?.email),
    'account',
    true,
  );
  const codeAccount = limiter(
    'login-code',
    cfg.RATE_LIMIT_LOGIN_PER_ACCOUNT,
    (req) => String(req.session.pendingAccountId ?? 'none'),
    'ip',
  );
  const forgotIp = limiter('forgot-ip', cfg.RATE_LIMIT_LOGIN_PER_IP, ipKey);
  const forgotAccount = limiter('forgot-account', cfg.RATE_LIMIT_LOGIN_PER_ACCOUNT, (req) =>
    emailKey(req.body?.email),
  );
  const signupIp = limiter('signup-ip', cfg.RATE_LIMIT_LOGIN_PER_IP, ipKey);
  const signupAccount = limiter('signup-account', cfg.RATE_LIMIT_LOGIN_PER_ACCOUNT, (req) =>
    emailKey(req.body?.email),
  );

  const form =
    (view: string) =>
    (res: Response, status: number, values: Values, errors: FormErrors = noErrors(), extra: Values = {}) =>
      res.status(status).render(view, { values, errors, ...extra });
  const fromFormError = (req: Request, err: FormError) =>
    addError(noErrors(), err.field, getT()(err.key, err.params));
  const message = (res: Response, status: number, key: string, extra: Values = {}) =>
    res.status(status).render('accounts/message', { key, ...extra });
  const tokenOf = (req: Request) => {
    const raw = String(req.params.token ?? '');
    return TOKEN_SHAPE.test(raw) ? raw : null;
  };

  /** Parses a form; on error re-renders it (400) with the values kept. */
  function parse<S extends z.ZodType>(
    schema: S,
    req: Request,
    res: Response,
    render: ReturnType<typeof form>,
    extra: Values = {},
  ): z.infer<S> | null {
    const parsed = schema.safeParse(req.body ?? {});
    if (parsed.success) return parsed.data;
    render(res, 400, safeValues(req.body), formErrors(parsed.error, getT()), extra);
    return null;
  }

  // --- Sign-up and email verification ---

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

  // --- Log in and out ---

  const renderLogin = form('accounts/login');
  router.get('/login', (req, res) => {
    if (req.account) return res.redirect(localPath(req.query.next));
    renderLogin(res, 200, { next: localPath(req.query.next, '') });
  });

  router.post('/login', loginIp.middleware, loginAccount.middleware, async (req: Request, res: Response) => {
    const t = getT();
    const parsed = loginSchema.safeParse(req.body ?? {});
    const next = localPath(req.body?.next, '/');
    if (!parsed.success)
      return renderLogin(res, 400, { ...safeValues(req.body), next }, formErrors(parsed.error, t));
    const outcome = await checkCredentials(passport, req, res);
    if (outcome.kind === 'invalid') {
      await accounts.recordFailure(parsed.data.email, outcome.accountId, 'invalid');
      const errors = addError(noErrors(), 'email', t('accounts.errors.wrongCredentials'));
      return renderLogin(res, 401, { email: parsed.data.email, next }, errors);
    }
    await loginAccount.reset(emailKey(parsed.data.email));
    if (outcome.kind === 'unverified') {
      return renderLogin(res, 403, { email: parsed.data.email, next }, noErrors(), { unverified: true });
    }
    const { account } = outcome;
    if (outcome.needsSecondFactor || outcome.needsSecondFactorSetup) {
      await startPendingSecondFactor(req, account.id, next);
      return res.redirect(303, outcome.needsSecondFactor ? '/login/code' : '/login/setup-2fa');
    }
    await logIn(req, account, deps.clock.now().getTime());
    await accounts.recordLogin(account);
    res.redirect(303, next);
  });

  const renderCode = form('accounts/login-code');
  router.get('/login/code', (req, res) => {
    if (!req.session.pendingAccountId) return res.redirect('/login');
    renderCode(res, 200, {});
  });

  router.post('/login/code', codeAccount.middleware, withPassport, async (req, res) => {
    const t = getT();
    const pendingId = req.session.pendingAccountId;
    if (!pendingId) return res.redirect(303, '/login');
    const data = parse(codeSchema, req, res, renderCode);
    if (!data) return;
    const account = await accounts.findById(pendingId);
    const via =
      account && !account.disabled_at && account.totp_enabled_at
        ? await accounts.checkSecondFactor(account, data.code)
        : null;
    if (!account || !via) {
      await accounts.recordFailure(account?.email ?? '', account?.id ?? null, 'second_factor');
      return renderCode(res, 401, {}, addError(noErrors(), 'code', t('accounts.errors.wrongCode')));
    }
    await codeAccount.reset(String(pendingId));
    const returnTo = localPath(req.session.pendingReturnTo, '/');
    await logIn(req, account, deps.clock.now().getTime());
    await accounts.recordLogin(account, via);
    if (via === 'recovery')
      flash(
        req,
        t('accounts.code.recoveryUsed', { count: await accounts.unusedRecoveryCodes(account.id) }),
        'info',
      );
    res.redirect(303, returnTo);
  });

  // Staff set up their second factor at first login, before the session starts.
  const renderSetup = form('accounts/setup-2fa');
  async function setupPage(req: Request, res: Response, status: number, errors = noErrors()) {
    const account = req.session.pendingAccountId
      ? await accounts.findById(req.session.pendingAccountId)
      : undefined;
    if (!account || account.totp_enabled_at) return res.redirect(303, '/login');
    req.session.setupTotpSecret ??= accounts.newTotpSecret();
    const secret = req.session.setupTotpSecret;
    renderSetup(res, status, {}, errors, {
      secret,
      qr: await accounts.totpQrCode(account.email, secret),
      action: '/login/setup-2fa',
      firstLogin: true,
    });
  }
  router.get('/login/setup-2fa', (req, res) => setupPage(req, res, 200));

  router.post('/login/setup-2fa', codeAccount.middleware, withPassport, async (req, res) => {
    const account = req.session.pendingAccountId
      ? await accounts.findById(req.session.pendingAccountId)
      : undefined;
    const secret = req.session.setupTotpSecret;
    if (!account || account.totp_enabled_at || !secret) return res.redirect(303, '/login');
    const parsed = codeSchema.safeParse(req.body ?? {});
    if (!parsed.success) return setupPage(req, res, 400, formErrors(parsed.error, getT()));
    let codes: string[];
    try {
      codes = await accounts.enableTotp(account, secret, parsed.data.code);
    } catch (err) {
      if (err instanceof FormError) return setupPage(req, res, 422, fromFormError(req, err));
      throw err;
    }
    const returnTo = localPath(req.session.pendingReturnTo, '/');
    await logIn(req, account, deps.clock.now().getTime());
    await accounts.recordLogin(account, 'totp');
    req.session.newRecoveryCodes = codes;
    req.session.recoveryCodesNext = returnTo;
    res.redirect(303, '/account/recovery-codes');
  });

  router.post('/logout', async (req, res) => {
    if (req.account)
      await deps.audit.record(deps.db, { accountId: req.account.id, role: req.account.role }, 'auth.logout', {
        type: 'account',
        id: req.account.id,
      });
    await endSession(req);
    res.clearCookie('pf.sid');
    res.redirect(303, '/?logged_out=1');
  });

  // --- Forgotten password, reset, staff invitation ---

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

  // --- My account ---

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
