// The document vault's public face: one service assembled from its topics (uploads, review,
// vault, downloads, expiry, document types), and what other features may use. Files go through
// deps.storage only.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today as parisToday } from '../platform/clock.js';
import type { Queryable, Tx } from '../platform/db.js';
import { createDocumentTypesService } from './document-types.js';
import { createDownloadsService } from './downloads.js';
import { createExpiryService } from './expiry.js';
import { listCurrentOfType } from './repository.js';
import { createReviewService } from './review.js';
import type { ReviewForm } from './schemas.js';
import { createUploadService, type UploadedFile } from './upload.js';
import { displayStatus } from './validity.js';
import { createVaultService } from './vault.js';

export function createDocumentsService(deps: AppDeps) {
  return {
    today: () => parisToday(deps.clock),
    ...createUploadService(deps),
    ...createReviewService(deps),
    ...createVaultService(deps),
    ...createDownloadsService(deps),
    ...createExpiryService(deps),
    ...createDocumentTypesService(deps),
  };
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
  return createUploadService(deps).upload({
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
  return createReviewService(deps).review(documentId, decision, actor, tx);
}

// Reads other features may use (their rows are this feature's: no other feature queries them).
export { listCurrentForHousehold, usableDocuments } from './repository.js';

// Merging two households (src/admin/merge-households.ts): this feature's side.
export { moveHousehold } from './household-move.js';
