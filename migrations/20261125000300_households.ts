import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE SEQUENCE family_number_seq START 1001');

  await knex.schema.createTable('households', (t) => {
    t.bigIncrements('id');
    t.text('family_number').notNullable().unique(); // shown on the family card, e.g. 'SE-001001'
    t.boolean('out_of_town').notNullable().defaultTo(false);
    t.integer('street_id').references('streets.id');
    t.text('house_number');
    t.text('address_line'); // out of town: free address
    t.text('address_complement');
    t.string('postcode', 5);
    t.text('city');
    t.text('phone_home');
    t.text('phone_mobile');
    t.text('phone_work');
    t.text('email'); // email for correspondence
    t.text('allocataire_kind'); // 'CAF' | 'MSA' | null
    t.text('allocataire_number');
    t.boolean('paperless').notNullable().defaultTo(true);
    t.timestamp('paperless_changed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.bigInteger('created_by').references('accounts.id');
    t.timestamp('updated_at', { useTz: true });
  });
  await knex.raw(
    "ALTER TABLE households ADD CONSTRAINT households_allocataire CHECK (allocataire_kind IS NULL OR allocataire_kind IN ('CAF','MSA'))",
  );

  // Guardian accounts linked to a household (one household per account).
  await knex.schema.createTable('household_accounts', (t) => {
    t.bigInteger('household_id').notNullable().references('households.id').onDelete('CASCADE');
    t.bigInteger('account_id').notNullable().references('accounts.id').unique();
    t.timestamp('linked_at', { useTz: true }).notNullable();
    t.primary(['household_id', 'account_id']);
  });

  await knex.schema.createTable('household_invitations', (t) => {
    t.bigIncrements('id');
    t.bigInteger('household_id').notNullable().references('households.id').onDelete('CASCADE');
    t.text('email').notNullable();
    t.text('token_hash').notNullable().unique();
    t.bigInteger('invited_by').notNullable().references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('accepted_at', { useTz: true });
    t.bigInteger('accepted_by').references('accounts.id');
  });

  // Activation codes of family cards created at the desk. Stored hashed, single use.
  await knex.schema.createTable('activation_codes', (t) => {
    t.bigIncrements('id');
    t.bigInteger('household_id').notNullable().references('households.id').onDelete('CASCADE');
    t.text('code_hash').notNullable();
    t.bigInteger('created_by').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.timestamp('locked_at', { useTz: true });
    t.timestamp('used_at', { useTz: true });
    t.bigInteger('used_by').references('accounts.id');
    t.timestamp('revoked_at', { useTz: true });
    t.index(['household_id']);
  });

  // A person of a household: child, guardian (not necessarily an account holder) or contact.
  await knex.schema.createTable('members', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // 'child' | 'guardian' | 'contact'
    t.text('first_name').notNullable();
    t.text('last_name').notNullable();
    // child
    t.date('birth_date');
    t.text('sex'); // 'F' | 'M'
    t.integer('school_id').references('schools.id');
    t.text('class_level');
    t.text('diet'); // 'none' | 'no_pork' | 'vegetarian' | 'no_meat'
    t.text('allergies');
    t.boolean('has_pai').notNullable().defaultTo(false);
    t.text('doctor_name');
    t.text('doctor_phone');
    t.boolean('image_rights').notNullable().defaultTo(false);
    t.timestamp('image_rights_at', { useTz: true });
    // guardian and contact
    t.text('phone');
    t.text('phone2');
    t.text('email');
    t.text('relationship');
    t.boolean('can_pick_up').notNullable().defaultTo(false);
    t.boolean('emergency_contact').notNullable().defaultTo(false);
    t.bigInteger('account_id').references('accounts.id'); // a guardian who is also an account holder
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true });
    t.timestamp('deleted_at', { useTz: true }); // contacts deleted by staff
  });
  await knex.raw(
    "ALTER TABLE members ADD CONSTRAINT members_kind CHECK (kind IN ('child','guardian','contact'))",
  );
  await knex.raw(
    "ALTER TABLE members ADD CONSTRAINT members_diet CHECK (diet IS NULL OR diet IN ('none','no_pork','vegetarian','no_meat'))",
  );
  await knex.raw(
    'CREATE INDEX members_name_search ON members (lower(f_unaccent(last_name)), lower(f_unaccent(first_name)))',
  );

  // Which households a member belongs to. A child in alternating custody has two rows;
  // custody_weeks says which ISO weeks each household has the child ('odd' | 'even' | null = all).
  await knex.schema.createTable('household_members', (t) => {
    t.bigInteger('household_id').notNullable().references('households.id').onDelete('CASCADE');
    t.bigInteger('member_id').notNullable().references('members.id').onDelete('CASCADE');
    t.text('custody_weeks');
    t.timestamp('linked_at', { useTz: true }).notNullable();
    t.primary(['household_id', 'member_id']);
    t.index(['member_id']);
  });

  // A guardian member's children.
  await knex.schema.createTable('guardian_children', (t) => {
    t.bigInteger('guardian_id').notNullable().references('members.id').onDelete('CASCADE');
    t.bigInteger('child_id').notNullable().references('members.id').onDelete('CASCADE');
    t.primary(['guardian_id', 'child_id']);
  });

  // Requests (démarches): anything a parent asks that staff must handle.
  await knex.schema.createTable('requests', (t) => {
    t.bigIncrements('id');
    t.text('type').notNullable(); // 'contact_deletion' | 'lost_activation_code' | 'enrolment' | 'enrolment_end' | 'derogation' | 'rate_update' | 'sepa_mandate' …
    t.string('tracking_code', 8).notNullable().unique();
    t.bigInteger('account_id').references('accounts.id'); // owner (null: filed without an account, e.g. lost code)
    t.bigInteger('household_id').references('households.id');
    t.bigInteger('child_id').references('members.id');
    t.text('status').notNullable().defaultTo('submitted');
    t.text('summary').notNullable().defaultTo('');
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.timestamp('decided_at', { useTz: true });
    t.bigInteger('decided_by').references('accounts.id');
    t.index(['household_id', 'created_at']);
    t.index(['status', 'type', 'created_at']);
  });
  await knex.raw(
    "ALTER TABLE requests ADD CONSTRAINT requests_status CHECK (status IN ('submitted','in_review','incomplete','accepted','refused','cancelled'))",
  );

  await knex.schema.createTable('request_events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('request_id').notNullable().references('requests.id').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable();
    t.bigInteger('actor_account_id').references('accounts.id');
    t.text('actor_side').notNullable(); // 'parent' | 'staff' | 'system'
    t.text('status'); // the new status, when the event changes it
    t.text('message');
    t.bigInteger('document_id'); // a document given in answer (FK added by the documents migration)
    t.index(['request_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'request_events',
    'requests',
    'guardian_children',
    'household_members',
    'members',
    'activation_codes',
    'household_invitations',
    'household_accounts',
    'households',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('DROP SEQUENCE IF EXISTS family_number_seq');
}
