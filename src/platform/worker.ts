// The job runner with every feature's jobs, plus the platform's own: the outbox and session pruning.
import type { AppDeps } from '../deps.js';
import { features } from '../features.js';
import { sendPendingEmails } from './email.js';
import { JobRunner, type JobDefinition } from './jobs.js';

export function platformJobs(deps: AppDeps): JobDefinition[] {
  return [
    {
      name: 'sessions.prune',
      cron: '*/15 * * * *',
      handler: async () => {
        await deps.db('sessions').where('expire', '<', deps.clock.now()).delete();
        await deps.db('rate_limits').where('reset_at', '<', deps.clock.now()).delete();
      },
    },
    {
      name: 'outbox.send',
      cron: '* * * * *',
      handler: async () => {
        await sendPendingEmails({ db: deps.db, mailer: deps.mailer, clock: deps.clock, logger: deps.logger, from: deps.config.MAIL_FROM });
      },
    },
  ];
}

export function allJobs(deps: AppDeps): JobDefinition[] {
  return [...platformJobs(deps), ...features.flatMap((f) => f.jobs?.(deps) ?? [])];
}

export function createWorker(deps: AppDeps, connectionString: string): JobRunner {
  return new JobRunner({
    connectionString,
    logger: deps.logger,
    jobs: allJobs(deps),
    // The outbox is also drained every few seconds on every instance: rows are claimed with
    // SKIP LOCKED, so an email is never sent twice, and parents get their link at once.
    pollers: deps.mailer
      ? [{ name: 'outbox', everyMs: 5000, run: () => sendPendingEmails({ db: deps.db, mailer: deps.mailer, clock: deps.clock, logger: deps.logger, from: deps.config.MAIL_FROM }) }]
      : [],
  });
}
