// The document vault's rules: uploads (every file treated as hostile), versions, the staff
// review, downloads and the daily expiry run. Files go through deps.storage only; a document's
// rows and files both exist or neither (files first, rows in a transaction, files removed on failure).
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today as parisToday } from '../platform/clock.js';
import { withTransaction, type Queryable, type Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { checkFile, FileRefused, type CheckedFile } from './files.js';
import {
  claimReminder,
  deleteDocumentRows,
  expiringRelied,
  fileAt,
  filesOf,
  findChildOfHousehold,
  findForHousehold,
  findTypeByCode,
  findView,
  guardianEmails,
  findPendingUpload,
  insertDocument,
  insertFiles,
  insertType,
  listCurrentForHousehold,
  listCurrentOfType,
  listTypes,
  lockDocument,
  markExpired,
  requiredByEnrolments,
  updateDocument,
  updateType,
  type DocumentFileRow,
  type DocumentStatus,
  type DocumentTypeRow,
  type DocumentView,
} from './repository.js';
import type { DocumentTypeForm, ReviewForm, UploadForm } from './schemas.js';

/** A file as the multipart parser gives it (req.files). */
export interface UploadedFile {
  buffer: Buffer;
  originalname: string;
  size: number;
}

export const EXPIRY_NOTICE_DAYS = 30;
export const REMINDER_DAYS = { d30: 30, d7: 7 } as const;

const MULTER_ERRORS: Record<string, string> = {
  LIMIT_FILE_SIZE: 'documents.errors.file.tooLarge',
  LIMIT_FILE_COUNT: 'documents.errors.file.tooMany',
  LIMIT_UNEXPECTED_FILE: 'documents.errors.file.tooMany',
  MALFORMED_MULTIPART: 'documents.errors.file.malformed',
};

/** The end of validity a type gives by default, from the upload day. */
export function defaultValidUntil(
  type: Pick<DocumentTypeRow, 'validity_rule' | 'validity_months'>,
  today: string,
): string | null {
  const day = DateTime.fromISO(today);
  if (type.validity_rule === 'months' && type.validity_months)
    return day.plus({ months: type.validity_months }).toISODate();
  // Until 31 August of the current school year (a school year starts in September).
  if (type.validity_rule === 'school_year_end') return `${day.month >= 9 ? day.year + 1 : day.year}-08-31`;
  return null;
}

/** The status a parent sees: an accepted or pending document past its end date is expired. */
export function displayStatus(
  doc: Pick<DocumentView, 'status' | 'valid_until'>,
  today: string,
): DocumentStatus {
  if ((doc.status === 'accepted' || doc.status === 'pending') && doc.valid_until && doc.valid_until < today)
    return 'expired';
  return doc.status;
}

const plusDays = (day: string, n: number) => DateTime.fromISO(day).plus({ days: n }).toISODate() as string;
const daysBetween = (from: string, to: string) =>
  Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days);

/** The same upload was stored by a concurrent request. */
class DuplicateUpload extends Error {}

export interface UploadInput {
  householdId: number;
  actor: Actor;
  form: UploadForm;
  files: UploadedFile[];
  /** A multipart limit broken while parsing (req.uploadError). */
  uploadError?: string;
  /** Staff at the desk: accepted at once. */
  byStaff?: boolean;
}

