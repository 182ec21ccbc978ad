// Formatting for views only: the rest of the code keeps integer cents and 'YYYY-MM-DD' strings.
import { TIME_ZONE } from '../platform/clock.js';

const euro = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** 123450 → "1 234,50 €" (with the narrow no-break spaces French typography uses). */
export function formatMoney(cents: number | null | undefined): string {
  return cents == null ? '' : euro.format(cents / 100);
}

// Module-level Intl formatters (a luxon DateTime per call costs far more, and a calendar formats
// hundreds of days). A day ('YYYY-MM-DD') has no time zone: it is formatted at UTC midnight; an
// instant is shown in Paris.
const STYLES = {
  long: { day: 'numeric', month: 'long', year: 'numeric' },
  short: { day: '2-digit', month: '2-digit', year: 'numeric' },
  weekday: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;
type Style = keyof typeof STYLES;
const formatsIn = (timeZone: string) =>
  Object.fromEntries(
    Object.entries(STYLES).map(([k, o]) => [k, new Intl.DateTimeFormat('fr-FR', { timeZone, ...o })]),
  ) as Record<Style, Intl.DateTimeFormat>;
const dayFormats = formatsIn('UTC');
const instantFormats = formatsIn(TIME_ZONE);
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', {
  timeZone: TIME_ZONE,
  dateStyle: 'long',
  timeStyle: 'short',
});
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** '2026-09-01' → "1 septembre 2026"; an instant → its day in Paris. '' for nothing or an invalid value. */
export function formatDate(value: string | Date | null | undefined, style: Style = 'long'): string {
  if (value == null) return '';
  const day = typeof value === 'string' ? DAY.exec(value) : null;
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const utc = new Date(Date.UTC(y, m - 1, d));
    // Date.UTC rolls 2026-02-30 over to March: such a day is invalid, not another day.
    return utc.getUTCMonth() === m - 1 && utc.getUTCDate() === d ? dayFormats[style].format(utc) : '';
  }
  const instant = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(instant.getTime()) ? '' : instantFormats[style].format(instant);
}

/** An instant → "1 septembre 2026 à 08:30" (Paris). */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (value == null) return '';
  const instant = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(instant.getTime()) ? '' : dateTimeFormat.format(instant);
}

export const viewHelpers = { formatMoney, formatDate, formatDateTime };
