import type { Knex } from 'knex';

// The attendance sheet is kept rendered in each app instance (src/web/page-cache.ts) and served
// again while what it shows is unchanged. Its key (src/reservations/staff-repository.ts sheetKey)
// has two parts:
// - the day's own rows (reservations, attendance, the service's enrolments), written all day by
//   parents and agents: a fingerprint of their row versions, read from the rows themselves, so
//   that a booking writes nothing more and waits for nothing more (no version row to queue on);
// - everything else the sheet shows, written rarely: the children's names, needs and school, their
//   pick-ups, the schools' and services' names and days, the town's calendar and the day's
//   closures, the locked months, the animators' sites. Each statement on those tables adds a row
//   here (one row, whatever the statement changed), and the sheet's key counts them.
// A log, not a version row that every such statement would update: two transactions never wait
// for each other here, so no new lock order (and no deadlock) comes with it. A count, not a
// maximum: a transaction that commits after a later one still changes it. The daily job
// (reservations' daily.compact-sheet-changes) folds the rows into one, keeping their sum.
// A bulk load that disables triggers (session_replication_role = replica, as bench/data.ts) while
// apps run must add a row itself afterwards (INSERT INTO sheet_changes DEFAULT VALUES), or restart
// them, as for the dashboard's versions (migration 20261206110000).
export const SHEET_FACT_TABLES = [
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
    await knex.raw(`CREATE TRIGGER ${table}_sheet_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION log_sheet_change()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of SHEET_FACT_TABLES) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_sheet_change ON ${table}`);
  await knex.raw('DROP FUNCTION IF EXISTS log_sheet_change()');
  await knex.raw('DROP TABLE IF EXISTS sheet_changes');
}