export function createDocumentsService(deps: AppDeps) {
  const { db, storage, clock } = deps;
  const today = () => parisToday(clock);

  /** Checks the form and every file; throws FormError. Nothing is written. */
  async function prepare(input: UploadInput) {
    const { form, householdId } = input;
    if (input.uploadError)
      throw new FormError('file', MULTER_ERRORS[input.uploadError] ?? 'documents.errors.file.uploadFailed');
    const type = await findTypeByCode(db, form.type);
    if (!type || !type.active) throw new FormError('type', 'documents.errors.typeInvalid');

    let replaced: DocumentView | undefined;
    if (form.replaces_id) {
      replaced = await findForHousehold(db, householdId, Number(form.replaces_id));
      if (!replaced || replaced.type_id !== type.id)
        throw new FormError('replaces_id', 'documents.errors.replaceInvalid');
      // Already replaced: refused in upload(), unless by this very upload (a double click).
    }

    // A child of this household, or the same error as any bad value: nothing tells whether it exists elsewhere.
    let memberId: number | null = null;
    if (form.member_id) {
      const child = await findChildOfHousehold(db, householdId, Number(form.member_id));
      if (!child) throw new FormError('member_id', 'documents.errors.memberInvalid');
      memberId = child.id;
    }
    if (replaced) memberId = replaced.member_id;
    if (type.scope === 'household') memberId = null;
    else if (memberId === null) throw new FormError('member_id', 'documents.errors.memberRequired');

    const now = today();
    let validUntil = form.valid_until || defaultValidUntil(type, now);
    if (form.valid_until) {
      if (form.valid_until < now) throw new FormError('valid_until', 'documents.errors.validUntilPast');
      if (form.valid_until > plusDays(now, 3660))
        throw new FormError('valid_until', 'documents.errors.validUntilInvalid');
      validUntil = form.valid_until;
    }

    if (input.files.length === 0) throw new FormError('file', 'documents.errors.file.required');
    const checked: CheckedFile[] = [];
    for (const f of input.files) {
      try {
        checked.push(await checkFile(f));
      } catch (err) {
        if (err instanceof FileRefused)
          throw new FormError('file', `documents.errors.file.${err.problem}`, { name: err.fileName });
        throw err;
      }
    }
    // The antivirus sees every file before any is accepted; an unavailable scanner refuses (fail closed).
    for (const f of checked) {
      let result;
      try {
        result = await deps.scanner.scan(f.data);
      } catch (err) {
        deps.logger.warn(
          { scanner: deps.scanner.name, err: (err as Error).message },
          'antivirus scan failed',
        );
        throw new FormError('file', 'documents.errors.file.scanUnavailable');
      }
      if (!result.clean) {
        deps.logger.warn(
          { scanner: deps.scanner.name, signature: result.signature },
          'infected upload refused',
        );
        throw new FormError('file', 'documents.errors.file.infected', { name: f.originalName });
      }
    }
    // The upload's fingerprint: the same files, in the same order.
    const uploadSha256 = createHash('sha256')
      .update(checked.map((f) => f.sha256).join(','))
      .digest('hex');
    return { type, replaced, memberId, validUntil, checked, uploadSha256 };
  }

  /**
   * Stores an upload; returns the document's id. The same upload while the first is still pending
   * (a double click, a resent form) returns the first one's id and stores nothing: checked here,
   * and by the database for two requests at the same time.
   */
  async function upload(input: UploadInput): Promise<number> {
    const { type, replaced, memberId, validUntil, checked, uploadSha256 } = await prepare(input);
    const pending = !input.byStaff;
    const same = { householdId: input.householdId, typeId: type.id, memberId, uploadSha256 };
    if (pending) {
      const first = await findPendingUpload(db, same);
      if (first) return first;
    }
    if (replaced?.superseded_at) throw new FormError('replaces_id', 'documents.errors.replaceInvalid');
    const keys: string[] = [];
    try {
      for (const f of checked) {
        const key = storage.newKey();
        keys.push(key);
        await storage.put(key, f.data);
      }
      const stored = await withTransaction(db, async (tx) => {
        const now = clock.now();
        if (replaced) {
          const old = await lockDocument(tx, replaced.id);
          if (!old || old.superseded_at || old.deleted_at) {
            // Replaced meanwhile by the same upload, committed while this one waited for the lock.
            const first = pending ? await findPendingUpload(tx, same) : undefined;
            if (first) return { id: first, duplicate: true };
            throw new FormError('replaces_id', 'documents.errors.replaceInvalid');
          }
          await updateDocument(tx, old.id, { superseded_at: now });
        }
        const id = await insertDocument(tx, {
          household_id: input.householdId,
          member_id: memberId,
          type_id: type.id,
          status: input.byStaff ? 'accepted' : 'pending',
          valid_until: validUntil,
          uploaded_by: input.actor.accountId,
          uploaded_by_staff: Boolean(input.byStaff),
          uploaded_at: now,
          replaces_id: replaced?.id ?? null,
          upload_sha256: pending ? uploadSha256 : null,
          ...(input.byStaff ? { reviewed_by: input.actor.accountId, reviewed_at: now } : {}),
        });
        // The same upload inserted by a concurrent request: undo this one (the replaced version too).
        if (id === undefined) throw new DuplicateUpload();
        await insertFiles(
          tx,
          checked.map((f, i) => ({
            document_id: id,
            position: i + 1,
            storage_key: keys[i]!,
            original_name: f.originalName,
            mime_type: f.mime,
            size_bytes: f.size,
            sha256: f.sha256,
          })),
        );
        await deps.audit.record(
          tx,
          input.actor,
          input.byStaff ? 'documents.uploaded_by_staff' : 'documents.uploaded',
          { type: 'document', id },
          {
            householdId: input.householdId,
            typeCode: type.code,
            files: checked.length,
            replaces: replaced?.id ?? null,
          },
        );
        return { id, duplicate: false };
      });
      if (stored.duplicate) await removeStored(keys);
      return stored.id;
    } catch (err) {
      await removeStored(keys);
      const first = err instanceof DuplicateUpload ? await findPendingUpload(db, same) : undefined;
      if (first) return first;
      throw err;
    }
  }

  const removeStored = (keys: string[]) =>
    Promise.all(keys.map((k) => storage.delete(k).catch(() => undefined)));

  async function emailGuardians(
    tx: Tx,
    householdId: number,
    message: { kind: string; subject: string; paragraphs: string[]; dedupeKey?: (to: string) => string },
  ) {
    const town = await getTown(db);
    for (const to of await guardianEmails(tx, householdId)) {
      await deps.outbox.enqueue(tx, {
        to,
        kind: message.kind,
        dedupeKey: message.dedupeKey?.(to),
        content: {
          townName: town?.name ?? '',
          subject: message.subject,
          paragraphs: message.paragraphs,
          action: { label: tFr('documents.emails.action'), url: `${deps.config.baseUrl}/documents` },
        },
      });
    }
  }

  const label = (doc: { type_name: string; child_first_name: string | null }) =>
    doc.child_first_name
      ? tFr('documents.emails.labelChild', { type: doc.type_name, child: doc.child_first_name })
      : doc.type_name;

  async function review(documentId: number, form: ReviewForm, actor: Actor, txIn?: Tx): Promise<void> {
    const run = async (tx: Tx) => {
      const doc = await lockDocument(tx, documentId);
      if (!doc || doc.deleted_at || doc.superseded_at)
        throw new FormError('decision', 'documents.errors.notFound');
      if (doc.status !== 'pending') throw new FormError('decision', 'documents.errors.alreadyReviewed');
      const now = clock.now();
      if (form.decision === 'accept') {
        if (form.valid_until && form.valid_until < today())
          throw new FormError('valid_until', 'documents.errors.validUntilPast');
        const validUntil = form.valid_until || doc.valid_until;
        await updateDocument(tx, doc.id, {
          status: 'accepted',
          valid_until: validUntil,
          reject_reason: null,
          reviewed_by: actor.accountId,
          reviewed_at: now,
        });
        await deps.audit.record(
          tx,
          actor,
          'documents.accepted',
          { type: 'document', id: doc.id },
          { validUntilCorrected: Boolean(form.valid_until && form.valid_until !== doc.valid_until) },
        );
        return;
      }
      if (form.reason === 'other' && !form.reason_text)
        throw new FormError('reason_text', 'documents.errors.reasonTextRequired');
      const reason =
        form.reason === 'other'
          ? form.reason_text
          : [tFr(`documents.rejectReasons.${form.reason}`), form.reason_text].filter(Boolean).join(' ');
      await updateDocument(tx, doc.id, {
        status: 'rejected',
        reject_reason: reason,
        reviewed_by: actor.accountId,
        reviewed_at: now,
      });
      await deps.audit.record(
        tx,
        actor,
        'documents.rejected',
        { type: 'document', id: doc.id },
        { reason: form.reason },
      );
      const view = (await findView(tx, doc.id))!;
      await emailGuardians(tx, doc.household_id, {
        kind: 'documents.rejected',
        subject: tFr('documents.emails.rejected.subject', { document: label(view) }),
        paragraphs: [
          tFr('documents.emails.rejected.text', { document: label(view) }),
          tFr('documents.emails.rejected.reason', { reason }),
          tFr('documents.emails.rejected.next'),
        ],
      });
    };
    if (txIn) return run(txIn);
    return withTransaction(db, run);
  }

  return {
    today,
    types: (activeOnly = false) => listTypes(db, { activeOnly }),
    findTypeByCode: (code: string) => findTypeByCode(db, code),
    upload,
    review,

    /** The parent's vault: current documents (most urgent first) and what active enrolments still need. */
    async vault(householdId: number) {
      const day = today();
      const soon = plusDays(day, EXPIRY_NOTICE_DAYS);
      const docs = (await listCurrentForHousehold(db, householdId)).map((d) => {
        const status = displayStatus(d, day);
        const expiresSoon =
          (status === 'accepted' || status === 'pending') && d.valid_until !== null && d.valid_until <= soon;
        return {
          ...d,
          displayStatus: status,
          expiresSoon,
          urgent: expiresSoon || status === 'expired' || status === 'rejected',
        };
      });
      const usable = (d: (typeof docs)[number]) =>
        d.displayStatus === 'pending' || d.displayStatus === 'accepted';
      const missing: {
        typeCode: string;
        typeName: string;
        childId: number | null;
        childName: string | null;
        services: string[];
      }[] = [];
      for (const r of await requiredByEnrolments(db, householdId)) {
        const childId = r.scope === 'child' ? r.child_id : null;
        if (
          docs.some(
            (d) => d.type_id === r.type_id && usable(d) && (childId === null || d.member_id === childId),
          )
        )
          continue;
        const existing = missing.find((m) => m.typeCode === r.type_code && m.childId === childId);
        if (existing) {
          if (!existing.services.includes(r.service_name)) existing.services.push(r.service_name);
        } else
          missing.push({
            typeCode: r.type_code,
            typeName: r.type_name,
            childId,
            childName: childId ? r.child_first_name : null,
            services: [r.service_name],
          });
      }
      docs.sort(
        (a, b) => Number(b.urgent) - Number(a.urgent) || b.uploaded_at.getTime() - a.uploaded_at.getTime(),
      );
      return { documents: docs, missing, today: day };
    },

    findForHousehold: (householdId: number, id: number) => findForHousehold(db, householdId, id),

    /** A parent deletes a document still waiting for review; the version it replaced comes back. */
    async deletePending(householdId: number, id: number, actor: Actor): Promise<boolean> {
      const doc = await findForHousehold(db, householdId, id);
      if (!doc || doc.superseded_at) return false;
      const outcome = await withTransaction(db, async (tx) => {
        const row = await lockDocument(tx, id);
        if (!row || row.deleted_at || row.superseded_at) return null;
        if (row.status !== 'pending') throw new FormError('document', 'documents.errors.deleteNotPending');
        const files = await filesOf(tx, id);
        if (row.replaces_id) await updateDocument(tx, row.replaces_id, { superseded_at: null });
        await deps.audit.record(tx, actor, 'documents.deleted', { type: 'document', id }, { householdId });
        try {
          // A savepoint: when another record points at the document (a request, a sick day), keep it hidden instead.
          await tx.transaction(async (sp) => deleteDocumentRows(sp, id));
          return files;
        } catch (err) {
          if ((err as { code?: string }).code !== '23503') throw err;
          await updateDocument(tx, id, { deleted_at: clock.now() });
          return [] as DocumentFileRow[];
        }
      });
      if (outcome === null) return false;
      for (const f of outcome)
        await storage
          .delete(f.storage_key)
          .catch((err: Error) => deps.logger.warn({ err: err.message }, 'orphan document file'));
      return true;
    },

    /** A page of a document, for its household's guardians; undefined when it is not theirs. */
    async fileForHousehold(householdId: number, id: number, position: number) {
      const doc = await findForHousehold(db, householdId, id);
      if (!doc) return undefined;
      return readFile(doc, position);
    },

    /** A page of any document, for staff; each view is an audit event. */
    async fileForStaff(id: number, position: number, actor: Actor) {
      const doc = await findView(db, id);
      if (!doc) return undefined;
      const file = await readFile(doc, position);
      if (file)
        await deps.audit.record(
          db,
          actor,
          'documents.file_viewed',
          { type: 'document', id },
          { householdId: doc.household_id, page: position },
        );
      return file;
    },

    /** The daily run: marks expired documents, then reminds parents 30 and 7 days before, once each. */
    async runExpiry(): Promise<{ expired: number; reminders: number }> {
      const day = today();
      const expired = await markExpired(db, day);
      let reminders = 0;
      for (const c of await expiringRelied(db, day, plusDays(day, REMINDER_DAYS.d30))) {
        const left = daysBetween(day, c.valid_until);
        const kind = left <= REMINDER_DAYS.d7 ? 'd7' : 'd30';
        const sent = await withTransaction(db, async (tx) => {
          // The primary key of document_reminders makes a second run (or instance) a no-op.
          if (!(await claimReminder(tx, c.id, kind, clock.now()))) return false;
          const document = label(c);
          await emailGuardians(tx, c.household_id, {
            kind: `documents.reminder_${kind}`,
            subject: tFr('documents.emails.reminder.subject', { document, count: left }),
            paragraphs: [
              tFr('documents.emails.reminder.text', {
                document,
                date: DateTime.fromISO(c.valid_until).setLocale('fr').toFormat('d LLLL yyyy'),
                count: left,
              }),
              tFr('documents.emails.reminder.next'),
            ],
            dedupeKey: (to) => `documents.reminder.${c.id}.${kind}.${to.toLowerCase()}`,
          });
          return true;
        });
        if (sent) reminders++;
      }
      deps.logger.info({ expired, reminders }, 'documents expiry run');
      return { expired, reminders };
    },

    // ---- document types (admin) ----
    async saveType(id: number | null, form: DocumentTypeForm, actor: Actor): Promise<number> {
      return withTransaction(db, async (tx) => {
        const row = {
          name: form.name,
          description: form.description || null,
          scope: form.scope,
          validity_rule: form.validity_rule,
          validity_months: form.validity_rule === 'months' ? Number(form.validity_months) : null,
          active: form.active,
        };
        let typeId = id;
        if (typeId === null) {
          if (await findTypeByCode(tx, form.code)) throw new FormError('code', 'documents.errors.codeTaken');
          typeId = await insertType(tx, { code: form.code, ...row });
        } else {
          await updateType(tx, typeId, row);
        }
        await deps.audit.record(
          tx,
          actor,
          id === null ? 'documents.type_created' : 'documents.type_updated',
          { type: 'document_type', id: typeId },
          { code: form.code },
        );
        return typeId;
      });
    },
  };

  async function readFile(doc: DocumentView, position: number) {
    const file = await fileAt(db, doc.id, position);
    if (!file) return undefined;
    const data = await storage.get(file.storage_key);
    const n =
      doc.file_count > 1 ? tFr('documents.download.page', { n: position, count: doc.file_count }) : '';
    const date = DateTime.fromJSDate(doc.uploaded_at).setZone('Europe/Paris').toISODate();
    const ext =
      file.mime_type === 'application/pdf'
        ? 'pdf'
        : file.mime_type.split('/')[1] === 'jpeg'
          ? 'jpg'
          : file.mime_type.split('/')[1];
    const name = `${[doc.type_name, doc.child_first_name, date].filter(Boolean).join(' - ')}${n}.${ext}`;
    return { doc, file, data, downloadName: name };
  }
}

