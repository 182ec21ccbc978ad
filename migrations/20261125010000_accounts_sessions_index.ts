import type { Knex } from 'knex';

// "End every other session of this account" (password reset or change, staff disabled) looks
// sessions up by the account id kept in the session's JSON.
export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX sessions_account_id ON sessions ((sess->>'accountId'))");
  await knex.raw('CREATE INDEX account_tokens_expires_at ON account_tokens (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS account_tokens_expires_at');
  await knex.raw('DROP INDEX IF EXISTS sessions_account_id');
}
