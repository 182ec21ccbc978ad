import type { Knex } from 'knex';

// Household search (staff), third part: the trigram indexes of migration 080100 found the members
// quickly, but each candidate row was then rechecked by running f_unaccent four times (≈ 1,300
// calls for a common name: most of the statement's time). A stored column holds both name orders,
// already unaccented and lowercased, so the recheck is a plain LIKE.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE members ADD COLUMN search_name text GENERATED ALWAYS AS (
    lower(f_unaccent(last_name)) || ' ' || lower(f_unaccent(first_name)) || ' | ' || lower(f_unaccent(first_name)) || ' ' || lower(f_unaccent(last_name))
  ) STORED`);
  await knex.raw('CREATE INDEX members_search_name_trgm ON members USING gin (search_name gin_trgm_ops)');
  await knex.raw('DROP INDEX IF EXISTS members_last_first_trgm');
  await knex.raw('DROP INDEX IF EXISTS members_first_last_trgm');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    "CREATE INDEX members_last_first_trgm ON members USING gin ((lower(f_unaccent(last_name)) || ' ' || lower(f_unaccent(first_name))) gin_trgm_ops)",
  );
  await knex.raw(
    "CREATE INDEX members_first_last_trgm ON members USING gin ((lower(f_unaccent(first_name)) || ' ' || lower(f_unaccent(last_name))) gin_trgm_ops)",
  );
  await knex.raw('DROP INDEX IF EXISTS members_search_name_trgm');
  await knex.raw('ALTER TABLE members DROP COLUMN search_name');
}
