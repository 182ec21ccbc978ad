// Emails survive a relay outage of days, a message sent again after a crash keeps its Message-ID,
// and what is finally given up on is shown to admins, who can send it again.
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelaySeconds, sendPendingEmails, smtpMailer, type Mailer } from '../../src/platform/email.js';
import { createAccount, createTestContext, loginAs, type TestContext } from '../support/index.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const enqueue = (to: string, subject = 'Essai') =>
  ctx.deps.outbox.enqueue(ctx.db, {
    to,
    kind: 'test',
    content: { subject, paragraphs: ['x'], townName: 'Ville' },
  });
const rowFor = (to: string) => ctx.db('outbox_emails').where({ to_address: to }).first();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('retries', () => {
  it('backs off from one minute, doubling up to six hours', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20].map(retryDelaySeconds)).toEqual([
      60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600,
    ]);
  });

  it('keeps trying through a relay outage of days, then gives up after about five days', async () => {
    await enqueue('panne@example.test');
    const start = ctx.clock.now().getTime();
    ctx.smtp.failNext = 1000;
    let attempts = 0;
    for (;;) {
      expect(await ctx.flushEmails()).toBe(0);
      const row = await rowFor('panne@example.test');
      expect(row.attempts).toBe(++attempts);
      expect(row.last_error).toMatch(/try again later/);
      if (attempts === 6) expect(row.status).toBe('pending'); // where it used to be lost for good
      if (row.status === 'failed') break;
      expect(row.status).toBe('pending');
      expect(attempts).toBeLessThan(100);
      ctx.clock.set(new Date(row.next_attempt_at).toISOString());
    }
    ctx.smtp.failNext = 0;
    const days = (ctx.clock.now().getTime() - start) / 86_400_000;
    expect(days).toBeGreaterThan(4.5);
    expect(days).toBeLessThan(6);
    // Failed: no further attempt, however long one waits.
    ctx.clock.advance(30 * 86_400_000);
    expect(await ctx.flushEmails()).toBe(0);
    expect((await rowFor('panne@example.test')).attempts).toBe(attempts);
    expect(ctx.smtp.to('panne@example.test')).toHaveLength(0);
  });
});

describe('a message sent again after a crash', () => {
  it('keeps its Message-ID, so that mail systems drop the copy', async () => {
    await enqueue('double@example.test');
    await enqueue('autre@example.test');
    // A sender that hands the message to the relay, then dies before recording it.
    const real = smtpMailer(`smtp://127.0.0.1:${ctx.smtp.port}`);
    const dying: Mailer = {
      maxSendMs: real.maxSendMs,
      async send(msg) {
        await real.send(msg);
        await new Promise(() => undefined);
      },
    };
    void sendPendingEmails({
      db: ctx.db,
      mailer: dying,
      clock: ctx.clock,
      logger: ctx.deps.logger,
      from: ctx.config.MAIL_FROM,
    });
    const deadline = Date.now() + 10_000;
    while (ctx.smtp.to('double@example.test').length === 0 && Date.now() < deadline) await sleep(50);
    real.transporter.close();
    expect(ctx.smtp.to('double@example.test')).toHaveLength(1);

    // Its claim holds the rows for a while: nothing is sent twice meanwhile.
    expect(await ctx.flushEmails()).toBe(0);
    ctx.clock.advance(11 * 60_000);
    // Then another sender takes them again.
    expect(await ctx.flushEmails()).toBe(2);
    const copies = ctx.smtp.to('double@example.test');
    expect(copies).toHaveLength(2);
    expect(copies[0]!.messageId).toMatch(/^<[0-9a-f-]{36}@saint-exemple\.test>$/);
    expect(copies[1]!.messageId).toBe(copies[0]!.messageId);
    expect(ctx.smtp.to('autre@example.test')[0]!.messageId).not.toBe(copies[0]!.messageId);
    expect(await rowFor('double@example.test')).toMatchObject({
      status: 'sent',
      lease_until: null,
      message_id: copies[0]!.messageId,
    });
  });
});

