// The staff forms of services and of the town calendar. Messages are catalogue keys.
import { z } from 'zod';
import { isRealDay } from '../web/dates.js';
import { multilineText, text } from '../web/text.js';
import { CLASS_LEVELS, MEALS, OPENING_DAYS, SERVICE_KINDS } from './repository.js';

/** A checkbox group posts nothing, one string or several: always an array. */
export const arrayOf = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item));

const optionalDay = z
  .string()
  .trim()
  .refine((v) => v === '' || isRealDay(v), 'services.errors.date')
  .transform((v) => (v === '' ? null : v));

const optionalAge = z
  .string()
  .trim()
  .refine((v) => v === '' || (/^\d{1,2}$/.test(v) && Number(v) <= 18), 'services.errors.age')
  .transform((v) => (v === '' ? null : Number(v)));

export const serviceSchema = z.object({
  school_year_id: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{4}$/, 'services.errors.schoolYear'),
  name: text().trim().min(1, 'services.errors.nameRequired').max(120, 'services.errors.nameTooLong'),
  kind: z.enum(SERVICE_KINDS, 'services.errors.kind'),
  description: multilineText().trim().max(2000, 'services.errors.descriptionTooLong').default(''),
  site_school_id: z
    .string()
    .trim()
    .regex(/^\d*$/, 'errors.invalid')
    .transform((v) => (v === '' ? null : Number(v))),
  schools: arrayOf(z.string().regex(/^\d+$/, 'errors.invalid').transform(Number)),
  class_levels: arrayOf(z.enum(CLASS_LEVELS as [string, ...string[]], 'errors.invalid')),
  min_age: optionalAge,
  max_age: optionalAge,
  opening_days: z.enum(OPENING_DAYS, 'services.errors.openingDays'),
  weekdays: arrayOf(
    z
      .string()
      .regex(/^[1-7]$/, 'errors.invalid')
      .transform(Number),
  ),
  enrol_opens_on: optionalDay,
  enrol_closes_on: optionalDay,
  needs_validation: z.enum(['yes', 'no'], 'services.errors.needsValidation').transform((v) => v === 'yes'),
  unit: z.enum(['day', 'meal', 'session', 'week'], 'services.errors.unit'),
  billing_basis: z.enum(['bookings', 'attendance'], 'services.errors.billingBasis'),
  active: z.preprocess((v) => v === 'on' || v === 'true', z.boolean()),
  meals: arrayOf(z.enum(MEALS, 'errors.invalid')),
});
export type ServiceInput = z.infer<typeof serviceSchema>;

export const calendarSchema = z.object({
  school_year_id: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{4}$/, 'services.errors.schoolYear'),
  kind: z.enum(['school', 'holiday', 'public_holiday'], 'services.calendar.errors.kind'),
  name: text()
    .trim()
    .min(1, 'services.calendar.errors.nameRequired')
    .max(120, 'services.calendar.errors.nameTooLong'),
  starts_on: z.string().trim().refine(isRealDay, 'services.calendar.errors.startsOn'),
  ends_on: optionalDay,
});
export type CalendarInput = z.infer<typeof calendarSchema>;

/** Required documents: one select per document type, named `req_<typeId>`: '' (not required) or a rule. */
export function requirementsFrom(
  body: Record<string, unknown>,
  typeIds: number[],
): { document_type_id: number; rule: 'valid_at_start' | 'valid_whole_period' }[] | null {
  const out: { document_type_id: number; rule: 'valid_at_start' | 'valid_whole_period' }[] = [];
  for (const id of typeIds) {
    const v = body[`req_${id}`];
    if (v === undefined || v === '') continue;
    if (v !== 'valid_at_start' && v !== 'valid_whole_period') return null;
    out.push({ document_type_id: id, rule: v });
  }
  return out;
}
