// The emails of reservations: one to each address of a household, in the transaction of the change.
import type { AppDeps } from '../deps.js';
import type { Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { tFr } from '../web/i18n.js';
import * as repo from './repository.js';

export async function emailHousehold(
  deps: AppDeps,
  tx: Tx,
  householdId: number,
  kind: string,
  dedupeKey: string,
  content: { subject: string; paragraphs: string[] },
) {
  const town = await getTown(tx);
  for (const to of await repo.householdEmails(tx, householdId)) {
    await deps.outbox.enqueue(tx, {
      to,
      kind,
      dedupeKey: `${dedupeKey}.${to}`,
      content: {
        townName: town?.name ?? '',
        ...content,
        action: { label: tFr('reservations.emails.action'), url: `${deps.config.BASE_URL}/reservations` },
      },
    });
  }
}
