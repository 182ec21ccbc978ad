// Background jobs on PostgreSQL with pg-boss: queues, cron schedules (evaluated by one instance
// at a time), and jobs fetched with SKIP LOCKED, so each job runs once even with several
// runners. Features declare their jobs; the runner is started in the app process or alone
// (`npm run worker`).
import PgBoss from 'pg-boss';
import type { Logger } from './logger.js';

export interface JobDefinition {
  name: string;
  /** Cron in Europe/Paris, e.g. '15 2 * * *' for 02:15 every day. */
  cron?: string;
  handler: (data: Record<string, unknown>) => Promise<void>;
}

export interface JobRunnerOptions {
  connectionString: string;
  logger: Logger;
  jobs: JobDefinition[];
  /** How often idle workers look for new jobs. */
  pollingIntervalSeconds?: number;
  /** Periodic in-process tasks that are safe to run on every instance (they claim rows with SKIP LOCKED); one run of each at a time. */
  pollers?: { name: string; everyMs: number; run: () => Promise<unknown> }[];
}

export class JobRunner {
  private boss: PgBoss;
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly opts: JobRunnerOptions) {
    this.boss = new PgBoss({ connectionString: opts.connectionString, schema: 'pgboss', max: 4 });
    this.boss.on('error', (err: Error) => opts.logger.error({ err: err.message }, 'job runner error'));
  }

  async start(): Promise<void> {
    await this.boss.start();
    for (const job of this.opts.jobs) {
      await this.boss.createQueue(job.name);
      await this.boss.work<Record<string, unknown>>(
        job.name,
        { pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2, batchSize: 1 },
        async (jobs) => {
          for (const j of jobs) {
            this.opts.logger.info({ job: job.name, id: j.id }, 'job started');
            await job.handler(j.data ?? {});
          }
        },
      );
      if (job.cron) await this.boss.schedule(job.name, job.cron, {}, { tz: 'Europe/Paris' });
    }
    for (const poller of this.opts.pollers ?? []) {
      let current: Promise<unknown> | null = null;
      const tick = () => {
        // A run still going (a slow relay, a long queue) is not started again beside itself.
        if (this.stopped || current) return;
        const p = poller
          .run()
          .catch((err: Error) =>
            this.opts.logger.error({ poller: poller.name, err: err.message }, 'poller failed'),
          )
          .finally(() => {
            this.running.delete(p);
            current = null;
          });
        current = p;
        this.running.add(p);
      };
      this.timers.push(setInterval(tick, poller.everyMs));
      tick();
    }
  }

  /** Queues a job now; with a singletonKey, a second identical request while one is queued is dropped. */
  async send(
    name: string,
    data: Record<string, unknown> = {},
    singletonKey?: string,
  ): Promise<string | null> {
    return this.boss.send(name, data, singletonKey ? { singletonKey } : {});
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.running]);
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
