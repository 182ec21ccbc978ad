// The emails of direct debit to a household (a mandate revoked, a debit made or rejected).
import type { AppDeps } from '../deps.js';
import type { Tx } from '../platform/db.js';
import { getTown } from '../platform/town.js';
import { tFr } from '../web/i18n.js';
import { householdEmail } from './repository.js';

export async function emailDirectDebit(
  deps: AppDeps,
  tx: Tx,
  householdId: number,
  key: string,
  params: Record<string, string>,
) {
  const to = await householdEmail(tx, householdId);
  if (!to) return;
  const town = await getTown(deps.db);
  await deps.outbox.enqueue(tx, {
    to,
    kind: `payments.${key}`,
    content: {
      townName: town?.name ?? '',
      subject: tFr(`payments.emails.${key}.subject`, params),
      paragraphs: [tFr(`payments.emails.${key}.text`, params)],
      action: { label: tFr('payments.emails.receipt.action'), url: `${deps.config.baseUrl}/payments` },
    },
  });
}
