// Formatting for views only: the rest of the code keeps integer cents and 'YYYY-MM-DD' strings.
import { DateTime } from 'luxon';
import { TIME_ZONE } from '../platform/clock.js';

const euro = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** 123450 → "1 234,50 €" (with the narrow no-break spaces French typography uses). */
export function formatMoney(cents: number | null | undefined): string {
  return cents == null ? '' : euro.format(cents / 100);
}

/** '2026-09-01' → "1 septembre 2026"; an instant → "1 septembre 2026 à 08:30". */
export function formatDate(
  value: string | Date | null | undefined,
  style: 'long' | 'short' | 'weekday' = 'long',
): string {
  if (value == null) return '';
  const dt =
    typeof value === 'string'
      ? DateTime.fromISO(value, { zone: TIME_ZONE })
      : DateTime.fromJSDate(value, { zone: TIME_ZONE });
  if (!dt.isValid) return '';
  const d = dt.setLocale('fr');
  if (style === 'short') return d.toFormat('dd/MM/yyyy');
  if (style === 'weekday') return d.toFormat('cccc d LLLL yyyy');
  return d.toFormat('d LLLL yyyy');
}

function formatDateTime(value: Date | string | null | undefined): string {
  if (value == null) return '';
  const dt = typeof value === 'string' ? DateTime.fromISO(value) : DateTime.fromJSDate(value);
  return dt.setZone(TIME_ZONE).setLocale('fr').toFormat("d LLLL yyyy 'à' HH:mm");
}

export const viewHelpers = { formatMoney, formatDate, formatDateTime };