export type DocumentsService = ReturnType<typeof createDocumentsService>;

// ---- for other features ----

/**
 * A household's current documents of a type for a child (null: household documents), newest
 * first, with the status a parent sees. Used e.g. to attach a medical certificate to a sick day.
 */
export async function listDocumentsForChild(
  deps: AppDeps,
  householdId: number,
  childId: number | null,
  typeCode: string,
  q: Queryable = deps.db,
) {
  const day = parisToday(deps.clock);
  return (await listCurrentOfType(q, householdId, typeCode, childId)).map((d) => ({
    id: d.id,
    typeName: d.type_name,
    status: displayStatus(d, day),
    validUntil: d.valid_until,
    uploadedAt: d.uploaded_at,
    fileCount: d.file_count,
  }));
}

/** The first current, usable (pending or accepted) document of a type valid on a day, if any. */
export async function findValidDocument(
  deps: AppDeps,
  householdId: number,
  childId: number | null,
  typeCode: string,
  onDay: string,
  q: Queryable = deps.db,
) {
  const docs = await listDocumentsForChild(deps, householdId, childId, typeCode, q);
  return docs.find(
    (d) =>
      (d.status === 'pending' || d.status === 'accepted') && (d.validUntil === null || d.validUntil >= onDay),
  );
}

