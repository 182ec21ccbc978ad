import type { Knex } from 'knex';

// Adults' meals (teachers, animators, agents who eat at the school), entered by the school for a
// day and counted in the kitchen headcount beside the children's bookings. One number per school
// and day; who last wrote it is in the row, each change in the audit log.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('adult_meals', (t) => {
    t.integer('school_id').notNullable().references('schools.id');
    t.date('day').notNullable();
    t.integer('meals').notNullable();
    t.bigInteger('recorded_by').references('accounts.id');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.primary(['school_id', 'day']);
  });
  await knex.raw('ALTER TABLE adult_meals ADD CONSTRAINT adult_meals_count CHECK (meals >= 0)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('adult_meals');
}
