// Everything a feature needs from the outside, passed in once (tests pass real ones and a fixed
// clock). Interfaces only: the composition root (src/compose.ts) builds them.
import type { Config } from './config.js';
import type { Audit } from './platform/audit.js';
import type { Clock } from './platform/clock.js';
import type { Db } from './platform/db.js';
import type { Mailer, Outbox } from './platform/email.js';
import type { Logger } from './platform/logger.js';
import type { Scanner } from './platform/scanner.js';
import type { Storage } from './platform/storage.js';
import type { PaymentProvider } from './payments/provider.js';
import type { RequestTypeHooks } from './requests/service.js';
import type { InvoicesIssuedHook } from './billing/service.js';
import type { priceBox } from './billing/pricing.js';

/** What features declare for each other in their index.ts, gathered by src/features.ts. */
export interface FeatureHooks {
  /** Request types (démarches) by type: what runs when staff decide, what they see beside it. */
  requestTypes: ReadonlyMap<string, RequestTypeHooks>;
  /** Run in the transaction that issues invoices. */
  invoicesIssued: InvoicesIssuedHook[];
  /** The booking page's price box: billing's computation, for the reservations feature below it. */
  priceBox: typeof priceBox | null;
}

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  audit: Audit;
  outbox: Outbox;
  /** null when SMTP_URL is not set: emails then stay in the outbox. */
  mailer: Mailer | null;
  /** Where the session secret lives when SESSION_SECRET is not set. */
  sessionSecret: string;
  /** Uploaded documents' files (local disk under DATA_DIR/files). */
  storage: Storage;
  /** Antivirus for uploads (accepts everything unless CLAMAV_SOCKET is set). */
  scanner: Scanner;
  /** Online payments: the PayFiP client (pointed at the local stand-in outside production). */
  payments: PaymentProvider;
  hooks: FeatureHooks;
}
