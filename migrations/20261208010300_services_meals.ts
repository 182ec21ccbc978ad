import type { Knex } from 'knex';

// What a service serves its children (issue 22: the kitchen headcount covers every service that
// serves meals or snacks, not the canteen only): none, lunch, snack or both. The kind alone does not
// say it (a Wednesday morning without lunch, an evening care where parents bring the snack), so
// staff set it on the service's form; existing services start from what their kind usually serves.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('services', (t) => {
    t.specificType('meals', 'text[]').notNullable().defaultTo('{}');
  });
  await knex.raw(
    "ALTER TABLE services ADD CONSTRAINT services_meals CHECK (meals <@ ARRAY['lunch','snack']::text[])",
  );
  await knex.raw(`UPDATE services SET meals = CASE kind
      WHEN 'canteen' THEN ARRAY['lunch']
      WHEN 'wednesday' THEN ARRAY['lunch','snack']
      WHEN 'holiday' THEN ARRAY['lunch','snack']
      WHEN 'after_school' THEN ARRAY['snack']
      ELSE '{}' END::text[]`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('services', (t) => {
    t.dropColumn('meals');
  });
}
