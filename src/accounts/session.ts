// Starting and ending a logged-in session. The session id is regenerated at each step up.
import type { Request } from 'express';
import type { Role } from '../web/types.js';

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

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export async function startPendingSecondFactor(req: Request, accountId: number, returnTo: string): Promise<void> {
  await regenerate(req);
  req.session.pendingAccountId = accountId;
  req.session.pendingReturnTo = returnTo;
}

export async function startSession(req: Request, account: { id: number; role: Role }, now: number): Promise<void> {
  await regenerate(req);
  req.session.accountId = account.id;
  req.session.role = account.role;
  req.session.loginAt = now;
  req.session.lastSeenAt = now;
}

export function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
