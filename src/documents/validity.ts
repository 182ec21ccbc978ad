// Validity dates: the end a type gives by default, the status a parent sees, and day arithmetic.
import { DateTime } from 'luxon';
import type { DocumentStatus, DocumentTypeRow, DocumentView } from './repository.js';

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

export const plusDays = (day: string, n: number) =>
  DateTime.fromISO(day).plus({ days: n }).toISODate() as string;
export const daysBetween = (from: string, to: string) =>
  Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days);
