// The public pages: the home page (staff go on to theirs, parents to their dashboard) and the
// legal pages.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function pagesRoutes(_deps: AppDeps): Router {
  const router = Router();

  router.get('/', (req, res, next) => {
    if (req.account?.role && req.account.role !== 'parent') return res.redirect('/admin');
    if (req.account) return next(); // the parent's dashboard (src/dashboard/)
    res.render('pages/home', { loggedOut: req.query.logged_out === '1' });
  });

  for (const [path, view] of [
    ['/accessibilite', 'pages/accessibility'],
    ['/donnees-personnelles', 'pages/privacy'],
    ['/mentions-legales', 'pages/legal'],
  ] as const) {
    router.get(path, (_req, res) => res.render(view));
  }
  return router;
}
