import type { Knex } from 'knex';

// Closures (issue 22): one closure closes a day or a range of days for one service, the services
// of one school or the whole town, and can be reopened. Its days stay in service_day_closures
// (what the calendar reads), each row now naming the closure that made it; the reservations it
// cancelled name it too, so that reopening tells exactly those families.
// reservation_counters.closed is the gate a booking cannot slip past: the closing sets it on the
// day's counter rows (which waits for the bookings holding them) and a booking's seat statement
// re-reads it under the row lock (see bookDay in src/reservations/booking-repository.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('closures', (t) => {
    t.bigIncrements('id');
    t.text('scope').notNullable();
    t.integer('service_id').references('services.id').onDelete('CASCADE');
    t.integer('school_id').references('schools.id');
    t.date('first_day').notNullable();
    t.date('last_day').notNullable();
    t.text('reason').notNullable();
    t.bigInteger('closed_by').references('accounts.id');
    t.timestamp('closed_at', { useTz: true }).notNullable();
    t.bigInteger('reopened_by').references('accounts.id');
    t.timestamp('reopened_at', { useTz: true });
    t.index(['closed_at']);
  });
  await knex.raw(
    `ALTER TABLE closures ADD CONSTRAINT closures_scope CHECK (
       (scope = 'service' AND service_id IS NOT NULL AND school_id IS NULL) OR
       (scope = 'school' AND school_id IS NOT NULL AND service_id IS NULL) OR
       (scope = 'town' AND service_id IS NULL AND school_id IS NULL))`,
  );
  await knex.raw('ALTER TABLE closures ADD CONSTRAINT closures_range CHECK (first_day <= last_day)');
  await knex.schema.alterTable('service_day_closures', (t) => {
    t.bigInteger('closure_id').references('closures.id').onDelete('CASCADE');
    t.index(['closure_id']);
  });
  await knex.schema.alterTable('reservations', (t) => {
    t.bigInteger('closure_id').references('closures.id').onDelete('SET NULL');
  });
  await knex.raw(
    'CREATE INDEX reservations_closure ON reservations (closure_id) WHERE closure_id IS NOT NULL',
  );
  await knex.schema.alterTable('reservation_counters', (t) => {
    t.boolean('closed').notNullable().defaultTo(false);
  });
  await knex.raw(
    `UPDATE reservation_counters c SET closed = true
       FROM service_day_closures d WHERE d.service_id = c.service_id AND d.day = c.day`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reservation_counters', (t) => t.dropColumn('closed'));
  await knex.raw('DROP INDEX IF EXISTS reservations_closure');
  await knex.schema.alterTable('reservations', (t) => t.dropColumn('closure_id'));
  await knex.schema.alterTable('service_day_closures', (t) => t.dropColumn('closure_id'));
  await knex.schema.dropTableIfExists('closures');
}
