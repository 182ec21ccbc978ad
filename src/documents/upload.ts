// Uploads to the vault: every file treated as hostile (checked, then scanned), versions (a new
// upload replaces an older one), and the same upload sent twice stored once. A document's rows and
// files both exist or neither (files first, rows in a transaction, files removed on failure).
import { createHash } from 'node:crypto';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today as parisToday } from '../platform/clock.js';
import { withTransaction } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { checkFile, FileRefused, type CheckedFile } from './files.js';
import {
  findForHousehold,
  findPendingUpload,
  findTypeByCode,
  insertDocument,
  insertFiles,
  lockDocument,
  updateDocument,
  type DocumentView,
} from './repository.js';
import { findChildOfHousehold } from './repository-households.js';
import type { UploadForm } from './schemas.js';
import { defaultValidUntil, plusDays } from './validity.js';

/** A file as the multipart parser gives it (req.files). */
export interface UploadedFile {
  buffer: Buffer;
  originalname: string;
  size: number;
}

const MULTER_ERRORS: Record<string, string> = {
  LIMIT_FILE_SIZE: 'documents.errors.file.tooLarge',
  LIMIT_FILE_COUNT: 'documents.errors.file.tooMany',
  LIMIT_UNEXPECTED_FILE: 'documents.errors.file.tooMany',
  MALFORMED_MULTIPART: 'documents.errors.file.malformed',
};

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

export function createUploadService(deps: AppDeps) {
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

  return { upload };
}
