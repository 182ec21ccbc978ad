// What the web layer adds to Express's request and session.
import 'express-session';

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

declare module 'express-session' {
  interface SessionData {
    accountId: number;
    /** Set between the password and the second factor: the account is not logged in yet. */
    pendingAccountId: number;
    pendingReturnTo: string;
    role: Role;
    loginAt: number;
    lastSeenAt: number;
    flash: FlashMessage[];
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    account?: CurrentAccount;
    /** A multipart limit broken while parsing (e.g. 'LIMIT_FILE_SIZE'); the route turns it into a form error. */
    uploadError?: string;
    lang: 'fr' | 'en';
  }
}
