// The reservations feature's forms. Messages are catalogue keys.
import { z } from 'zod';
import { isoDate, isRealDay, isRealMonth } from '../web/dates.js';
import { multilineText, text } from '../web/text.js';
import { DateTime } from 'luxon';

const day = isoDate('reservations.errors.dayInvalid');
const list = (item: z.ZodType) =>
  z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item));
const slot = z
  .string()
  .regex(/^\d{1,15}:\d{1,9}:\d{4}-\d{2}-\d{2}$/, 'reservations.errors.slotInvalid')
  .refine((v) => isRealDay(v.split(':')[2]), 'reservations.errors.slotInvalid');

const monthSchema = z.string().refine(isRealMonth).optional();

/** The month asked in a query (YYYY-MM), else `fallback`. */
export function monthOf(value: unknown, fallback: string): string {
  const parsed = monthSchema.safeParse(typeof value === 'string' ? value : undefined);
  return parsed.success && parsed.data ? parsed.data : fallback;
}

/** A real day (YYYY-MM-DD) asked in a query or a form. */
export const dayParam = z.string().refine(isRealDay);

/** The day asked in a query or a form, else `fallback`. */
export function dayOf(value: unknown, fallback: string): string {
  return dayParam.safeParse(value).success ? (value as string) : fallback;
}

/** Days picked in the calendar: "childId:serviceId:YYYY-MM-DD". */
export const slotsSchema = z.object({
  slots: list(slot).pipe(
    z.array(z.string()).min(1, 'reservations.errors.noDay').max(1000, 'reservations.errors.tooMany'),
  ),
  waitlist: z.literal('1').optional(),
  return_to: z.string().optional(),
});

export const patternSchema = z
  .object({
    children: list(z.string().regex(/^\d{1,15}$/)).pipe(
      z.array(z.string()).min(1, 'reservations.errors.childRequired'),
    ),
    service: z.string().regex(/^\d{1,9}$/, 'reservations.errors.serviceRequired'),
    weekdays: list(z.enum(['1', '2', '3', '4', '5'], 'reservations.errors.weekdayRequired')).pipe(
      z.array(z.string()).min(1, 'reservations.errors.weekdayRequired'),
    ),
    from: day,
    to: day,
    waitlist: z.literal('1').optional(),
    return_to: z.string().optional(),
  })
  .refine((f) => f.from <= f.to, { path: ['to'], message: 'reservations.errors.toBeforeFrom' })
  .refine((f) => DateTime.fromISO(f.to).diff(DateTime.fromISO(f.from), 'days').days <= 400, {
    path: ['to'],
    message: 'reservations.errors.rangeTooLong',
  });

export const certificateSchema = z.object({
  reservation: z.string().regex(/^\d{1,15}$/, 'reservations.errors.notSick'),
  document: z.string().regex(/^\d{1,15}$/, 'reservations.errors.documentRequired'),
});

export function parseSlot(value: string): { childId: number; serviceId: number; day: string } {
  const [child, service, d] = value.split(':');
  return { childId: Number(child), serviceId: Number(service), day: d! };
}

// --- staff forms ---

export const attendanceSchema = z.object({
  child: z.string().regex(/^\d{1,15}$/),
  status: z.enum(
    ['present', 'absent_excused', 'absent', 'present_unbooked'],
    'reservations.errors.statusRequired',
  ),
});

export const staffCancelSchema = z.object({
  slots: list(slot).pipe(z.array(z.string()).min(1, 'reservations.errors.noDay')),
  mode: z.enum(['late', 'free'], 'reservations.errors.modeRequired'),
  reason: text().trim().max(300, 'reservations.errors.reasonTooLong').optional(),
});

const optionalInt = (max: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? null : v),
    z.coerce
      .number('reservations.errors.numberInvalid')
      .int('reservations.errors.numberInvalid')
      .min(0, 'reservations.errors.numberInvalid')
      .max(max, 'reservations.errors.numberInvalid')
      .nullable(),
  );
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'reservations.errors.timeInvalid');

const kind = z.enum(
  ['none', 'calendar_days', 'working_days', 'week_before'],
  'reservations.errors.kindRequired',
);
const weekday = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.enum(['1', '2', '3', '4', '5', '6', '7'], 'reservations.errors.weekdayRequired').optional(),
);

export const bookingRulesSchema = z
  .object({
    booking_kind: kind,
    booking_days: optionalInt(365),
    booking_weekday: weekday,
    booking_time: time.or(z.literal('')),
    cancel_kind: kind,
    cancel_days: optionalInt(365),
    cancel_weekday: weekday,
    cancel_time: time.or(z.literal('')),
    window_days: optionalInt(730),
    opens_at: z
      .string()
      .regex(/^(\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d)?$/, 'reservations.errors.dateTimeInvalid')
      .refine((v) => v === '' || isRealDay(v.slice(0, 10)), 'reservations.errors.dateTimeInvalid')
      .optional()
      .default(''),
    capacity: optionalInt(100000),
    capacity_split: z.enum(['none', 'age', 'school'], 'reservations.errors.splitRequired'),
    capacity_groups: multilineText().max(2000).optional().default(''),
    booking_unit: z.enum(['day', 'week'], 'reservations.errors.unitRequired'),
    sick_declaration_until: time,
  })
  .superRefine((f, ctx) => {
    const rules = [
      {
        p: 'booking',
        kind: f.booking_kind,
        days: f.booking_days,
        weekday: f.booking_weekday,
        time: f.booking_time,
      },
      {
        p: 'cancel',
        kind: f.cancel_kind,
        days: f.cancel_days,
        weekday: f.cancel_weekday,
        time: f.cancel_time,
      },
    ];
    for (const r of rules) {
      if (r.kind === 'none') continue;
      if (!r.time)
        ctx.addIssue({ code: 'custom', path: [`${r.p}_time`], message: 'reservations.errors.timeInvalid' });
      if (r.kind === 'week_before' && !r.weekday)
        ctx.addIssue({
          code: 'custom',
          path: [`${r.p}_weekday`],
          message: 'reservations.errors.weekdayRequired',
        });
      if (r.kind !== 'week_before' && r.days == null)
        ctx.addIssue({ code: 'custom', path: [`${r.p}_days`], message: 'reservations.errors.numberInvalid' });
    }
  });
