// Whether a sick absence is excused: the medical certificate must reach the vault within 7 days
// of the day. The billing feature asks this when it invoices a month.
import type { Queryable } from '../platform/db.js';
import { parisDayOf } from '../platform/clock.js';
import { certificateDeadline } from './rules.js';

export type SickCertificateStatus = 'in_time' | 'late' | 'awaiting' | 'missing';

/** True when a certificate uploaded at `uploadedAt` came in time for an absence on `day`. */
export function certificateInTime(day: string, uploadedAt: Date): boolean {
  return parisDayOf(uploadedAt) <= certificateDeadline(day);
}

/**
 * For a 'sick' reservation: 'in_time' (excused, not billed), 'late' (a certificate came after
 * the 7 days: billed), 'awaiting' (none yet, still time: do not bill yet), 'missing' (none and
 * the 7 days are over: billed). `now` is the caller's clock.
 */
export async function sickCertificateStatus(
  q: Queryable,
  reservationId: number,
  now: Date,
): Promise<SickCertificateStatus | null> {
  const row = (await q('reservations as r')
    .leftJoin('documents as d', 'd.id', 'r.sick_certificate_document_id')
    .where('r.id', reservationId)
    .first('r.status', 'r.day', 'd.uploaded_at')) as
    { status: string; day: string; uploaded_at: Date | null } | undefined;
  if (!row || row.status !== 'sick') return null;
  if (row.uploaded_at) return certificateInTime(row.day, new Date(row.uploaded_at)) ? 'in_time' : 'late';
  return parisDayOf(now) <= certificateDeadline(row.day) ? 'awaiting' : 'missing';
}
