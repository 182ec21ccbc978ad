import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per PayFiP operation the app created: the only operations a notification may settle.
  await knex.schema.createTable('payment_operations', (t) => {
    t.bigIncrements('id');
    t.text('id_op').notNullable().unique();
    t.bigInteger('invoice_id').notNullable().references('invoices.id');
    t.bigInteger('household_id').notNullable().references('households.id');
    t.bigInteger('account_id').references('accounts.id');
    t.text('refdet').notNullable();
    t.integer('amount_cents').notNullable();
    t.text('payer_email').notNullable();
    // 'pending' | 'paid' | 'refused' | 'abandoned' | 'expired' | 'anomaly'
    t.text('state').notNullable().defaultTo('pending');
    t.text('result_code');
    t.bigInteger('payment_id').references('payments.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('settled_at', { useTz: true });
    t.timestamp('last_checked_at', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.index(['household_id', 'created_at']);
  });
  await knex.raw(
    "CREATE INDEX payment_operations_pending ON payment_operations (created_at) WHERE state = 'pending'",
  );

  // The PayFiP stand-in's own operations (development and tests), shared by every app process.
  await knex.schema.createTable('standin_operations', (t) => {
    t.text('id_op').primary();
    t.jsonb('args').notNullable(); // creerPaiementSecurise arguments as received
    t.text('nonce').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.jsonb('result');
  });

  await knex.schema.createTable('sepa_mandates', (t) => {
    t.bigIncrements('id');
    t.bigInteger('household_id').notNullable().references('households.id');
    t.text('holder').notNullable();
    t.text('iban').notNullable();
    t.text('bic');
    t.text('address').notNullable();
    t.timestamp('consent_at', { useTz: true }).notNullable();
    t.date('signed_on');
    t.text('rum').unique();
    // 'requested' | 'active' | 'revoked' | 'refused' | 'cancelled'
    t.text('status').notNullable().defaultTo('requested');
    t.boolean('first_debit_done').notNullable().defaultTo(false);
    t.bigInteger('request_id').references('requests.id');
    t.bigInteger('requested_by').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('activated_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
  });
  await knex.raw(
    "CREATE UNIQUE INDEX sepa_mandates_one_open ON sepa_mandates (household_id) WHERE status IN ('requested', 'active')",
  );

  await knex.schema.createTable('sepa_exports', (t) => {
    t.bigIncrements('id');
    t.text('month').notNullable(); // 'YYYY-MM'
    t.text('message_id').notNullable().unique();
    t.date('collection_date').notNullable();
    t.integer('transaction_count').notNullable();
    t.bigInteger('total_cents').notNullable();
    t.text('xml').notNullable();
    t.bigInteger('created_by').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('sepa_export_items', (t) => {
    t.bigIncrements('id');
    t.bigInteger('export_id').notNullable().references('sepa_exports.id');
    t.bigInteger('invoice_id').notNullable().references('invoices.id');
    t.bigInteger('mandate_id').notNullable().references('sepa_mandates.id');
    t.bigInteger('payment_id').notNullable().references('payments.id').unique();
    t.text('end_to_end_id').notNullable();
    t.text('sequence_type').notNullable();
    t.integer('amount_cents').notNullable();
    t.text('rejection_code');
    t.timestamp('rejected_at', { useTz: true });
    t.bigInteger('rejected_by').references('accounts.id');
    t.unique(['export_id', 'end_to_end_id']);
  });

  await knex.schema.createTable('payment_anomalies', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // 'amount_mismatch' | 'reference_mismatch' | 'unknown_operation'
    t.bigInteger('operation_id').references('payment_operations.id');
    t.bigInteger('invoice_id').references('invoices.id');
    t.bigInteger('household_id').references('households.id');
    t.integer('expected_cents');
    t.integer('received_cents');
    t.text('expected_reference');
    t.text('received_reference');
    t.text('result_code');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('resolved_at', { useTz: true });
    t.bigInteger('resolved_by').references('accounts.id');
    t.text('resolution');
  });
  await knex.raw('CREATE UNIQUE INDEX payment_anomalies_once ON payment_anomalies (operation_id, kind)');

  await knex.schema.createTable('refunds', (t) => {
    t.bigIncrements('id');
    t.bigInteger('payment_id').notNullable().references('payments.id');
    t.bigInteger('household_id').notNullable().references('households.id');
    t.integer('amount_cents').notNullable();
    t.text('method').notNullable(); // 'transfer' | 'cheque' | 'cash'
    t.text('reason').notNullable();
    t.date('refunded_on').notNullable();
    t.bigInteger('recorded_by').references('accounts.id');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.index(['payment_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'refunds',
    'payment_anomalies',
    'sepa_export_items',
    'sepa_exports',
    'sepa_mandates',
    'standin_operations',
    'payment_operations',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
