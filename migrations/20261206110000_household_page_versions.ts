import type { Knex } from 'knex';
import {
  createBumpFunction,
  createStatementTriggers,
  dropStatementTriggers,
} from './support/household-versions.js';

// The parent dashboard is kept rendered in each app instance (src/web/page-cache.ts) and served
// again while what it shows is unchanged: the household's version (household_estimates.version)
// and the town's epoch (pricing_epoch) both stay what they were when it was rendered. Migration
// 20261206090000 made the triggers that bump them for the month estimate's tables; this one adds
// every other table the dashboard reads (src/households/repository.ts dashboardReads), so that the
// version is the household's version, and the epoch the town's:
// - members (a child's name, class, school): every home of the member;
// - documents, enrolments, invoices: the row's household;
// - requests: the row's household, and the homes of the account that filed it (the dashboard
//   lists both);
// - schools, document_types, service_requirements: the town-wide epoch (services already bump it).
// A bump also makes the stored estimate stale: recomputed once on the next view (≈ 0.35 ms), for
// changes far rarer than views. A bulk load that disables triggers (session_replication_role =
// replica, as bench/data.ts), or a restore of an older copy, while apps run must move the epoch
// itself afterwards (UPDATE pricing_epoch SET version = version + 1), or restart them: their kept
// pages are keyed by versions the database no longer has, or will reach again with other rows.
const FUNCTIONS = [
  [
    'bump_households_of_member_rows',
    (rows: string) =>
      `SELECT hm.household_id FROM household_members hm WHERE hm.member_id IN (SELECT id FROM ${rows})`,
  ],
  [
    'bump_households_of_request_rows',
    (rows: string) =>
      `SELECT household_id FROM ${rows} UNION ALL SELECT ha.household_id FROM household_accounts ha WHERE ha.account_id IN (SELECT account_id FROM ${rows})`,
  ],
] as const;

const TOWN_TABLES = ['schools', 'document_types', 'service_requirements'];
// bump_estimates_of_household_rows: migration 20261206090000.
const HOUSEHOLD_TABLES = [
  ['members', 'bump_households_of_member_rows'],
  ['requests', 'bump_households_of_request_rows'],
  ['documents', 'bump_estimates_of_household_rows'],
  ['enrolments', 'bump_estimates_of_household_rows'],
  ['invoices', 'bump_estimates_of_household_rows'],
] as const;

const TRUNCATED_TABLES = [
  ...HOUSEHOLD_TABLES.map(([table]) => table),
  'reservations',
  'attendance',
  'household_members',
  'qf_history',
];

export async function up(knex: Knex): Promise<void> {
  for (const [fn, homesOf] of FUNCTIONS) await createBumpFunction(knex, fn, homesOf);
  for (const [table, fn] of HOUSEHOLD_TABLES) await createStatementTriggers(knex, table, 'versions', fn);
  for (const table of TOWN_TABLES) {
    await knex.raw(
      `CREATE TRIGGER ${table}_pricing_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bump_pricing_epoch()`,
    );
  }
  // A TRUNCATE has no transition table (and no row triggers): it moves the town's epoch, so that
  // every kept page and stored estimate is stale.
  for (const table of TRUNCATED_TABLES) {
    await knex.raw(
      `CREATE TRIGGER ${table}_truncate_epoch AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bump_pricing_epoch()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TRUNCATED_TABLES)
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_truncate_epoch ON ${table}`);
  for (const [table] of HOUSEHOLD_TABLES) await dropStatementTriggers(knex, table, 'versions');
  for (const table of TOWN_TABLES)
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_pricing_epoch ON ${table}`);
  for (const [fn] of FUNCTIONS) await knex.raw(`DROP FUNCTION IF EXISTS ${fn}()`);
}
