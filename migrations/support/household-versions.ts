// What migrations 20261206090000 and 20261206110000 share: trigger functions that bump the version
// of the households a statement's rows concern (household_estimates.version), and the statement
// triggers that call them with the statement's transition tables. (Not a migration: the migration
// source reads only the files of migrations/ itself.)
import type { Knex } from 'knex';

/** Bumps the households the query gives (ids may repeat or be null), in id order (no deadlock between two bumps). */
export const bump = (homes: string) => `
  INSERT INTO household_estimates AS e (household_id)
  SELECT DISTINCT x.h FROM (${homes}) x(h) WHERE x.h IS NOT NULL ORDER BY x.h
  ON CONFLICT (household_id) DO UPDATE SET version = e.version + 1;`;

/** A trigger function bumping the households `homesOf(rows)` gives for the statement's old and new rows. */
export async function createBumpFunction(
  knex: Knex,
  name: string,
  homesOf: (rows: string) => string,
): Promise<void> {
  await knex.raw(`
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN ${bump(homesOf('new_rows'))}
        ELSIF TG_OP = 'DELETE' THEN ${bump(homesOf('old_rows'))}
        ELSE ${bump(`${homesOf('old_rows')} UNION ALL ${homesOf('new_rows')}`)}
        END IF;
        RETURN NULL;
      END $$`);
}

/** `table`'s statement triggers `<table>_<suffix>_{ins,upd,del}` calling `fn` with their transition tables. */
export async function createStatementTriggers(
  knex: Knex,
  table: string,
  suffix: string,
  fn: string,
): Promise<void> {
  await knex.raw(
    `CREATE TRIGGER ${table}_${suffix}_ins AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  );
  await knex.raw(
    `CREATE TRIGGER ${table}_${suffix}_upd AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  );
  await knex.raw(
    `CREATE TRIGGER ${table}_${suffix}_del AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  );
}

export async function dropStatementTriggers(knex: Knex, table: string, suffix: string): Promise<void> {
  for (const event of ['ins', 'upd', 'del'])
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_${suffix}_${event} ON ${table}`);
}
