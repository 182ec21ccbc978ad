import type { Knex } from 'knex';

// The last 30-second TOTP step used to log in to each account: a code seen once (over a
// shoulder, by a phishing page relaying it) cannot open a second session within its window.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.bigInteger('totp_last_step').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('totp_last_step');
  });
}