/**
 * Stores files on a family's behalf (staff at the desk): checked and scanned like any upload,
 * accepted at once. Throws FormError on a refused file or a bad field.
 */
export async function storeUploadForHousehold(
  deps: AppDeps,
  input: {
    householdId: number;
    typeCode: string;
    memberId: number | null;
    validUntil?: string | null;
    files: UploadedFile[];
    actor: Actor;
    uploadError?: string;
  },
): Promise<number> {
  return createDocumentsService(deps).upload({
    householdId: input.householdId,
    actor: input.actor,
    files: input.files,
    uploadError: input.uploadError,
    byStaff: true,
    form: {
      type: input.typeCode,
      member_id: input.memberId ? String(input.memberId) : '',
      valid_until: input.validUntil ?? '',
      replaces_id: '',
      return_to: '',
    },
  });
}

/**
 * Staff accept (optionally correcting the end of validity) or reject (with a reason) a pending
 * document; the parent is emailed on rejection. Same action as /admin/documents/:id. Pass a
 * transaction to run it inside the caller's.
 */
export async function reviewDocument(
  deps: AppDeps,
  documentId: number,
  decision: ReviewForm,
  actor: Actor,
  tx?: Tx,
): Promise<void> {
  return createDocumentsService(deps).review(documentId, decision, actor, tx);
}

// Reads other features may use (their rows are this feature's: no other feature queries them).
export { listCurrentForHousehold, usableDocuments } from './repository.js';
