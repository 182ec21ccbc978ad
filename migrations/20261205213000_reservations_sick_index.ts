import type { Knex } from 'knex';

// A child's agenda lists its last sick absences (bench/explain-calendar.ts): found through the
// child's index on (child_id, day), every reservation of the child was read to keep the few sick
// ones (≈ 450 buffers, 0.4 ms of backend CPU a page); sick rows are rare, so this index is tiny.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "CREATE INDEX IF NOT EXISTS reservations_sick_child_day ON reservations (child_id, day) WHERE status = 'sick'",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS reservations_sick_child_day');
}
