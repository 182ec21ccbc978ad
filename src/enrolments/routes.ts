// Parents: their enrolments, the step-by-step enrolment form (a draft saved at each step:
// routes-wizard.ts, the school step in routes-school.ts) and an enrolment's page (routes-enrolment.ts).
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { childrenOfHousehold } from '../households/access.js';
import { createServicesService, type ServiceDetails } from '../services/service.js';
import { requireParent } from '../web/auth.js';
import { currentHouseholdId, withHousehold } from '../web/household.js';
import { listHouseholdEnrolments } from './repository.js';
import { enrolmentPageRoutes } from './routes-enrolment.js';
import { enrolmentSchoolRoutes } from './routes-school.js';
import { enrolmentWizardRoutes } from './routes-wizard.js';

export function enrolmentsRoutes(deps: AppDeps): Router {
  const router = Router();
  const services = createServicesService(deps);
  router.use('/enrolments', requireParent, withHousehold());

  // ---- the list

  router.get('/enrolments', async (req, res) => {
    const householdId = currentHouseholdId(req);
    const year = await services.currentYear();
    const [list, children, available] = await Promise.all([
      listHouseholdEnrolments(deps.db, householdId),
      childrenOfHousehold(deps.db, householdId),
      year ? services.list(year.id, { activeOnly: true }) : Promise.resolve([] as ServiceDetails[]),
    ]);
    res.render('enrolments/index', { enrolments: list, children, services: available, year });
  });

  // /enrolments/new (in the wizard) is mounted before the enrolment's page /enrolments/:id.
  router.use(enrolmentWizardRoutes(deps));
  router.use(enrolmentSchoolRoutes(deps));
  router.use(enrolmentPageRoutes(deps));

  return router;
}
