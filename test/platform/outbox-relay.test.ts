// A mail relay that accepts connections and never answers must not take the portal down: the
// sender holds no database connection while it talks SMTP, gives up after its timeouts, and only
// one sender runs at a time in a process.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createDeps } from '../../src/compose.js';
import { createDb } from '../../src/platform/db.js';
import { sendPendingEmails, smtpMailer } from '../../src/platform/email.js';
import { createLogger } from '../../src/platform/logger.js';
import { createWorker } from '../../src/worker.js';
import { Browser, createFamily, createTestContext, type TestContext } from '../support/index.js';

/** Accepts TCP connections and says nothing, ever (a relay stuck behind a firewall or overloaded). */
class SilentRelay {
  connections = 0;
  private sockets = new Set<net.Socket>();
  private server = net.createServer((socket) => {
    this.connections++;
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address() as net.AddressInfo;
    return `smtp://127.0.0.1:${addr.port}`;
  }

  /** Drops every connection (the sender then fails at once) and stops listening. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const enqueue = (to: string) =>
  ctx.deps.outbox.enqueue(ctx.db, {
    to,
    kind: 'test',
    content: { subject: 'Essai', paragraphs: ['x'], townName: 'Ville' },
  });

describe('a mail relay that never answers', () => {
  it(
    'leaves pages answering at once, with a pool of two connections, while one sender waits on it',
    { timeout: 90_000 },
    async () => {
      const relay = new SilentRelay();
      const relayUrl = await relay.start();
      const { parent } = await createFamily(ctx.deps, [{ firstName: 'Léa' }]);
      for (let i = 0; i < 5; i++) await enqueue(`famille${i}@example.test`);

      // The portal as in production, but with two pooled connections: holding one across a send,
      // or starting a second sender, leaves pages nothing.
      // (Timeouts longer than the test, so that the sender is still waiting on the relay throughout.)
      const db = createDb(ctx.databaseUrl, 2);
      const mailer = smtpMailer(relayUrl, {
        connectionTimeoutMs: 10_000,
        greetingTimeoutMs: 60_000,
        socketTimeoutMs: 60_000,
      });
      const deps = createDeps({
        config: ctx.config,
        db,
        logger: createLogger('silent'),
        clock: ctx.clock,
        mailer,
        sessionSecret: ctx.config.SESSION_SECRET!,
      });
      const app = createApp(deps);
      const browser = new Browser(app);
      expect((await browser.login(parent.email, parent.password)).status).toBe(303);

      const worker = createWorker(deps, ctx.databaseUrl);
      try {
        await worker.start();
        await waitFor(() => relay.connections > 0, 15_000);
        // Past the poller's next tick (every 5 s): a second sender would start now.
        await sleep(6_000);

        const anonymous = new Browser(app);
        for (const [who, path] of [
          [anonymous, '/healthz'],
          [anonymous, '/login'],
          [browser, '/account'],
          [browser, '/'],
        ] as const) {
          const started = Date.now();
          const res = await who.agent.get(path).timeout(5_000);
          expect(res.status, path).toBe(200);
          expect(Date.now() - started, path).toBeLessThan(2_000);
        }
        // Still stuck on the relay, with no connection taken from the pool and no transaction open.
        expect(relay.connections).toBe(1);
        expect((db.client as { pool: { numUsed(): number } }).pool.numUsed()).toBe(0);
        const open = await ctx.db.raw(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
        );
        expect(open.rows[0].n).toBe(0);
      } finally {
        await relay.stop();
        await worker.stop();
        await app.close();
        mailer.transporter.close();
        await db.destroy();
      }
      // The sender came back from the dropped connection and recorded the failure for a retry.
      const rows = await ctx.db('outbox_emails').where({ kind: 'test' }).orderBy('id');
      expect(rows.every((r) => r.status === 'pending')).toBe(true);
      expect(rows[0].attempts).toBe(1);
      expect(rows[0].last_error).toBeTruthy();
      await ctx.db('outbox_emails').where({ kind: 'test' }).delete();
    },
  );

  it(
    'gives up on a send after the greeting timeout and records the failure',
    { timeout: 30_000 },
    async () => {
      const relay = new SilentRelay();
      const relayUrl = await relay.start();
      await enqueue('attente@example.test');
      const mailer = smtpMailer(relayUrl, {
        connectionTimeoutMs: 500,
        greetingTimeoutMs: 500,
        socketTimeoutMs: 1_000,
      });
      try {
        const started = Date.now();
        expect(
          await sendPendingEmails({
            db: ctx.db,
            mailer,
            clock: ctx.clock,
            logger: ctx.deps.logger,
            from: ctx.config.MAIL_FROM,
          }),
        ).toBe(0);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        mailer.transporter.close();
        await relay.stop();
      }
      const row = await ctx.db('outbox_emails').where({ to_address: 'attente@example.test' }).first();
      expect(row).toMatchObject({ status: 'pending', attempts: 1, lease_until: null });
      expect(row.last_error).toMatch(/greeting/i);
      expect(new Date(row.next_attempt_at).getTime()).toBe(ctx.clock.now().getTime() + 60_000);
    },
  );
});
