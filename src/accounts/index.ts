import type { Feature } from '../features.js';
import { accountsRoutes } from './routes.js';

export const accountsFeature: Feature = {
  name: 'accounts',
  routes: accountsRoutes,
};
