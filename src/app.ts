// createApp(deps): the middleware stack and the routers, in order. No I/O at import time.
import connectPgSimple from 'connect-pg-simple';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { Knex } from 'knex';
import path from 'node:path';
import type { Pool } from 'pg';
import type { AppDeps } from './deps.js';
import { features } from './features.js';
import { loadCurrentAccount } from './accounts/repository.js';
import { PUBLIC_DIR } from './platform/paths.js';
import { loadAccount, requireStaff } from './web/auth.js';
import { CsrfError, csrfProtection, csrfTokenFor } from './web/csrf.js';
import { HttpError } from './web/errors.js';
import { flash, takeFlash } from './web/flash.js';
import { viewHelpers } from './web/format.js';
import { getT } from './web/i18n.js';
import { setUpViews } from './web/render.js';
import { requestLog } from './web/request-log.js';
import { refererPath } from './web/urls.js';
import { noErrors } from './web/forms.js';
import { getTown } from './platform/town.js';
import { healthCheck } from './pages/health.js';
import { notificationHandler } from './payments/routes.js';
import { createPayfipStandin } from './payments/payfip/standin.js';
import { createPgStandinStore } from './payments/payfip/standin-pg-store.js';
import { STANDIN_PREFIX } from './payments/provider-factory.js';

export interface App extends Express {
  /** Closes what the app opened itself. */
  close(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const app = express() as App;
  const production = deps.config.NODE_ENV === 'production';
  app.disable('x-powered-by');
  // As Express reads it: a number of hops, true, or addresses. Sessions rely on it: their Secure
  // cookie is sent only when the request came over HTTPS (X-Forwarded-Proto from a trusted proxy).
  const trustProxy = deps.config.TRUST_PROXY;
  if (trustProxy)
    app.set(
      'trust proxy',
      /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy === 'true' ? true : trustProxy,
    );
  // No ETag on pages: each carries its session's CSRF token, so a 304 never happens and hashing a
  // whole attendance sheet is wasted work. Static files keep theirs (serve-static).
  app.set('etag', false);
  // Links back to this site's own pages (src/web/urls.ts) know its address.
  app.locals.baseUrl = deps.config.baseUrl;
  setUpViews(app, production);

  // Security headers: strict CSP, no inline script or style.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'", ...(deps.config.PAYFIP_URL ? [new URL(deps.config.PAYFIP_URL).origin] : [])],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          upgradeInsecureRequests: production ? [] : null,
        },
      },
      strictTransportSecurity: production,
    }),
  );

  app.use(requestLog(deps.logger));

  app.get('/healthz', healthCheck(deps));
  // Server-to-server (PayFiP, or the stand-in): no session, no CSRF token; it only makes the
  // server ask PayFiP for the result.
  app.post(
    '/payments/payfip/notify',
    express.urlencoded({ extended: false, limit: '2kb' }),
    notificationHandler(deps),
  );
  // The local PayFiP stand-in (development, demo, tests): protects its own form with a nonce.
  if (!production) {
    app.use(
      STANDIN_PREFIX,
      createPayfipStandin({
        clock: deps.clock,
        production,
        store: createPgStandinStore(deps.db),
        onError: (err, c) =>
          deps.logger.warn(
            { during: c.during, err: err instanceof Error ? err.message : String(err) },
            'payfip stand-in',
          ),
      }),
    );
  }
  // Only under the asset folders: mounted at / the static middleware stat()ed the disk for every page.
  for (const dir of ['css', 'js', 'img'])
    app.use(
      `/${dir}`,
      express.static(path.join(PUBLIC_DIR, dir), { maxAge: production ? '1d' : 0, index: false }),
    );
  // Browsers ask for /favicon.ico whatever the page links to.
  app.get('/favicon.ico', (_req, res) =>
    res.sendFile(path.join(PUBLIC_DIR, 'img', 'favicon.ico'), { maxAge: production ? '1d' : 0 }),
  );
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 2000 }));

  app.use(sessions(deps));
  app.use(loadAccount(deps, (id) => loadCurrentAccount(deps.db, id)));

  // What every view can use.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    // A logged-in person's pages (and files) are theirs: never kept by a browser or a proxy cache.
    // Pages with a form say so too, when they write their token (csrfTokenFor).
    if (req.account) res.setHeader('Cache-Control', 'no-store');
    const t = getT();
    res.locals.t = t;
    res.locals.account = req.account ?? null;
    res.locals.csrfToken = csrfTokenFor(req, res);
    res.locals.flash = takeFlash(req);
    res.locals.currentPath = req.path;
    res.locals.errors = noErrors();
    res.locals.values = {};
    res.locals.town = await getTown(deps.db);
    Object.assign(res.locals, viewHelpers);
    next();
  });
  app.use(csrfProtection);

  // Each feature's router declares its own full paths; the staff routers all live under /admin,
  // behind one staff check (no public route starts with /admin).
  const adminRouters: Router[] = [];
  for (const feature of features) {
    if (feature.routes) app.use(feature.routes(deps));
    if (feature.adminRoutes) adminRouters.push(feature.adminRoutes(deps));
  }
  app.use('/admin', requireStaff, ...adminRouters);

  app.use((_req, _res, next) => next(new HttpError(404)));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    if (err instanceof CsrfError) {
      // The session expired (or the form is stale): keep the person's way back to the form.
      const back = refererPath(req);
      if (!req.account && req.sessionExpired) {
        flash(req, getT()('auth.sessionExpired'), 'info');
        return res.redirect(303, `/login?next=${encodeURIComponent(back)}`);
      }
      return renderError(res, 403, 'csrf', back);
    }
    const status =
      err instanceof HttpError
        ? err.status
        : (err as { status?: number }).status && (err as { status: number }).status < 500
          ? (err as { status: number }).status
          : 500;
    // The request's log line carries it (src/web/request-log.ts).
    if (status >= 500) res.err = err instanceof Error ? err : new Error(String(err));
    renderError(res, status === 401 ? 403 : status, undefined, '/');
  });

  function renderError(res: Response, status: number, kind: string | undefined, back: string) {
    const code = [403, 404, 413, 429].includes(status) ? status : status >= 500 ? 500 : 400;
    res.status(status);
    if (!res.locals.t) {
      res.locals.t = getT();
      res.locals.errors = noErrors();
      Object.assign(res.locals, viewHelpers);
      res.locals.account = null;
      res.locals.flash = [];
      res.locals.town = null;
      res.locals.csrfToken = () => '';
      res.locals.currentPath = '';
    }
    res.render('errors/error', { code, kind, back }, (renderErr: Error | null, html?: string) => {
      if (renderErr) {
        res.type('text/plain').send('Erreur');
        return;
      }
      res.send(html);
    });
  }

  app.close = async () => {};
  return app;
}

