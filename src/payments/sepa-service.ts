// Direct debit: the mandates (sepa-mandates.ts) and the debits with their monthly pain.008
// export (sepa-debits.ts), as one service.
import type { AppDeps } from '../deps.js';
import { createSepaDebitsService } from './sepa-debits.js';
import { createSepaMandatesService } from './sepa-mandates.js';

export function createSepaService(deps: AppDeps) {
  return { ...createSepaMandatesService(deps), ...createSepaDebitsService(deps) };
}
