// The steps of a login session: the password checked but the second factor still to come, logged
// in (passport's req.login: a new session id, the account in it), logged out (the session
// destroyed). The session id changes at each step.
import type { Request } from 'express';

declare module '../web/types.js' {
  interface SessionData {
    /** The TOTP secret being set up (not yet proved by a code). */
    setupTotpSecret: string;
    /** Recovery codes to show once, right after they were made. */
    newRecoveryCodes: string[];
    recoveryCodesNext: string;
    /** The address the "check your email" page speaks of (the person typed it). */
    signupEmail: string;
  }
}

/** The password was right; the account waits for its second factor (not logged in yet). */
export async function startPendingSecondFactor(
  req: Request,
  accountId: number,
  returnTo: string,
): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    req.session.regenerate((err) => (err ? reject(err) : resolve())),
  );
  req.session.pendingAccountId = accountId;
  req.session.pendingReturnTo = returnTo;
}

/** Logs the account in (route with passport's initialize() or authenticate() before it), with the idle and absolute timers started at `now`. */
export async function logIn(req: Request, account: { id: number }, now: number): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    req.login({ id: account.id }, (err) => (err ? reject(err) : resolve())),
  );
  req.session.loginAt = now;
  req.session.lastSeenAt = now;
}

/** Logs out: the session and its row are gone (a later visit starts a new one). */
export function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
