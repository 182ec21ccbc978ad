import type { Knex } from 'knex';

// Household search (staff), second part: the family number and the two email columns are matched
// with LIKE '%…%' too. Trigram indexes on exactly those expressions let each branch of the search
// (src/households/repository.ts) be an index scan instead of a pass over every household and account.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX households_family_number_trgm ON households USING gin (upper(family_number) gin_trgm_ops)',
  );
  await knex.raw('CREATE INDEX households_email_trgm ON households USING gin (lower(email) gin_trgm_ops)');
  await knex.raw('CREATE INDEX accounts_email_trgm ON accounts USING gin (lower(email) gin_trgm_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS accounts_email_trgm');
  await knex.raw('DROP INDEX IF EXISTS households_email_trgm');
  await knex.raw('DROP INDEX IF EXISTS households_family_number_trgm');
}
