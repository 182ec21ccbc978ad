import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Quotient familial: a dated history per household.
  await knex.schema.createTable('qf_history', (t) => {
    t.bigIncrements('id');
    t.bigInteger('household_id').notNullable().references('households.id');
    t.integer('value').notNullable();
    t.date('valid_from').notNullable();
    t.date('valid_to');
    t.text('source').notNullable(); // 'caf' | 'msa' | 'tax_notice' | 'staff'
    t.bigInteger('validated_by').references('accounts.id');
    t.timestamp('validated_at', { useTz: true }).notNullable();
    t.bigInteger('request_id').references('requests.id');
    t.index(['household_id', 'valid_from']);
  });

  await knex.schema.createTable('qf_brackets', (t) => {
    t.increments('id');
    t.text('school_year_id').notNullable().references('school_years.id');
    t.integer('min_qf').notNullable();
    t.integer('max_qf'); // exclusive; null: no upper bound
    t.text('label').notNullable();
    t.unique(['school_year_id', 'min_qf']);
  });

  // Prices of a service (integer cents).
  await knex.schema.createTable('service_rates', (t) => {
    t.integer('service_id').primary().references('services.id').onDelete('CASCADE');
    t.integer('out_of_town_cents');
    t.integer('unknown_qf_cents'); // null: the highest bracket's price
    t.integer('late_cancel_cents').notNullable().defaultTo(0);
    t.integer('unbooked_surcharge_cents').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('service_rate_brackets', (t) => {
    t.integer('service_id').notNullable().references('services.id').onDelete('CASCADE');
    t.integer('bracket_id').notNullable().references('qf_brackets.id');
    t.integer('unit_cents').notNullable();
    t.primary(['service_id', 'bracket_id']);
  });

  // Gapless numbering: one counter row per year and kind, incremented under a row lock in the
  // transaction that issues the invoice, so a rolled-back invoice gives its number back.
  await knex.schema.createTable('invoice_counters', (t) => {
    t.integer('year').notNullable();
    t.text('kind').notNullable(); // 'invoice' | 'credit_note'
    t.integer('last_number').notNullable().defaultTo(0);
    t.primary(['year', 'kind']);
  });

  await knex.schema.createTable('invoices', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable().defaultTo('invoice'); // 'invoice' | 'credit_note'
    t.text('number').notNullable().unique(); // '2026-000123' (credit notes: 'AV-2026-000012')
    t.bigInteger('household_id').notNullable().references('households.id');
    t.text('month').notNullable(); // 'YYYY-MM' billed
    t.bigInteger('credit_for_invoice_id').references('invoices.id');
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.date('due_on').notNullable();
    t.integer('total_cents').notNullable();
    t.integer('paid_cents').notNullable().defaultTo(0);
    // 'unpaid' | 'partially_paid' | 'paid' | 'direct_debit_planned' | 'debited' ('overdue' is shown from due_on)
    t.text('status').notNullable().defaultTo('unpaid');
    t.date('direct_debit_on');
    t.jsonb('household_snapshot').notNullable(); // number, names and postal address at issue
    t.text('pdf_storage_key');
    t.text('reason'); // credit notes
    t.bigInteger('issued_by').references('accounts.id');
    t.index(['household_id', 'issued_at']);
    t.index(['status', 'due_on']);
  });
  await knex.raw(
    "CREATE UNIQUE INDEX invoices_one_per_month ON invoices (household_id, month) WHERE kind = 'invoice'",
  );

  await knex.schema.createTable('invoice_lines', (t) => {
    t.bigIncrements('id');
    t.bigInteger('invoice_id').notNullable().references('invoices.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.bigInteger('child_id').references('members.id');
    t.integer('service_id').references('services.id');
    t.text('label').notNullable();
    t.text('kind').notNullable(); // 'booked' | 'absent_unexcused' | 'late_cancellation' | 'unbooked_presence' | 'attendance' | 'credit'
    t.integer('quantity').notNullable();
    t.integer('unit_cents').notNullable();
    t.integer('total_cents').notNullable();
    t.jsonb('days').notNullable().defaultTo('[]'); // the days billed, to explain the line
  });

  await knex.schema.createTable('payments', (t) => {
    t.bigIncrements('id');
    t.bigInteger('invoice_id').notNullable().references('invoices.id');
    t.bigInteger('household_id').notNullable().references('households.id');
    t.text('method').notNullable(); // 'online' | 'direct_debit' | 'cash' | 'cheque' | 'card' | 'cesu'
    t.integer('amount_cents').notNullable();
    t.integer('overpaid_cents').notNullable().defaultTo(0); // beyond what was due: to refund
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.text('reference'); // PayFiP idOp, cheque number, SEPA end-to-end id …
    t.text('status').notNullable().defaultTo('recorded'); // 'recorded' | 'rejected' (a returned direct debit)
    t.bigInteger('recorded_by').references('accounts.id');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.index(['invoice_id']);
    t.index(['received_at']);
  });
  await knex.raw("CREATE UNIQUE INDEX payments_online_once ON payments (reference) WHERE method = 'online'");
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'payments',
    'invoice_lines',
    'invoices',
    'invoice_counters',
    'service_rate_brackets',
    'service_rates',
    'qf_brackets',
    'qf_history',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
