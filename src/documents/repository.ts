// Knex queries of the document vault. No rules here: the service decides.
import type { Queryable } from '../platform/db.js';

export type DocumentStatus = 'pending' | 'accepted' | 'rejected' | 'expired';
type ValidityRule = 'none' | 'months' | 'school_year_end';

export interface DocumentTypeRow {
  id: number;
  code: string;
  name: string;
  description: string | null;
  scope: 'child' | 'household';
  validity_rule: ValidityRule;
  validity_months: number | null;
  active: boolean;
}

export interface DocumentRow {
  id: number;
  household_id: number;
  member_id: number | null;
  type_id: number;
  status: DocumentStatus;
  valid_until: string | null;
  reject_reason: string | null;
  uploaded_by: number | null;
  uploaded_by_staff: boolean;
  uploaded_at: Date;
  reviewed_by: number | null;
  reviewed_at: Date | null;
  replaces_id: number | null;
  superseded_at: Date | null;
  deleted_at: Date | null;
  /** The fingerprint of an upload's files (see migration 20261207120000). */
  upload_sha256: string | null;
}

/** A document with what the pages show next to it. */
export interface DocumentView extends DocumentRow {
  type_code: string;
  type_name: string;
  type_scope: 'child' | 'household';
  child_first_name: string | null;
  child_last_name: string | null;
  file_count: number;
}

export interface DocumentFileRow {
  id: number;
  document_id: number;
  position: number;
  storage_key: string;
  original_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
}

// ---- types ----

export const listTypes = (q: Queryable, opts: { activeOnly?: boolean } = {}) =>
  q('document_types')
    .modify((qb) => {
      if (opts.activeOnly) qb.where({ active: true });
    })
    .orderBy('name') as Promise<DocumentTypeRow[]>;

export const findType = (q: Queryable, id: number) =>
  q('document_types').where({ id }).first() as Promise<DocumentTypeRow | undefined>;
export const findTypeByCode = (q: Queryable, code: string) =>
  q('document_types').where({ code }).first() as Promise<DocumentTypeRow | undefined>;

export async function insertType(q: Queryable, row: Omit<DocumentTypeRow, 'id'>): Promise<number> {
  const [r] = await q('document_types').insert(row).returning('id');
  return (r as { id: number }).id;
}

export const updateType = (q: Queryable, id: number, patch: Partial<Omit<DocumentTypeRow, 'id' | 'code'>>) =>
  q('document_types').where({ id }).update(patch);

// ---- documents ----

function viewQuery(q: Queryable) {
  return q('documents as d')
    .join('document_types as dt', 'dt.id', 'd.type_id')
    .leftJoin('members as m', 'm.id', 'd.member_id')
    .select(
      'd.*',
      'dt.code as type_code',
      'dt.name as type_name',
      'dt.scope as type_scope',
      'm.first_name as child_first_name',
      'm.last_name as child_last_name',
      q.raw('(SELECT count(*) FROM document_files f WHERE f.document_id = d.id)::int AS file_count'),
    );
}

/** The household's current documents (latest versions, not deleted). */
export const listCurrentForHousehold = (q: Queryable, householdId: number) =>
  viewQuery(q)
    .where('d.household_id', householdId)
    .whereNull('d.superseded_at')
    .whereNull('d.deleted_at')
    .orderBy('d.uploaded_at', 'desc') as Promise<DocumentView[]>;

/** The household's current documents that count as provided (pending or accepted): to attach or to support a request. */
export const usableDocuments = (q: Queryable, householdId: number) =>
  viewQuery(q)
    .where('d.household_id', householdId)
    .whereIn('d.status', ['pending', 'accepted'])
    .whereNull('d.superseded_at')
    .whereNull('d.deleted_at')
    .orderBy('d.uploaded_at', 'desc') as Promise<DocumentView[]>;

