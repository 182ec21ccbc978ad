import type { Knex } from 'knex';

// Credit notes reduce what is still due on the invoice they correct, without touching the issued
// invoice's lines, total or PDF: the amount credited is kept beside the amount paid.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invoices', (t) => {
    t.integer('credited_cents').notNullable().defaultTo(0);
  });
  await knex.raw('CREATE INDEX invoices_month_kind ON invoices (month, kind)');
  await knex.raw(
    'CREATE INDEX invoices_credit_for ON invoices (credit_for_invoice_id) WHERE credit_for_invoice_id IS NOT NULL',
  );
  await knex.raw('CREATE INDEX qf_history_request ON qf_history (request_id) WHERE request_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS qf_history_request');
  await knex.raw('DROP INDEX IF EXISTS invoices_credit_for');
  await knex.raw('DROP INDEX IF EXISTS invoices_month_kind');
  await knex.schema.alterTable('invoices', (t) => t.dropColumn('credited_cents'));
}
