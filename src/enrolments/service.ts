// Enrolment of a child in a service: one service assembled from its topics: the parent's
// step-by-step form (wizard.ts), what follows submission (after-submission.ts) and the staff
// actions (staff.ts, bulk-acceptance.ts). Submission (submission.ts) files a request (démarche) whose decision drives
// the enrolment; the mandatory documents check is in document-check.ts.
import type { AppDeps } from '../deps.js';
import { createAfterSubmissionService } from './after-submission.js';
import { createBulkAcceptanceService } from './bulk-acceptance.js';
import { createStaffEnrolmentService } from './staff.js';
import { createWizardService } from './wizard.js';

export function createEnrolmentsService(deps: AppDeps) {
  return {
    ...createWizardService(deps),
    ...createAfterSubmissionService(deps),
    ...createStaffEnrolmentService(deps),
    ...createBulkAcceptanceService(deps),
  };
}

// Merging two households (src/admin/merge-households.ts): this feature's side.
export { moveHousehold } from './household-move.js';
/** A household's enrolments with child, service and request, newest first (the staff's family page). */
export { listHouseholdEnrolments } from './repository.js';
