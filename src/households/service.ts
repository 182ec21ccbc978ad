// The household's rules, one topic a file: the family card (household-card.ts) and its members
// (members.ts: contacts' deletion, alternating custody, the child page); the guardian accounts'
// activation code (activation.ts) and invitation (invitations.ts). What they share is in
// service-shared.ts. The routes use them as one object.
import type { AppDeps } from '../deps.js';
import { createActivationService } from './activation.js';
import { createDuplicatesService } from './duplicates-service.js';
import { createHouseholdCardService } from './household-card.js';
import { createInvitationsService } from './invitations.js';
import { createMembersService } from './members.js';

export function createHouseholdsService(deps: AppDeps) {
  return {
    ...createHouseholdCardService(deps),
    ...createMembersService(deps),
    ...createInvitationsService(deps),
    ...createActivationService(deps),
    ...createDuplicatesService(deps),
  };
}
export type HouseholdsService = ReturnType<typeof createHouseholdsService>;

// Merging two households (src/admin/merge-households.ts): this feature's side.
export { closeHousehold, lockHouseholds, mergedInto, moveHousehold } from './household-move.js';