/** Current documents of one type for a child (or the household when childId is null). */
export const listCurrentOfType = (
  q: Queryable,
  householdId: number,
  typeCode: string,
  childId: number | null,
) =>
  viewQuery(q)
    .where({ 'd.household_id': householdId, 'dt.code': typeCode })
    .modify((qb) => {
      if (childId === null) qb.whereNull('d.member_id');
      else qb.where('d.member_id', childId);
    })
    .whereNull('d.superseded_at')
    .whereNull('d.deleted_at')
    .orderBy('d.uploaded_at', 'desc') as Promise<DocumentView[]>;

/** A document of the household (any version), or undefined. */
export const findForHousehold = (q: Queryable, householdId: number, id: number) =>
  viewQuery(q)
    .where({ 'd.id': id, 'd.household_id': householdId })
    .whereNull('d.deleted_at')
    .first() as Promise<DocumentView | undefined>;

export const findView = (q: Queryable, id: number) =>
  viewQuery(q).where('d.id', id).whereNull('d.deleted_at').first() as Promise<DocumentView | undefined>;

export const lockDocument = (q: Queryable, id: number) =>
  q('documents').where({ id }).forUpdate().first() as Promise<DocumentRow | undefined>;

/**
 * Inserts a document; undefined when the same upload is already pending (the unique index
 * documents_pending_upload): a concurrent request waits for the first one's commit, then inserts nothing.
 */
export async function insertDocument(
  q: Queryable,
  row: Omit<
    DocumentRow,
    'id' | 'reviewed_by' | 'reviewed_at' | 'superseded_at' | 'deleted_at' | 'reject_reason'
  > &
    Partial<DocumentRow>,
): Promise<number | undefined> {
  const [r] = await q('documents').insert(row).onConflict().ignore().returning('id');
  return (r as { id: number } | undefined)?.id;
}

/** The current pending document of the same upload (household, type, child and files), if any. */
export async function findPendingUpload(
  q: Queryable,
  key: { householdId: number; typeId: number; memberId: number | null; uploadSha256: string },
): Promise<number | undefined> {
  const row = (await q('documents')
    .where({
      household_id: key.householdId,
      type_id: key.typeId,
      upload_sha256: key.uploadSha256,
      status: 'pending',
    })
    .whereRaw('coalesce(member_id, 0) = ?', [key.memberId ?? 0])
    .whereNull('superseded_at')
    .whereNull('deleted_at')
    .first('id')) as { id: number } | undefined;
  return row?.id;
}

export const updateDocument = (q: Queryable, id: number, patch: Partial<DocumentRow>) =>
  q('documents').where({ id }).update(patch);

export const insertFiles = (q: Queryable, rows: Omit<DocumentFileRow, 'id'>[]) =>
  q('document_files').insert(rows);

export const filesOf = (q: Queryable, documentId: number) =>
  q('document_files').where({ document_id: documentId }).orderBy('position') as Promise<DocumentFileRow[]>;

export const fileAt = (q: Queryable, documentId: number, position: number) =>
  q('document_files').where({ document_id: documentId, position }).first() as Promise<
    DocumentFileRow | undefined
  >;

/** Every version of a document, newest first, following replaces_id back from the given one. */
export async function versionsOf(q: Queryable, id: number): Promise<DocumentView[]> {
  const { rows } = (await q.raw(
    `WITH RECURSIVE chain AS (
       SELECT id, replaces_id FROM documents WHERE id = ?
       UNION ALL SELECT d.id, d.replaces_id FROM documents d JOIN chain c ON d.id = c.replaces_id
     ) SELECT id FROM chain`,
    [id],
  )) as { rows: { id: number }[] };
  const ids = rows.map((r) => r.id);
  return viewQuery(q).whereIn('d.id', ids).orderBy('d.uploaded_at', 'desc') as Promise<DocumentView[]>;
}

// ---- staff queue ----

export interface QueueFilters {
  typeId: number | null;
  page: number;
  pageSize: number;
}

function queueQuery(q: Queryable, f: QueueFilters) {
  return q('documents as d')
    .where('d.status', 'pending')
    .whereNull('d.superseded_at')
    .whereNull('d.deleted_at')
    .modify((qb) => {
      if (f.typeId) qb.where('d.type_id', f.typeId);
    });
}

