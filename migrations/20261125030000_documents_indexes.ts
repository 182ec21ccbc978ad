import type { Knex } from 'knex';

// The staff queue (pending, oldest first) and the daily expiry job read only current versions.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX documents_current_by_status ON documents (status, valid_until, uploaded_at) WHERE superseded_at IS NULL AND deleted_at IS NULL',
  );
  await knex.raw('CREATE INDEX documents_member ON documents (member_id) WHERE member_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS documents_member');
  await knex.raw('DROP INDEX IF EXISTS documents_current_by_status');
}
