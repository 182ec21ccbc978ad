import type { Knex } from 'knex';

// An emailed link (verification, password reset, staff invitation, email change) is good only
// while the account still has the address it had when the link was sent: one sent before an
// email change is void. The links already out are bound to the address the account has now.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE account_tokens ADD COLUMN account_email text');
  await knex.raw(
    'UPDATE account_tokens t SET account_email = lower(a.email) FROM accounts a WHERE a.id = t.account_id',
  );
  await knex.raw('ALTER TABLE account_tokens ALTER COLUMN account_email SET NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE account_tokens DROP COLUMN account_email');
}
