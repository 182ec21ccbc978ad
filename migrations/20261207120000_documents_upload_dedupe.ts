import type { Knex } from 'knex';

// A double-clicked upload stored the same document twice, both awaiting review. Each upload now
// carries the fingerprint of its files (sha256 over their sha256s, in order), and one pending
// current document per household, type, child and fingerprint is allowed: a second identical
// request, even a concurrent one, finds the first (INSERT … ON CONFLICT DO NOTHING).
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE documents ADD COLUMN upload_sha256 varchar(64)');
  // Pending documents already stored: the earliest of identical ones gets the fingerprint, the
  // others keep none (staff review them as before).
  await knex.raw(`
    WITH prints AS (
      SELECT d.id, d.household_id, d.type_id, coalesce(d.member_id, 0) AS member,
             encode(sha256(convert_to(string_agg(f.sha256, ',' ORDER BY f.position), 'UTF8')), 'hex') AS print
      FROM documents d JOIN document_files f ON f.document_id = d.id
      WHERE d.status = 'pending' AND d.superseded_at IS NULL AND d.deleted_at IS NULL
      GROUP BY d.id
    ), firsts AS (
      SELECT id, print, row_number() OVER (PARTITION BY household_id, type_id, member, print ORDER BY id) AS n FROM prints
    )
    UPDATE documents d SET upload_sha256 = firsts.print FROM firsts WHERE firsts.id = d.id AND firsts.n = 1`);
  await knex.raw(`
    CREATE UNIQUE INDEX documents_pending_upload ON documents (household_id, type_id, coalesce(member_id, 0), upload_sha256)
    WHERE status = 'pending' AND superseded_at IS NULL AND deleted_at IS NULL AND upload_sha256 IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS documents_pending_upload');
  await knex.raw('ALTER TABLE documents DROP COLUMN IF EXISTS upload_sha256');
}
