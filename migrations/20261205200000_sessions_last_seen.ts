import type { Knex } from 'knex';

// The idle timer in its own column, moved by the session read at most once a minute: changing only
// an unindexed column lets PostgreSQL update the row in place (a HOT update, no index entry), where
// rewriting the `sess` JSON touched all three of its indexes. Room left in each page for that.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sessions ADD COLUMN last_seen_ms bigint');
  await knex.raw(
    "UPDATE sessions SET last_seen_ms = (sess->>'lastSeenAt')::bigint WHERE sess->>'lastSeenAt' IS NOT NULL",
  );
  await knex.raw('ALTER TABLE sessions SET (fillfactor = 80)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sessions RESET (fillfactor)');
  await knex.raw('ALTER TABLE sessions DROP COLUMN last_seen_ms');
}
