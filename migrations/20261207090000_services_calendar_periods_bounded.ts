// Every period of the town calendar has both ends: an open-ended summer let parents book a holiday
// centre in 2099. Existing open-ended periods end on 31 August of the year they start (the summer
// holidays, the only kind the form let open), or on their first day if that is later.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE calendar_periods
                     SET ends_on = greatest(starts_on, make_date(extract(year FROM starts_on)::int, 8, 31))
                   WHERE ends_on IS NULL`);
  await knex.raw('ALTER TABLE calendar_periods ALTER COLUMN ends_on SET NOT NULL');
  await knex.raw(
    'ALTER TABLE calendar_periods ADD CONSTRAINT calendar_periods_ordered CHECK (ends_on >= starts_on)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE calendar_periods DROP CONSTRAINT calendar_periods_ordered');
  await knex.raw('ALTER TABLE calendar_periods ALTER COLUMN ends_on DROP NOT NULL');
}
