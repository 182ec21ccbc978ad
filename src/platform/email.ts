// The email outbox. Every email is a row written in the transaction of the change that causes
// it; a worker sends pending rows over SMTP with retries and backoff (for days), leasing rows
// rather than holding a transaction across the SMTP exchange. Without SMTP_URL the rows simply
// stay pending (demo), and admins read them at /admin/emails (secret links masked).
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import type { Actor, Audit } from './audit.js';
import type { Clock } from './clock.js';
import { withTransaction, type Db, type Queryable } from './db.js';
import type { Logger } from './logger.js';

interface EmailContent {
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
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function renderEmail(c: EmailContent): { text: string; html: string } {
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

export interface SmtpTimeouts {
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  /** Inactivity on an open connection. */
  socketTimeoutMs: number;
}
const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = {
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  socketTimeoutMs: 30_000,
};

export function smtpTimeoutsOf(config: Config): SmtpTimeouts {
  return {
    connectionTimeoutMs: config.SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeoutMs: config.SMTP_GREETING_TIMEOUT_MS,
    socketTimeoutMs: config.SMTP_SOCKET_TIMEOUT_MS,
  };
}

interface MailToSend {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export interface Mailer {
  send(msg: MailToSend): Promise<void>;
  /** About the longest one send can last before a timeout ends it (the socket timeout counts silence only). */
  maxSendMs: number;
}

export function smtpMailer(
  smtpUrl: string,
  timeouts: SmtpTimeouts = DEFAULT_SMTP_TIMEOUTS,
): Mailer & { transporter: Transporter } {
  // nodemailer reads transport options from the URL's query: the operator's URL keeps its
  // credentials and TLS settings, and gets our timeouts (its own defaults wait up to an hour).
  const url = new URL(smtpUrl);
  url.searchParams.set('connectionTimeout', String(timeouts.connectionTimeoutMs));
  url.searchParams.set('greetingTimeout', String(timeouts.greetingTimeoutMs));
  url.searchParams.set('socketTimeout', String(timeouts.socketTimeoutMs));
  const transporter = nodemailer.createTransport(url.toString());
  return {
    transporter,
    maxSendMs: timeouts.connectionTimeoutMs + timeouts.greetingTimeoutMs + timeouts.socketTimeoutMs,
    async send(msg) {
      await transporter.sendMail(msg);
    },
  };
}

const MINUTE = 60;
const FIRST_RETRY_SECONDS = MINUTE;
const MAX_RETRY_SECONDS = 6 * 60 * MINUTE;
const GIVE_UP_AFTER_SECONDS = 5 * 24 * 60 * MINUTE;
const step = (attempt: number) =>
  Math.min(FIRST_RETRY_SECONDS * 2 ** Math.min(attempt - 1, 30), MAX_RETRY_SECONDS);

/**
 * The wait after the n-th failed attempt: 1 min, doubling up to 6 h, so that a relay down for a
 * weekend still delivers; null (give up: status 'failed') once the waits add up to 5 days.
 */
export function retryDelaySeconds(attempts: number): number | null {
  let waited = 0;
  for (let k = 1; k < attempts; k++) waited += step(k);
  return waited >= GIVE_UP_AFTER_SECONDS ? null : step(attempts);
}

/** Rows claimed at once: each is sent, then recorded, one by one. */
const CLAIM_BATCH = 10;
const LEASE_MARGIN_MS = 60_000;

interface ClaimedEmail {
  id: number;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: number;
  message_id: string;
}

/** The domain of the sender's address, for Message-IDs. */
function messageIdDomain(from: string): string {
  return /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'portail-famille.invalid';
}

/**
 * Takes up to `limit` due rows for this sender until `leaseUntil`, in one statement (its own short
 * transaction): rows another sender holds are skipped, rows of a sender that died are taken again
 * once their lease has run out. The attempt is counted here, so a message that kills its sender is
 * not retried for ever; its Message-ID is fixed at its first claim.
 */
async function claimEmails(
  db: Db,
  now: Date,
  leaseUntil: Date,
  limit: number,
  domain: string,
): Promise<ClaimedEmail[]> {
  const { rows } = (await db.raw(
    `UPDATE outbox_emails o
        SET lease_until = ?, attempts = o.attempts + 1,
            message_id = coalesce(o.message_id, '<' || gen_random_uuid() || '@' || ? || '>')
       FROM (SELECT id FROM outbox_emails
              WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
              ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) due
      WHERE o.id = due.id
  RETURNING o.id, o.to_address, o.subject, o.text_body, o.html_body, o.attempts, o.message_id`,
    [leaseUntil, domain, now, now, limit],
  )) as { rows: ClaimedEmail[] };
  return rows.sort((a, b) => a.id - b.id);
}

/**
 * Sends due pending emails: claims a few rows with a lease, sends each with no transaction open
 * and no pooled connection held (a relay that hangs then only holds this sender, until its
 * timeouts), and records each result in a statement of its own, only while the lease is still
 * this sender's. Returns how many were sent.
 */
export async function sendPendingEmails(deps: {
  db: Db;
  mailer: Mailer | null;
  clock: Clock;
  logger: Logger;
  from: string;
  /** At most this many sends in one call. */
  batch?: number;
}): Promise<number> {
  const { db, mailer, clock, logger } = deps;
  if (!mailer) return 0;
  const limit = deps.batch ?? 100;
  const domain = messageIdDomain(deps.from);
  let sent = 0;
  let tried = 0;
  while (tried < limit) {
    const leaseUntil = new Date(clock.now().getTime() + CLAIM_BATCH * mailer.maxSendMs + LEASE_MARGIN_MS);
    const rows = await claimEmails(db, clock.now(), leaseUntil, Math.min(CLAIM_BATCH, limit - tried), domain);
    if (!rows.length) break;
    for (const row of rows) {
      // Past the lease, another sender may already have taken the rest of the batch.
      if (clock.now() >= leaseUntil) break;
      tried++;
      const mine = db('outbox_emails').where({ id: row.id, lease_until: leaseUntil });
      try {
        await mailer.send({
          from: deps.from,
          to: row.to_address,
          subject: row.subject,
          text: row.text_body,
          html: row.html_body,
          messageId: row.message_id,
        });
      } catch (err) {
        const delay = retryDelaySeconds(row.attempts);
        const e = err as { message?: string; code?: string; responseCode?: number };
        // The message may name the address: only codes in the log, the text in the row for admins.
        logger.warn(
          { emailId: row.id, attempts: row.attempts, code: e.code, responseCode: e.responseCode },
          'email sending failed',
        );
        await mine.update({
          status: delay === null ? 'failed' : 'pending',
          last_error: String(e.message ?? err).slice(0, 500),
          next_attempt_at: new Date(clock.now().getTime() + (delay ?? 0) * 1000),
          lease_until: null,
        });
        continue;
      }
      await mine.update({ status: 'sent', sent_at: clock.now(), last_error: null, lease_until: null });
      sent++;
    }
  }
  return sent;
}

/** An admin puts a failed email back in the queue, to be sent now, with a new round of retries. */
export async function resendFailedEmail(
  deps: { db: Db; clock: Clock; audit: Audit },
  id: number,
  actor: Actor,
): Promise<'resent' | 'notFailed' | 'notFound'> {
  return withTransaction(deps.db, async (tx) => {
    const changed = await tx('outbox_emails')
      .where({ id, status: 'failed' })
      .update({ status: 'pending', attempts: 0, next_attempt_at: deps.clock.now(), lease_until: null });
    if (!changed) return (await tx('outbox_emails').where({ id }).first('id')) ? 'notFailed' : 'notFound';
    await deps.audit.record(tx, actor, 'outbox.resend', { type: 'outbox_email', id });
    return 'resent';
  });
}

/** A URL part that looks like a secret: long, and not a readable word or slug (a token has digits, capitals or '_'). */
const SECRET_PART = /(?<=[/=#])[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/g;
const looksSecret = (part: string) => /[0-9A-Z_]/.test(part);

/**
 * The text with the secret part of every link masked (password reset, email confirmation,
 * invitation…: `…/reset-password/••••••`), for staff reading the outbox. It knows no feature's
 * paths: any long random-looking path segment or query value is a token.
 */
export function maskSecretLinks(text: string): string {
  return text.replace(/https?:\/\/[^\s"<>]+/g, (url) =>
    url.replace(SECRET_PART, (part) => (looksSecret(part) ? '••••••' : part)),
  );
}
