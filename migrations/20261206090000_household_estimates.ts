import type { Knex } from 'knex';
import {
  bump,
  createBumpFunction,
  createStatementTriggers,
  dropStatementTriggers,
} from './support/household-versions.js';

// The dashboard's month estimate, stored per household (src/billing/estimates.ts). Computing it
// is the dashboard's costliest part (≈ 0.3 ms of PostgreSQL and 0.1 ms of JavaScript a page), and
// it only changes when one of the rows it is computed from changes. So PostgreSQL itself keeps a
// version: triggers on every table the estimate reads bump the version of each household concerned
// (or, for the pricing grid, one town-wide epoch) in the transaction that makes the change. A stored
// estimate is used only while it was computed at the current version and epoch: whichever code path
// or app instance writes, a stale estimate is never shown, and nothing needs to be cleared.
//
// What the estimate reads (billing/repository.ts householdMonthQuery), and who bumps what:
// - reservations, attendance: the row's household and every household of its child (who pays a day
//   is decided over all the child's rows and homes);
// - household_members (custody weeks, a child moving): the row's household and the child's others;
// - qf_history, households.out_of_town: the household (a sick certificate counts from its upload
//   day, written once with the document; linking it updates the reservation, which bumps);
// - services, qf_brackets, service_rates, service_rate_brackets: the town-wide pricing epoch.
// Statement triggers with transition tables: a sheet of 300 children saved in one statement bumps
// each household once, in one statement, in household order (no deadlock between two such saves).
/** The households of a transition table's rows: their own, and every home of their child. */
const homesOfChildRows = (column: string) => (rows: string) =>
  `SELECT household_id FROM ${rows} UNION ALL SELECT hm.household_id FROM household_members hm WHERE hm.member_id IN (SELECT ${column} FROM ${rows})`;

const FUNCTIONS = [
  ['bump_estimates_of_child_rows', homesOfChildRows('child_id')],
  ['bump_estimates_of_memberships', homesOfChildRows('member_id')],
  ['bump_estimates_of_household_rows', (rows: string) => `SELECT household_id FROM ${rows}`],
] as const;

const PRICING_TABLES = ['services', 'qf_brackets', 'service_rates', 'service_rate_brackets'];
const HOUSEHOLD_TABLES = [
  ['reservations', 'bump_estimates_of_child_rows'],
  ['attendance', 'bump_estimates_of_child_rows'],
  ['household_members', 'bump_estimates_of_memberships'],
  ['qf_history', 'bump_estimates_of_household_rows'],
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE household_estimates (
      -- No foreign key: a household deleted with its rows would have them bump it as it goes.
      household_id bigint PRIMARY KEY,
      -- Bumped by the triggers below; 0 for a row first written by a computation.
      version bigint NOT NULL DEFAULT 1,
      -- The stored estimate and what it was computed at (null until first computed).
      month text,
      computed_version bigint,
      computed_epoch bigint,
      total_cents bigint,
      lines integer
    ) WITH (fillfactor = 80)`);
  await knex.raw(`
    CREATE TABLE pricing_epoch (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      version bigint NOT NULL DEFAULT 1
    )`);
  await knex.raw('INSERT INTO pricing_epoch DEFAULT VALUES');

  // One INSERT per event, naming the transition tables directly: half the cost of gathering ids
  // into arrays first (≈ 0.05 against 0.13 ms of backend CPU per one-row booking, bench/_trigcost).
  for (const [fn, homesOf] of FUNCTIONS) await createBumpFunction(knex, fn, homesOf);
  await knex.raw(`
    CREATE FUNCTION bump_estimate_of_household() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${bump('SELECT NEW.id')}
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE FUNCTION bump_pricing_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE pricing_epoch SET version = version + 1;
      RETURN NULL;
    END $$`);

  for (const [table, fn] of HOUSEHOLD_TABLES) await createStatementTriggers(knex, table, 'estimates', fn);
  await knex.raw(`
    CREATE TRIGGER households_estimates_upd AFTER UPDATE OF out_of_town ON households
      FOR EACH ROW WHEN (OLD.out_of_town IS DISTINCT FROM NEW.out_of_town) EXECUTE FUNCTION bump_estimate_of_household()`);
  for (const table of PRICING_TABLES) {
    await knex.raw(
      `CREATE TRIGGER ${table}_pricing_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bump_pricing_epoch()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table] of HOUSEHOLD_TABLES) await dropStatementTriggers(knex, table, 'estimates');
  await knex.raw('DROP TRIGGER IF EXISTS households_estimates_upd ON households');
  for (const table of PRICING_TABLES)
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_pricing_epoch ON ${table}`);
  for (const fn of [...FUNCTIONS.map(([name]) => name), 'bump_estimate_of_household', 'bump_pricing_epoch'])
    await knex.raw(`DROP FUNCTION IF EXISTS ${fn}()`);
  await knex.raw('DROP TABLE IF EXISTS household_estimates, pricing_epoch');
}
