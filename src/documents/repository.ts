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

/** A hard delete (rows and pages); fails with a foreign-key error when another record points at it. */
export const deleteDocumentRows = (q: Queryable, id: number) => q('documents').where({ id }).delete();
