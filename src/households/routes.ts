// Parent-facing household pages, one group a file: the household and the child page
// (routes-household.ts), its members (routes-members.ts), the family-card activation
// (routes-activation.ts) and the invitation of a second guardian (routes-invitations.ts). The
// forms they share with the staff pages are in routes-shared.ts.
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { createHouseholdsService } from './service.js';
import { activationRoutes } from './routes-activation.js';
import { householdRoutes } from './routes-household.js';
import { invitationsRoutes } from './routes-invitations.js';
import { membersRoutes } from './routes-members.js';

export function householdsRoutes(deps: AppDeps): Router {
  const households = createHouseholdsService(deps);
  return Router().use(
    householdRoutes(households),
    activationRoutes(deps, households),
    invitationsRoutes(households),
    membersRoutes(households),
  );
}
