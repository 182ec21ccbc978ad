import type { Knex } from 'knex';

// The outbox sender claims rows with a lease instead of holding a transaction across the SMTP
// exchange: `lease_until` says until when a sender owns the row (a crashed sender's rows are taken
// again after it). `message_id` is fixed at the first claim, so a message sent again after a crash
// carries the same Message-ID and the receiving mail systems drop the copy.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE outbox_emails ADD COLUMN lease_until timestamptz, ADD COLUMN message_id text');
  // The staff home counts failed emails on every visit of an admin.
  await knex.raw("CREATE INDEX outbox_failed ON outbox_emails (id) WHERE status = 'failed'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX outbox_failed');
  await knex.raw('ALTER TABLE outbox_emails DROP COLUMN lease_until, DROP COLUMN message_id');
}
