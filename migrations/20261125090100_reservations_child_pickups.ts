import type { Knex } from 'knex';

// The attendance sheet shows, for each child, the contacts of its households allowed to pick it up.
// Computed per child on every sheet, that was half of the statement's cost (≈ 360 small sorted
// aggregates for a 362-child evening, docs/performance.md). The text is now kept per child in
// child_pickups, rewritten by triggers whenever a contact or a household's membership changes, so
// the sheet reads it with one index lookup. Triggers, not application code: contacts are written
// by several features (households, requests, staff), and any write path keeps the text right.
//
// Concurrency: refreshes of the same child are serialised (a transaction-level advisory lock per
// child, taken in id order); each statement of the function reads what was committed before it,
// so the last refresh to run sees every committed change. A bulk load that disables triggers
// (the bench generator's session_replication_role = replica) must call
// refresh_child_pickups(<all children>) afterwards.
const PICKUPS_LOCK_CLASS = 7301;
/** Above this many children, a refresh locks the whole table instead (rebuilds only: a trigger refreshes one household's members). */
const BULK = 1000;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE child_pickups (
    child_id bigint PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    pickups text NOT NULL
  )`);
  // "First Last, relationship, phone ; …" by last then first name, each distinct line once (a
  // contact linked to both households of a child in alternating custody is listed once).
  await knex.raw(`CREATE FUNCTION refresh_child_pickups(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF cardinality(ids) > ${BULK} THEN
        -- A rebuild (migration, bulk load): one table lock, not thousands of advisory locks (each
        -- takes a slot of the server's lock table, sized max_locks_per_transaction × connections).
        LOCK TABLE child_pickups IN EXCLUSIVE MODE;
      ELSE
        PERFORM pg_advisory_xact_lock(${PICKUPS_LOCK_CLASS}, (id % 2147483647)::int) FROM (SELECT DISTINCT id FROM unnest(ids) AS id ORDER BY id) s;
      END IF;
      DELETE FROM child_pickups WHERE child_id = ANY(ids);
      INSERT INTO child_pickups (child_id, pickups)
      SELECT child_id, string_agg(text, ' ; ' ORDER BY last_name, first_name)
        FROM (SELECT DISTINCT child_hm.member_id AS child_id,
                     concat_ws(', ', c.first_name || ' ' || c.last_name, NULLIF(c.relationship, ''), NULLIF(c.phone, '')) AS text, c.last_name, c.first_name
                FROM household_members child_hm
                JOIN members child ON child.id = child_hm.member_id AND child.kind = 'child'
                JOIN household_members hm ON hm.household_id = child_hm.household_id
                JOIN members c ON c.id = hm.member_id
               WHERE child_hm.member_id = ANY(ids) AND c.kind = 'contact' AND c.can_pick_up AND c.deleted_at IS NULL) p
       GROUP BY child_id;
    END $$`);
  // A member changed: the children of its households (a contact's line), and itself (its kind).
  await knex.raw(`CREATE FUNCTION child_pickups_member_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM refresh_child_pickups(array_append(ARRAY(
        SELECT other.member_id FROM household_members mine JOIN household_members other ON other.household_id = mine.household_id
         WHERE mine.member_id = NEW.id), NEW.id));
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER child_pickups_member AFTER UPDATE OF first_name, last_name, relationship, phone, can_pick_up, deleted_at, kind ON members
    FOR EACH ROW WHEN ((OLD.kind = 'contact' OR NEW.kind = 'contact' OR OLD.kind <> NEW.kind)
      AND (OLD.first_name, OLD.last_name, OLD.relationship, OLD.phone, OLD.can_pick_up, OLD.deleted_at, OLD.kind)
          IS DISTINCT FROM (NEW.first_name, NEW.last_name, NEW.relationship, NEW.phone, NEW.can_pick_up, NEW.deleted_at, NEW.kind))
    EXECUTE FUNCTION child_pickups_member_changed()`);
  // A membership changed: the children of the household(s) concerned, and the member itself (a
  // child that left a household loses its contacts).
  await knex.raw(`CREATE FUNCTION child_pickups_membership_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      households bigint[];
      moved bigint[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        households := ARRAY[NEW.household_id]; moved := ARRAY[NEW.member_id];
      ELSIF TG_OP = 'DELETE' THEN
        households := ARRAY[OLD.household_id]; moved := ARRAY[OLD.member_id];
      ELSE
        households := ARRAY[OLD.household_id, NEW.household_id]; moved := ARRAY[OLD.member_id, NEW.member_id];
      END IF;
      PERFORM refresh_child_pickups(moved || ARRAY(SELECT member_id FROM household_members WHERE household_id = ANY(households)));
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER child_pickups_membership AFTER INSERT OR DELETE OR UPDATE OF household_id, member_id ON household_members
    FOR EACH ROW EXECUTE FUNCTION child_pickups_membership_changed()`);
  await knex.raw(`SELECT refresh_child_pickups(ARRAY(SELECT id FROM members WHERE kind = 'child'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS child_pickups_membership ON household_members');
  await knex.raw('DROP TRIGGER IF EXISTS child_pickups_member ON members');
  await knex.raw('DROP FUNCTION IF EXISTS child_pickups_membership_changed()');
  await knex.raw('DROP FUNCTION IF EXISTS child_pickups_member_changed()');
  await knex.raw('DROP FUNCTION IF EXISTS refresh_child_pickups(bigint[])');
  await knex.raw('DROP TABLE IF EXISTS child_pickups');
}
