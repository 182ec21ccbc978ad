import type { Knex } from 'knex';

// Two reads of the parent dashboard (one statement, measured with bench/explain-dashboard.ts):
// - the month estimate reads the attendance of the household's children by child and month; the
//   only index starting with child_id was the primary key (service_id, child_id, day), which
//   PostgreSQL skip-scanned service by service: ≈ 200 buffers for 4 children, 12 with this index
//   (−0.09 ms of backend CPU a page);
// - the documents expiring within 30 days were found by ANDing the household's documents with
//   every current document of the window (5,000 TIDs in December): −0.06 ms with this index.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS attendance_child_day ON attendance (child_id, day)');
  await knex.raw(
    'CREATE INDEX IF NOT EXISTS documents_household_valid_until ON documents (household_id, valid_until) WHERE superseded_at IS NULL AND deleted_at IS NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS documents_household_valid_until');
  await knex.raw('DROP INDEX IF EXISTS attendance_child_day');
}
