// The parent's dashboard and the RGPD export: the top floor, which reads across features.
import type { Feature } from '../features.js';
import { dashboardRoutes } from './routes.js';

export const dashboardFeature: Feature = {
  name: 'dashboard',
  routes: dashboardRoutes,
};
