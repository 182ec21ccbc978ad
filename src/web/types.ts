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
 * What a session holds (src/web/session.ts keeps it in the `sessions` table). Other modules add
 * their own keys with `declare module '../web/types.js' { interface SessionData { ... } }`.
 */
export interface SessionData {
  accountId: number;
  /** Set between the password and the second factor: the account is not logged in yet. */
  pendingAccountId: number;
  pendingReturnTo: string;
  role: Role;
  loginAt: number;
  lastSeenAt: number;
  flash: FlashMessage[];
  /** csrf-sync's synchroniser token (src/web/csrf.ts). */
  csrfToken: string | null;
}

/** req.session: the data, and what express-session's session offered that we use. */
export interface SessionMethods {
  readonly id: string;
  /** A new id and no data (the old row is removed): at each step up (login, second factor). */
  regenerate(callback: (err?: unknown) => void): void;
  /** Removes the row; req.session is gone for the rest of the request. */
  destroy(callback: (err?: unknown) => void): void;
  /** Writes now (otherwise done before the response, when the data changed). */
  save(callback?: (err?: unknown) => void): void;
}
export type Session = SessionMethods & Partial<SessionData>;

declare module 'express-serve-static-core' {
  interface Request {
    account?: CurrentAccount;
    /** A multipart limit broken while parsing (e.g. 'LIMIT_FILE_SIZE'); the route turns it into a form error. */
    uploadError?: string;
    lang: 'fr' | 'en';
    session: Session;
    sessionID: string;
  }
}
