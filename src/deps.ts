// Everything a feature needs from the outside, passed in once (tests pass real ones and a fixed clock).
import type { Config } from './config.js';
import { createAudit, type Audit } from './platform/audit.js';
import type { Clock } from './platform/clock.js';
import type { Db } from './platform/db.js';
import { createOutbox, type Mailer, type Outbox } from './platform/email.js';
import type { Logger } from './platform/logger.js';
import { createPaymentProvider } from './payments/provider-factory.js';
import type { PaymentProvider } from './payments/provider.js';
import path from 'node:path';
import { resolveDataDir } from './platform/paths.js';
import { scannerFromConfig, type Scanner } from './platform/scanner.js';
import { localDiskStorage, type Storage } from './platform/storage.js';

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
}

export function createDeps(base: {
  config: Config;
  db: Db;
  logger: Logger;
  clock: Clock;
  mailer: Mailer | null;
  sessionSecret: string;
  storage?: Storage;
  scanner?: Scanner;
  payments?: PaymentProvider;
}): AppDeps {
  return {
    ...base,
    audit: createAudit(base.clock),
    outbox: createOutbox(base.clock),
    storage: base.storage ?? localDiskStorage(path.join(resolveDataDir(base.config.DATA_DIR), 'files')),
    scanner: base.scanner ?? scannerFromConfig(base.config),
    payments: base.payments ?? createPaymentProvider(base.config),
  };
}
