// SQL of the admin's outbox pages (the audit log's is in audit-repository.ts). Read-only: resending an email
// goes through the platform's outbox (src/platform/email.ts).
import type { Queryable } from '../platform/db.js';

export const PAGE_SIZE = 50;

interface EmailFilters {
  status: '' | 'pending' | 'sent' | 'failed';
  to: string;
}

/** Emails given up on after days of retries. */
export async function failedEmailCount(q: Queryable): Promise<number> {
  const [row] = (await q('outbox_emails').where({ status: 'failed' }).count({ n: '*' })) as [
    { n: number | string },
  ];
  return Number(row.n);
}

/** One page of outbox emails matching the filters, newest first, and how many match in all. */
export async function outboxEmails(q: Queryable, filters: EmailFilters, page: number) {
  const { status, to } = filters;
  const query = q('outbox_emails').modify((qb) => {
    if (status) qb.where({ status });
    if (to) qb.whereRaw('lower(to_address) = lower(?)', [to]);
  });
  const [{ count }] = (await query.clone().count({ count: '*' })) as [{ count: number | string }];
  const emails = await query
    .clone()
    .select('id', 'to_address', 'subject', 'kind', 'status', 'attempts', 'created_at', 'sent_at')
    .orderBy('id', 'desc')
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  return { emails, count: Number(count) };
}

export const findOutboxEmail = (q: Queryable, id: number) =>
  q('outbox_emails')
    .where({ id })
    .first(
      'id',
      'to_address',
      'subject',
      'kind',
      'status',
      'attempts',
      'created_at',
      'sent_at',
      'next_attempt_at',
      'text_body',
      'last_error',
    ) as Promise<
    | {
        id: number;
        to_address: string;
        subject: string;
        kind: string;
        status: string;
        attempts: number;
        created_at: Date;
        sent_at: Date | null;
        next_attempt_at: Date | null;
        text_body: string;
        last_error: string | null;
      }
    | undefined
  >;
