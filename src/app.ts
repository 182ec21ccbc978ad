// createApp(deps): the middleware stack and the routers, in order. No I/O at import time.
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import helmet from 'helmet';
import path from 'node:path';
import type { AppDeps } from './deps.js';
import { features } from './features.js';
import { loadCurrentAccount, sessionQueries } from './accounts/repository.js';
import { PUBLIC_DIR } from './platform/paths.js';
import { idleTouchOf, loadAccount, requireStaff } from './web/auth.js';
import { CsrfError, csrfProtection, csrfToken } from './web/csrf.js';
import { HttpError } from './web/errors.js';
import { flash, takeFlash } from './web/flash.js';
import { viewHelpers } from './web/format.js';
import { getT } from './web/i18n.js';
import { setUpViews } from './web/render.js';
import { requestBindings, requestLog } from './web/request-log.js';
import { sessionMiddleware } from './web/session.js';
import { noErrors } from './web/forms.js';
import { getTown } from './platform/town.js';
import { healthCheck } from './pages/health.js';
import { notificationHandler } from './payments/routes.js';
import { createPayfipStandin } from './payments/payfip/standin.js';
import { createPgStandinStore } from './payments/payfip/standin-pg-store.js';
import { STANDIN_PREFIX } from './payments/provider-factory.js';

export interface App extends Express {
  /** Closes what the app opened itself (the session store's pool). */
  close(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const app = express() as App;
  const production = deps.config.NODE_ENV === 'production';
  app.disable('x-powered-by');
  if (deps.config.TRUST_PROXY) app.set('trust proxy', deps.config.TRUST_PROXY);
  // No ETag on pages: each carries its session's CSRF token, so a 304 never happens and hashing a
  // 600 kB attendance sheet cost ≈ 2 % of its CPU. Static files keep theirs (serve-static).
  app.set('etag', false);
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
  app.post('/payments/payfip/notify', express.urlencoded({ extended: false, limit: '2kb' }), notificationHandler(deps));
  // The local PayFiP stand-in (development, demo, tests): protects its own form with a nonce.
  if (!production) {
    app.use(STANDIN_PREFIX, createPayfipStandin({ clock: deps.clock, production, store: createPgStandinStore(deps.db), onError: (err, c) => deps.logger.warn({ during: c.during, err: err instanceof Error ? err.message : String(err) }, 'payfip stand-in') }));
  }
  // Only under the asset folders: mounted at / the static middleware stat()ed the disk for every page.
  for (const dir of ['css', 'js', 'img']) app.use(`/${dir}`, express.static(path.join(PUBLIC_DIR, dir), { maxAge: production ? '1d' : 0, index: false }));
  // Browsers ask for /favicon.ico whatever the page links to.
  app.get('/favicon.ico', (_req, res) => res.sendFile(path.join(PUBLIC_DIR, 'img', 'favicon.ico'), { maxAge: production ? '1d' : 0 }));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 2000 }));

  // Every request with a cookie reads its session here, with its account and household (one statement).
  app.use(sessionMiddleware(deps, sessionQueries, idleTouchOf(deps.config)));
  app.use((req, _res, next) => {
    req.lang = 'fr';
    next();
  });
  app.use(loadAccount(deps, (id) => loadCurrentAccount(deps.db, id)));

  // What every view can use.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const t = getT(req.lang);
    res.locals.t = t;
    res.locals.lang = req.lang;
    res.locals.account = req.account ?? null;
    res.locals.csrfToken = csrfToken(req);
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
      const referer = req.get('referer');
      let back = '/';
      try {
        if (referer) {
          const u = new URL(referer);
          back = u.pathname + u.search;
        }
      } catch {
        back = '/';
      }
      if (!req.account && (req as Request & { sessionExpired?: boolean }).sessionExpired) {
        flash(req, getT(req.lang)('auth.sessionExpired'), 'info');
        return res.redirect(303, `/login?next=${encodeURIComponent(back)}`);
      }
      return renderError(res, 403, 'csrf', back);
    }
    const status = err instanceof HttpError ? err.status : (err as { status?: number }).status && (err as { status: number }).status < 500 ? (err as { status: number }).status : 500;
    if (status >= 500) deps.logger.error({ err, req: requestBindings(req) }, 'request failed');
    renderError(res, status === 401 ? 403 : status, undefined, '/');
  });

  function renderError(res: Response, status: number, kind: string | undefined, back: string) {
    const code = [403, 404, 413, 429].includes(status) ? status : status >= 500 ? 500 : 400;
    res.status(status);
    if (!res.locals.t) {
      res.locals.t = getT('fr');
      res.locals.lang = 'fr';
      res.locals.errors = noErrors();
      Object.assign(res.locals, viewHelpers);
      res.locals.account = null;
      res.locals.flash = [];
      res.locals.town = null;
      res.locals.csrfToken = '';
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
