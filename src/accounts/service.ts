// Account rules, one topic a file: login checks (login.ts) and the second factor
// (second-factor.ts); sign-up and verification (signup.ts), forgotten password and set-password
// links (password-reset.ts), "my account" (my-account.ts) and staff accounts (staff.ts). Their
// shared emails and one-time links are in links.ts. The routes use them as one object, with one
// password hasher (its dummy hash is made once).
import type { AppDeps } from '../deps.js';
import { createAccountLinks } from './links.js';
import { createLoginService } from './login.js';
import { createMyAccountService } from './my-account.js';
import { createPasswordHasher, type PasswordHasher } from './passwords.js';
import { createPasswordResetService } from './password-reset.js';
import { createSecondFactorService } from './second-factor.js';
import { createSignupService } from './signup.js';
import { createStaffService } from './staff.js';

export function createAccountsService(
  deps: AppDeps,
  hasher: PasswordHasher = createPasswordHasher(deps.config),
) {
  return {
    hasher,
    peekToken: createAccountLinks(deps).peekToken,
    ...createLoginService(deps, hasher),
    ...createSecondFactorService(deps, hasher),
    ...createSignupService(deps, hasher),
    ...createPasswordResetService(deps, hasher),
    ...createMyAccountService(deps, hasher),
    ...createStaffService(deps),
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
