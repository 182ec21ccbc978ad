import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.bigIncrements('id');
    t.text('email').notNullable();
    t.text('password_hash'); // null until a staff member sets it from the emailed link
    t.text('first_name').notNullable();
    t.text('last_name').notNullable();
    t.text('role').notNullable().defaultTo('parent');
    t.timestamp('email_verified_at', { useTz: true });
    t.text('totp_secret');
    t.timestamp('totp_enabled_at', { useTz: true });
    t.timestamp('disabled_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_login_at', { useTz: true });
    t.timestamp('password_changed_at', { useTz: true });
    t.timestamp('personal_data_notice_accepted_at', { useTz: true });
  });
  await knex.raw('CREATE UNIQUE INDEX accounts_email_unique ON accounts (lower(email))');
  await knex.raw(
    "ALTER TABLE accounts ADD CONSTRAINT accounts_role CHECK (role IN ('parent','animator','agent','manager','admin'))",
  );

  // One-time tokens (email verification, password reset, staff set-password, email change). Stored hashed.
  await knex.schema.createTable('account_tokens', (t) => {
    t.bigIncrements('id');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('token_hash').notNullable().unique();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['account_id', 'kind']);
  });

  await knex.schema.createTable('recovery_codes', (t) => {
    t.bigIncrements('id');
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.text('code_hash').notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['account_id']);
  });

  // Animators see only the attendance and headcount of their sites (a site is a school).
  await knex.schema.createTable('account_sites', (t) => {
    t.bigInteger('account_id').notNullable().references('accounts.id').onDelete('CASCADE');
    t.integer('school_id').notNullable().references('schools.id');
    t.primary(['account_id', 'school_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['account_sites', 'recovery_codes', 'account_tokens', 'accounts'])
    await knex.schema.dropTableIfExists(table);
}
