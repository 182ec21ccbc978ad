// Public and parent-facing account pages, one group a file: sign up and verify
// (routes-signup.ts), log in with the second factor and log out (routes-login.ts), forgotten
// password and set-password links (routes-password-reset.ts), and "my account"
// (routes-account.ts). They share one accounts service and one passport.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { createAccountsService } from './service.js';
import { createPassport } from './passport.js';
import { accountsLimiter, type AccountPages } from './routes-shared.js';
import { myAccountRoutes } from './routes-account.js';
import { loginRoutes } from './routes-login.js';
import { passwordResetRoutes } from './routes-password-reset.js';
import { signupRoutes } from './routes-signup.js';

export function accountsRoutes(deps: AppDeps): Router {
  const accounts = createAccountsService(deps);
  const passport = createPassport(accounts);
  const pages: AccountPages = {
    deps,
    accounts,
    limiter: accountsLimiter(deps, accounts),
    passport,
    withPassport: passport.initialize(),
  };
  return Router().use(
    signupRoutes(pages),
    loginRoutes(pages),
    passwordResetRoutes(pages),
    myAccountRoutes(pages),
  );
}
