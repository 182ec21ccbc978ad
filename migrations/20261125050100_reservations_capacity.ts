import type { Knex } from 'knex';

// Reservations: per-day seat counters (the capacity check a race cannot beat), days a service is
// closed (strike, snow), the statuses a reservation may take and the waiting-list order.
export async function up(knex: Knex): Promise<void> {
  // One row per (service, day, capacity group), created on demand; booking does
  // UPDATE … SET booked = booked + 1 WHERE booked < capacity in the booking transaction.
  await knex.schema.createTable('reservation_counters', (t) => {
    t.integer('service_id').notNullable().references('services.id').onDelete('CASCADE');
    t.date('day').notNullable();
    t.text('group_key').notNullable().defaultTo('');
    t.integer('booked').notNullable().defaultTo(0);
    t.primary(['service_id', 'day', 'group_key']);
  });
  await knex.raw(
    'ALTER TABLE reservation_counters ADD CONSTRAINT reservation_counters_booked CHECK (booked >= 0)',
  );

  // A day a service does not run although the calendar says it should (strike, snow, shortage).
  await knex.schema.createTable('service_day_closures', (t) => {
    t.integer('service_id').notNullable().references('services.id').onDelete('CASCADE');
    t.date('day').notNullable();
    t.text('reason').notNullable();
    t.bigInteger('closed_by').references('accounts.id');
    t.timestamp('closed_at', { useTz: true }).notNullable();
    t.primary(['service_id', 'day']);
  });

  await knex.raw(
    "ALTER TABLE reservations ADD CONSTRAINT reservations_status CHECK (status IN ('booked','waiting','cancelled','late_cancelled','cancelled_free','closed_by_town','sick'))",
  );
  // The waiting list of a day, first come first served.
  await knex.raw(
    "CREATE INDEX reservations_waiting ON reservations (service_id, day, group_key, created_at, id) WHERE status = 'waiting'",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS reservations_waiting');
  await knex.raw('ALTER TABLE reservations DROP CONSTRAINT IF EXISTS reservations_status');
  await knex.schema.dropTableIfExists('service_day_closures');
  await knex.schema.dropTableIfExists('reservation_counters');
}