describe('failed emails for admins', () => {
  let failedId: number;

  beforeAll(async () => {
    await enqueue('perdu@example.test', 'Votre facture');
    const row = await rowFor('perdu@example.test');
    failedId = row.id;
    await ctx.db('outbox_emails').update({ status: 'failed' }).where('status', 'pending');
    // The other failed message is the five-day outage above.
    expect(await ctx.db('outbox_emails').where({ status: 'failed' }).count({ n: '*' })).toEqual([{ n: 2 }]);
  });

  it('are counted on the staff home of admins, linking to the list of failed emails', async () => {
    const admin = await createAccount(ctx.deps, { role: 'admin' });
    const browser = await loginAs(ctx, admin);
    const $ = cheerio.load((await browser.get('/admin')).text);
    const link = $('#failed-emails');
    expect(link.text().trim()).toBe('2 courriels en échec');
    expect(link.attr('href')).toBe('/admin/emails?status=failed');

    const list = cheerio.load((await browser.get(link.attr('href')!)).text);
    const rows = list('tbody tr');
    const panneRow = rows.filter((_, tr) => list(tr).text().includes('panne@example.test'));
    expect(panneRow.find('td.num').text()).toBe('29');
    const panne = cheerio.load((await browser.get(panneRow.find('a').attr('href')!)).text);
    const error = panne('dt')
      .filter((_, dt) => panne(dt).text() === 'Dernière erreur')
      .next('dd');
    expect(error.text()).toContain('try again later');
    expect(panne('button').filter((_, b) => panne(b).text().trim() === 'Renvoyer')).toHaveLength(1);
    expect(rows).toHaveLength(2);
    expect(rows.text()).toContain('perdu@example.test');
    expect(rows.text()).toContain('panne@example.test');
    expect(rows.find('.tag--failed')).toHaveLength(2);

    const agent = await createAccount(ctx.deps, { role: 'manager' });
    const staff = cheerio.load((await (await loginAs(ctx, agent)).get('/admin')).text);
    expect(staff('#failed-emails')).toHaveLength(0);
    expect(staff('main').text()).not.toContain('en échec');
  });

  it('can be sent again by an admin: back in the queue now, audited, then delivered', async () => {
    const admin = await createAccount(ctx.deps, { role: 'admin' });
    const browser = await loginAs(ctx, admin);
    const page = cheerio.load((await browser.get(`/admin/emails/${failedId}`)).text);
    expect(page('.tag--failed').text()).toBe('échec');
    const form = page(`form[action="/admin/emails/${failedId}/resend"]`);
    expect(form.find('button').text().trim()).toBe('Renvoyer');

    // Without the page's token: refused, nothing changes.
    expect((await browser.post(`/admin/emails/${failedId}/resend`, {}, { csrf: 'forged' })).status).toBe(403);
    expect((await rowFor('perdu@example.test')).status).toBe('failed');

    const res = await browser.post(
      `/admin/emails/${failedId}/resend`,
      {},
      { from: `/admin/emails/${failedId}` },
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/emails/${failedId}`);
    const after = cheerio.load((await browser.get(`/admin/emails/${failedId}`)).text);
    expect(after('.notice').text()).toContain('remis dans la file');
    expect(after('.tag--pending')).toHaveLength(1);
    expect(after(`form[action$="/resend"]`)).toHaveLength(0);
    expect(await rowFor('perdu@example.test')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(new Date((await rowFor('perdu@example.test')).next_attempt_at).getTime()).toBe(
      ctx.clock.now().getTime(),
    );
    const events = await ctx
      .db('audit_events')
      .where({ action: 'outbox.resend', subject_id: String(failedId) });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_account_id: admin.id, subject_type: 'outbox_email' });

    // A second click (the page went stale) changes nothing.
    const again = await browser.post(`/admin/emails/${failedId}/resend`, {}, { from: '/admin/emails' });
    expect(again.status).toBe(303);
    expect(
      cheerio
        .load((await browser.get(`/admin/emails/${failedId}`)).text)('.notice')
        .text(),
    ).toContain("n'est pas en échec");
    expect(await ctx.db('audit_events').where({ action: 'outbox.resend' })).toHaveLength(1);

    expect(await ctx.flushEmails()).toBe(1);
    expect(ctx.smtp.to('perdu@example.test')).toHaveLength(1);
  });

  it('cannot be sent again by other staff, nor for an unknown email', async () => {
    const panne = await rowFor('panne@example.test');
    const manager = await loginAs(ctx, await createAccount(ctx.deps, { role: 'manager' }));
    expect((await manager.get(`/admin/emails/${panne.id}`)).status).toBe(403);
    const admin = await loginAs(ctx, await createAccount(ctx.deps, { role: 'admin' }));
    const token = cheerio
      .load((await admin.get(`/admin/emails/${panne.id}`)).text)('input[name=_csrf]')
      .val() as string;
    // The manager's own session token, on a form the manager cannot see.
    await manager.get('/admin');
    expect((await manager.post(`/admin/emails/${panne.id}/resend`, {}, { csrf: manager.token })).status).toBe(
      403,
    );
    expect((await rowFor('panne@example.test')).status).toBe('failed');
    expect((await admin.post('/admin/emails/999999/resend', {}, { csrf: token })).status).toBe(404);
    expect((await admin.post('/admin/emails/abc/resend', {}, { csrf: token })).status).toBe(404);
    expect(
      await ctx.db('audit_events').where({ action: 'outbox.resend', subject_id: String(panne.id) }),
    ).toHaveLength(0);
  });
});
