import type { Knex } from 'knex';

// Sessions as express-session and passport keep them: the login is passport's `passport.user`
// (the account id), the idle timer is the session's lastSeenAt (written at most once a minute)
// rather than a column the hand-written store kept. Logged-in sessions are carried over as they
// are: nobody is logged out by the deploy.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE sessions SET sess = (
      (sess::jsonb - 'accountId' - 'role')
      || jsonb_build_object('passport', jsonb_build_object('user', (sess->>'accountId')::bigint))
      || CASE WHEN last_seen_ms IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('lastSeenAt', last_seen_ms) END
    )::json
    WHERE sess->>'accountId' IS NOT NULL`);
  await knex.raw('DROP INDEX sessions_account_id');
  // "End every other session of this account" looks sessions up by the account they log in.
  await knex.raw("CREATE INDEX sessions_account_id ON sessions ((sess->'passport'->>'user'))");
  await knex.raw('ALTER TABLE sessions DROP COLUMN last_seen_ms');
  await knex.raw('ALTER TABLE sessions RESET (fillfactor)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sessions ADD COLUMN last_seen_ms bigint');
  await knex.raw(
    "UPDATE sessions SET last_seen_ms = (sess->>'lastSeenAt')::bigint WHERE sess->>'lastSeenAt' IS NOT NULL",
  );
  await knex.raw(`
    UPDATE sessions s SET sess = (
      (s.sess::jsonb - 'passport') || jsonb_build_object('accountId', a.id, 'role', a.role)
    )::json
    FROM accounts a
    WHERE a.id = (s.sess->'passport'->>'user')::bigint`);
  await knex.raw(
    `UPDATE sessions SET sess = (sess::jsonb - 'passport')::json WHERE sess->'passport' IS NOT NULL`,
  );
  await knex.raw('DROP INDEX sessions_account_id');
  await knex.raw("CREATE INDEX sessions_account_id ON sessions ((sess->>'accountId'))");
  await knex.raw('ALTER TABLE sessions SET (fillfactor = 80)');
}
