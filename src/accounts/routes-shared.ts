// What the account pages' routers share: their forms (typed passwords never sent back), the
// message page, a link's token from the URL, and the brute-force limiters.
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { addError, formErrors, FormError, noErrors, type FormErrors } from '../web/forms.js';
import { getT } from '../web/i18n.js';
import { createLimiter } from '../web/rate-limit.js';
import type { Authenticator } from './passport.js';
import { TOKEN_SHAPE } from './schemas.js';
import type { AccountsService } from './service.js';

export type Values = Record<string, unknown>;

/** Never send typed passwords back into a page. */
export function safeValues(body: unknown): Values {
  const values: Values = { ...((body as Values | undefined) ?? {}) };
  for (const k of ['password', 'password_confirm', 'current_password', 'code', '_csrf']) delete values[k];
  return values;
}

export const form =
  (view: string) =>
  (res: Response, status: number, values: Values, errors: FormErrors = noErrors(), extra: Values = {}) =>
    res.status(status).render(view, { values, errors, ...extra });
export const fromFormError = (req: Request, err: FormError) =>
  addError(noErrors(), err.field, getT()(err.key, err.params));
export const message = (res: Response, status: number, key: string, extra: Values = {}) =>
  res.status(status).render('accounts/message', { key, ...extra });
export const tokenOf = (req: Request) => {
  const raw = String(req.params.token ?? '');
  return TOKEN_SHAPE.test(raw) ? raw : null;
};

/** Parses a form; on error re-renders it (400) with the values kept. */
export function parse<S extends z.ZodType>(
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

// Brute force: per IP and per account (email), on login, its second step, reset and sign-up.
// Logins count their failures only: people who log in fine never lock each other out.
export function accountsLimiter(deps: AppDeps, accounts: AccountsService) {
  const bodyEmail = (req: Request) => (typeof req.body?.email === 'string' ? (req.body.email as string) : '');
  return (
    name: string,
    limit: number,
    key: (req: Request) => string,
    scope?: 'ip' | 'account',
    failuresOnly = false,
  ) =>
    createLimiter(deps, {
      name,
      limit,
      windowMinutes: deps.config.RATE_LIMIT_WINDOW_MINUTES,
      key,
      failuresOnly,
      onLimitReached: scope
        ? (req) => accounts.recordLockout(`${name}`, scope === 'account' ? bodyEmail(req) : null)
        : undefined,
    });
}

/** What routes.ts hands each group of account pages. */
export interface AccountPages {
  deps: AppDeps;
  accounts: AccountsService;
  limiter: ReturnType<typeof accountsLimiter>;
  passport: Authenticator;
  /** Before a route that logs in (req.login). */
  withPassport: RequestHandler;
}
