import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/platform/jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestContext, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ seed: false });
});
afterAll(async () => ctx?.close());

describe('email outbox', () => {
  it('writes the email in the transaction, and a rolled-back change sends nothing', async () => {
    await ctx.db
      .transaction(async (tx) => {
        await ctx.deps.outbox.enqueue(tx, {
          to: 'lost@example.test',
          kind: 'test',
          content: { subject: 'Perdu', paragraphs: ['x'], townName: 'Ville' },
        });
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(await ctx.db('outbox_emails').where({ to_address: 'lost@example.test' })).toHaveLength(0);
  });

  it('reaches the SMTP receiver, in French with text and HTML, and is retried after a failure', async () => {
    await ctx.deps.outbox.enqueue(ctx.db, {
      to: 'famille@example.test',
      kind: 'test',
      content: {
        subject: 'Votre inscription',
        paragraphs: ['Votre demande est acceptée.'],
        action: { label: 'Voir', url: 'http://portail.test/requests/1' },
        townName: 'Ville de Saint-Exemple',
      },
    });
    ctx.smtp.failNext = 1;
    expect(await ctx.flushEmails()).toBe(0);
    const row = await ctx.db('outbox_emails').where({ to_address: 'famille@example.test' }).first();
    expect(row.status).toBe('pending');
    expect(row.attempts).toBe(1);
    expect(new Date(row.next_attempt_at).getTime()).toBe(ctx.clock.now().getTime() + 60_000);
    // Not due yet: nothing is sent.
    expect(await ctx.flushEmails()).toBe(0);
    ctx.clock.advance(61_000);
    expect(await ctx.flushEmails()).toBe(1);
    const [mail] = ctx.smtp.to('famille@example.test');
    expect(mail?.subject).toBe('Votre inscription');
    expect(mail?.text).toContain('Votre demande est acceptée.');
    expect(mail?.text).toContain('http://portail.test/requests/1');
    expect(mail?.html).toContain('Ville de Saint-Exemple');
    expect((await ctx.db('outbox_emails').where({ id: row.id }).first()).status).toBe('sent');
  });

  it('ignores a second email with the same dedupe key', async () => {
    const content = { subject: 'Rappel', paragraphs: ['x'], townName: 'Ville' };
    expect(
      await ctx.deps.outbox.enqueue(ctx.db, {
        to: 'a@example.test',
        kind: 'test',
        content,
        dedupeKey: 'reminder:1:30',
      }),
    ).toBe(true);
    expect(
      await ctx.deps.outbox.enqueue(ctx.db, {
        to: 'a@example.test',
        kind: 'test',
        content,
        dedupeKey: 'reminder:1:30',
      }),
    ).toBe(false);
  });
});

describe('background jobs', () => {
  it('runs a job once with two runners started', async () => {
    const runs: string[] = [];
    const make = (name: string) =>
      new JobRunner({
        connectionString: ctx.databaseUrl,
        logger: createLogger('silent'),
        pollingIntervalSeconds: 0.5,
        jobs: [{ name: 'test.once', handler: async () => void runs.push(name) }],
      });
    const a = make('a');
    const b = make('b');
    await a.start();
    await b.start();
    try {
      await a.send('test.once', { n: 1 });
      const deadline = Date.now() + 15_000;
      while (runs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1500)); // time for a wrong second run to show up
      expect(runs).toHaveLength(1);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
