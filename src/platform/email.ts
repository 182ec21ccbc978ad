// The email outbox. Every email is a row written in the transaction of the change that causes
// it; a worker sends pending rows over SMTP with retries and backoff. Without SMTP_URL the
// rows simply stay pending (demo), and admins read them at /admin/emails.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Clock } from './clock.js';
import type { Db, Queryable } from './db.js';
import type { Logger } from './logger.js';

export interface EmailContent {
  subject: string;
  /** Paragraphs of plain text (already translated). */
  paragraphs: string[];
  /** An optional call to action: a label and an absolute URL. */
  action?: { label: string; url: string };
  /** The town's name, shown in the signature. */
  townName: string;
  greeting?: string;
  signature?: string;
}

export interface OutboxMessage {
  to: string;
  content: EmailContent;
  /** Makes the email unique: a second enqueue with the same key is ignored (reminders, "once each"). */
  dedupeKey?: string;
  /** What caused it, for staff reading the outbox (e.g. 'accounts.verify'). */
  kind: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export function renderEmail(c: EmailContent): { text: string; html: string } {
  const text = [
    c.greeting ?? 'Bonjour,',
    '',
    ...c.paragraphs.flatMap((p) => [p, '']),
    ...(c.action ? [`${c.action.label} : ${c.action.url}`, ''] : []),
    c.signature ?? `${c.townName}`,
  ].join('\n');
  const html = `<!doctype html><html lang="fr"><body style="font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;line-height:1.5;max-width:40em">
<p style="font-weight:bold;color:#004a7c">${escapeHtml(c.townName)}</p>
<p>${escapeHtml(c.greeting ?? 'Bonjour,')}</p>
${c.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${c.action ? `<p><a href="${escapeHtml(c.action.url)}" style="color:#004a7c">${escapeHtml(c.action.label)}</a></p>` : ''}
<p>${escapeHtml(c.signature ?? c.townName)}</p>
</body></html>`;
  return { text, html };
}

export function createOutbox(clock: Clock) {
  /** Several emails in one insert, in the caller's transaction; those whose dedupeKey was used are skipped. */
  async function enqueueMany(q: Queryable, msgs: OutboxMessage[]): Promise<number> {
    if (!msgs.length) return 0;
    const rows = await q('outbox_emails')
      .insert(
        msgs.map((msg) => {
          const { text, html } = renderEmail(msg.content);
          return {
            to_address: msg.to,
            subject: msg.content.subject,
            text_body: text,
            html_body: html,
            kind: msg.kind,
            dedupe_key: msg.dedupeKey ?? null,
            status: 'pending',
            attempts: 0,
            created_at: clock.now(),
            next_attempt_at: clock.now(),
          };
        }),
      )
      .onConflict('dedupe_key')
      .ignore()
      .returning('id');
    return rows.length;
  }

  return {
    /** Writes the email in the caller's transaction. Returns false when its dedupeKey was already used. */
    async enqueue(q: Queryable, msg: OutboxMessage): Promise<boolean> {
      return (await enqueueMany(q, [msg])) > 0;
    },
    enqueueMany,
  };
}
export type Outbox = ReturnType<typeof createOutbox>;

export interface Mailer {
  send(msg: { from: string; to: string; subject: string; text: string; html: string }): Promise<void>;
}

export function smtpMailer(smtpUrl: string): Mailer & { transporter: Transporter } {
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    transporter,
    async send(msg) {
      await transporter.sendMail(msg);
    },
  };
}

/** Backoff after the n-th failed attempt: 30 s, 2 min, 10 min, 30 min, 2 h, then give up. */
export const BACKOFF_SECONDS = [30, 120, 600, 1800, 7200];

/**
 * Sends due pending emails. Rows are claimed with SKIP LOCKED, so several workers never send
 * the same email twice. Returns how many were sent.
 */
export async function sendPendingEmails(deps: {
  db: Db;
  mailer: Mailer | null;
  clock: Clock;
  logger: Logger;
  from: string;
  batch?: number;
}): Promise<number> {
  if (!deps.mailer) return 0;
  let sent = 0;
  for (;;) {
    const done = await deps.db.transaction(async (tx) => {
      const row = await tx('outbox_emails')
        .where({ status: 'pending' })
        .andWhere('next_attempt_at', '<=', deps.clock.now())
        .orderBy('id')
        .forUpdate()
        .skipLocked()
        .first();
      if (!row) return false;
      try {
        await deps.mailer!.send({ from: deps.from, to: row.to_address, subject: row.subject, text: row.text_body, html: row.html_body });
        await tx('outbox_emails').where({ id: row.id }).update({ status: 'sent', sent_at: deps.clock.now(), attempts: row.attempts + 1, last_error: null });
        sent++;
      } catch (err) {
        const attempts = row.attempts + 1;
        const delay = BACKOFF_SECONDS[attempts - 1];
        deps.logger.warn({ emailId: row.id, attempts, err: (err as Error).message }, 'email sending failed');
        await tx('outbox_emails')
          .where({ id: row.id })
          .update({
            attempts,
            last_error: String((err as Error).message).slice(0, 500),
            status: delay === undefined ? 'failed' : 'pending',
            next_attempt_at: new Date(deps.clock.now().getTime() + (delay ?? 0) * 1000),
          });
      }
      return true;
    });
    if (!done || sent >= (deps.batch ?? 100)) return sent;
  }
}
