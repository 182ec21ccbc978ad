// The parent's dashboard (GET / once logged in; the pages feature passes it on) and the RGPD export.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { actorOf, requireParent } from '../web/auth.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { historyRoutes } from './history-routes.js';
import { createDashboardService } from './service.js';

export function dashboardRoutes(deps: AppDeps): Router {
  const router = Router();
  const dashboard = createDashboardService(deps);

  router.get('/', async (req, res, next) => {
    if (req.account?.role !== 'parent') return next();
    const householdId = req.account.householdId;
    if (!householdId) return res.redirect(303, '/household/start');
    res.render('dashboard/index', await dashboard.dashboard(householdId, req.account.id));
  });

  router.get('/household/export', requireParent, withHousehold(), async (req, res) => {
    const householdId = currentHouseholdId(req);
    const data = await dashboard.exportData(householdId, actorOf(req));
    res.setHeader('Content-Disposition', `attachment; filename="${data.household.family_number}.json"`);
    res.json({ exportedAt: deps.clock.now().toISOString(), ...data });
  });

  router.use(historyRoutes(deps));
  return router;
}
