// Public page of the services of a school year: what they are, for whom, which documents.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../web/errors.js';
import { createServicesService } from './service.js';

export function servicesRoutes(deps: AppDeps): Router {
  const router = Router();
  const services = createServicesService(deps);

  router.get('/services', async (req, res) => {
    const years = await services.schoolYears();
    const wanted = typeof req.query.year === 'string' ? req.query.year : '';
    const year = wanted ? years.find((y) => y.id === wanted) : await services.currentYear();
    if (!year) throw new HttpError(404);
    const [list, schools] = await Promise.all([
      services.list(year.id, { activeOnly: true }),
      services.schools(),
    ]);
    res.render('services/index', { year, years, services: list, schools });
  });

  return router;
}
