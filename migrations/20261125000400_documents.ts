import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Document types are data: admins edit them at /admin/document-types.
  await knex.schema.createTable('document_types', (t) => {
    t.increments('id');
    t.text('code').notNullable().unique(); // 'insurance', 'vaccinations', 'caf_attestation', …
    t.text('name').notNullable();
    t.text('description');
    t.text('scope').notNullable(); // 'child' | 'household'
    // Default validity: 'none' (no end), 'months' (validity_months after upload), 'school_year_end' (31 August).
    t.text('validity_rule').notNullable().defaultTo('none');
    t.integer('validity_months');
    t.boolean('active').notNullable().defaultTo(true);
  });
  await knex.raw(
    "ALTER TABLE document_types ADD CONSTRAINT document_types_scope CHECK (scope IN ('child','household'))",
  );
  await knex.raw(
    "ALTER TABLE document_types ADD CONSTRAINT document_types_validity CHECK (validity_rule IN ('none','months','school_year_end'))",
  );

  await knex.schema.createTable('documents', (t) => {
    t.bigIncrements('id');
    t.bigInteger('household_id').notNullable().references('households.id');
    t.bigInteger('member_id').references('members.id'); // a child, or null for the whole household
    t.integer('type_id').notNullable().references('document_types.id');
    t.text('status').notNullable().defaultTo('pending'); // 'pending' | 'accepted' | 'rejected' | 'expired'
    t.date('valid_until');
    t.text('reject_reason');
    t.bigInteger('uploaded_by').references('accounts.id');
    t.boolean('uploaded_by_staff').notNullable().defaultTo(false);
    t.timestamp('uploaded_at', { useTz: true }).notNullable();
    t.bigInteger('reviewed_by').references('accounts.id');
    t.timestamp('reviewed_at', { useTz: true });
    t.bigInteger('replaces_id').references('documents.id'); // the older version this one replaces
    t.timestamp('superseded_at', { useTz: true }); // set when a newer version replaces it
    t.timestamp('deleted_at', { useTz: true });
    t.index(['household_id', 'type_id']);
    t.index(['status', 'uploaded_at']);
  });
  await knex.raw(
    "ALTER TABLE documents ADD CONSTRAINT documents_status CHECK (status IN ('pending','accepted','rejected','expired'))",
  );

  // The pages of a document (a vaccination booklet is several photos). Files live in storage under storage_key.
  await knex.schema.createTable('document_files', (t) => {
    t.bigIncrements('id');
    t.bigInteger('document_id').notNullable().references('documents.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('storage_key').notNullable().unique();
    t.text('original_name').notNullable();
    t.text('mime_type').notNullable();
    t.integer('size_bytes').notNullable();
    t.string('sha256', 64).notNullable();
    t.unique(['document_id', 'position']);
  });

  // Expiry reminders sent, once each (the unique key makes a second run harmless).
  await knex.schema.createTable('document_reminders', (t) => {
    t.bigInteger('document_id').notNullable().references('documents.id').onDelete('CASCADE');
    t.text('kind').notNullable(); // 'd30' | 'd7'
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.primary(['document_id', 'kind']);
  });

  await knex.schema.alterTable('request_events', (t) => {
    t.foreign('document_id').references('documents.id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('request_events', (t) => t.dropForeign(['document_id']));
  for (const table of ['document_reminders', 'document_files', 'documents', 'document_types'])
    await knex.schema.dropTableIfExists(table);
}
