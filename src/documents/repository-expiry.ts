// The daily expiry run's queries: documents past their end, and reminders claimed once each.
import type { Queryable } from '../platform/db.js';

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
