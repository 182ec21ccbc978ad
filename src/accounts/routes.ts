// Log in (password, then the second factor when the account has one) and log out.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps.js';
import { formErrors, addError, noErrors } from '../web/forms.js';
import { localPath } from '../web/urls.js';
import { getT } from '../web/i18n.js';
import { codeSchema, loginSchema } from './schemas.js';
import { createAccountsService } from './service.js';
import { endSession, startPendingSecondFactor, startSession } from './session.js';

export function accountsRoutes(deps: AppDeps): Router {
  const router = Router();
  const accounts = createAccountsService(deps);

  const renderLogin = (res: Response, status: number, values: Record<string, unknown>, errors = noErrors(), extra = {}) =>
    res.status(status).render('accounts/login', { values, errors, ...extra });

  router.get('/login', (req, res) => {
    if (req.account) return res.redirect(localPath(req.query.next));
    renderLogin(res, 200, { next: localPath(req.query.next, '') });
  });

  router.post('/login', async (req: Request, res: Response) => {
    const t = getT(req.lang);
    const form = loginSchema.safeParse(req.body);
    const next = localPath(req.body?.next, '/');
    if (!form.success) return renderLogin(res, 400, { ...req.body, password: '' }, formErrors(form.error, t));
    const outcome = await accounts.checkPassword(form.data.email, form.data.password);
    if (outcome.kind === 'invalid') {
      await accounts.recordFailure(form.data.email, null, 'invalid');
      const errors = addError(noErrors(), 'email', t('accounts.errors.wrongCredentials'));
      return renderLogin(res, 401, { email: form.data.email, next }, errors);
    }
    if (outcome.kind === 'unverified') {
      return renderLogin(res, 403, { email: form.data.email, next }, noErrors(), { unverified: true });
    }
    const { account } = outcome;
    if (outcome.needsSecondFactor || outcome.needsSecondFactorSetup) {
      await startPendingSecondFactor(req, account.id, next);
      return res.redirect(303, outcome.needsSecondFactor ? '/login/code' : '/login/setup-2fa');
    }
    await startSession(req, account, deps.clock.now().getTime());
    await accounts.recordLogin(account);
    res.redirect(303, next);
  });

  router.get('/login/code', (req, res) => {
    if (!req.session.pendingAccountId) return res.redirect('/login');
    res.render('accounts/login-code', { values: {}, errors: noErrors() });
  });

  router.post('/login/code', async (req, res) => {
    const t = getT(req.lang);
    const pendingId = req.session.pendingAccountId;
    if (!pendingId) return res.redirect(303, '/login');
    const form = codeSchema.safeParse(req.body);
    if (!form.success) return res.status(400).render('accounts/login-code', { values: {}, errors: formErrors(form.error, t) });
    const account = await accounts.findById(pendingId);
    const valid = account?.totp_secret ? accounts.verifyTotp(account.totp_secret, form.data.code) : false;
    if (!account || !valid) {
      await accounts.recordFailure(account?.email ?? '', account?.id ?? null, 'second_factor');
      const errors = addError(noErrors(), 'code', t('accounts.errors.wrongCode'));
      return res.status(401).render('accounts/login-code', { values: {}, errors });
    }
    const returnTo = localPath(req.session.pendingReturnTo, '/');
    await startSession(req, account, deps.clock.now().getTime());
    await accounts.recordLogin(account);
    res.redirect(303, returnTo);
  });

  router.post('/logout', async (req, res) => {
    if (req.account) await deps.audit.record(deps.db, { accountId: req.account.id, role: req.account.role }, 'auth.logout', { type: 'account', id: req.account.id });
    await endSession(req);
    res.clearCookie('pf.sid');
    res.redirect(303, '/?logged_out=1');
  });

  return router;
}
