// The document vault's forms. Messages are catalogue keys.
import { z } from 'zod';
import { isRealDay } from '../web/dates.js';
import { multilineText, text } from '../web/text.js';

const optionalId = z
  .string()
  .trim()
  .max(15)
  .optional()
  .default('')
  .refine((v) => v === '' || /^\d{1,15}$/.test(v), 'documents.errors.memberInvalid');

const optionalDate = (message: string) =>
  z
    .string()
    .trim()
    .max(10)
    .optional()
    .default('')
    .refine((v) => v === '' || isRealDay(v), message);

export const uploadSchema = z.object({
  type: text().trim().min(1, 'documents.errors.typeRequired').max(50, 'documents.errors.typeInvalid'),
  member_id: optionalId,
  valid_until: optionalDate('documents.errors.validUntilInvalid'),
  replaces_id: z
    .string()
    .trim()
    .max(15)
    .optional()
    .default('')
    .refine((v) => v === '' || /^\d{1,15}$/.test(v), 'documents.errors.replaceInvalid'),
  return_to: z.string().max(2000).optional().default(''),
});
export type UploadForm = z.infer<typeof uploadSchema>;

export const staffUploadSchema = uploadSchema.extend({
  household_id: z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, 'documents.errors.householdInvalid'),
});

export const REJECT_REASONS = [
  'illegible',
  'incomplete',
  'expired',
  'wrong_type',
  'wrong_person',
  'other',
] as const;

export const reviewSchema = z.discriminatedUnion('decision', [
  z.object({
    decision: z.literal('accept'),
    valid_until: optionalDate('documents.errors.validUntilInvalid'),
  }),
  z.object({
    decision: z.literal('reject'),
    reason: z.enum(REJECT_REASONS, 'documents.errors.reasonRequired'),
    reason_text: multilineText().trim().max(500, 'documents.errors.reasonTooLong').optional().default(''),
  }),
]);
export type ReviewForm = z.infer<typeof reviewSchema>;

export const queueFilters = z.object({
  type: z
    .string()
    .trim()
    .regex(/^\d{0,9}$/)
    .optional()
    .default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});

export const documentTypeSchema = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_]{1,49}$/, 'documents.errors.codeInvalid'),
    name: text().trim().min(1, 'documents.errors.nameRequired').max(120, 'documents.errors.nameTooLong'),
    description: multilineText()
      .trim()
      .max(1000, 'documents.errors.descriptionTooLong')
      .optional()
      .default(''),
    scope: z.enum(['child', 'household'], 'documents.errors.scopeRequired'),
    validity_rule: z.enum(['none', 'months', 'school_year_end'], 'documents.errors.validityRuleRequired'),
    validity_months: z.string().trim().max(3).optional().default(''),
    active: z
      .string()
      .optional()
      .transform((v) => v === 'on'),
  })
  .superRefine((v, ctx) => {
    if (v.validity_rule === 'months' && !/^([1-9]|[1-9]\d)$/.test(v.validity_months)) {
      ctx.addIssue({
        code: 'custom',
        path: ['validity_months'],
        message: 'documents.errors.validityMonthsInvalid',
      });
    }
  });
export type DocumentTypeForm = z.infer<typeof documentTypeSchema>;
