import type { Knex } from 'knex';

// One open online payment per invoice (issue 21: two tabs charged 60 € on a 30 € invoice). The
// database refuses a second pending operation even when two requests race; the loser resumes the
// winner's PayFiP page, whose address is kept here (an idOp's page can be shown until it is used
// or 15 minutes have passed).
export async function up(knex: Knex): Promise<void> {
  // Two pending operations for one invoice may predate this index. Neither can be closed here
  // (only PayFiP knows whether it was paid): the polling job settles them within 15 minutes.
  const { rows } = (await knex.raw(
    "SELECT invoice_id FROM payment_operations WHERE state = 'pending' GROUP BY invoice_id HAVING count(*) > 1 LIMIT 5",
  )) as { rows: { invoice_id: string }[] };
  if (rows.length) {
    throw new Error(
      `invoices ${rows.map((r) => r.invoice_id).join(', ')} have more than one pending PayFiP operation: ` +
        'let the payments.poll job settle them (15 minutes at most), then migrate again',
    );
  }
  await knex.schema.alterTable('payment_operations', (t) => {
    t.text('redirect_url');
  });
  await knex.raw(
    "CREATE UNIQUE INDEX payment_operations_one_open ON payment_operations (invoice_id) WHERE state = 'pending'",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS payment_operations_one_open');
  await knex.schema.alterTable('payment_operations', (t) => {
    t.dropColumn('redirect_url');
  });
}
