import type { Knex } from 'knex';

// A household merged into another is closed with a pointer to the kept one. Its rows move to the
// kept household in one transaction; what keeps a row from landing on the closed household
// afterwards (a booking or an upload that was waiting on the merge's lock) is the database:
// every table of a household's rows references `open_id`, which is the id while the household is
// open and NULL once it is closed, so the late row is refused instead of silently lost, and the
// closing itself fails if a row was left behind.
const TABLES: [table: string, cascade: boolean][] = [
  ['household_accounts', true],
  ['household_invitations', true],
  ['activation_codes', true],
  ['household_members', true],
  ['requests', false],
  ['documents', false],
  ['enrolments', false],
  ['reservations', false],
  ['attendance', false],
  ['qf_history', false],
  ['invoices', false],
  ['payments', false],
  ['payment_operations', false],
  ['sepa_mandates', false],
  ['payment_anomalies', false],
  ['refunds', false],
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE households
    ADD COLUMN merged_into_id bigint REFERENCES households(id),
    ADD COLUMN closed_at timestamptz,
    ADD COLUMN open_id bigint GENERATED ALWAYS AS (CASE WHEN merged_into_id IS NULL THEN id END) STORED,
    ADD CONSTRAINT households_not_merged_into_itself CHECK (merged_into_id IS NULL OR merged_into_id <> id)`);
  await knex.raw('CREATE UNIQUE INDEX households_open_id ON households (open_id)');
  for (const [table, cascade] of TABLES)
    await knex.raw(
      `ALTER TABLE ${table} DROP CONSTRAINT ${table}_household_id_foreign,
         ADD CONSTRAINT ${table}_household_id_foreign FOREIGN KEY (household_id) REFERENCES households(open_id)${cascade ? ' ON DELETE CASCADE' : ''}`,
    );
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, cascade] of TABLES)
    await knex.raw(
      `ALTER TABLE ${table} DROP CONSTRAINT ${table}_household_id_foreign,
         ADD CONSTRAINT ${table}_household_id_foreign FOREIGN KEY (household_id) REFERENCES households(id)${cascade ? ' ON DELETE CASCADE' : ''}`,
    );
  await knex.raw(`ALTER TABLE households DROP CONSTRAINT households_not_merged_into_itself,
    DROP COLUMN open_id, DROP COLUMN closed_at, DROP COLUMN merged_into_id`);
}
