import type { Knex } from 'knex';

// Household search (staff), fourth part: a term with 4 digits or more is also looked for in the
// digits of the household's phone numbers and of its members' (src/households/repository.ts,
// searchHouseholds). Those two branches had no index: each search computed regexp_replace on every
// household and every member (≈ 12 + 29 ms on the 5,000-household bench town, bench/explain-search.ts).
// Trigram indexes on exactly the searched expressions make them bitmap index scans; the members'
// one only holds the members the search can find (not deleted).
//
// pg_trgm is a trusted extension (PostgreSQL ≥ 13): the database's owner may create it without
// being a superuser, so a DATABASE_URL deployment works too. Migration 080100 already created it.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await knex.raw(`CREATE INDEX households_phone_digits_trgm ON households USING gin (
    (regexp_replace(coalesce(phone_mobile,'') || ' ' || coalesce(phone_home,'') || ' ' || coalesce(phone_work,''), '\\D', '', 'g')) gin_trgm_ops)`);
  await knex.raw(`CREATE INDEX members_phone_digits_trgm ON members USING gin (
    (regexp_replace(coalesce(phone,'') || ' ' || coalesce(phone2,''), '\\D', '', 'g')) gin_trgm_ops) WHERE deleted_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS members_phone_digits_trgm');
  await knex.raw('DROP INDEX IF EXISTS households_phone_digits_trgm');
}