export async function pendingQueue(q: Queryable, f: QueueFilters) {
  const [{ count }] = (await queueQuery(q, f).count({ count: '*' })) as [{ count: number }];
  const rows = await queueQuery(q, f)
    .join('document_types as dt', 'dt.id', 'd.type_id')
    .join('households as h', 'h.id', 'd.household_id')
    .leftJoin('members as m', 'm.id', 'd.member_id')
    .select(
      'd.id',
      'd.uploaded_at',
      'd.uploaded_by_staff',
      'd.replaces_id',
      'dt.name as type_name',
      'h.family_number',
      'm.first_name as child_first_name',
      'm.last_name as child_last_name',
    )
    .select(q.raw('(SELECT count(*) FROM document_files f WHERE f.document_id = d.id)::int AS file_count'))
    .orderBy([{ column: 'd.uploaded_at' }, { column: 'd.id' }])
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize);
  return {
    count: Number(count),
    rows: rows as (Pick<
      DocumentView,
      | 'id'
      | 'uploaded_at'
      | 'uploaded_by_staff'
      | 'replaces_id'
      | 'type_name'
      | 'child_first_name'
      | 'child_last_name'
      | 'file_count'
    > & { family_number: string })[],
  };
}

// ---- households (read-only, for staff pages and emails) ----

export async function householdSummary(q: Queryable, householdId: number) {
  const household = await q('households as h')
    .leftJoin('streets as s', 's.id', 'h.street_id')
    .where('h.id', householdId)
    .first(
      'h.id',
      'h.family_number',
      'h.house_number',
      'h.address_line',
      'h.address_complement',
      'h.postcode',
      'h.city',
      'h.phone_mobile',
      'h.phone_home',
      'h.email',
      'h.allocataire_kind',
      'h.allocataire_number',
      's.name as street_name',
    );
  if (!household) return undefined;
  const guardians = (await q('household_accounts as ha')
    .join('accounts as a', 'a.id', 'ha.account_id')
    .where('ha.household_id', householdId)
    .orderBy('a.id')
    .select('a.id', 'a.first_name', 'a.last_name', 'a.email')) as {
    id: number;
    first_name: string;
    last_name: string;
    email: string;
  }[];
  return { ...(household as Record<string, string | number | null>), guardians };
}

export const householdByFamilyNumber = (q: Queryable, familyNumber: string) =>
  q('households')
    .whereRaw('upper(family_number) = upper(?)', [familyNumber])
    .first('id', 'family_number') as Promise<{ id: number; family_number: string } | undefined>;

export const guardianEmails = async (q: Queryable, householdId: number): Promise<string[]> =>
  (
    (await q('household_accounts as ha')
      .join('accounts as a', 'a.id', 'ha.account_id')
      .where('ha.household_id', householdId)
      .orderBy('a.id')
      .select('a.email')) as {
      email: string;
    }[]
  ).map((r) => r.email);

// ---- what enrolments require ----

/**
 * Document types required by the household's children's active enrolments (submitted or
 * accepted), per child (child-scoped types) or for the household (household-scoped types).
 */
export async function requiredByEnrolments(q: Queryable, householdId: number) {
  return (await q('enrolments as e')
    .join('household_members as hm', function () {
      this.on('hm.member_id', '=', 'e.child_id').andOn('hm.household_id', '=', q.raw('?', [householdId]));
    })
    .join('service_requirements as sr', 'sr.service_id', 'e.service_id')
    .join('document_types as dt', 'dt.id', 'sr.document_type_id')
    .join('services as s', 's.id', 'e.service_id')
    .join('members as m', 'm.id', 'e.child_id')
    .whereIn('e.status', ['submitted', 'accepted'])
    .distinct(
      'dt.id as type_id',
      'dt.code as type_code',
      'dt.name as type_name',
      'dt.scope',
      'e.child_id',
      'm.first_name as child_first_name',
      's.name as service_name',
    )) as {
    type_id: number;
    type_code: string;
    type_name: string;
    scope: 'child' | 'household';
    child_id: number;
    child_first_name: string;
    service_name: string;
  }[];
}

