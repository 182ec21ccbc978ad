import type { Feature } from '../features.js';
import { reservationsRoutes } from './routes.js';

export const reservationsFeature: Feature = {
  name: 'reservations',
  routes: reservationsRoutes,
};
