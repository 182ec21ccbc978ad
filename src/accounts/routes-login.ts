// Log in (password, then the second factor, or its set-up at a staff member's first login) and
// log out.
import { Router, type Request, type Response } from 'express';
import { addError, formErrors, FormError, noErrors } from '../web/forms.js';
import { localPath } from '../web/urls.js';
import { getT } from '../web/i18n.js';
import { flash } from '../web/flash.js';
import { emailKey, ipKey } from '../web/rate-limit.js';
import { codeSchema, loginSchema } from './schemas.js';
import { checkCredentials } from './passport.js';
import { endSession, logIn, startPendingSecondFactor } from './session.js';
import { form, fromFormError, parse, safeValues, type AccountPages } from './routes-shared.js';

export function loginRoutes({ deps, accounts, limiter, passport, withPassport }: AccountPages): Router {
  const router = Router();
  const cfg = deps.config;
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

  return router;
}
