// The composition root: builds the deps every feature gets (src/deps.ts names them).
import path from 'node:path';
import type { Config } from './config.js';
import type { AppDeps } from './deps.js';
import { featureHooks } from './features.js';
import { createAudit } from './platform/audit.js';
import type { Clock } from './platform/clock.js';
import type { Db } from './platform/db.js';
import { createOutbox, type Mailer } from './platform/email.js';
import type { Logger } from './platform/logger.js';
import { resolveDataDir } from './platform/paths.js';
import { scannerFromConfig, type Scanner } from './platform/scanner.js';
import { localDiskStorage, type Storage } from './platform/storage.js';
import { createPaymentProvider } from './payments/provider-factory.js';
import type { PaymentProvider } from './payments/provider.js';

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
  hooks?: AppDeps['hooks'];
}): AppDeps {
  return {
    ...base,
    audit: createAudit(base.clock),
    outbox: createOutbox(base.clock),
    storage: base.storage ?? localDiskStorage(path.join(resolveDataDir(base.config.DATA_DIR), 'files')),
    scanner: base.scanner ?? scannerFromConfig(base.config),
    payments: base.payments ?? createPaymentProvider(base.config),
    hooks: base.hooks ?? featureHooks(),
  };
}
