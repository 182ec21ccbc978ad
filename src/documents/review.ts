// The staff review of a pending document: accepted (the end of validity may be corrected) or
// rejected with a reason, the guardians being emailed why.
import type { AppDeps } from '../deps.js';
import type { Actor } from '../platform/audit.js';
import { today } from '../platform/clock.js';
import { withTransaction, type Tx } from '../platform/db.js';
import { FormError } from '../web/forms.js';
import { tFr } from '../web/i18n.js';
import { documentLabel, emailGuardians } from './emails.js';
import { findView, lockDocument, updateDocument } from './repository.js';
import type { ReviewForm } from './schemas.js';

export function createReviewService(deps: AppDeps) {
  const { db, clock } = deps;

  async function review(documentId: number, form: ReviewForm, actor: Actor, txIn?: Tx): Promise<void> {
    const run = async (tx: Tx) => {
      const doc = await lockDocument(tx, documentId);
      if (!doc || doc.deleted_at || doc.superseded_at)
        throw new FormError('decision', 'documents.errors.notFound');
      if (doc.status !== 'pending') throw new FormError('decision', 'documents.errors.alreadyReviewed');
      const now = clock.now();
      if (form.decision === 'accept') {
        if (form.valid_until && form.valid_until < today(clock))
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
      await emailGuardians(deps, tx, doc.household_id, {
        kind: 'documents.rejected',
        subject: tFr('documents.emails.rejected.subject', { document: documentLabel(view) }),
        paragraphs: [
          tFr('documents.emails.rejected.text', { document: documentLabel(view) }),
          tFr('documents.emails.rejected.reason', { reason }),
          tFr('documents.emails.rejected.next'),
        ],
      });
    };
    if (txIn) return run(txIn);
    return withTransaction(db, run);
  }

  return { review };
}
