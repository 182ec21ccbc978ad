// The features of the portal, mounted in this order. Each folder src/<feature>/index.ts exports one.
import type { Router } from 'express';
import type { AppDeps } from './deps.js';
import type { JobDefinition } from './platform/jobs.js';
import { platformFeature } from './platform/feature.js';
import { accountsFeature } from './accounts/index.js';

export interface Feature {
  name: string;
  /** Parent-facing and public routes. */
  routes?: (deps: AppDeps) => Router;
  /** Staff routes, mounted under /admin (the staff guard is already applied). */
  adminRoutes?: (deps: AppDeps) => Router;
  jobs?: (deps: AppDeps) => JobDefinition[];
}

export const features: Feature[] = [platformFeature, accountsFeature];
