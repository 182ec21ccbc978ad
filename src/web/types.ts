// What the web layer adds to Express's request and session.

export type Role = 'parent' | 'animator' | 'agent' | 'manager' | 'admin';
export const STAFF_ROLES: readonly Role[] = ['animator', 'agent', 'manager', 'admin'];

export interface CurrentAccount {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  /** The account's household, read with the account at the start of the request (null: none yet). */
  householdId: number | null;
}

export interface FlashMessage {
  type: 'success' | 'info' | 'error';
  text: string;
}

/**
 * What a session holds (express-session keeps it in the `sessions` table). Other modules add
 * their own keys with `declare module '../web/types.js' { interface SessionData { ... } }`.
 * @public
 */
export interface SessionData {
  /** Passport's login (src/accounts/passport.ts): the logged-in account's id. */
  passport: { user?: number };
  /** Set between the password and the second factor: the account is not logged in yet. */
  pendingAccountId: number;
  pendingReturnTo: string;
  loginAt: number;
  lastSeenAt: number;
  flash: FlashMessage[];
  /** csrf-sync's synchroniser token (src/web/csrf.ts). */
  csrfToken: string | null;
}

type PortalSessionData = SessionData;

declare module 'express-session' {
  // req.session's keys are ours (and those other modules add to ours).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SessionData extends PortalSessionData {}
}

declare module 'express-serve-static-core' {
  interface Request {
    account?: CurrentAccount;
    /** A multipart limit broken while parsing (e.g. 'LIMIT_FILE_SIZE'); the route turns it into a form error. */
    uploadError?: string;
    /** This request found its login timed out (idle or absolute limit): say so on the login page. */
    sessionExpired?: boolean;
  }
}
