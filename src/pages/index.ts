// The public pages: home and legal pages (the health check, mounted apart, is in health.ts).
import type { Feature } from '../features.js';
import { pagesRoutes } from './routes.js';

export const pagesFeature: Feature = {
  name: 'pages',
  routes: pagesRoutes,
};