/**
 * Sessions: express-session with its PostgreSQL store (connect-pg-simple) on the migrated
 * `sessions` table, through the app's own connection pool. A session is stored only once
 * something was put in it, and written again only when it changed: no touch on every request
 * (the idle timer is lastSeenAt, written at most once a minute by loadAccount; the absolute
 * limit is checked from loginAt). Expired rows are pruned by the job runner, not here.
 */
function sessions(deps: AppDeps): RequestHandler {
  const PgStore = connectPgSimple(session);
  const absoluteMs = deps.config.SESSION_ABSOLUTE_HOURS * 3600_000;
  // The store needs only a pool's query(text, params) → { rows }: knex's raw answers that on the
  // app's own pool. connect-pg-simple's statements number their parameters ($1…); knex names them.
  const pool = {
    query: (text: string, params: unknown[] = []) =>
      deps.db.raw(
        text.replace(/\$(\d+)/g, ':p$1'),
        Object.fromEntries(params.map((value, i) => [`p${i + 1}`, value])) as Record<string, Knex.Value>,
      ),
  };
  return session({
    name: 'pf.sid',
    secret: deps.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    store: new PgStore({
      pool: pool as unknown as Pool,
      tableName: 'sessions',
      createTableIfMissing: false,
      pruneSessionInterval: false,
      disableTouch: true,
    }),
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.NODE_ENV === 'production',
      maxAge: absoluteMs,
    },
  });
}
