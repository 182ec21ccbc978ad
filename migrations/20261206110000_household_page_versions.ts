import type { Knex } from 'knex';

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
// changes far rarer than views.
const bump = (homes: string) => `
  INSERT INTO household_estimates AS e (household_id)
  SELECT DISTINCT x.h FROM (${homes}) x(h) WHERE x.h IS NOT NULL ORDER BY x.h
  ON CONFLICT (household_id) DO UPDATE SET version = e.version + 1;`;

const FUNCTIONS = [
  ['bump_households_of_member_rows', (rows: string) => `SELECT hm.household_id FROM household_members hm WHERE hm.member_id IN (SELECT id FROM ${rows})`],
  [
    'bump_households_of_request_rows',
    (rows: string) => `SELECT household_id FROM ${rows} UNION ALL SELECT ha.household_id FROM household_accounts ha WHERE ha.account_id IN (SELECT account_id FROM ${rows})`,
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

const TRUNCATED_TABLES = [...HOUSEHOLD_TABLES.map(([table]) => table), 'reservations', 'attendance', 'household_members', 'qf_history'];

export async function up(knex: Knex): Promise<void> {
  for (const [fn, homesOf] of FUNCTIONS) {
    await knex.raw(`
      CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN ${bump(homesOf('new_rows'))}
        ELSIF TG_OP = 'DELETE' THEN ${bump(homesOf('old_rows'))}
        ELSE ${bump(`${homesOf('old_rows')} UNION ALL ${homesOf('new_rows')}`)}
        END IF;
        RETURN NULL;
      END $$`);
  }
  for (const [table, fn] of HOUSEHOLD_TABLES) {
    await knex.raw(`CREATE TRIGGER ${table}_versions_ins AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
    await knex.raw(`CREATE TRIGGER ${table}_versions_upd AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
    await knex.raw(`CREATE TRIGGER ${table}_versions_del AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
  }
  for (const table of TOWN_TABLES) {
    await knex.raw(`CREATE TRIGGER ${table}_pricing_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bump_pricing_epoch()`);
  }
  // A TRUNCATE has no transition table (and no row triggers): it moves the town's epoch, so that
  // every kept page and stored estimate is stale.
  for (const table of TRUNCATED_TABLES) {
    await knex.raw(`CREATE TRIGGER ${table}_truncate_epoch AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION bump_pricing_epoch()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TRUNCATED_TABLES) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_truncate_epoch ON ${table}`);
  for (const [table] of HOUSEHOLD_TABLES) {
    for (const event of ['ins', 'upd', 'del']) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_versions_${event} ON ${table}`);
  }
  for (const table of TOWN_TABLES) await knex.raw(`DROP TRIGGER IF EXISTS ${table}_pricing_epoch ON ${table}`);
  for (const [fn] of FUNCTIONS) await knex.raw(`DROP FUNCTION IF EXISTS ${fn}()`);
}
