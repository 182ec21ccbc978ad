import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS unaccent');
  // An immutable unaccent for indexes: accent- and case-insensitive search ("eloise" finds "Éloïse").
  await knex.raw(
    "CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT",
  );

  await knex.schema.createTable('town', (t) => {
    t.integer('id').primary().defaultTo(1);
    t.text('name').notNullable();
    t.text('address').notNullable();
    t.string('postcode', 5).notNullable();
    t.text('city').notNullable();
    t.text('phone').notNullable();
    t.text('email').notNullable();
    t.text('logo_text').notNullable();
    t.text('siret');
    t.text('website');
  });
  await knex.raw('ALTER TABLE town ADD CONSTRAINT town_single_row CHECK (id = 1)');

  await knex.schema.createTable('schools', (t) => {
    t.increments('id');
    t.text('name').notNullable().unique();
    t.text('kind').notNullable(); // 'elementary' | 'nursery' | 'private'
    t.boolean('is_public').notNullable().defaultTo(true);
    t.boolean('runs_own_canteen').notNullable().defaultTo(false);
    t.text('canteen_contact'); // whom to contact when the school runs its own canteen
    t.text('address').notNullable();
    t.specificType('class_levels', 'text[]').notNullable(); // e.g. {PS,MS,GS} or {CP,CE1,CE2,CM1,CM2}
  });

  await knex.schema.createTable('streets', (t) => {
    t.increments('id');
    t.text('name').notNullable().unique();
    t.integer('elementary_school_id').references('schools.id');
    t.integer('nursery_school_id').references('schools.id');
  });

  await knex.schema.createTable('school_years', (t) => {
    t.text('id').primary(); // '2026-2027'
    t.date('starts_on').notNullable();
    t.date('ends_on').notNullable();
  });

  // The town calendar: school terms, holidays and public holidays, by inclusive date ranges.
  await knex.schema.createTable('calendar_periods', (t) => {
    t.increments('id');
    t.text('school_year_id').notNullable().references('school_years.id');
    t.text('kind').notNullable(); // 'school' | 'holiday' | 'public_holiday'
    t.text('name').notNullable();
    t.date('starts_on').notNullable();
    t.date('ends_on'); // null: open-ended (summer holidays)
    t.unique(['school_year_id', 'kind', 'starts_on']);
  });
  await knex.raw(
    "ALTER TABLE calendar_periods ADD CONSTRAINT calendar_kind CHECK (kind IN ('school','holiday','public_holiday'))",
  );

  await knex.schema.createTable('sessions', (t) => {
    t.string('sid').primary();
    t.json('sess').notNullable();
    t.timestamp('expire', { precision: 6 }).notNullable().index();
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.bigInteger('actor_account_id');
    t.text('actor_role');
    t.text('action').notNullable();
    t.text('subject_type');
    t.text('subject_id');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.index(['at']);
    t.index(['action', 'at']);
    t.index(['subject_type', 'subject_id']);
    t.index(['actor_account_id', 'at']);
  });

  await knex.schema.createTable('outbox_emails', (t) => {
    t.bigIncrements('id');
    t.text('to_address').notNullable();
    t.text('subject').notNullable();
    t.text('text_body').notNullable();
    t.text('html_body').notNullable();
    t.text('kind').notNullable();
    t.text('dedupe_key').unique();
    t.text('status').notNullable(); // 'pending' | 'sent' | 'failed'
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('next_attempt_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true });
  });
  await knex.raw("CREATE INDEX outbox_pending ON outbox_emails (next_attempt_at) WHERE status = 'pending'");

  // Rate-limit counters shared by every app instance (express-rate-limit store).
  await knex.schema.createTable('rate_limits', (t) => {
    t.text('key').primary();
    t.integer('hits').notNullable();
    t.timestamp('reset_at', { useTz: true }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'rate_limits',
    'outbox_emails',
    'audit_events',
    'sessions',
    'calendar_periods',
    'school_years',
    'streets',
    'schools',
    'town',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
