// SQL for households, members, invitations and activation codes, plus the read-only views of
// other features' rows the child page shows (documents, enrolments, reservations).
// No rules here.
import type { Queryable } from '../platform/db.js';

export interface HouseholdRow {
  id: number;
  family_number: string;
  out_of_town: boolean;
  street_id: number | null;
  house_number: string | null;
  address_line: string | null;
  address_complement: string | null;
  postcode: string | null;
  city: string | null;
  phone_home: string | null;
  phone_mobile: string | null;
  phone_work: string | null;
  email: string | null;
  allocataire_kind: 'CAF' | 'MSA' | null;
  allocataire_number: string | null;
  paperless: boolean;
  paperless_changed_at: Date | null;
  created_at: Date;
  created_by: number | null;
  updated_at: Date | null;
}

export interface HouseholdView extends HouseholdRow {
  street_name: string | null;
  elementary_school: string | null;
  nursery_school: string | null;
}

export interface MemberRow {
  id: number;
  kind: 'child' | 'guardian' | 'contact';
  first_name: string;
  last_name: string;
  birth_date: string | null;
  sex: string | null;
  school_id: number | null;
  class_level: string | null;
  diet: string | null;
  allergies: string | null;
  has_pai: boolean;
  doctor_name: string | null;
  doctor_phone: string | null;
  image_rights: boolean;
  image_rights_at: Date | null;
  phone: string | null;
  phone2: string | null;
  email: string | null;
  relationship: string | null;
  can_pick_up: boolean;
  emergency_contact: boolean;
  account_id: number | null;
  created_at: Date;
  updated_at: Date | null;
  deleted_at: Date | null;
  custody_weeks: 'odd' | 'even' | null;
  school_name?: string | null;
}

export async function nextFamilyNumber(q: Queryable): Promise<string> {
  const { rows } = (await q.raw("SELECT nextval('family_number_seq') AS n")) as { rows: { n: number }[] };
  return `SE-${String(rows[0]!.n).padStart(6, '0')}`;
}

