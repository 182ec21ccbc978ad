// The parent's vault: current documents (most urgent first), what active enrolments still need,
// and deleting a document still waiting for review.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today as parisToday } from '../platform/clock.js';
import { withTransaction } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import {
  deleteDocumentRows,
  filesOf,
  findForHousehold,
  listCurrentForHousehold,
  lockDocument,
  updateDocument,
  type DocumentFileRow,
} from './repository.js';
import { requiredByEnrolments } from './repository-households.js';
import { displayStatus, plusDays } from './validity.js';

const EXPIRY_NOTICE_DAYS = 30;

export function createVaultService(deps: AppDeps) {
  const { db, storage, clock } = deps;
  const today = () => parisToday(clock);

  return {
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
  };
}
