// The billing feature's public face: one service assembled from its topics (the invoicing run,
// invoices and credit notes, rates and QF), and what other features call in their own transactions.
// Owns its transactions; never sees req/res.
import type { AppDeps } from '../deps.js';
import { createInvoicesService } from './invoices.js';
import { createInvoicingRunService } from './invoicing-run.js';
import { createRatesQfService } from './rates-qf.js';

export function createBillingService(deps: AppDeps) {
  return {
    ...createInvoicingRunService(deps),
    ...createInvoicesService(deps),
    ...createRatesQfService(deps),
  };
}

export { applyPayment, displayStatus, markDirectDebitsPlanned, remainingOf } from './invoices.js';
export { invoicesIssued, type InvoicesIssuedHook } from './invoicing-batch.js';
export { billingRequestTypes } from './rates-qf.js';

// Merging two households (src/admin/merge-households.ts): this feature's side.
export { invoiceConflicts, moveHousehold } from './household-move.js';
export { householdAccount } from './household-account.js';
