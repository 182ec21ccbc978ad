import type { Knex } from 'knex';

// Household search (staff): a name fragment anywhere in "last first" or "first last", accent- and
// case-insensitive. Trigram indexes on exactly those expressions let LIKE '%…%' skip the scan of
// every member (and the unaccent call on each of them).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await knex.raw(
    "CREATE INDEX members_last_first_trgm ON members USING gin ((lower(f_unaccent(last_name)) || ' ' || lower(f_unaccent(first_name))) gin_trgm_ops)",
  );
  await knex.raw(
    "CREATE INDEX members_first_last_trgm ON members USING gin ((lower(f_unaccent(first_name)) || ' ' || lower(f_unaccent(last_name))) gin_trgm_ops)",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS members_first_last_trgm');
  await knex.raw('DROP INDEX IF EXISTS members_last_first_trgm');
}
