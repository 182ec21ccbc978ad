import type { Knex } from 'knex';
import { createStatementTriggers, dropStatementTriggers } from './support/household-versions.js';

// The attendance sheet is kept rendered in each app instance (src/web/page-cache.ts) and served
// again while what it shows is unchanged. Its key (src/reservations/staff-repository.ts sheetKey)
// has two parts:
// - the day's own rows (reservations, attendance), written all day by parents and agents: a
//   fingerprint of their row versions, read from the rows themselves, so that a booking writes
//   nothing more and waits for nothing more (no version row to queue on);
// - everything else the sheet shows, written rarely: the children's names, needs and school, their
//   pick-ups, the schools' and services' names and days, the town's calendar and the day's
//   closures, the locked months, the animators' sites, the accepted enrolments (the children who
//   may be marked present without a booking). Each statement on those tables adds a row here (one
//   row, whatever the statement changed; for enrolments only a statement that wrote an accepted
//   one, before or after: parents' drafts are saved at every step), and the sheet's key counts them.
// A log, not a version row that every such statement would update: two transactions never wait
// for each other here, so no new lock order (and no deadlock) comes with it. A count, not a
// maximum: a transaction that commits after a later one still changes it. The daily job
// (reservations' daily.compact-sheet-changes) folds the rows into one, keeping their sum.
// A bulk load that disables triggers (session_replication_role = replica, as bench/data.ts) while
// apps run must add a row itself afterwards (INSERT INTO sheet_changes DEFAULT VALUES), or restart
// them, as for the dashboard's versions (migration 20261206110000).
const SHEET_FACT_TABLES = [
  'members',
  'child_pickups',
  'schools',
  'services',
  'account_sites',
  'calendar_periods',
  'service_day_closures',
  'locked_months',
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE sheet_changes (changes bigint NOT NULL DEFAULT 1 CHECK (changes > 0))`);
  await knex.raw(`
    CREATE FUNCTION log_sheet_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO sheet_changes DEFAULT VALUES;
      RETURN NULL;
    END $$`);
  for (const table of SHEET_FACT_TABLES) {
    await knex.raw(
      `CREATE TRIGGER ${table}_sheet_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION log_sheet_change()`,
    );
  }
  // Enrolments: only statements that wrote an accepted one (transition tables: one trigger an event).
  await knex.raw(`
    CREATE FUNCTION log_sheet_enrolment_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      accepted boolean := false;
    BEGIN
      -- old_rows exists for UPDATE and DELETE only, new_rows for INSERT and UPDATE only.
      IF TG_OP <> 'INSERT' THEN accepted := EXISTS (SELECT FROM old_rows WHERE status = 'accepted'); END IF;
      IF NOT accepted AND TG_OP <> 'DELETE' THEN accepted := EXISTS (SELECT FROM new_rows WHERE status = 'accepted'); END IF;
      IF accepted THEN INSERT INTO sheet_changes DEFAULT VALUES; END IF;
      RETURN NULL;
    END $$`);
  await createStatementTriggers(knex, 'enrolments', 'sheet_change', 'log_sheet_enrolment_change');
  await knex.raw(
    'CREATE TRIGGER enrolments_sheet_change_truncate AFTER TRUNCATE ON enrolments FOR EACH STATEMENT EXECUTE FUNCTION log_sheet_change()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS enrolments_sheet_change_truncate ON enrolments');
  await dropStatementTriggers(knex, 'enrolments', 'sheet_change');
  await knex.raw('DROP FUNCTION IF EXISTS log_sheet_enrolment_change()');
  for (const table of SHEET_FACT_TABLES)
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_sheet_change ON ${table}`);
  await knex.raw('DROP FUNCTION IF EXISTS log_sheet_change()');
  await knex.raw('DROP TABLE IF EXISTS sheet_changes');
}