export async function insertHousehold(
  q: Queryable,
  row: Partial<HouseholdRow> & { family_number: string; created_at: Date },
): Promise<number> {
  const [r] = await q('households').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const updateHousehold = (q: Queryable, id: number, patch: Partial<HouseholdRow>) =>
  q('households').where({ id }).update(patch);

export const findHousehold = (q: Queryable, id: number) =>
  q<HouseholdRow>('households').where({ id }).first() as Promise<HouseholdRow | undefined>;

export const findHouseholdByFamilyNumber = (q: Queryable, familyNumber: string) =>
  q<HouseholdRow>('households').where({ family_number: familyNumber }).first() as Promise<
    HouseholdRow | undefined
  >;

/** The household with its street and catchment schools. */
export const householdView = (q: Queryable, id: number) =>
  q('households as h')
    .leftJoin('streets as s', 's.id', 'h.street_id')
    .leftJoin('schools as e', 'e.id', 's.elementary_school_id')
    .leftJoin('schools as n', 'n.id', 's.nursery_school_id')
    .where('h.id', id)
    .first(
      'h.*',
      's.name as street_name',
      'e.name as elementary_school',
      'n.name as nursery_school',
    ) as Promise<HouseholdView | undefined>;

export const householdAccounts = (q: Queryable, householdId: number) =>
  q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('ha.household_id', householdId)
    .orderBy('ha.linked_at')
    .select('a.id', 'a.email', 'a.first_name', 'a.last_name', 'ha.linked_at') as Promise<
    { id: number; email: string; first_name: string; last_name: string; linked_at: Date }[]
  >;

export const linkAccount = (q: Queryable, householdId: number, accountId: number, at: Date) =>
  q('household_accounts').insert({ household_id: householdId, account_id: accountId, linked_at: at });

export const streets = (q: Queryable) =>
  q('streets').orderBy('name').select('id', 'name') as Promise<{ id: number; name: string }[]>;
export const findStreet = (q: Queryable, id: number) =>
  q('streets').where({ id }).first('id', 'name') as Promise<{ id: number; name: string } | undefined>;
export const schools = (q: Queryable) =>
  q('schools').orderBy('name').select('id', 'name', 'class_levels', 'is_public') as Promise<
    { id: number; name: string; class_levels: string[]; is_public: boolean }[]
  >;
export const findSchool = (q: Queryable, id: number) =>
  q('schools').where({ id }).first('id', 'name', 'class_levels') as Promise<
    { id: number; name: string; class_levels: string[] } | undefined
  >;

// ---------- Members ----------

const memberColumns = ['m.*', 'hm.custody_weeks', 'sc.name as school_name'];

export const listMembers = (q: Queryable, householdId: number) =>
  q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .leftJoin('schools as sc', 'sc.id', 'm.school_id')
    .where('hm.household_id', householdId)
    .whereNull('m.deleted_at')
    .orderByRaw("CASE m.kind WHEN 'guardian' THEN 0 WHEN 'child' THEN 1 ELSE 2 END")
    .orderBy([{ column: 'm.birth_date' }, { column: 'm.id' }])
    .select(memberColumns) as Promise<MemberRow[]>;

/** A member of the household (not deleted), or undefined: callers answer 404. */
export const findMemberOfHousehold = (q: Queryable, householdId: number, memberId: number) =>
  q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .leftJoin('schools as sc', 'sc.id', 'm.school_id')
    .where({ 'hm.household_id': householdId, 'm.id': memberId })
    .whereNull('m.deleted_at')
    .first(memberColumns) as Promise<MemberRow | undefined>;

export async function insertMember(q: Queryable, row: Record<string, unknown>): Promise<number> {
  const [r] = await q('members').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const updateMember = (q: Queryable, id: number, patch: Record<string, unknown>) =>
  q('members').where({ id }).update(patch);

export const linkMember = (
  q: Queryable,
  householdId: number,
  memberId: number,
  at: Date,
  custodyWeeks: 'odd' | 'even' | null = null,
) =>
  q('household_members').insert({
    household_id: householdId,
    member_id: memberId,
    linked_at: at,
    custody_weeks: custodyWeeks,
  });

export const setCustodyWeeks = (
  q: Queryable,
  householdId: number,
  memberId: number,
  weeks: 'odd' | 'even' | null,
) =>
  q('household_members')
    .where({ household_id: householdId, member_id: memberId })
    .update({ custody_weeks: weeks });

export const memberHouseholds = (q: Queryable, memberId: number) =>
  q('household_members').where({ member_id: memberId }).select('household_id', 'custody_weeks') as Promise<
    { household_id: number; custody_weeks: string | null }[]
  >;

export async function setGuardianChildren(
  q: Queryable,
  guardianId: number,
  childIds: number[],
): Promise<void> {
  await q('guardian_children').where({ guardian_id: guardianId }).delete();
  if (childIds.length)
    await q('guardian_children').insert(childIds.map((child_id) => ({ guardian_id: guardianId, child_id })));
}

export const guardianLinks = (q: Queryable, householdId: number) =>
  q('guardian_children as gc')
    .join('household_members as hm', 'hm.member_id', 'gc.guardian_id')
    .where('hm.household_id', householdId)
    .select('gc.guardian_id', 'gc.child_id') as Promise<{ guardian_id: number; child_id: number }[]>;

// ---------- Invitations ----------

export interface InvitationRow {
  id: number;
  household_id: number;
  email: string;
  token_hash: string;
  invited_by: number;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: number | null;
}

export async function insertInvitation(
  q: Queryable,
  row: Omit<InvitationRow, 'id' | 'accepted_at' | 'accepted_by'>,
): Promise<number> {
  const [r] = await q('household_invitations').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const findInvitationByHash = (q: Queryable, tokenHash: string) =>
  q<InvitationRow>('household_invitations').where({ token_hash: tokenHash }).first() as Promise<
    InvitationRow | undefined
  >;

export const findInvitationOfHousehold = (q: Queryable, householdId: number, id: number) =>
  q<InvitationRow>('household_invitations').where({ household_id: householdId, id }).first() as Promise<
    InvitationRow | undefined
  >;

export const pendingInvitations = (q: Queryable, householdId: number, now: Date) =>
  q<InvitationRow>('household_invitations')
    .where({ household_id: householdId })
    .whereNull('accepted_at')
    .where('expires_at', '>', now)
    .orderBy('created_at') as Promise<InvitationRow[]>;

export const deleteInvitation = (q: Queryable, id: number) =>
  q('household_invitations').where({ id }).delete();

// ---------- Activation codes ----------

export interface ActivationCodeRow {
  id: number;
  household_id: number;
  code_hash: string;
  created_by: number | null;
  created_at: Date;
  expires_at: Date;
  failed_attempts: number;
  locked_at: Date | null;
  used_at: Date | null;
  used_by: number | null;
  revoked_at: Date | null;
}

/** The household's current code (the newest one not revoked), if any. */
export const currentActivationCode = (q: Queryable, householdId: number) =>
  q<ActivationCodeRow>('activation_codes')
    .where({ household_id: householdId })
    .whereNull('revoked_at')
    .orderBy('id', 'desc')
    .first() as Promise<ActivationCodeRow | undefined>;

export const lockActivationCodeRow = (q: Queryable, id: number) =>
  q<ActivationCodeRow>('activation_codes').where({ id }).forUpdate().first() as Promise<
    ActivationCodeRow | undefined
  >;

export const revokeActivationCodes = (q: Queryable, householdId: number, at: Date) =>
  q('activation_codes')
    .where({ household_id: householdId })
    .whereNull('revoked_at')
    .whereNull('used_at')
    .update({ revoked_at: at });

export const insertActivationCode = (
  q: Queryable,
  row: Omit<ActivationCodeRow, 'id' | 'failed_attempts' | 'locked_at' | 'used_at' | 'used_by' | 'revoked_at'>,
) => q('activation_codes').insert(row);

export const updateActivationCode = (q: Queryable, id: number, patch: Partial<ActivationCodeRow>) =>
  q('activation_codes').where({ id }).update(patch);

// ---------- Staff search ----------

export interface SearchRow {
  id: number;
  family_number: string;
  email: string | null;
  postcode: string | null;
  city: string | null;
  guardians: string | null;
  children: string | null;
}

/**
 * Staff search: a family number, an email (household's or an account's), a name fragment (either
 * order, accent-insensitive) or 4+ digits of a phone number. One statement for the page and the
 * total. Each way of matching is its own branch, so that each can use its trigram index (migrations
 * 080200, 080300 and 20261206100000: the expressions here are the indexes' own) instead of one OR
 * evaluated on every household; bench/explain-search.ts shows the plans. The branches give ids
 * (members', accounts', households'), which are looked up with `= ANY (ARRAY(…))`: index scans for
 * the few hundred a name finds, where joining made PostgreSQL read all of household_members and
 * households. Each pattern is computed once, in a scalar subquery: the statement is prepared
 * (src/platform/db.ts) and its generic plan would otherwise recompute `lower(f_unaccent($n))` for
 * every candidate row the index gives back (all of them for a term of fewer than 3 letters, which
 * has no trigram).
 */
export async function searchHouseholds(
  q: Queryable,
  text: string,
  page: number,
  pageSize: number,
): Promise<{ rows: SearchRow[]; count: number }> {
  const term = text.trim();
  const like = `%${term.replace(/[%_\\]/g, '\\$&')}%`;
  const digits = term.replace(/\D/g, '');
  const phones = digits.length >= 4;
  let where = '';
  const bindings: (string | number)[] = [];
  if (term) {
    where = `WHERE h.id = ANY (ARRAY(
        SELECT id FROM households WHERE upper(family_number) LIKE (SELECT upper(?))
        UNION ALL SELECT id FROM households WHERE lower(email) LIKE (SELECT lower(?))
        ${phones ? `UNION ALL SELECT id FROM households WHERE regexp_replace(coalesce(phone_mobile,'') || ' ' || coalesce(phone_home,'') || ' ' || coalesce(phone_work,''), '\\D', '', 'g') LIKE ?` : ''}
        UNION ALL SELECT household_id FROM household_accounts WHERE account_id = ANY (ARRAY(SELECT id FROM accounts WHERE lower(email) LIKE (SELECT lower(?))))
        UNION ALL SELECT household_id FROM household_members WHERE member_id = ANY (ARRAY(
          -- search_name holds "last first | first last", unaccented and lowercased (migration 080300).
          SELECT id FROM members WHERE deleted_at IS NULL AND search_name LIKE (SELECT lower(f_unaccent(?)))
          ${phones ? `UNION ALL SELECT id FROM members WHERE deleted_at IS NULL AND regexp_replace(coalesce(phone,'') || ' ' || coalesce(phone2,''), '\\D', '', 'g') LIKE ?` : ''}))))`;
    bindings.push(
      like,
      like,
      ...(phones ? [`%${digits}%`] : []),
      like,
      like,
      ...(phones ? [`%${digits}%`] : []),
    );
  }
  const { rows } = await q.raw(
    `SELECT h.id, h.family_number, h.email, h.postcode, h.city, n.guardians, n.children, f.total
       FROM (SELECT h.id, h.family_number, count(*) OVER () AS total FROM households h
              ${where}
              ORDER BY h.family_number LIMIT ? OFFSET ?) f
       JOIN households h ON h.id = f.id
       -- The page's names: one pass over each household's members for both lists.
       CROSS JOIN LATERAL (
         SELECT string_agg(m.first_name || ' ' || m.last_name, ', ' ORDER BY m.id) FILTER (WHERE m.kind = 'guardian') AS guardians,
                string_agg(m.first_name || ' ' || m.last_name, ', ' ORDER BY m.birth_date) FILTER (WHERE m.kind = 'child') AS children
           FROM household_members hm JOIN members m ON m.id = hm.member_id
          WHERE hm.household_id = h.id AND m.deleted_at IS NULL) n
      ORDER BY f.family_number`,
    [...bindings, pageSize, (page - 1) * pageSize],
  );
  const found = rows as (SearchRow & { total: number })[];
  // A page past the end has no row to carry the total: count apart (rare: a hand-edited URL).
  let count = found[0]?.total ?? 0;
  if (!found.length && page > 1) count = (await searchHouseholds(q, text, 1, 1)).count;
  return { rows: found.map(({ total: _total, ...row }) => row), count };
}

/** The household's history: audit events about it, newest first. */
export const householdHistory = (q: Queryable, householdId: number, limit = 100) =>
  q('audit_events as e')
    .leftJoin('accounts as a', 'a.id', 'e.actor_account_id')
    .where({ 'e.subject_type': 'household', 'e.subject_id': String(householdId) })
    .orderBy('e.id', 'desc')
    .limit(limit)
    .select(
      'e.id',
      'e.at',
      'e.action',
      'e.actor_role',
      'e.details',
      q.raw("coalesce(a.first_name || ' ' || a.last_name, '') as actor_name"),
    ) as Promise<
    {
      id: number;
      at: Date;
      action: string;
      actor_role: string | null;
      details: Record<string, unknown>;
      actor_name: string;
    }[]
  >;

// ---------- What other features record, read for this household's pages ----------

export interface DocumentView {
  id: number;
  member_id: number | null;
  type_name: string;
  status: string;
  valid_until: string | null;
  uploaded_at: Date;
}

const liveDocuments = (q: Queryable, householdId: number) =>
  q('documents as d')
    .join('document_types as dt', 'dt.id', 'd.type_id')
    .where('d.household_id', householdId)
    .whereNull('d.deleted_at')
    .whereNull('d.superseded_at');

export const childDocuments = (q: Queryable, householdId: number, childId: number) =>
  liveDocuments(q, householdId)
    .where('d.member_id', childId)
    .orderBy('dt.name')
    .select(
      'd.id',
      'd.member_id',
      'dt.name as type_name',
      'd.status',
      'd.valid_until',
      'd.uploaded_at',
    ) as Promise<DocumentView[]>;

export const childEnrolments = (q: Queryable, householdId: number, childId: number) =>
  q('enrolments as e')
    .join('services as s', 's.id', 'e.service_id')
    .where({ 'e.household_id': householdId, 'e.child_id': childId })
    .whereNot('e.status', 'draft')
    .orderBy([{ column: 'e.school_year_id', order: 'desc' }, { column: 's.name' }])
    .select('e.id', 'e.status', 'e.school_year_id', 's.name as service_name') as Promise<
    { id: number; status: string; school_year_id: string; service_name: string }[]
  >;

export const nextReservations = (
  q: Queryable,
  householdId: number,
  from: string,
  limit: number,
  childId?: number,
) =>
  q('reservations as r')
    .join('services as s', 's.id', 'r.service_id')
    .where('r.household_id', householdId)
    .where('r.day', '>=', from)
    .whereIn('r.status', ['booked', 'waiting'])
    .modify((qb) => {
      if (childId) qb.where('r.child_id', childId);
    })
    .orderBy([{ column: 'r.day' }, { column: 's.name' }])
    .limit(limit)
    .select('r.id', 'r.child_id', 'r.day', 'r.status', 's.name as service_name') as Promise<
    { id: number; child_id: number; day: string; status: string; service_name: string }[]
  >;