// ---- expiry ----

export const markExpired = (q: Queryable, today: string) =>
  q('documents')
    .where('status', 'accepted')
    .where('valid_until', '<', today)
    .whereNull('superseded_at')
    .whereNull('deleted_at')
    .update({ status: 'expired' });

/**
 * Accepted current documents expiring between today and `until` that an active enrolment relies
 * on, and for which no other current document of the same type and person stays valid longer.
 */
export async function expiringRelied(q: Queryable, today: string, until: string) {
  const { rows } = (await q.raw(
    `SELECT d.id, d.household_id, d.member_id, d.valid_until, dt.name AS type_name, m.first_name AS child_first_name
       FROM documents d
       JOIN document_types dt ON dt.id = d.type_id
       LEFT JOIN members m ON m.id = d.member_id
      WHERE d.status = 'accepted' AND d.superseded_at IS NULL AND d.deleted_at IS NULL
        AND d.valid_until BETWEEN ? AND ?
        AND EXISTS (
          SELECT 1 FROM enrolments e
            JOIN service_requirements sr ON sr.service_id = e.service_id AND sr.document_type_id = d.type_id
            JOIN household_members hm ON hm.member_id = e.child_id AND hm.household_id = d.household_id
           WHERE e.status IN ('submitted','accepted')
             AND (d.member_id IS NULL OR e.child_id = d.member_id))
        AND NOT EXISTS (
          SELECT 1 FROM documents o
           WHERE o.household_id = d.household_id AND o.type_id = d.type_id AND o.id <> d.id
             AND o.member_id IS NOT DISTINCT FROM d.member_id
             AND o.status IN ('pending','accepted') AND o.superseded_at IS NULL AND o.deleted_at IS NULL
             AND (o.valid_until IS NULL OR o.valid_until > d.valid_until))
      ORDER BY d.id`,
    [today, until],
  )) as {
    rows: {
      id: number;
      household_id: number;
      member_id: number | null;
      valid_until: string;
      type_name: string;
      child_first_name: string | null;
    }[];
  };
  return rows;
}

/** Claims a reminder; false when it was already sent (by this run, another run or another instance). */
export async function claimReminder(
  q: Queryable,
  documentId: number,
  kind: 'd30' | 'd7',
  at: Date,
): Promise<boolean> {
  const rows = await q('document_reminders')
    .insert({ document_id: documentId, kind, sent_at: at })
    .onConflict(['document_id', 'kind'])
    .ignore()
    .returning('document_id');
  return rows.length > 0;
}

/** A hard delete (rows and pages); fails with a foreign-key error when another record points at it. */
export const deleteDocumentRows = (q: Queryable, id: number) => q('documents').where({ id }).delete();

// ---------- The household's children (members rows, read for the upload form and its check) ----------

export interface ChildOption {
  id: number;
  first_name: string;
  last_name: string;
}

const childrenOf = (q: Queryable, householdId: number) =>
  q('members as m')
    .join('household_members as hm', 'hm.member_id', 'm.id')
    .where({ 'hm.household_id': householdId, 'm.kind': 'child' })
    .whereNull('m.deleted_at');

/** The children of the household (alternating custody included), eldest first. */
export const childrenOfHousehold = (q: Queryable, householdId: number) =>
  childrenOf(q, householdId)
    .orderBy([{ column: 'm.birth_date', order: 'asc' }, { column: 'm.id' }])
    .select('m.id', 'm.first_name', 'm.last_name') as Promise<ChildOption[]>;

/** A child of the household, or undefined: nothing tells whether the id exists elsewhere. */
export async function findChildOfHousehold(
  q: Queryable,
  householdId: number,
  childId: number,
): Promise<ChildOption | undefined> {
  if (!Number.isSafeInteger(childId)) return undefined;
  return childrenOf(q, householdId)
    .where('m.id', childId)
    .first('m.id', 'm.first_name', 'm.last_name') as Promise<ChildOption | undefined>;
}
