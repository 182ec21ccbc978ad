// Login through passport: passport-local's strategy checks the email and password with the
// accounts service, and req.login keeps the login in the session as passport does (the account id
// under `passport.user`, read back by loadAccount in src/web/auth.ts).
import type { Request, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { LoginOutcome } from './login.js';
import type { AccountsService } from './service.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    /** What req.login is given and puts in the session: the account's id, nothing else. */
    interface User {
      id: number;
    }
  }
}

export type Authenticator = InstanceType<typeof Passport>;

/** What the strategy hands the route, success or not. */
interface CheckInfo {
  message: string;
  outcome: LoginOutcome;
}

export function createPassport(accounts: AccountsService): Authenticator {
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      // The outcome goes to the route either way: it says what to answer (second factor, unverified…).
      accounts.checkPassword(email, password).then((outcome) => {
        const info: CheckInfo = { message: outcome.kind, outcome };
        done(null, outcome.kind === 'ok' ? { id: outcome.account.id } : false, info);
      }, done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  return passport;
}

/** Runs the local strategy on the posted login form: what the password check found. */
export function checkCredentials(
  passport: Authenticator,
  req: Request,
  res: Response,
): Promise<LoginOutcome> {
  return new Promise((resolve, reject) => {
    const handler = passport.authenticate(
      'local',
      { session: false },
      (err: unknown, _user: unknown, info: CheckInfo) => (err ? reject(err) : resolve(info.outcome)),
    ) as (req: Request, res: Response, next: (err?: unknown) => void) => void;
    handler(req, res, reject);
  });
}
