// The job runner with every feature's jobs, plus the platform's own: the outbox and session pruning.
import type { AppDeps } from './deps.js';
import { features } from './features.js';
import { sendPendingEmails } from './platform/email.js';
import { JobRunner, type JobDefinition } from './platform/jobs.js';

const outboxSenders = new WeakMap<AppDeps, () => Promise<number>>();

/**
 * The process's one outbox sender: the minute's job and the poller share it, and a call while a
 * send is running joins that run instead of starting a second one beside it.
 */
function outboxSender(deps: AppDeps): () => Promise<number> {
  let sender = outboxSenders.get(deps);
  if (!sender) {
    let running: Promise<number> | null = null;
    sender = () =>
      (running ??= sendPendingEmails({
        db: deps.db,
        mailer: deps.mailer,
        clock: deps.clock,
        logger: deps.logger,
        from: deps.config.MAIL_FROM,
      }).finally(() => {
        running = null;
      }));
    outboxSenders.set(deps, sender);
  }
  return sender;
}

function platformJobs(deps: AppDeps): JobDefinition[] {
  const sendOutbox = outboxSender(deps);
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
        await sendOutbox();
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
    // The outbox is also drained every few seconds on every instance: rows are leased with
    // SKIP LOCKED, so instances share the queue, and parents get their link at once.
    pollers: deps.mailer ? [{ name: 'outbox', everyMs: 5000, run: outboxSender(deps) }] : [],
  });
}
