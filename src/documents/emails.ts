// The emails of the vault to a household's guardians (a rejected document, an expiry reminder).
import type { AppDeps } from '../deps.js';
import type { Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { tFr } from '../web/i18n.js';
import { guardianEmails } from './repository-households.js';

export async function emailGuardians(
  deps: AppDeps,
  tx: Tx,
  householdId: number,
  message: { kind: string; subject: string; paragraphs: string[]; dedupeKey?: (to: string) => string },
) {
  const town = await getTown(deps.db);
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

/** A document as an email names it: its type, and the child's first name for a child's document. */
export const documentLabel = (doc: { type_name: string; child_first_name: string | null }) =>
  doc.child_first_name
    ? tFr('documents.emails.labelChild', { type: doc.type_name, child: doc.child_first_name })
    : doc.type_name;
