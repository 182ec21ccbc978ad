// Payments: online payment through the provider (online.ts) and the staff's desk payments,
// refunds of overpayments and anomalies (staff-payments.ts). Each payment updates its invoice and
// queues a receipt in the same transaction (record-payment.ts).
import type { AppDeps } from '../deps.js';
import { createOnlinePaymentsService } from './online.js';
import { createStaffPaymentsService } from './staff-payments.js';

export function createPaymentsService(deps: AppDeps) {
  return { ...createOnlinePaymentsService(deps), ...createStaffPaymentsService(deps) };
}

// Merging two households (src/admin/merge-households.ts): this feature's side.
export { mandateConflict, moveHousehold } from './household-move.js';
