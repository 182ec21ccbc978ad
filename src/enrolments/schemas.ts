// Forms of the enrolment wizard and of the staff pages. Messages are catalogue keys.
import { z } from 'zod';
import { multilineText, text } from '../web/text.js';
import { arrayOf } from '../services/schemas.js';
import { isRealDay } from '../web/dates.js';
import { DEROGATION_REASONS } from './wizard.js';

const id = z
  .string()
  .regex(/^\d{1,15}$/, 'errors.invalid')
  .transform(Number);

export const startSchema = z.object({ child: id, service: id });

export const optionsSchema = z.object({
  weekdays: arrayOf(
    z
      .string()
      .regex(/^[1-7]$/, 'enrolments.errors.weekdays')
      .transform(Number),
  ),
});

export const schoolSchema = z.object({
  choice: z.enum(['catchment', 'other'], 'enrolments.errors.choiceRequired'),
  school_id: z
    .string()
    .regex(/^\d*$/, 'errors.invalid')
    .optional()
    .transform((v) => (v ? Number(v) : null)),
  reason: z
    .union([z.enum(DEROGATION_REASONS), z.literal('')], 'enrolments.errors.reasonRequired')
    .optional()
    .transform((v) => (v ? v : null)),
  text: multilineText().trim().max(1000, 'enrolments.errors.textTooLong').optional().default(''),
  documents: arrayOf(id),
});

export const endSchema = z.object({
  ends_on: z.string().trim().refine(isRealDay, 'enrolments.errors.endDate'),
});

export const answerSchema = z.object({
  message: multilineText().trim().max(2000, 'enrolments.errors.messageTooLong').optional().default(''),
  document_id: z
    .string()
    .regex(/^\d*$/, 'errors.invalid')
    .optional()
    .transform((v) => (v ? Number(v) : null)),
});

export const decideSchema = z.object({
  decision: z.enum(['accepted', 'refused', 'incomplete'], 'enrolments.errors.decisionRequired'),
  message: multilineText().trim().max(2000, 'enrolments.errors.messageTooLong').optional().default(''),
});

export const bulkSchema = z.object({
  service: id,
  ids: arrayOf(id).refine((v) => v.length > 0 && v.length <= 500, 'enrolments.errors.bulkNone'),
});

export const staffFiltersSchema = z.object({
  service: z
    .string()
    .regex(/^\d*$/)
    .optional()
    .transform((v) => (v ? Number(v) : undefined)),
  status: z.enum(['', 'submitted', 'accepted', 'refused', 'withdrawn', 'ended']).optional().default(''),
  q: text().trim().max(100).optional().default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});

export const deskSchema = z.object({
  child_id: z
    .string()
    .regex(/^\d{1,15}$/, 'enrolments.errors.childRequired')
    .transform(Number),
  service_id: z
    .string()
    .regex(/^\d{1,15}$/, 'enrolments.errors.serviceRequired')
    .transform(Number),
  weekdays: arrayOf(
    z
      .string()
      .regex(/^[1-7]$/, 'enrolments.errors.weekdays')
      .transform(Number),
  ),
});
