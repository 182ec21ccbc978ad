import type { Knex } from 'knex';

// invoice_lines had no index on its invoice: every invoice page, every PDF batch of the invoicing
// run (250 invoices' lines: a full scan, 42–96 ms on the bench town) and the cascade from invoices
// read the whole table.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX IF NOT EXISTS invoice_lines_invoice_id ON invoice_lines (invoice_id, position)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS invoice_lines_invoice_id');
}
