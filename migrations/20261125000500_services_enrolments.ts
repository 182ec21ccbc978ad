import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('services', (t) => {
    t.increments('id');
    t.text('school_year_id').notNullable().references('school_years.id');
    t.text('kind').notNullable(); // 'canteen' | 'before_school' | 'after_school' | 'wednesday' | 'holiday' | 'school'
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.integer('site_school_id').references('schools.id'); // where it takes place (animators' sites)
    // Opening days: 'school_days' (the weekdays below in school periods), 'wednesdays', 'holidays', 'none' (school enrolment).
    t.text('opening_days').notNullable().defaultTo('school_days');
    t.specificType('weekdays', 'smallint[]').notNullable().defaultTo('{1,2,4,5}'); // ISO weekdays
    t.date('enrol_opens_on');
    t.date('enrol_closes_on');
    t.boolean('needs_validation').notNullable().defaultTo(true);
    t.specificType('class_levels', 'text[]'); // null: every level
    t.smallint('min_age');
    t.smallint('max_age');
    // Billing: the unit sold and what is billed (bookings or attendance).
    t.text('unit').notNullable().defaultTo('day'); // 'day' | 'meal' | 'session' | 'week'
    t.text('billing_basis').notNullable().defaultTo('bookings'); // 'bookings' | 'attendance'
    // Booking rules (reservations feature); deadlines as JSON, see src/reservations/rules.ts.
    t.jsonb('booking_deadline');
    t.jsonb('cancel_deadline');
    t.integer('booking_window_days');
    t.timestamp('booking_opens_at', { useTz: true });
    t.text('booking_unit').notNullable().defaultTo('day'); // 'day' | 'week'
    t.text('sick_declaration_until').notNullable().defaultTo('09:00'); // Paris time on the day
    t.integer('capacity'); // null: unlimited
    t.text('capacity_split').notNullable().defaultTo('none'); // 'none' | 'age' | 'school'
    t.jsonb('capacity_groups').notNullable().defaultTo('[]'); // [{ key, label, minAge?, maxAge?, schoolId?, capacity }]
    t.boolean('active').notNullable().defaultTo(true);
    t.unique(['school_year_id', 'name']);
  });
  await knex.raw(
    "ALTER TABLE services ADD CONSTRAINT services_kind CHECK (kind IN ('canteen','before_school','after_school','wednesday','holiday','school'))",
  );

  await knex.schema.createTable('service_schools', (t) => {
    t.integer('service_id').notNullable().references('services.id').onDelete('CASCADE');
    t.integer('school_id').notNullable().references('schools.id');
    t.primary(['service_id', 'school_id']);
  });

  await knex.schema.createTable('service_requirements', (t) => {
    t.integer('service_id').notNullable().references('services.id').onDelete('CASCADE');
    t.integer('document_type_id').notNullable().references('document_types.id');
    t.text('rule').notNullable().defaultTo('valid_at_start'); // 'valid_at_start' | 'valid_whole_period'
    t.primary(['service_id', 'document_type_id']);
  });

  await knex.schema.createTable('enrolments', (t) => {
    t.bigIncrements('id');
    t.bigInteger('child_id').notNullable().references('members.id');
    t.integer('service_id').notNullable().references('services.id');
    t.bigInteger('household_id').notNullable().references('households.id');
    t.text('school_year_id').notNullable().references('school_years.id');
    t.text('status').notNullable().defaultTo('draft'); // 'draft' | 'submitted' | 'accepted' | 'refused' | 'withdrawn' | 'ended'
    t.text('step').notNullable().defaultTo('child');
    t.jsonb('options').notNullable().defaultTo('{}'); // e.g. { weekdays: [1,2,4] } to prefill weekly bookings
    t.integer('school_id').references('schools.id'); // school enrolment: the school asked for
    t.boolean('derogation').notNullable().defaultTo(false);
    t.bigInteger('request_id').references('requests.id');
    t.bigInteger('created_by').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('submitted_at', { useTz: true });
    t.timestamp('decided_at', { useTz: true });
    t.date('ends_on');
    t.timestamp('ended_at', { useTz: true });
    t.index(['service_id', 'status']);
    t.index(['household_id']);
  });
  // One active enrolment (or draft) per child and service (a service belongs to one school year).
  await knex.raw(
    "CREATE UNIQUE INDEX enrolments_one_active ON enrolments (child_id, service_id) WHERE status IN ('draft','submitted','accepted')",
  );

  // Reservations: child × service × day. 'booked' and 'waiting' hold or wait for a seat.
  await knex.schema.createTable('reservations', (t) => {
    t.bigIncrements('id');
    t.integer('service_id').notNullable().references('services.id');
    t.bigInteger('child_id').notNullable().references('members.id');
    t.bigInteger('household_id').notNullable().references('households.id'); // who booked, who pays
    t.date('day').notNullable();
    t.text('group_key').notNullable().defaultTo(''); // capacity group (age or school), '' when not split
    // 'booked' | 'waiting' | 'cancelled' | 'late_cancelled' | 'cancelled_free' | 'closed_by_town' | 'sick'
    t.text('status').notNullable();
    t.timestamp('sick_declared_at', { useTz: true });
    t.bigInteger('sick_certificate_document_id').references('documents.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.bigInteger('created_by').references('accounts.id');
    t.timestamp('cancelled_at', { useTz: true });
    t.bigInteger('cancelled_by').references('accounts.id');
    t.text('cancel_reason');
    t.index(['service_id', 'day', 'status']);
    t.index(['household_id', 'day']);
    t.index(['child_id', 'day']);
  });
  // At most one live reservation per child, service and day: double submits are harmless.
  await knex.raw(
    "CREATE UNIQUE INDEX reservations_one_live ON reservations (service_id, child_id, day) WHERE status IN ('booked','waiting','sick')",
  );

  await knex.schema.createTable('attendance', (t) => {
    t.integer('service_id').notNullable().references('services.id');
    t.bigInteger('child_id').notNullable().references('members.id');
    t.date('day').notNullable();
    t.text('status').notNullable(); // 'present' | 'absent_excused' | 'absent' | 'present_unbooked'
    t.bigInteger('household_id').references('households.id'); // who is billed for an unbooked presence
    t.bigInteger('recorded_by').references('accounts.id');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.primary(['service_id', 'child_id', 'day']);
    t.index(['service_id', 'day']);
  });

  // Months already invoiced: their attendance can no longer change.
  await knex.schema.createTable('locked_months', (t) => {
    t.text('month').primary(); // 'YYYY-MM'
    t.timestamp('locked_at', { useTz: true }).notNullable();
    t.bigInteger('locked_by').references('accounts.id');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'locked_months',
    'attendance',
    'reservations',
    'enrolments',
    'service_requirements',
    'service_schools',
    'services',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
